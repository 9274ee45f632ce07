from cases.ages import AGE_GROUPS, age_group


def test_every_child_age_falls_in_exactly_one_group_in_table_order():
    assert [age_group(age) for age in range(18)] == ["0-5"] * 6 + ["6-10"] * 5 + ["11-15"] * 5 + ["16-17"] * 2
    assert list(AGE_GROUPS) == ["0-5", "6-10", "11-15", "16-17"]


def test_no_group_for_a_missing_or_adult_age():
    assert (age_group(None), age_group(-1), age_group(18)) == (None, None, None)
