"""The dashboard's script in a real browser: the map and every chart draw from the page data, without errors."""

import os

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from analytics.services import recalculate

from .conftest import PUNE, near, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser_page():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()
        # Inside sync_playwright the test ran in another context, with database connections of its own that
        # pytest-django's teardown never sees: close them, or PostgreSQL refuses to drop the test database.
        connections.close_all()


def test_map_and_charts_draw(live_server, browser_page, placed_case, make_sighting, django_user_model, settings):
    settings.MAP_TILE_URL = live_server.url + "/no-tiles/{z}/{x}/{y}.png"  # nothing leaves the machine
    for north_km, days, age in ((0.0, 0, 4), (0.3, 60, 9), (0.6, 400, 14)):
        case = placed_case(PUNE, north_km, days=days, age=age, last_seen_place="Pune station")
    make_sighting(case, **near(PUNE, 1.0))
    recalculate()
    user = django_user_model.objects.create_user("officer", password=None, is_staff=True, is_superuser=True)
    client = Client()
    sign_in_as(client, user)
    page = browser_page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if "Content Security Policy" in message.text
            else None)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])

    page.goto(live_server.url + reverse("admin:analytics_analyticssnapshot_changelist"))
    page.wait_for_selector("#risk-map[data-ready=true]", timeout=10_000)

    charts = page.evaluate("""() => ["chart-ages", "chart-genders", "chart-hours", "chart-places", "chart-recovery",
        "chart-over-time"].filter((id) => window.Chart.getChart(document.getElementById(id)) !== undefined)""")
    assert len(charts) == 6
    assert page.locator("#risk-map .leaflet-overlay-pane canvas").count() == 1
    page.locator("#risk-map").click()  # the map opens centred on the only zone
    assert page.locator(".leaflet-popup-content").inner_text().splitlines()[:2] == ["Pune station", "Risk score 55.0"]
    assert errors == []
