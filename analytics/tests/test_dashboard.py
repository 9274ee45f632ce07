"""The analytics page inside the admin and its recalculate button."""

from datetime import timedelta
import json
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analytics.models import AnalyticsSnapshot, RiskZone
from cases.models import Case
from analytics.services import QUEUED_MESSAGE, map_sightings, queue_recalculation, recalculate

from .conftest import MUMBAI, PUNE, near, sign_in_as

pytestmark = pytest.mark.django_db

DASHBOARD = "admin:analytics_analyticssnapshot_changelist"
RECALCULATE = "admin:analytics_analyticssnapshot_recalculate"
CANVASES = ("chart-ages", "chart-genders", "chart-hours", "chart-places", "chart-recovery", "chart-over-time")


def page_data(response) -> dict:
    match = re.search(r'<script id="analytics-data" type="application/json">(.*?)</script>', response.content.decode(),
                      re.S)
    return json.loads(match.group(1))


@pytest.fixture
def pune_zone(placed_case, make_sighting):
    """Three cases in one Pune zone (the worked example: score 55.0) and one sighting, then a snapshot."""
    cases = [placed_case(PUNE, north_km, days=days, age=age, last_seen_place="Pune station", gender=gender)
             for north_km, days, age, gender in ((0.0, 0, 4, "female"), (0.3, 60, 9, "male"), (0.6, 400, 14, "male"))]
    make_sighting(cases[0], place="Shivajinagar bus stand", **near(PUNE, 1.0))
    return recalculate()


def test_staff_with_view_permission_see_charts_insights_and_zones(staff_client, pune_zone):
    client = staff_client("view_analyticssnapshot")

    response = client.get(reverse(DASHBOARD))

    assert response.status_code == 200
    html = response.content.decode()
    assert all(f'<canvas id="{canvas}"' in html for canvas in CANVASES)
    assert "<li>No high-risk zones (score 70 or more); the only zone is Pune station with score 55.0.</li>" in html
    assert '<th scope="row">Pune station</th><td>55.0</td>' in html


def test_page_data_holds_the_snapshot_for_the_charts_and_the_map(staff_client, pune_zone):
    client = staff_client("view_analyticssnapshot")

    data = page_data(client.get(reverse(DASHBOARD)))

    assert data["ageGroups"] == {"0-5": 1, "6-10": 1, "11-15": 1, "16-17": 0}
    assert data["genders"] == {"Boy": 2, "Girl": 1}
    assert len(data["hours"]) == 24 and sum(data["hours"]) == 3
    assert data["recovery"] == {"overall": 0.0, "byAgeGroup": {"0-5": 0.0, "6-10": 0.0, "11-15": 0.0, "16-17": None}}
    assert [(z["name"], z["cases"], z["score"]) for z in data["zones"]] == [("Pune station", 3, 55.0)]
    assert [(s["place"], s["case"]) for s in data["sightings"]] == [
        ("Shivajinagar bus stand", Case.objects.get(age=4).reference)
    ]
    assert data["scoreScale"] == {"low": 40.0, "high": 85.0, "highRisk": 70}


def test_three_cases_are_too_few_for_a_most_affected_or_peak_claim(staff_client, pune_zone):
    client = staff_client("view_analyticssnapshot")

    html = client.get(reverse(DASHBOARD)).content.decode()

    assert ("<li>Not enough cases yet to say which ages, times or places are most common: 3 so far, 20 needed.</li>"
            in html)
    assert "Most affected" not in html and "Peak time" not in html and "Most common kind" not in html


def test_insights_are_shown_in_the_staff_members_language(staff_client, pune_zone, settings):
    client = staff_client("view_analyticssnapshot")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "hi"

    html = client.get(reverse(DASHBOARD)).content.decode()

    assert "Not enough cases yet" not in html
    assert "अभी इतने मामले नहीं हैं" in html


def test_risk_legend_is_shown_with_zones(staff_client, pune_zone):
    html = staff_client("view_analyticssnapshot").get(reverse(DASHBOARD)).content.decode()

    assert 'class="analytics-ramp"' in html and 'class="analytics-dot"' in html
    assert "Circles are risk zones" in html and "Dots are sightings with a place on the map (the latest 1)." in html


def test_without_zones_the_map_shows_sightings_and_no_risk_legend(staff_client, placed_case, make_sighting):
    make_sighting(placed_case(PUNE), **near(PUNE, 1.0))
    recalculate()

    html = staff_client("view_analyticssnapshot").get(reverse(DASHBOARD)).content.decode()

    assert 'id="risk-map"' in html and 'class="analytics-dot"' in html
    assert 'class="analytics-ramp"' not in html
    assert "No risk zones yet." in html and "Dots are sightings with a place on the map (the latest 1)." in html


def test_with_no_cases_there_is_no_map_legend_or_chart(staff_client):
    recalculate()

    html = staff_client("view_analyticssnapshot").get(reverse(DASHBOARD)).content.decode()

    assert "<li>No cases yet: insights will appear once cases are reported.</li>" in html
    assert 'id="risk-map"' not in html and "analytics-legend" not in html and "<canvas" not in html


def test_map_element_carries_the_tile_server(staff_client, pune_zone, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    client = staff_client("view_analyticssnapshot")

    html = client.get(reverse(DASHBOARD)).content.decode()

    assert 'id="risk-map" class="analytics-map" data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in html


def test_page_has_no_inline_script_code(staff_client, pune_zone):
    client = staff_client("view_analyticssnapshot")

    html = client.get(reverse(DASHBOARD)).content.decode()

    tags = re.findall(r"<script\b[^>]*>", html)
    assert '<script id="analytics-data" type="application/json">' in tags
    assert [t for t in tags if "src=" not in t and 'type="application/json"' not in t] == []
    assert " onclick=" not in html and " onload=" not in html


def test_without_a_snapshot_the_page_says_so_and_offers_the_button(staff_client):
    client = staff_client("view_analyticssnapshot", "recalculate_analytics")

    html = client.get(reverse(DASHBOARD)).content.decode()

    assert "No analytics have been calculated yet." in html
    assert f'<form method="post" action="{reverse(RECALCULATE)}"' in html
    assert 'id="analytics-data"' not in html


def test_button_is_hidden_from_staff_who_may_only_view(staff_client, pune_zone):
    client = staff_client("view_analyticssnapshot")

    html = client.get(reverse(DASHBOARD)).content.decode()

    assert reverse(RECALCULATE) not in html


def test_admin_index_links_to_the_dashboard(staff_client):
    client = staff_client("view_analyticssnapshot")

    html = client.get(reverse("admin:index")).content.decode()

    assert f'href="{reverse(DASHBOARD)}"' in html


def test_staff_without_view_permission_are_refused(staff_client, pune_zone):
    client = staff_client()

    assert client.get(reverse(DASHBOARD)).status_code == 403


def test_strangers_get_not_found(client, pune_zone):
    assert client.get(reverse(DASHBOARD)).status_code == 404


def test_signed_in_non_staff_get_not_found(client, django_user_model, pune_zone):
    sign_in_as(client, django_user_model.objects.create_user("parent", password=None))

    assert client.get(reverse(DASHBOARD)).status_code == 404


def test_page_runs_the_same_number_of_queries_for_any_number_of_zones_and_sightings(
    staff_client, placed_case, make_sighting
):
    client = staff_client("view_analyticssnapshot")
    for north_km in (0.0, 0.3, 0.6):
        make_sighting(placed_case(PUNE, north_km), **near(PUNE, 1.0))
    recalculate()
    client.get(reverse(DASHBOARD))  # warm the per-process content-type cache
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(DASHBOARD)).status_code == 200

    for i in range(42):
        case = placed_case(MUMBAI, 5.0 * (i // 3), 0.1 * (i % 3))
        make_sighting(case, **near(MUMBAI, 5.0 * (i // 3), 1.0))
    assert recalculate().zone_count == 15
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse(DASHBOARD)).status_code == 200

    assert len(large) == len(small) <= 10


def test_map_sightings_are_the_latest_with_coordinates_up_to_the_limit(make_case, make_sighting):
    case = make_case()
    now = timezone.now()
    for hours, place in ((3, "Old"), (2, "Middle"), (1, "Newest")):
        make_sighting(case, place=place, seen_at=now - timedelta(hours=hours))
    make_sighting(case, place="Not on the map", latitude=None, longitude=None, seen_at=now)

    assert [s["place"] for s in map_sightings(limit=2)] == ["Newest", "Middle"]


# --- the recalculate button ----------------------------------------------------------------------------------------

def test_button_runs_the_recalculation_and_logs_who_asked(staff_client, placed_case):
    client = staff_client("view_analyticssnapshot", "recalculate_analytics")
    for north_km in (0.0, 0.2, 0.4):
        placed_case(PUNE, north_km)

    response = client.post(reverse(RECALCULATE), follow=True)

    assert response.redirect_chain == [(reverse(DASHBOARD), 302)]
    assert AnalyticsSnapshot.objects.get().zone_count == 1
    entry = LogEntry.objects.get()
    assert (entry.user, entry.change_message, entry.content_type.model) == (
        client.user, QUEUED_MESSAGE, "analyticssnapshot"
    )
    assert "Analytics recalculated: the figures below are new." in response.content.decode()
    assert "has not finished yet" not in response.content.decode()


def test_get_on_the_button_address_does_nothing(staff_client, placed_case):
    client = staff_client("view_analyticssnapshot", "recalculate_analytics")
    placed_case()

    response = client.get(reverse(RECALCULATE))

    assert response.status_code == 405
    assert AnalyticsSnapshot.objects.count() == 0
    assert LogEntry.objects.count() == 0


def test_button_refuses_staff_who_may_only_view(staff_client, placed_case):
    client = staff_client("view_analyticssnapshot")
    placed_case()

    response = client.post(reverse(RECALCULATE))

    assert response.status_code == 403
    assert AnalyticsSnapshot.objects.count() == 0
    assert LogEntry.objects.count() == 0


def test_button_needs_the_csrf_token(django_user_model, placed_case):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("officer", password=None, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_analyticssnapshot",
                                                                         "recalculate_analytics"]))
    client = Client(enforce_csrf_checks=True)
    sign_in_as(client, user)
    placed_case()

    response = client.post(reverse(RECALCULATE))

    assert response.status_code == 403
    assert AnalyticsSnapshot.objects.count() == 0
    assert LogEntry.objects.count() == 0


def test_request_newer_than_the_snapshot_shows_as_queued(staff_client, pune_zone):
    client = staff_client("view_analyticssnapshot", "recalculate_analytics")
    queue_time = pune_zone.computed_at + timedelta(minutes=1)
    LogEntry.objects.create(action_time=queue_time, user=client.user, content_type_id=_snapshot_type(),
                            object_repr="Analytics", action_flag=2, change_message=QUEUED_MESSAGE)

    html = client.get(reverse(DASHBOARD)).content.decode()

    assert "has not finished yet" in html
    assert "by officer" in html


def test_request_queued_long_ago_and_never_run_is_shown_as_stalled(staff_client):
    client = staff_client("view_analyticssnapshot")
    LogEntry.objects.create(action_time=timezone.now() - timedelta(minutes=31), user=client.user,
                            content_type_id=_snapshot_type(), object_repr="Analytics", action_flag=2,
                            change_message=QUEUED_MESSAGE)

    html = client.get(reverse(DASHBOARD)).content.decode()

    assert "check that the Celery worker is running" in html


def test_request_older_than_the_snapshot_is_not_shown_as_queued(staff_client, placed_case):
    client = staff_client("view_analyticssnapshot")
    placed_case()
    queue_recalculation(user=client.user)  # runs in-process: its snapshot is newer than the request

    html = client.get(reverse(DASHBOARD)).content.decode()

    assert AnalyticsSnapshot.objects.count() == 1
    assert "has not finished yet" not in html


def _snapshot_type() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(AnalyticsSnapshot).pk


def test_zones_of_the_latest_snapshot_only_are_shown(staff_client, placed_case):
    client = staff_client("view_analyticssnapshot")
    for north_km in (0.0, 0.2, 0.4):
        placed_case(PUNE, north_km, last_seen_place="Pune station")
    recalculate()
    for north_km in (0.0, 0.2, 0.4):
        placed_case(MUMBAI, north_km, last_seen_place="Dadar station")
    recalculate()

    data = page_data(client.get(reverse(DASHBOARD)))

    assert RiskZone.objects.count() == 3
    assert sorted(z["name"] for z in data["zones"]) == ["Dadar station", "Pune station"]
