"""The whole journey in headless Chromium, as people click through it, against the production-like stack (gunicorn,
a Celery worker, PostgreSQL, Redis, fake Telegram, Discord, Twilio, Nominatim and tiles).

Public pages must load without console errors, script errors, Content-Security-Policy violations or requests to any
host but 127.0.0.1.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.factories import FACES_DIR

from .helpers import form_time, pdf_text, poster_when_ready, report_and_confirm, report_case, sms_code
from .stack import ADMIN_URL, ANDHERI_WEST, PUBLIC_CHAT, PUBLIC_HOOK, SMS_TO

pytestmark = pytest.mark.browser

PASSWORD = "e2e-Correct-Horse-4711"
# Upper limits in seconds, for a busy 2-core machine; on an idle one each takes a few seconds at most (the first
# face analysis in a worker process loads dlib's models, ~5-8 s).
ALERT_WITHIN = 60
WORKER_WITHIN = 90
CHARTS = ["chart-ages", "chart-genders", "chart-hours", "chart-places", "chart-recovery", "chart-over-time"]


@pytest.fixture(scope="module")
def police(stack) -> str:
    stack.create_staff("inspector.rao", PASSWORD, group="Police")
    return "inspector.rao"


@pytest.fixture(scope="module")
def ngo(stack) -> str:
    stack.create_staff("volunteer.fernandes", PASSWORD, group="NGO")
    return "volunteer.fernandes"


def alerts_about(stack, text: str) -> dict[str, list]:
    """Messages received by each fake provider that mention `text`."""
    fakes = stack.fakes
    return {
        "telegram": [m for m in fakes.telegram.messages if text in m["text"]],
        "discord": [m for m in fakes.discord.messages if text in json.dumps(m, ensure_ascii=False)],
        "sms": [m for m in fakes.twilio.messages if text in m["body"]],
    }


def wait_for_alerts(stack, text: str) -> dict[str, list]:
    """The messages about `text` once each provider has at least one."""
    def arrived() -> dict[str, list] | None:
        found = alerts_about(stack, text)
        return found if all(found.values()) else None

    return stack.wait_until(arrived, timeout=ALERT_WITHIN,
                            what=f"alerts mentioning {text!r} at Telegram, Discord and SMS")


def reload_until(page, selector: str, *, timeout: float, stack, what: str, scroll_to: str | None = None) -> None:
    """Reload the page until `selector` is on it: the worker fills things in after the page was first served.
    `scroll_to`: an element to bring on screen first (a map is drawn only once it comes near the screen)."""
    def shown() -> bool:
        if scroll_to and page.locator(scroll_to).count():
            page.locator(scroll_to).first.scroll_into_view_if_needed()
            try:
                page.wait_for_selector(selector, timeout=5_000)
            except PlaywrightTimeoutError:
                return False
        return bool(page.locator(selector).count())

    def present() -> bool:
        if shown():
            return True
        page.reload()
        return shown()

    stack.wait_until(present, timeout=timeout, what=what, interval=0.5)


def open_case_in_admin(staff, reference: str):
    """Find the case in the staff case list by its reference and open it."""
    page = staff.page
    page.goto(f"{staff.stack.admin_url}cases/case/?q={reference}")
    page.click(f"#result_list a:has-text('{reference}')")
    page.wait_for_selector("#case-actions")
    return page


# --- The public site -------------------------------------------------------------------------------------------


def test_home_page_shows_recent_cases(stack, visitor):
    # The public list shows confirmed reports (each confirmed here with the code sent to the family).
    older = report_and_confirm(stack, name="Kavya Reddy", last_seen_place="MG Road, Bengaluru")
    newer = report_and_confirm(stack, name="Rohan Verma", last_seen_place="Connaught Place, New Delhi")
    page = visitor.page

    visitor.goto("/")

    cards = page.locator(".case-card a")
    assert cards.nth(0).get_attribute("href") == f"/case/{newer}"  # newest first
    assert cards.nth(0).locator("strong").inner_text() == "Rohan Verma"
    assert cards.nth(1).get_attribute("href") == f"/case/{older}"
    assert cards.nth(1).locator("strong").inner_text() == "Kavya Reddy"
    cards.nth(1).click()
    page.wait_for_url(f"{stack.url}/case/{older}")
    assert page.inner_text("h1") == "Kavya Reddy"
    assert visitor.problems == []


def test_report_a_missing_child_with_a_photo_and_a_place(stack, visitor):
    page = visitor.page
    visitor.goto("/")
    page.click("text=Report a missing child")

    page.fill("#id_name", "Ananya Iyer")
    page.fill("#id_age", "12")
    page.select_option("#id_gender", "female")
    page.fill("#id_description", "Long hair in two plaits, school uniform (white shirt, navy skirt), pink bag.")
    page.set_input_files("#id_photo", FACES_DIR / "obama_1.jpg")
    page.fill("#id_last_seen_place", "Andheri West, Mumbai")
    page.locator("[data-place-answer]").filter(has_text="On the map:").wait_for()  # the form's own map preview
    page.fill("#id_last_seen_specific", "outside the Lokhandwala market")
    page.fill("#id_last_seen_at", form_time(2))
    page.fill("#id_contact_name", "Ramesh Iyer")
    page.fill("#id_contact_phone", "+91 98200 00202")
    page.check("#id_consent")
    page.click("button:has-text('Report missing child')")

    # The family confirms the report with the code sent to their phone; then it is shared with the public.
    page.wait_for_url(f"{stack.url}/case/MC*/confirm")
    reference = page.url.split("/case/", 1)[1].split("/", 1)[0]
    assert page.inner_text(".messages").startswith(f"Your report is saved as {reference}. We sent a code to "
                                                   "+91 ******02")
    assert not [m for m in stack.fakes.telegram.messages if m["chat_id"] == PUBLIC_CHAT and reference in m["text"]]
    page.fill("#id_code", sms_code(stack, "+919820000202"))
    page.click("button:has-text('Confirm the report')")
    page.wait_for_url(f"{stack.url}/case/{reference}")
    assert page.inner_text(".messages") == "Thank you: your report is confirmed and is now shared with the public."
    assert page.inner_text("h1") == "Ananya Iyer"
    # The place is looked up by the worker after the report was saved: the map shows it once that is done.
    reload_until(page, "[data-case-map][data-ready=true] path.leaflet-interactive", timeout=WORKER_WITHIN, stack=stack,
                 what="the last-seen place on the case page's map", scroll_to="[data-case-map]")
    points = json.loads(page.inner_text("#map-points"))
    assert points == [{"lat": ANDHERI_WEST.lat, "lng": ANDHERI_WEST.lng, "kind": "last_seen",
                       "label": "Last seen: Andheri West, Mumbai"}]
    alerts = wait_for_alerts(stack, "Missing: Ananya Iyer, 12")
    assert [m["chat_id"] for m in alerts["telegram"]] == [PUBLIC_CHAT]
    assert reference in alerts["telegram"][0]["text"]
    assert [m["webhook_id"] for m in alerts["discord"]] == [PUBLIC_HOOK]
    assert [m["to"] for m in alerts["sms"]] == [SMS_TO]
    assert stack.fakes.tiles.requests  # the map drew its tiles from the (fake) tile server
    assert visitor.problems == []


def test_case_page_shows_the_details_and_the_poster_downloads(stack, visitor):
    reference = report_case(stack.url, name="Mohammed Faiz", age="9", last_seen_place="Charminar, Hyderabad",
                            last_seen_specific="near the east gate", contact_name="Salma Begum",
                            contact_phone="+91 98490 00303", reporter_phone="+91 99000 11122")
    page = visitor.page

    visitor.goto(f"/case/{reference}")

    facts = dict(zip(page.locator(".case-facts dt").all_inner_texts(),
                     page.locator(".case-facts dd").all_inner_texts()))
    assert page.inner_text(".status") == "MISSING"
    assert page.inner_text("h1") == "Mohammed Faiz"
    assert facts["Age"] == "9"
    assert facts["Gender"] == "Boy"
    assert facts["Last seen"] == "Charminar, Hyderabad (near the east gate)"
    assert facts["If you have seen Mohammed Faiz, call"] == "Salma Begum: +919849000303"
    assert facts["Reference"] == reference
    assert "+919900011122" not in page.content()  # the reporter's phone is for the police only
    # Chromium shows a PDF in its viewer rather than downloading it: fetch what the link gives, with the page's
    # cookies, as the viewer's download button would.
    link = page.locator("a:has-text('Download poster (PDF)')")
    poster = poster_when_ready(page.request.get, stack.url + link.get_attribute("href"))
    data = poster.body()
    assert poster.status == 200
    assert poster.headers["content-type"] == "application/pdf"
    assert poster.headers["content-disposition"] == f'inline; filename="sachet-{reference}.pdf"'
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "MISSING" in text and "Mohammed Faiz" in text
    assert visitor.problems == []


def test_sighting_photo_of_the_same_child_is_a_likely_match_for_staff(stack, visitor, new_visitor, police):
    photos = FACES_DIR
    reference = report_case(stack.url, name="Ishaan Kapoor", photo=(photos / "obama_1.jpg").read_bytes())
    page = visitor.page
    visitor.goto(f"/case/{reference}")

    page.click("text=I have seen this child")
    page.fill("#id_place", "Kalyani Nagar, Pune")
    page.fill("#id_seen_at", form_time(1))
    page.fill("#id_description", "A boy in a red T-shirt walking with an older woman towards the bridge.")
    page.set_input_files("#id_photo", photos / "obama_2.jpg")
    page.click("button:has-text('Send sighting')")
    page.wait_for_url(f"{stack.url}/case/{reference}")
    assert page.inner_text(".messages").startswith("Thank you. Your sighting is saved")
    # Staff information until staff publish it: the page counts it.
    assert page.inner_text(".sighting-count") == "1 sighting reported to the team."
    assert visitor.problems == []

    staff = new_visitor()
    staff.sign_in(police, PASSWORD)
    admin = open_case_in_admin(staff, reference)
    reload_until(admin, "#sightings-group td.field-verdict:has-text('Likely')", timeout=WORKER_WITHIN, stack=stack,
                 what="the sighting's face match in the case's sightings")
    row = admin.locator("#sightings-group tr.has_original").filter(has_text="Kalyani Nagar, Pune")
    assert row.locator("td.field-verdict").inner_text() == "Likely the same child"
    assert int(row.locator("td.field-face_match_score").inner_text()) >= 80  # the "likely" line (distance 0.45)
    assert staff.problems == []


# --- Staff -----------------------------------------------------------------------------------------------------


def test_staff_see_the_last_seen_place_on_the_case_map(stack, visitor, police):
    reference = report_case(stack.url, name="Kabir Singh", last_seen_place="Swargate, Pune", latitude="18.501000",
                            longitude="73.858000")
    visitor.sign_in(police, PASSWORD)

    page = open_case_in_admin(visitor, reference)

    page.wait_for_selector(".sachet-map[data-ready=true] path.leaflet-interactive", timeout=5_000)
    assert visitor.problems == []


def test_staff_sign_in_works(stack, visitor, police):
    response = visitor.sign_in(police, PASSWORD)

    page = visitor.page
    assert response.status == 200
    assert page.url == stack.admin_url
    assert page.text_content("#user-tools strong") == police
    assert page.inner_text("#content h1") == "Cases and alerts"
    assert visitor.problems == []


def test_five_wrong_passwords_lock_the_sixth_try_out(stack, visitor, request):
    stack.create_staff("officer.locked", PASSWORD, group="Police")
    request.addfinalizer(stack.reset_lockouts)  # the client address is locked too: free it for the other tests
    page = visitor.page

    statuses = []
    for attempt in range(5):
        statuses.append(visitor.sign_in("officer.locked", f"wrong-password-{attempt}").status)
        if attempt < 4:
            assert page.inner_text(".errornote").startswith("Please enter the correct username and password")
    sixth = visitor.sign_in("officer.locked", PASSWORD)

    # The fifth failure reaches the limit: its own answer is already the lock-out page.
    assert statuses == [200, 200, 200, 200, 429]
    assert sixth.status == 429
    assert page.inner_text("#content h1") == "Too many failed sign-ins"
    page.goto(stack.admin_url)
    assert page.url == f"{stack.admin_url}login/?next=/{ADMIN_URL}"  # still signed out


def test_staff_mark_a_case_found_and_the_page_poster_and_alerts_say_so(stack, visitor, new_visitor, police):
    reference = report_and_confirm(stack, name="Meera Joshi", age="8", last_seen_place="Hawa Mahal, Jaipur")
    staff = new_visitor()
    staff.sign_in(police, PASSWORD)
    admin = staff.page

    admin.goto(f"{stack.admin_url}cases/case/")
    assert admin.locator(f"#result_list a:has-text('{reference}')").count() == 1
    admin = open_case_in_admin(staff, reference)
    admin.click("#case-actions a:has-text('Mark found')")
    admin.fill("#id_note", "Found safe at the railway police post, Jaipur Junction.")
    admin.click("input[type=submit][value='Mark found']")
    admin.wait_for_selector("#case-actions")
    assert admin.inner_text(".messagelist") == f"{reference} is now found. The alert is queued."

    page = visitor.page
    visitor.goto(f"/case/{reference}")
    assert page.inner_text(".status") == "FOUND SAFE – please stop sharing"
    poster = poster_when_ready(page.request.get, f"{stack.url}/poster/{reference}")
    assert poster.status == 200
    assert "FOUND" in pdf_text(poster.body())
    found = wait_for_alerts(stack, "Found safe: Meera Joshi")
    assert [m["chat_id"] for m in found["telegram"]] == [PUBLIC_CHAT]
    assert [m["webhook_id"] for m in found["discord"]] == [PUBLIC_HOOK]
    visitor.goto("/")
    assert "Meera Joshi" not in page.locator(".case-card strong").all_inner_texts()  # the public list: missing only
    admin.goto(f"{stack.admin_url}cases/case/")
    row = admin.locator("#result_list tr").filter(has_text=reference)
    assert row.locator("td.field-state").inner_text().split("\n")[0] == "Found"  # staff still see it, with the others
    assert visitor.problems == []
    assert staff.problems == []


def test_police_delete_a_case(stack, new_visitor, police):
    reference = report_case(stack.url, name="Sana Khan", age="13", last_seen_place="Hazratganj, Lucknow")
    staff = new_visitor()
    staff.goto(f"/case/{reference}")
    photo_url = stack.url + staff.page.get_attribute(".case-photo img", "src")
    staff.sign_in(police, PASSWORD)
    admin = staff.page
    admin.goto(f"{stack.admin_url}cases/case/")

    admin.locator("#result_list tr").filter(has_text=reference).locator("input.action-select").check()
    admin.select_option("select[name=action]", "delete_with_files")
    admin.click("button[name=index]")
    assert admin.inner_text("#content ul") == f"{reference} – Sana Khan"
    admin.click("input[value='Yes, delete']")

    assert admin.inner_text(".messagelist") == "1 case deleted with its photos, voice notes and posters."
    assert admin.locator(f"#result_list a:has-text('{reference}')").count() == 0
    assert admin.request.get(f"{stack.url}/case/{reference}").status == 404
    assert admin.request.get(f"{stack.url}/poster/{reference}").status == 404
    assert admin.request.get(photo_url).status == 404  # the photo went with it
    assert staff.problems == []


def test_ngo_staff_do_not_get_the_delete_action(stack, visitor, ngo):
    reference = report_case(stack.url, name="Arjun Nair", age="11", last_seen_place="T. Nagar, Chennai")
    visitor.sign_in(ngo, PASSWORD)
    admin = visitor.page

    admin.goto(f"{stack.admin_url}cases/case/")

    actions = admin.locator("select[name=action] option").evaluate_all("options => options.map(o => o.value)")
    assert admin.locator(f"#result_list a:has-text('{reference}')").count() == 1  # they see the cases
    assert "mark_found" in actions  # and may mark a child found
    assert "delete_with_files" not in actions and "delete_selected" not in actions
    assert visitor.problems == []


def test_analytics_page_shows_its_charts_and_the_risk_zone_map(stack, visitor, police):
    for north in ("18.502000", "18.503000", "18.504000"):  # three cases within 2 km: one risk zone
        report_case(stack.url, name="Riya Kulkarni", last_seen_place="Swargate, Pune", latitude=north,
                    longitude="73.858000")
    visitor.sign_in(police, PASSWORD)
    page = visitor.page
    page.goto(f"{stack.admin_url}analytics/analyticssnapshot/")

    page.click("button:has-text('Recalculate now')")
    assert page.inner_text(".messagelist").startswith("Recalculation queued.")
    reload_until(page, ".analytics-zones th:has-text('Swargate, Pune')", timeout=WORKER_WITHIN, stack=stack,
                 what="the worker's new snapshot with the Swargate risk zone on the analytics page")
    page.wait_for_selector("#risk-map[data-ready=true]")

    drawn = page.evaluate("ids => ids.filter(id => window.Chart.getChart(document.getElementById(id)) !== undefined)",
                          CHARTS)
    assert drawn == CHARTS
    assert page.locator("#risk-map .leaflet-overlay-pane canvas").count() == 1
    assert page.locator("#risk-map .leaflet-tile-loaded").count() >= 1
    assert "Swargate, Pune" in page.locator(".analytics-zones th[scope=row]").all_inner_texts()
    assert visitor.problems == []


def test_health_reports_every_part_up(stack, visitor):
    response = visitor.goto("/health")

    assert response.status == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok", "cache": "ok", "broker": "ok"}
    assert visitor.problems == []
