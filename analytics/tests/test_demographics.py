"""Demographic counts over plain case records, bucketed on the local clock."""

from datetime import date, datetime, timedelta, timezone

import pytest

from analytics.demographics import (
    CaseRecord,
    cases_over_time,
    count_age_groups,
    count_genders,
    count_hours,
    count_place_kinds,
    describe,
    local_hour,
    place_kind,
    recovery_by_age_group,
    recovery_rate,
)

UTC = timezone.utc


def case(age=8, gender="female", created=datetime(2025, 3, 10, 12, 0, tzinfo=UTC), last_seen=None, status="missing",
         place=""):
    return CaseRecord(age=age, gender=gender, created=created, last_seen=last_seen, status=status, place=place)


def test_age_groups_count_every_band_including_empty_ones():
    records = [case(age=a) for a in (0, 5, 6, 10, 11, 15, 16, 17, 3)]
    assert count_age_groups(records) == {"0-5": 3, "6-10": 2, "11-15": 2, "16-17": 2}


def test_missing_or_adult_age_counts_as_unknown():
    assert count_age_groups([case(age=None), case(age=18), case(age=4)]) == {
        "0-5": 1, "6-10": 0, "11-15": 0, "16-17": 0, "unknown": 2,
    }


def test_genders_are_counted_case_insensitively_most_common_first():
    records = [case(gender="Male"), case(gender="female"), case(gender="FEMALE"), case(gender=" ")]
    assert list(count_genders(records).items()) == [("female", 2), ("male", 1), ("unknown", 1)]


def test_evening_utc_is_after_midnight_in_kolkata():
    assert local_hour(datetime(2025, 3, 10, 20, 0, tzinfo=UTC), "Asia/Kolkata") == 1


def test_hours_default_to_settings_time_zone(settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    hours = count_hours([case(last_seen=datetime(2025, 3, 10, 20, 0, tzinfo=UTC))])
    assert hours[1] == 1 and sum(hours) == 1


def test_hours_bucket_across_midnight_in_local_time():
    seen = [datetime(2025, 3, 10, h, m, tzinfo=UTC) for h, m in ((18, 29), (18, 30), (19, 0), (17, 45))]
    hours = count_hours([case(last_seen=s) for s in seen], tz_name="Asia/Kolkata")
    assert {h: n for h, n in enumerate(hours) if n} == {23: 2, 0: 2}


def test_hour_falls_back_to_reported_time_when_last_seen_is_unknown():
    hours = count_hours([case(created=datetime(2025, 3, 10, 4, 30, tzinfo=UTC))], tz_name="Asia/Kolkata")
    assert hours[10] == 1 and sum(hours) == 1


def test_naive_datetime_is_rejected():
    with pytest.raises(ValueError):
        local_hour(datetime(2025, 3, 10, 20, 0), "Asia/Kolkata")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Pune Jn, platform 3", "railway station"),
        ("Near Dadar railway station", "railway station"),
        ("Swargate bus stand", "bus stand"),
        ("Kashmere Gate ISBT", "bus stand"),
        ("Bus station, Sector 17", "bus stand"),
        ("Laxmi Road market", "market"),
        ("Crawford Bazaar", "market"),
        ("Chandni Chowk", "market"),
        ("Kendriya Vidyalaya No. 2", "school"),
        ("Sambhaji Park", "park"),
        ("Hanuman Mandir", "religious place"),
        ("Jama Masjid", "religious place"),
        ("Bangla Sahib Gurudwara", "religious place"),
        ("Sassoon Hospital", "hospital"),
        ("Phoenix Mall", "mall"),
        ("Gandhi Nagar", "residential"),
        ("Shivajinagar", "residential"),
        ("Model Colony", "residential"),
        ("Shivaji police station", "other"),
        ("Near the river", "other"),
        ("", "other"),
        ("दादर स्टेशन", "railway station"),
        ("हनुमान मंदिर के पास", "religious place"),
        ("गुरुद्वारा रोड", "religious place"),
    ],
)
def test_place_kind_from_place_text(text, kind):
    assert place_kind(text) == kind


def test_keyword_inside_another_word_does_not_match():
    assert place_kind("Marketyard approach road") == "other"


def test_place_kinds_most_common_first():
    records = [case(place=p) for p in ("Pune station", "Hadapsar bus stand", "Swargate bus stand", "somewhere")]
    assert list(count_place_kinds(records).items()) == [("bus stand", 2), ("railway station", 1), ("other", 1)]


def test_recovery_rate_is_found_over_all_cases():
    records = [case(status="found"), case(status="Found"), case(status="missing"), case(status="closed")]
    assert recovery_rate(records) == 0.5


def test_recovery_rate_of_no_cases_is_none():
    assert recovery_rate([]) is None


def test_recovery_rate_by_age_group():
    records = [case(age=4, status="found"), case(age=3, status="missing"), case(age=16, status="missing"),
               case(age=9, status="found")]
    assert recovery_by_age_group(records) == {"0-5": 0.5, "6-10": 1.0, "11-15": None, "16-17": 0.0}


def test_cases_per_local_day_fill_gaps_with_zero():
    created = [datetime(2025, 3, 9, 19, 0, tzinfo=UTC), datetime(2025, 3, 10, 1, 0, tzinfo=UTC),
               datetime(2025, 3, 12, 8, 0, tzinfo=UTC)]
    result = cases_over_time([case(created=c) for c in created], tz_name="Asia/Kolkata")
    assert result == [(date(2025, 3, 10), 2), (date(2025, 3, 11), 0), (date(2025, 3, 12), 1)]


def test_cases_per_week_are_keyed_by_monday():
    start = datetime(2025, 3, 9, 12, 0, tzinfo=UTC)  # a Sunday
    records = [case(created=start + timedelta(days=d)) for d in (0, 1, 7, 16)]
    assert cases_over_time(records, period="week", tz_name="Asia/Kolkata") == [
        (date(2025, 3, 3), 1), (date(2025, 3, 10), 2), (date(2025, 3, 17), 0), (date(2025, 3, 24), 1),
    ]


def test_describe_bundles_the_counts():
    records = [case(age=4, status="found", place="Pune station"), case(age=12, place="Pune station")]
    d = describe(records, tz_name="Asia/Kolkata")
    assert (d.total, d.found, d.recovery_rate, d.place_kinds) == (2, 1, 0.5, {"railway station": 2})
    assert d.cases_per_day == [(date(2025, 3, 10), 2)]
