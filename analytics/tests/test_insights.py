"""Plain-language insights from zones and demographics."""

from datetime import datetime, timezone

from analytics.demographics import CaseRecord, describe
from analytics.insights import NO_CASES, NO_ZONES, ZoneSummary, insights

UTC = timezone.utc


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


ZONES = [
    ZoneSummary(name="Hadapsar", cases=5, score=72.5),
    ZoneSummary(name="Koregaon Park", cases=12, score=81.0),
    ZoneSummary(name="Aundh", cases=4, score=55.0),
    ZoneSummary(name="Swargate", cases=7, score=70.0),
]


def test_no_data_says_no_cases_yet():
    assert insights([], describe([], tz_name="Asia/Kolkata")) == [NO_CASES]


def test_high_risk_zones_are_counted_and_the_highest_named():
    assert insights(ZONES, sample_demographics())[0] == (
        "3 high-risk zones (score 70 or more); the highest is Koregaon Park with 12 cases."
    )


def test_single_high_risk_zone_is_named():
    zones = [ZoneSummary(name="Hadapsar", cases=5, score=72.5), ZoneSummary(name="Aundh", cases=4, score=55.0)]
    assert insights(zones, sample_demographics())[0] == "1 high-risk zone (score 70 or more): Hadapsar with 5 cases."


def test_without_high_risk_zones_the_highest_score_is_given():
    zones = [ZoneSummary(name="Aundh", cases=4, score=55.0), ZoneSummary(name="Baner", cases=3, score=48.3)]
    assert insights(zones, sample_demographics())[0] == (
        "No high-risk zones (score 70 or more); the highest of 2 zones is Aundh with score 55.0."
    )


def test_cases_without_zones_say_no_zones_yet():
    assert insights([], sample_demographics())[0] == NO_ZONES


def test_sample_data_gives_every_sentence_in_order():
    assert insights(ZONES, sample_demographics())[1:] == [
        "Most affected age group: 11-15 years (3 of 5 cases, 60%).",
        "Peak time: 17:00-18:00 local time, when 3 of 5 children were last seen.",
        "Most common kind of place: railway station (2 of 5 cases).",
        "Recovery rate: 60% (3 of 5 found); lowest for ages 16-17 (0%).",
    ]


def test_place_sentence_left_out_when_no_place_is_recognised():
    d = describe([record(12, 12, "missing", "somewhere")], tz_name="Asia/Kolkata")
    assert not any(s.startswith("Most common kind of place") for s in insights([], d))


def test_recovery_sentence_without_lowest_group_when_one_group_only():
    d = describe([record(12, 12, "found", ""), record(13, 12, "missing", "")], tz_name="Asia/Kolkata")
    assert insights([], d)[-1] == "Recovery rate: 50% (1 of 2 found)."
