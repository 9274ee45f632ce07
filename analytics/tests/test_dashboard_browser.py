"""The dashboard's script in a real browser: the map and every chart draw from the page data, without errors."""

import os
import re
from datetime import timedelta

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

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


# --- Small and large data: honest insights, readable dates, a legend only for zones ---------------------------------

SCREENSHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-results")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def seed(placed_case, scenario: str) -> None:
    """none: no case; three: three cases today in one Pune zone; month: 60 over 30 days; year: 120 over a year."""
    now = timezone.now()
    spans = {"none": (0, 0), "three": (3, 0), "month": (60, 29), "year": (120, 364)}
    count, days = spans[scenario]
    for i in range(count):
        back = days * i // max(1, count - 1)
        placed_case(PUNE, 0.1 * (i % 5), days=back, age=3 + i % 14, created_at=now - timedelta(days=back),
                    last_seen_place=("Pune station", "Swargate bus stand", "Laxmi market")[i % 3])


def open_dashboard(page, live_server, client, settings, language="en"):
    page.context.add_cookies([
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
         "url": live_server.url},
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
    ])
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(live_server.url + reverse("admin:analytics_analyticssnapshot_changelist"))
    page.wait_for_function("""() => { const c = document.getElementById("chart-over-time");
        return !c || (window.Chart !== undefined && window.Chart.getChart(c) !== undefined); }""")


def over_time_ticks(page) -> list[str]:
    return page.evaluate("""() => { const c = document.getElementById("chart-over-time");
        return c ? window.Chart.getChart(c).scales.x.ticks.map((t) => t.label).filter((l) => l) : []; }""")


@pytest.mark.parametrize("scenario", ["none", "three", "month", "year"])
def test_dashboard_on_small_and_large_data(live_server, browser_page, placed_case, django_user_model, settings,
                                           scenario):
    settings.MAP_TILE_URL = live_server.url + "/no-tiles/{z}/{x}/{y}.png"
    seed(placed_case, scenario)
    recalculate()
    client = Client()
    sign_in_as(client, django_user_model.objects.create_user("officer", password=None, is_staff=True,
                                                             is_superuser=True))
    page = browser_page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    open_dashboard(page, live_server, client, settings)
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, f"dashboard-{scenario}.png"), full_page=True)
    insights = page.locator(".analytics-insights li").all_inner_texts()
    ticks = over_time_ticks(page)
    has_ramp = page.locator(".analytics-ramp").count() == 1

    assert errors == []
    if scenario == "none":
        assert insights == ["No cases yet: insights will appear once cases are reported."]
        assert (ticks, has_ramp, page.locator("canvas").count()) == ([], False, 0)
        return
    assert has_ramp  # every scenario with cases has its Pune zone
    assert ticks and not any(ISO_DATE.search(t) for t in ticks)
    assert 1 <= len(ticks) <= 8
    if scenario == "three":
        assert "Not enough cases yet to say which ages, times or places are most common: 3 so far, 20 needed." in insights
        assert not any(s.startswith(("Most affected", "Peak time", "Most common")) for s in insights)
        assert ticks == [timezone.localdate().strftime("%-d %b")]
    elif scenario == "month":
        assert ticks[-1] == timezone.localdate().strftime("%-d %b")
        assert any(s.startswith("Most common kind") or s.startswith("Most common kinds") for s in insights)
    else:
        assert all(re.fullmatch(r"[A-Z][a-z]{2,3} \d{4}", t) for t in ticks), ticks  # weekly: "Mar 2026", "Sept 2026"


def test_dashboard_dates_follow_the_language(live_server, browser_page, placed_case, django_user_model, settings):
    settings.MAP_TILE_URL = live_server.url + "/no-tiles/{z}/{x}/{y}.png"
    seed(placed_case, "month")
    recalculate()
    client = Client()
    sign_in_as(client, django_user_model.objects.create_user("officer", password=None, is_staff=True,
                                                             is_superuser=True))

    open_dashboard(browser_page, live_server, client, settings, language="hi")
    ticks = over_time_ticks(browser_page)

    assert ticks and all(re.fullmatch(r"\d{1,2} \S+", t) for t in ticks)
    assert all(re.search(r"[\u0900-\u097F]", t) for t in ticks)  # Hindi month names, Western digits
