"""Matching subscribers to a point: the reach rule, and the indexed query against a brute-force haversine."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from geocoding.distance import haversine_km
from notifications.matching import box, cell_of, matching, reach_km
from notifications.models import Subscription

from .subscribers import HINJEWADI, KALYANI_NAGAR, PUNE, make_subscriber

START = datetime(2026, 3, 10, 9, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize(("hours", "km"), [(0, 5), (23.9, 5), (24, 10), (71, 10), (72, 25), (167, 25), (168, 50),
                                           (2000, 50), (-3, 5)])
def test_reach_grows_with_the_hours_missing(hours, km):
    assert reach_km(START, START + timedelta(hours=hours)) == km


def test_reach_follows_the_setting_and_is_capped_at_50_km(settings):
    settings.SUBSCRIPTION_REACH_STEPS = [(0.0, 2.0), (12.0, 80.0)]

    assert reach_km(START, START + timedelta(hours=1)) == 2.0
    assert reach_km(START, START + timedelta(hours=13)) == 50.0


def test_box_holds_the_circle():
    south, north, west, east = box(18.5, 73.9, 10)

    assert haversine_km(18.5, 73.9, north, 73.9) > 10 and haversine_km(18.5, 73.9, south, 73.9) > 10
    assert haversine_km(18.5, 73.9, 18.5, east) > 10 and haversine_km(18.5, 73.9, 18.5, west) > 10
    assert cell_of(18.55, 73.95) == cell_of(18.51, 73.91) != cell_of(18.61, 73.91)


@pytest.mark.django_db
def test_match_needs_the_point_within_the_subscribers_radius_and_the_reach():
    near = make_subscriber(KALYANI_NAGAR, address="+919822000001", radius_km=2)  # 1.6 km
    wide = make_subscriber(HINJEWADI, address="+919822000002", radius_km=20)  # 17.4 km
    make_subscriber(HINJEWADI, address="+919822000003", radius_km=15)
    make_subscriber(KALYANI_NAGAR, address="+919822000004", status=Subscription.Status.PENDING)

    assert [m.id for m in matching(*PUNE, 5)] == [near.id]
    assert [m.id for m in matching(*PUNE, 25)] == [near.id, wide.id]


@pytest.mark.django_db
def test_indexed_matching_agrees_with_brute_force():
    rng = random.Random(7)
    subscribers = [make_subscriber((18.5 + rng.uniform(-0.6, 0.6), 73.9 + rng.uniform(-0.6, 0.6)),
                                   address=f"+9198220{n:05d}", radius_km=rng.choice([1, 2, 5, 10, 25, 50]))
                   for n in range(400)]
    for point, reach in [((18.52, 73.86), 5), ((18.70, 74.10), 25), ((18.31, 73.55), 50), ((18.5, 73.9), 10)]:
        expected = sorted(s.id for s in subscribers
                          if haversine_km(*point, s.latitude, s.longitude) <= min(s.radius_km, reach))
        found = matching(*point, reach)

        assert sorted(m.id for m in found) == expected
        assert [m.distance_km for m in found] == sorted(m.distance_km for m in found)
