"""/api/v1/analytics/: the latest stored snapshot for keys with the "analytics" scope."""

from __future__ import annotations

import pytest

from analytics.models import AnalyticsSnapshot
from analytics.services import recalculate

from .conftest import PUNE

pytestmark = pytest.mark.django_db


def get(client, key, path, **extra):
    return client.get(f"/api/v1/analytics/{path}/", HTTP_AUTHORIZATION=f"Bearer {key}", **extra)


def test_no_snapshot_yet_is_a_404_json(client, make_key):
    _row, key = make_key("analytics")
    response = get(client, key, "risk-zones")
    assert response.status_code == 404 and response.json() == {"detail": "No analytics have been computed yet."}


def test_risk_zones_demographics_and_insights_come_from_the_latest_snapshot(client, make_key, placed_case):
    for km in (0, 0.3, 0.6):
        placed_case(PUNE, north_km=km)
    recalculate()
    _row, key = make_key("analytics")
    zones = get(client, key, "risk-zones").json()
    assert zones["case_count"] == 3 and len(zones["zones"]) == 1 and zones["zones"][0]["incident_count"] == 3
    demographics = get(client, key, "demographics").json()
    assert demographics["demographics"]["total"] == 3 and demographics["time_zone"] == "Asia/Kolkata"
    english = get(client, key, "insights").json()
    hindi = get(client, key, "insights", HTTP_ACCEPT_LANGUAGE="hi").json()
    assert english["findings"] == hindi["findings"] and english["insights"] != hindi["insights"]
    assert AnalyticsSnapshot.objects.count() == 1  # read, never recomputed
