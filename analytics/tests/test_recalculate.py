"""Recalculating the analytics over the cases in the database into a stored snapshot."""

from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.core.cache import cache
from django.utils import timezone

from analytics import services
from analytics.insights import sentence
from analytics.models import AnalyticsSnapshot, RiskZone
from analytics.services import LOCK_KEY, RecalculationRunning, recalculate

from .conftest import DELHI, MUMBAI, PUNE

pytestmark = pytest.mark.django_db


def test_worked_example_scores_55_through_recalculate(placed_case):
    for north_km, days, age in ((0.0, 0, 4), (0.3, 60, 9), (0.6, 400, 14)):
        placed_case(PUNE, north_km, days=days, age=age)

    snapshot = recalculate()

    zone = snapshot.zones.get()
    assert (zone.incident_count, zone.risk_score) == (3, 55.0)


def test_zone_counts_cases_still_missing_and_seen_in_the_last_30_days(placed_case):
    placed_case(PUNE, 0.0, days=2, status="missing")
    placed_case(PUNE, 0.2, days=29, status="found")
    placed_case(PUNE, 0.4, days=45, status="missing")

    zone = recalculate().zones.get()

    assert (zone.missing_count, zone.recent_count) == (2, 2)


def test_zone_is_named_by_its_most_common_place(placed_case):
    placed_case(PUNE, 0.0, last_seen_place="Swargate bus stand, Pune")
    placed_case(PUNE, 0.2, last_seen_place="Pune station")
    placed_case(PUNE, 0.4, last_seen_place="swargate bus stand,  pune")

    assert recalculate().zones.get().name == "Swargate bus stand, Pune"


def test_zone_centre_and_radius_come_from_its_cases(placed_case):
    for east_km in (-1.0, 0.0, 1.0):
        placed_case(PUNE, 0.0, east_km)

    zone = recalculate().zones.get()

    assert (round(zone.centre_lat, 4), round(zone.centre_lng, 4)) == PUNE
    assert round(zone.radius_km, 2) == 1.0


def test_separate_areas_make_separate_zones_and_a_lone_case_makes_none(placed_case):
    for north_km in (0.0, 0.5, 1.0):
        placed_case(PUNE, north_km, last_seen_place="Koregaon Park, Pune")
    for north_km in (0.0, 0.3, 0.6, 0.9):
        placed_case(MUMBAI, north_km, last_seen_place="Andheri West, Mumbai")
    placed_case(DELHI, last_seen_place="Connaught Place, New Delhi")

    snapshot = recalculate()

    zones = {z.name: z.incident_count for z in snapshot.zones.all()}
    assert zones == {"Andheri West, Mumbai": 4, "Koregaon Park, Pune": 3}
    assert (snapshot.case_count, snapshot.located_count, snapshot.zone_count) == (8, 8, 2)


def test_cases_placed_only_at_the_city_centre_form_no_zone(placed_case):
    for _ in range(4):
        placed_case(PUNE, location_precision="city", last_seen_place="Pune")

    snapshot = recalculate()

    assert (snapshot.case_count, snapshot.located_count, snapshot.zone_count) == (4, 0, 0)
    assert RiskZone.objects.count() == 0


def test_cases_without_coordinates_count_in_demographics_but_not_in_zones(placed_case):
    for _ in range(3):
        placed_case(latitude=None, longitude=None, location_precision="", age=4)

    snapshot = recalculate()

    assert (snapshot.case_count, snapshot.located_count, snapshot.zone_count) == (3, 0, 0)
    assert snapshot.demographics["age_groups"] == {"0-5": 3, "6-10": 0, "11-15": 0, "16-17": 0}


def test_hour_last_seen_is_counted_on_the_local_clock(placed_case, settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    placed_case(last_seen_at=datetime(2025, 3, 10, 20, 0, tzinfo=dt_timezone.utc))  # 01:30 in India
    placed_case(last_seen_at=datetime(2025, 3, 10, 18, 29, tzinfo=dt_timezone.utc))  # 23:59 in India

    snapshot = recalculate()

    hours = snapshot.demographics["hours"]
    assert {hour: n for hour, n in enumerate(hours) if n} == {1: 1, 23: 1}
    assert snapshot.time_zone == "Asia/Kolkata"


def test_recovery_counts_found_cases_only(placed_case):
    placed_case(status="found", age=4)
    placed_case(status="closed", age=4)
    placed_case(status="missing", age=12)
    placed_case(status="found", age=12)

    counts = recalculate().demographics

    assert (counts["found"], counts["recovery_rate"]) == (2, 0.5)
    assert counts["recovery_by_age_group"] == {"0-5": 0.5, "6-10": None, "11-15": 0.5, "16-17": None}


def test_insights_are_stored_with_the_snapshot_as_findings(placed_case, settings):
    settings.ANALYTICS_MIN_CASES_FOR_INSIGHT = 3
    for north_km in (0.0, 0.2, 0.4):
        placed_case(PUNE, north_km, age=4, days=1, last_seen_place="Pune station")

    insights = [sentence(finding) for finding in recalculate().insights]

    assert insights[0] == "No high-risk zones (score 70 or more); the only zone is Pune station with score 65.0."
    assert "Most affected age group: 0-5 years (3 of 3 cases, 100%)." in insights


def test_stored_insights_make_no_claim_below_the_minimum_of_cases(placed_case, settings):
    settings.ANALYTICS_MIN_CASES_FOR_INSIGHT = 20
    for north_km in (0.0, 0.2, 0.4):
        placed_case(PUNE, north_km, age=4, days=1, last_seen_place="Pune station")

    kinds = [finding["kind"] for finding in recalculate().insights]

    assert kinds == ["zones", "too_few_cases", "recovery"]


def test_short_history_is_charted_per_day(placed_case):
    now = timezone.now()
    placed_case(created_at=now - timedelta(days=2))
    placed_case(created_at=now)

    series = recalculate().cases_over_time

    today = timezone.localdate(now)
    assert series == {"period": "day", "points": [[(today - timedelta(days=d)).isoformat(), n]
                                                  for d, n in ((2, 1), (1, 0), (0, 1))]}


def test_long_history_is_charted_per_week(placed_case):
    now = timezone.now()
    placed_case(created_at=now - timedelta(days=400))
    placed_case(created_at=now)

    series = recalculate().cases_over_time

    first, last = (timezone.localdate(t) for t in (now - timedelta(days=400), now))
    mondays = [(d - timedelta(days=d.weekday())) for d in (first, last)]
    assert series["period"] == "week"
    assert series["points"][0] == [mondays[0].isoformat(), 1]
    assert series["points"][-1] == [mondays[1].isoformat(), 1]
    assert (len(series["points"]), sum(n for _, n in series["points"])) == ((mondays[1] - mondays[0]).days // 7 + 1, 2)


def test_no_cases_gives_an_empty_snapshot_that_says_so():
    snapshot = recalculate()

    assert (snapshot.case_count, snapshot.zone_count) == (0, 0)
    assert snapshot.insights == [{"kind": "no_cases"}]
    assert sentence(snapshot.insights[0]) == "No cases yet: insights will appear once cases are reported."


def test_only_the_newest_snapshots_are_kept(placed_case, settings):
    settings.ANALYTICS_KEEP_SNAPSHOTS = 2
    for north_km in (0.0, 0.2, 0.4):
        placed_case(PUNE, north_km)

    ids = [recalculate().pk for _ in range(4)]

    assert list(AnalyticsSnapshot.objects.values_list("id", flat=True)) == [ids[3], ids[2]]
    assert sorted(RiskZone.objects.values_list("snapshot_id", flat=True)) == [ids[2], ids[3]]


def test_a_second_run_while_one_holds_the_lock_stores_nothing(placed_case):
    placed_case()
    cache.add(LOCK_KEY, "another-run", 60)

    with pytest.raises(RecalculationRunning):
        recalculate()

    assert AnalyticsSnapshot.objects.count() == 0
    assert cache.get(LOCK_KEY) == "another-run"


def test_the_lock_is_released_after_a_run(placed_case):
    placed_case()

    recalculate()

    assert cache.get(LOCK_KEY) is None
    assert recalculate().case_count == 1


def test_cases_are_read_in_chunks(placed_case, monkeypatch):
    monkeypatch.setattr(services, "READ_CHUNK", 2)
    for north_km in range(5):
        placed_case(PUNE, north_km * 10.0)
    seen = []

    snapshot = recalculate(progress=lambda stage, count, unit: seen.append((stage, count)))

    assert [count for stage, count in seen if stage == "Reading cases"] == [2, 4, 5]
    assert snapshot.case_count == 5
