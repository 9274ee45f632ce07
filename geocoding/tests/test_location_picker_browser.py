"""The report form's live map in headless Chromium: the typed place is shown (never put into the form), and "use my
location" names the nearest place and warns outside India. Only the loopback is reachable from the page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from cases.models import Case
from tests.browser import chromium, playwright_driver  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOOPBACK = {"127.0.0.1", "localhost"}  # live_server's address


@pytest.fixture
def report_page(chromium, live_server, settings):
    settings.NOMINATIM_ENABLED = False
    settings.GOOGLE_MAPS_API_KEY = ""
    settings.MAP_TILE_URL = "/static/no-tiles/{z}/{x}/{y}.png"  # same origin: no tile server is asked
    context = chromium.new_context()
    context.grant_permissions(["geolocation"], origin=live_server.url)
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname in LOOPBACK
               else route.abort())
    page.goto(f"{live_server.url}/report")
    yield page
    context.close()


def test_typed_place_is_shown_with_its_precision_but_not_put_into_the_form(report_page):
    report_page.fill("#id_last_seen_place", "Koramangala, Bengaluru")

    answer = report_page.locator("[data-place-answer]")
    answer.filter(has_text="On the map:").wait_for(timeout=15000)

    assert answer.text_content() == ("On the map: Koramangala, Bengaluru, Karnataka (area). "
                                     "Tap the map to mark the exact spot if you know it.")
    assert answer.get_attribute("data-precision") == "locality"
    assert report_page.input_value("input[name=latitude]") == ""
    assert report_page.input_value("input[name=longitude]") == ""
    # The map is drawn once it comes near the screen (Leaflet loads then): with the preview circle.
    report_page.locator("[data-picker-map]").scroll_into_view_if_needed()
    report_page.locator("path.leaflet-interactive").wait_for(timeout=10000)
    assert report_page.locator("path.leaflet-interactive").count() == 1


def test_city_only_answer_says_the_area_was_not_found(report_page):
    report_page.fill("#id_last_seen_place", "Koregaon Park, Pune")

    answer = report_page.locator("[data-place-answer]")
    answer.filter(has_text="On the map:").wait_for(timeout=15000)

    assert answer.get_attribute("data-precision") == "city"
    assert "(city only: the exact area was not found)" in answer.text_content()


def test_use_my_location_fills_the_form_and_names_the_place(report_page):
    report_page.context.set_geolocation({"latitude": 18.5362, "longitude": 73.8939})

    report_page.click("[data-use-location]")
    status = report_page.locator("[data-location-status]")
    status.filter(has_text="near").wait_for(timeout=15000)

    assert report_page.input_value("input[name=latitude]") == "18.536200"
    assert report_page.input_value("input[name=longitude]") == "73.893900"
    assert status.text_content() == "Your location: 18.536200, 73.893900 (near Ghorpuri Bazar, Pune, Maharashtra)."
    assert report_page.locator("[data-location-warning]").is_hidden()


def test_use_my_location_outside_india_warns_but_keeps_the_point(report_page):
    report_page.context.set_geolocation({"latitude": 51.5074, "longitude": -0.1278})

    report_page.click("[data-use-location]")
    warning = report_page.locator("[data-location-warning]")
    warning.wait_for(state="visible", timeout=15000)

    assert warning.text_content() == ("This point is outside India. If that is not where the child was, tap the map "
                                      "at the right place.")
    assert report_page.input_value("input[name=latitude]") == "51.507400"
    assert Case.objects.count() == 0
