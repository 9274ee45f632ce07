"""axe-core (tests/vendor/axe-core, 4.14) finds no violation on any public page, in every state of a case, in
headless Chromium with the pages' own scripts run (the maps drawn, from local tiles). Injected through Playwright:
the pages' Content-Security-Policy stays on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cases.tests.test_public_states import make_in_state
from tests.browser import LOCAL_TILES, chromium, playwright_driver, watch_problems  # noqa: F401 - fixtures
from tests.factories import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js").read_text()
CASE_STATES = ["unverified", "missing", "found", "found_withdrawn", "closed", "closed_withdrawn", "rejected", "erased"]
PAGES = ["home", "home_empty", "search", "report", "report_errors", "confirm", "sighting_form", "sighting_errors",
         "found_child_form", "found_child_errors", "found_child_sent", "appeal", "subscribe", "not_found", "offline",
         "poster_withdrawn", *(f"case_{state}" for state in CASE_STATES)]

# What a page must show for the test to be about the state meant.
SHOWS = {"confirm": "input[name=code]", "appeal": ".case-photo img", "found_child_errors": "[role=alert]",
         "sighting_errors": "[role=alert]", "report_errors": "[role=alert]"}


def page_path(name: str, make_case, make_sighting, settings) -> tuple[str, str]:
    """(method, path) of a public page in the state `name` describes, with what it needs in the database."""
    if name.startswith("case_"):
        return "GET", f"/case/{make_in_state(make_case, make_sighting, name.removeprefix('case_')).reference}"
    if name == "home_empty":
        return "GET", "/"
    if name == "confirm":
        return "GET", f"/case/{awaiting_code(make_case, settings).reference}/confirm"
    if name.startswith("found_child_"):
        return ("POST" if name.endswith("errors") else "GET"), {"found_child_sent": "/found-a-child/sent"}.get(
            name, "/found-a-child")
    if name == "appeal":
        return "GET", f"/appeal/{published_appeal().reference}"
    if name == "not_found":
        return "GET", "/case/MC20260101ABCDEF12"
    if name in ("report", "subscribe", "offline", "report_errors"):
        return ("POST" if name.endswith("errors") else "GET"), {"report_errors": "/report"}.get(name, f"/{name}")
    if name == "poster_withdrawn":
        return "GET", f"/poster/{make_in_state(make_case, make_sighting, 'closed').reference}"
    for child in ("Aarav Sharma", "Kavya Reddy", "Ishaan Patel"):
        case = make_case(name=child)
        case.photo.save("photo.jpg", ContentFile(jpeg_bytes()), save=True)
        make_sighting(case, published_at=case.created_at)
    if name in ("sighting_form", "sighting_errors"):
        return ("POST" if name.endswith("errors") else "GET"), f"/found/{case.reference}"
    return "GET", {"home": "/", "search": "/?q=Kavya"}[name]


def awaiting_code(make_case, settings):
    """An unverified report whose family was sent a code (SMS verification on, Twilio configured)."""
    from cases import verification
    from notifications.models import PhoneCode

    settings.REPORT_VERIFICATION = "sms+staff"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM_NUMBER = "AC1", "t", "+15005550006"
    case = make_case(verification="unverified", verification_method="", verification_at=None)
    PhoneCode.objects.create(purpose=verification.CODE_PURPOSE, subject=case.reference, phone=case.contact_phone,
                             code_hash="0" * 64, nonce="0" * 32, expires_at=timezone.now() + timedelta(minutes=10))
    return case


def published_appeal():
    """A found child whose appeal a Police user published, with a photo."""
    from cases.models import FoundChild, FoundChildPhoto

    child = FoundChild.objects.create(found_place="Pune railway station", found_at=timezone.now() - timedelta(hours=5),
                                      apparent_age=6, gender="male", stated_name="Raju", language="Marathi",
                                      clothing="Yellow shirt", appeal_contact="Pune Police, 020 2612 2880",
                                      appeal_published_at=timezone.now())
    photo = FoundChildPhoto(found_child=child)
    photo.photo.save("raju.jpg", ContentFile(jpeg_bytes()), save=True)
    return child


def open_page(page, base: str, method: str, path: str):
    if method == "GET":
        return page.goto(base + path)
    # An empty form sent: the page with its errors, as a person sees it after pressing the button.
    page.goto(base + path)
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state()
    return None


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violation(chromium, live_server, settings, make_case, make_sighting, name):
    settings.MAP_TILE_URL = LOCAL_TILES
    method, path = page_path(name, make_case, make_sighting, settings)
    context = chromium.new_context(locale="en-IN", timezone_id="Asia/Kolkata")
    page = context.new_page()
    problems = watch_problems(page)
    try:
        open_page(page, live_server.url, method, path)
        maps = page.locator("[data-case-map], [data-picker-map]")
        if maps.count():  # drawn once near the screen (and, on forms, once the person uses the page)
            maps.first.scroll_into_view_if_needed()
            page.wait_for_selector(".leaflet-tile-loaded", timeout=10000)
        if name in SHOWS:  # the page in the state meant, not a redirect or an empty page
            assert page.locator(SHOWS[name]).count() >= 1
        page.evaluate(AXE)
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()

    violations = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
    ]
    assert violations == []
    # The page's own status (404, 410, 400 for a form with errors) is reported by Chromium as a failed load.
    assert [problem for problem in problems if not any(f"status of {status}" in problem
                                                       for status in (400, 404, 410))] == []
