"""Plain-language insights from zones and demographics: honest on small data and on ties."""

import json
from datetime import datetime, timezone

from django.utils import translation

from analytics.demographics import CaseRecord, describe
from analytics.insights import ZoneSummary, insights, sentence

UTC = timezone.utc
NO_CASES = "No cases yet: insights will appear once cases are reported."
NO_ZONES = "No risk zones yet: cases are too few or too spread out to form one."


def record(age, hour_utc, status, place):
    seen = datetime(2025, 3, 10, hour_utc, 0, tzinfo=UTC)
    return CaseRecord(age=age, gender="female", created=seen, last_seen=seen, status=status, place=place)


def sample_demographics():
    records = [
        record(12, 12, "found", "Pune station"),  # 17:30 IST
        record(13, 12, "missing", "Pune Jn"),
        record(14, 13, "found", "Swargate bus stand"),  # 18:30 IST
        record(4, 12, "found", "Koregaon Park"),
        record(16, 3, "missing", "Somewhere"),  # 08:30 IST
    ]
    return describe(records, tz_name="Asia/Kolkata")


def words(zones, demographics, *, min_cases=1):
    return [sentence(finding) for finding in insights(zones, demographics, min_cases=min_cases)]


ZONES = [
    ZoneSummary(name="Hadapsar", cases=5, score=72.5),
    ZoneSummary(name="Koregaon Park", cases=12, score=81.0),
    ZoneSummary(name="Aundh", cases=4, score=55.0),
    ZoneSummary(name="Swargate", cases=7, score=70.0),
]


# --- zones ----------------------------------------------------------------------------------------------------------


def test_no_data_says_no_cases_yet():
    assert words([], describe([], tz_name="Asia/Kolkata")) == [NO_CASES]


def test_high_risk_zones_are_counted_and_the_highest_named():
    assert words(ZONES, sample_demographics())[0] == (
        "3 high-risk zones (score 70 or more); the highest is Koregaon Park with 12 cases."
    )


def test_single_high_risk_zone_is_named():
    zones = [ZoneSummary(name="Hadapsar", cases=5, score=72.5), ZoneSummary(name="Aundh", cases=4, score=55.0)]
    assert words(zones, sample_demographics())[0] == "1 high-risk zone (score 70 or more): Hadapsar with 5 cases."


def test_without_high_risk_zones_the_highest_score_is_given():
    zones = [ZoneSummary(name="Aundh", cases=4, score=55.0), ZoneSummary(name="Baner", cases=3, score=48.3)]
    assert words(zones, sample_demographics())[0] == (
        "No high-risk zones (score 70 or more); the highest of 2 zones is Aundh with score 55.0."
    )


def test_a_single_zone_is_called_the_only_one():
    zones = [ZoneSummary(name="Aundh", cases=4, score=55.0)]
    assert words(zones, sample_demographics())[0] == (
        "No high-risk zones (score 70 or more); the only zone is Aundh with score 55.0."
    )


def test_zones_tied_at_the_top_are_named_as_a_tie():
    zones = [ZoneSummary(name="Hadapsar", cases=5, score=72.5), ZoneSummary(name="Aundh", cases=5, score=72.5),
             ZoneSummary(name="Baner", cases=3, score=48.3)]
    assert words(zones, sample_demographics())[0] == (
        "2 high-risk zones (score 70 or more); the highest, tied, are Aundh and Hadapsar with 5 cases each."
    )


def test_low_zones_tied_at_the_top_are_named_as_a_tie():
    zones = [ZoneSummary(name="Hadapsar", cases=3, score=50.0), ZoneSummary(name="Aundh", cases=3, score=50.0)]
    assert words(zones, sample_demographics())[0] == (
        "No high-risk zones (score 70 or more); the highest of 2 zones, tied, are Aundh and Hadapsar with score 50.0."
    )


def test_cases_without_zones_say_no_zones_yet():
    assert words([], sample_demographics())[0] == NO_ZONES


# --- enough cases: every finding ------------------------------------------------------------------------------------


def test_sample_data_gives_every_sentence_in_order():
    assert words(ZONES, sample_demographics())[1:] == [
        "Most affected age group: 11-15 years (3 of 5 cases, 60%).",
        "Peak time: 17:00-18:00 local time, when 3 of 5 children were last seen.",
        "Most common kind of place: railway station (2 of 5 cases).",
        "Recovery rate: 60% (3 of 5 found).",
    ]


def test_place_sentence_left_out_when_no_place_is_recognised():
    d = describe([record(12, 12, "missing", "somewhere")], tz_name="Asia/Kolkata")
    assert not any(s.startswith("Most common kind of place") for s in words([], d))


def test_recovery_names_the_lowest_age_group_once_each_group_has_enough_cases():
    records = ([record(8, 12, "found" if i == 0 else "missing", "") for i in range(5)]
               + [record(13, 12, "missing" if i == 0 else "found", "") for i in range(5)])
    d = describe(records, tz_name="Asia/Kolkata")
    assert words([], d)[-1] == "Recovery rate: 50% (5 of 10 found); lowest for ages 6-10 (20%)."


def test_recovery_compares_no_age_group_with_too_few_cases():
    # 16-17 has one case, not found: 0% from one child is no finding.
    records = [record(8, 12, "found", "") for _ in range(5)] + [record(16, 12, "missing", "")]
    assert words([], describe(records, tz_name="Asia/Kolkata"))[-1] == "Recovery rate: 83% (5 of 6 found)."


def test_recovery_names_age_groups_tied_for_lowest_as_a_tie():
    records = ([record(3, 12, "found" if i == 0 else "missing", "") for i in range(5)]
               + [record(8, 12, "found" if i == 0 else "missing", "") for i in range(5)]
               + [record(13, 12, "found", "") for _ in range(5)])
    assert words([], describe(records, tz_name="Asia/Kolkata"))[-1] == (
        "Recovery rate: 47% (7 of 15 found); lowest, tied, for ages 0-5 and 6-10 (20%)."
    )


# --- small data: no claims ------------------------------------------------------------------------------------------


def test_below_the_minimum_no_most_affected_peak_or_most_common_claim_is_made():
    said = words(ZONES, sample_demographics(), min_cases=20)

    assert said == [
        "3 high-risk zones (score 70 or more); the highest is Koregaon Park with 12 cases.",
        "Not enough cases yet to say which ages, times or places are most common: 5 so far, 20 needed.",
        "Recovery rate: 60% (3 of 5 found).",
    ]


def test_the_minimum_itself_is_enough():
    said = words([], sample_demographics(), min_cases=5)

    assert "Most affected age group: 11-15 years (3 of 5 cases, 60%)." in said
    assert not any(s.startswith("Not enough cases yet") for s in said)


def test_three_cases_below_the_minimum_claim_nothing_even_when_they_agree():
    d = describe([record(4, 12, "missing", "Pune station") for _ in range(3)], tz_name="Asia/Kolkata")

    said = words([], d, min_cases=20)

    assert said == [NO_ZONES,
                    "Not enough cases yet to say which ages, times or places are most common: 3 so far, 20 needed.",
                    "Recovery rate: 0% (0 of 3 found)."]


# --- ties -----------------------------------------------------------------------------------------------------------


def test_tied_age_groups_are_named_as_a_tie():
    d = describe([record(8, 12, "missing", ""), record(9, 13, "missing", ""), record(12, 14, "missing", ""),
                  record(13, 15, "missing", ""), record(4, 16, "missing", "")], tz_name="Asia/Kolkata")
    assert "Most affected age groups, tied: 6-10 and 11-15 years (2 of 5 cases each)." in words([], d)


def test_age_groups_all_tied_make_no_claim():
    d = describe([record(age, 12, "missing", "") for age in (3, 8, 12, 16)], tz_name="Asia/Kolkata")
    assert not any("age group" in s for s in words([], d))


def test_tied_peak_hours_are_named_as_a_tie():
    d = describe([record(12, 12, "missing", ""), record(12, 12, "missing", ""), record(12, 3, "missing", ""),
                  record(12, 3, "missing", "")], tz_name="Asia/Kolkata")
    assert "Peak times, tied: 08:00-09:00 and 17:00-18:00 local time (2 of 4 children last seen in each)." in words(
        [], d)


def test_many_hours_tied_say_there_is_no_single_peak():
    d = describe([record(12, hour, "missing", "") for hour in (1, 5, 9, 13)], tz_name="Asia/Kolkata")
    said = words([], d)
    assert "No single peak time: 4 hours share the highest count (1 child each)." in said
    assert not any(s.startswith("Peak time") for s in said)


def test_tied_kinds_of_place_are_named_as_a_tie():
    d = describe([record(12, 12, "missing", "Pune station"), record(12, 13, "missing", "Swargate bus stand")],
                 tz_name="Asia/Kolkata")
    assert "Most common kinds of place, tied: railway station and bus stand (1 of 2 cases each)." in words([], d)


def test_many_kinds_of_place_tied_make_no_claim():
    places = ["Pune station", "Swargate bus stand", "Laxmi market", "City school"]
    d = describe([record(12, 12, "missing", place) for place in places], tz_name="Asia/Kolkata")
    assert not any("kind of place" in s or "kinds of place" in s for s in words([], d))


# --- stored and shown -----------------------------------------------------------------------------------------------


def test_findings_are_plain_json_for_the_snapshot():
    findings = insights(ZONES, sample_demographics(), min_cases=1)
    assert json.loads(json.dumps(findings)) == findings


def test_a_sentence_stored_by_an_older_snapshot_is_shown_as_it_is():
    assert sentence("Peak time: 17:00-18:00 local time.") == "Peak time: 17:00-18:00 local time."


def test_findings_are_put_into_the_readers_language():
    finding = insights([], sample_demographics(), min_cases=20)[1]

    with translation.override("hi"):
        shown = sentence(finding)

    assert "5" in shown and "20" in shown
    assert shown != sentence(finding)
