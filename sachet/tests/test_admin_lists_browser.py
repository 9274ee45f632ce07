"""The staff lists in headless Chromium at 1366x768 with the sidebar open: every list's table fits its container, so
no key column is behind a sideways scroll, with real rows (long places, long names in Devanagari and Bengali,
photos, failed alerts with long errors) in English and in Hindi."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connections
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
LAPTOP = {"width": 1366, "height": 768}
SCREENSHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-results")

PLACES = [
    "Chhatrapati Shivaji Maharaj Terminus, suburban platform 14, near the ticket counter, Fort, Mumbai, Maharashtra",
    "हज़रतगंज चौराहा, लखनऊ, उत्तर प्रदेश के पास पुराना बस अड्डा और सब्ज़ी मंडी",
    "Mahatma Gandhi Road metro station exit B, opposite the Brigade Road junction, Bengaluru",
]
NAMES = ["अनन्या लक्ष्मीनारायण श्रीवास्तव", "Venkatanarasimharajuvaripeta Subrahmanyam", "ঋতব্রত চট্টোপাধ্যায়"]
LONG_ERROR = ("Twilio said: the number +91 ******45 is unreachable or is not a mobile number that can take text "
              "messages (error 21614); check the number with the family")

LISTS = ["cases_case", "cases_sighting", "notifications_delivery", "notifications_phonecode"]


@pytest.fixture
def rows(make_case, make_sighting):
    """A full page of each list, the widest things people type in each column."""
    from notifications.models import Delivery, PhoneCode

    now = timezone.now()
    for i in range(12):
        case = make_case(name=f"{NAMES[i % 3]} {i}", last_seen_place=PLACES[i % 3], age=3 + i, note="",
                         last_seen_at=now - timedelta(days=3 * i))
        case.photo.save("p.jpg", ContentFile(jpeg_bytes(300, 400)), save=True)
        for j in range(i % 3):
            sighting = make_sighting(case, place=PLACES[(i + j + 1) % 3], face_match_score=40 + i,
                                     face_match_verdict="possible")
            sighting.photo.save("s.jpg", ContentFile(jpeg_bytes(300, 400)), save=True)
        failed = i % 2 == 0
        for channel, recipient in (("sms", "+919822012345"), ("telegram", "-1001234567890"),
                                   ("discord", "112233445566778899")):
            Delivery.objects.create(
                event_key=f"case:{case.reference}:reported", channel=channel, recipient=recipient,
                title="Missing child", link="https://sachet.example.org/case/x", audience="public", kind="reported",
                status="failed" if failed else "sent", sent_at=None if failed else now, attempts=10 if failed else 1,
                last_error=LONG_ERROR if failed else "")
        PhoneCode.objects.create(purpose="subscription", subject=case.reference, phone="+919822012345",
                                 code_hash="0" * 64, nonce="n", status="replaced", tries=4,
                                 expires_at=now + timedelta(minutes=10))


@pytest.fixture(scope="module")
def chromium():
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
        # Playwright's thread had database connections of its own: close them, or PostgreSQL cannot drop the
        # test database.
        connections.close_all()


@pytest.fixture
def officer_page(chromium, live_server, django_user_model, settings):
    """A Police officer's laptop browser (superuser: every list and column), signed in."""
    user = django_user_model.objects.create_user("officer", password=None, is_staff=True, is_superuser=True)
    client = Client()
    with override_settings(AXES_ENABLED=False):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    context = chromium.new_context(viewport=LAPTOP, locale="en-IN", timezone_id="Asia/Kolkata")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page = context.new_page()
    yield page
    context.close()


def measure(page) -> dict:
    return page.evaluate("""() => {
        const table = document.getElementById("result_list");
        const sidebar = document.getElementById("nav-sidebar");
        return {rows: table.tBodies[0].rows.length, tableWidth: table.scrollWidth,
                containerWidth: table.closest(".results").clientWidth,
                sidebarOpen: sidebar.getBoundingClientRect().width > 0 && getComputedStyle(sidebar).visibility === "visible"};
    }""")


@pytest.mark.parametrize("language", ["en", "hi"])
def test_every_staff_list_fits_1366_pixels_with_the_sidebar_open(officer_page, live_server, rows, settings, language):
    officer_page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language,
                                       "url": live_server.url}])
    measured = {}
    for name in LISTS:
        officer_page.goto(live_server.url + reverse(f"admin:{name}_changelist"))
        measured[name] = measure(officer_page)
        if measured[name]["tableWidth"] > measured[name]["containerWidth"]:
            os.makedirs(SCREENSHOTS, exist_ok=True)
            officer_page.screenshot(path=os.path.join(SCREENSHOTS, f"admin-list-{name}-{language}.png"))

    assert officer_page.get_attribute("html", "lang") == language
    assert {name: m["rows"] for name, m in measured.items()} == {
        "cases_case": 12, "cases_sighting": 12, "notifications_delivery": 36, "notifications_phonecode": 12}
    assert all(m["sidebarOpen"] for m in measured.values())
    too_wide = {name: (m["tableWidth"], m["containerWidth"]) for name, m in measured.items()
                if m["tableWidth"] > m["containerWidth"]}
    assert too_wide == {}


def test_case_list_shows_the_key_columns_and_a_long_place_whole_in_its_tooltip(officer_page, live_server, rows):
    officer_page.goto(live_server.url + reverse("admin:cases_case_changelist"))

    headers = [re.sub(r"\s+", " ", h).strip() for h in officer_page.locator("#result_list thead th").all_inner_texts()]
    place = officer_page.locator("#result_list tbody .field-last_seen .sachet-clamp").first

    assert headers[1:] == ["PHOTO", "CHILD", "AGE", "STATUS", "LAST SEEN", "REPORTED", "DAYS MISSING", "SIGHTINGS",
                           "BEST MATCH"]
    assert place.get_attribute("title") in PLACES
    assert place.evaluate("el => el.scrollHeight > el.clientHeight")  # clamped on screen, whole in the tooltip
