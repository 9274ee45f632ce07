"""A Police user walks through the review queue in headless Chromium: a found child in care resembles a newly reported
missing child; the officer opens Review matches, compares the two photos, confirms, and marks the case found with
the found child's record as the note. Only the loopback is reachable; tasks run in the server's process."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from cases.models import Case, MatchCandidate
from cases.tests.reunite_fixtures import match_settings, register_found, report  # noqa: F401 - fixtures
from media.tests.fixtures import cached_face_analysis, fresh_face_indexes  # noqa: F401 - fixtures
from tests.browser import chromium, playwright_driver  # noqa: F401 - fixtures
from tests.factories import staff_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("cached_face_analysis", "fresh_face_indexes", "match_settings")]

LOOPBACK = {"127.0.0.1", "localhost"}
PASSWORD = "review-Correct-Horse-4711"


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(locale="en-IN", timezone_id="Asia/Kolkata")
    context.set_default_timeout(15_000)
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname in LOOPBACK
                  else route.abort())
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
    page.on("console", lambda message: page.problems.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()


def test_police_confirm_a_found_child_for_a_case_and_mark_it_found(page, live_server, report, register_found):
    officer = User.objects.create_user("inspector.rao", password=PASSWORD, is_staff=True)
    officer.groups.add(staff_group("Police"))
    child = register_found("obama_2")
    case = report("obama_1", name="Vihaan Rao")
    assert MatchCandidate.objects.filter(kind="case_found", status="pending").count() == 1
    admin = f"{live_server.url}/{settings.ADMIN_URL}"

    page.goto(admin + "login/")
    page.fill("#id_username", "inspector.rao")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")

    # The queue, from the admin's home page.
    page.get_by_role("link", name="Review matches").first.click()
    page.wait_for_selector("#result_list")
    row = page.locator("#result_list tbody tr").filter(has_text=child.reference)
    assert row.count() == 1
    assert "Faces: likely the same child" in row.inner_text()
    row.get_by_role("link", name=f"Case {case.reference}").click()

    # Side by side, each with the face that matched framed; the evidence in words.
    page.wait_for_selector(".sachet-pair")
    assert page.locator(".sachet-side").count() == 2
    assert page.locator('.sachet-side svg rect[stroke="#f5b400"]').count() == 2
    evidence = page.inner_text(".sachet-evidence")
    assert "Places: 1.6 km apart." in evidence and "Dates: less than a day apart." in evidence
    page.fill("#id_note", "The mother recognised him in the photo.")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm: this found child is the missing child").click()
    assert page.inner_text(".messagelist") == "Confirmed."

    # Mark found, with the found child's record as the note.
    note = page.input_value("#id_found_note")
    assert note.startswith(f"Found child {child.reference}: found at Pune railway station on ")
    assert note.endswith("now at Shishu Bhavan, Pune.")
    with page.expect_navigation():
        page.click("#mark-found input[type=submit]")
    assert page.inner_text(".messagelist") == f"{case.reference} is now found. The alert is queued."
    assert "Status: Found" in page.inner_text("#case-actions")
    assert Case.objects.get(pk=case.pk).status == Case.Status.FOUND
    assert case.status_changes.last().note == note
    assert page.problems == []
