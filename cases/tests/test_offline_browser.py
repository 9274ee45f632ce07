"""The site without a connection, in headless Chromium with its service worker (loopback only, no routing, which
would bypass the worker): a sighting written offline waits in the browser and reaches the server once when the
connection returns; a case page, its poster and photo open offline; a found child's photo leaves the phone's copy;
nothing is kept from a signed-in staff user's visit."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from cases.models import Case, Sighting
from media import thumbnails
from tests.browser import LOCAL_TILES, chromium, playwright_driver, watch_problems  # noqa: F401 - fixtures
from tests.factories import form_datetime, jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEPT = """async () => {
  const kept = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) { kept.push(new URL(request.url).pathname); }
  }
  return kept;
}"""


@pytest.fixture
def context(chromium, live_server, settings):
    settings.MAP_TILE_URL = LOCAL_TILES
    context = chromium.new_context(locale="en-IN", timezone_id="Asia/Kolkata")
    yield context
    context.close()


@pytest.fixture
def case(make_case) -> Case:
    case = make_case(name="Aarav Sharma")
    case.photo.save("aarav.jpg", ContentFile(jpeg_bytes()), save=True)
    return case


def until(condition, *, seconds: float = 15.0, what: str = "condition"):
    """Poll `condition` until it returns something true, or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def open_controlled(context, url: str):
    """A page of the site, once the service worker is active and controls it (and has kept the page)."""
    page = context.new_page()
    page.problems = watch_problems(page)
    page.goto(url)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    page.reload()  # now through the worker, which keeps it
    return page


def wait_until_kept(page, *paths: str):
    page.wait_for_function("""async (paths) => {
      const kept = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) { kept.push(new URL(request.url).pathname); }
      }
      return paths.every((path) => kept.includes(path));
    }""", arg=list(paths), timeout=15000)


def fill_sighting(page, description: str):
    page.fill("#id_place", "Kalyani Nagar, Pune")
    page.fill("#id_seen_at", form_datetime(timezone.now() - timedelta(minutes=20)))
    page.fill("#id_description", description)


def test_a_sighting_written_offline_is_sent_once_when_the_connection_returns(context, live_server, case):
    page = open_controlled(context, f"{live_server.url}/case/{case.reference}")
    page.goto(f"{live_server.url}/found/{case.reference}")
    wait_until_kept(page, f"/found/{case.reference}")

    context.set_offline(True)
    page.reload()  # the form itself comes from the phone's copy
    fill_sighting(page, "Boy in a red T-shirt at the bus stand, walking towards the river.")
    page.set_input_files("#id_photo", files=[{"name": "seen.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}])
    page.click("form[data-sighting-form] button[type=submit]")

    waiting = page.locator("[data-sighting-queue] li[data-status=waiting]")
    waiting.wait_for(timeout=10000)
    assert "Waiting to send: your sighting at Kalyani Nagar, Pune" in waiting.inner_text()
    assert "No connection: your sighting is kept on this phone" in page.inner_text("[data-offline-status]")
    assert page.input_value("#id_description") == ""  # ready for another one
    assert Sighting.objects.count() == 0

    context.set_offline(False)
    page.locator("[data-sighting-queue] li[data-status=sent]").wait_for(timeout=15000)
    assert "Sent: the team has your sighting at Kalyani Nagar, Pune." in page.inner_text("[data-sighting-queue]")
    sighting = until(lambda: Sighting.objects.filter(case=case).first(), what="the sighting on the server")
    assert sighting.description == "Boy in a red T-shirt at the bus stand, walking towards the river."
    assert sighting.photo.name.startswith("sightings/photos/")
    assert sighting.submission_key is not None

    # Sent again (another tab, a late Background Sync): still one sighting.
    answer = page.evaluate("""async (key) => {
      const form = new FormData();
      form.append("place", "Kalyani Nagar, Pune"); form.append("seen_at", "");
      form.append("description", "x"); form.append("submission_key", key);
      form.append("csrfmiddlewaretoken", document.querySelector("input[name=csrfmiddlewaretoken]").value);
      const response = await fetch(location.pathname, {method: "POST", body: form, headers: {Accept: "application/json"}});
      return [response.status, (await response.json()).outcome];
    }""", str(sighting.submission_key))
    assert answer == [200, "repeated"]
    assert Sighting.objects.filter(case=case).count() == 1
    # Map tiles never kept fail to load offline (Chromium logs each); no script failed.
    assert [problem for problem in page.problems if problem.startswith("script error")] == []


def test_a_post_the_network_drops_is_kept_by_the_service_worker_and_sent_later(context, live_server, case):
    # The phone believes it is online (a weak connection): the form is posted as usual and the network fails.
    context.add_init_script("Object.defineProperty(Navigator.prototype, 'onLine', {get: () => true});")
    page = open_controlled(context, f"{live_server.url}/found/{case.reference}")

    context.set_offline(True)
    fill_sighting(page, "Girl in a yellow dress with a boy in red, near the temple gate.")
    page.click("form[data-sighting-form] button[type=submit]")

    page.locator("[data-sighting-queue] li[data-status=waiting]").wait_for(timeout=10000)
    assert "?queued=" in page.url
    assert Sighting.objects.count() == 0

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.locator("[data-sighting-queue] li[data-status=sent]").wait_for(timeout=15000)
    until(lambda: Sighting.objects.filter(case=case).count() == 1, what="the sighting on the server")
    assert Sighting.objects.get().description == "Girl in a yellow dress with a boy in red, near the temple gate."


def test_a_case_page_its_poster_and_photo_open_offline(context, live_server, case):
    page = open_controlled(context, f"{live_server.url}/case/{case.reference}")
    wait_until_kept(page, f"/case/{case.reference}", f"/poster/{case.reference}", f"/found/{case.reference}",
                    thumbnails.url(case.photo, "fit400"))

    context.set_offline(True)
    page.goto(f"{live_server.url}/case/{case.reference}")
    assert page.inner_text("h1") == "Aarav Sharma"
    assert page.evaluate("document.querySelector('.case-photo img').complete && "
                         "document.querySelector('.case-photo img').naturalWidth > 0")
    poster = page.evaluate(f"""async () => {{
      const response = await fetch("/poster/{case.reference}");
      const bytes = new Uint8Array(await response.arrayBuffer());
      return [response.status, response.headers.get("Content-Type"), String.fromCharCode(...bytes.slice(0, 5))];
    }}""")
    assert poster == [200, "application/pdf", "%PDF-"]

    page.goto(f"{live_server.url}/subscribe")  # never opened: the offline page, listing the kept case
    assert page.inner_text("h1") == "No connection"
    page.locator("[data-saved-cases] a", has_text="Aarav Sharma").wait_for(timeout=5000)


def test_a_found_childs_photo_leaves_the_phones_copy_with_the_appeal(context, live_server, case):
    page = open_controlled(context, f"{live_server.url}/case/{case.reference}")
    photo = thumbnails.url(case.photo, "fit400")
    wait_until_kept(page, f"/case/{case.reference}", photo)

    Case.objects.filter(pk=case.pk).update(status="found", resolved_at=timezone.now() - timedelta(days=30))
    page.reload()
    page.wait_for_function("""async (photo) => {
      const kept = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) { kept.push(new URL(request.url).pathname); }
      }
      return !kept.includes(photo);
    }""", arg=photo, timeout=15000)

    context.set_offline(True)
    page.goto(f"{live_server.url}/case/{case.reference}")
    assert "has been found safe" in page.inner_text("main") or "found safe" in page.inner_text("main").lower()
    assert page.locator("img").count() == 0


def test_a_rejected_reports_page_is_dropped_from_the_phone(context, live_server, case):
    page = open_controlled(context, f"{live_server.url}/case/{case.reference}")
    wait_until_kept(page, f"/case/{case.reference}", f"/poster/{case.reference}")

    Case.objects.filter(pk=case.pk).update(verification="rejected")
    page.reload()
    page.wait_for_function(f"""async () => {{
      const cache = await caches.open("sachet-pages");
      return !(await cache.match("/case/{case.reference}")) && !(await cache.match("/poster/{case.reference}"));
    }}""", timeout=15000)


def test_nothing_is_kept_from_a_signed_in_staff_users_visit(context, live_server, case, client):
    staff = get_user_model().objects.create_user("officer", password="a long pass phrase", is_staff=True)
    client.force_login(staff)
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    page = open_controlled(context, f"{live_server.url}/case/{case.reference}")
    page.goto(f"{live_server.url}/{django_settings.ADMIN_URL}")
    assert "Sachet staff" in page.title()
    page.goto(f"{live_server.url}/")

    kept = page.evaluate(KEPT)
    assert f"/case/{case.reference}" not in kept
    assert "/" not in kept
    assert not [path for path in kept if django_settings.ADMIN_URL.strip("/") in path]
    assert [path for path in kept if path.startswith("/static/css/")]  # the shell itself is kept


def test_a_found_childs_appeal_and_its_photo_are_not_kept(context, live_server, case):
    from tests.test_accessibility_browser import published_appeal

    child = published_appeal()
    photo = child.photos.get().photo.url
    page = open_controlled(context, f"{live_server.url}/case/{case.reference}")
    wait_until_kept(page, f"/case/{case.reference}")

    page.goto(f"{live_server.url}/appeal/{child.reference}")
    page.wait_for_function("() => [...document.images].every((image) => image.complete && image.naturalWidth > 0)")
    page.goto(f"{live_server.url}/case/{case.reference}")  # the worker has finished with the appeal's requests

    kept = page.evaluate(KEPT)
    assert f"/appeal/{child.reference}" not in kept
    assert photo not in kept
    assert [path for path in kept if path.startswith("/media/") and "cases/photos/" in path]  # the case page's photo
