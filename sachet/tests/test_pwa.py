"""The installable site's server side: the manifest, the service worker and its version, the offline page,
robots.txt, and the answers no cache may keep (a signed-in user's, a page with a one-time message)."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.utils import timezone

from sachet import pwa
from tests.factories import form_datetime

pytestmark = pytest.mark.django_db


def test_the_manifest_is_served_with_its_type_in_the_readers_language(client):
    response = client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="hi")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert (data["lang"], data["dir"], data["short_name"]) == ("hi", "ltr", "Sachet")
    assert data["name"] != "Sachet: missing children alerts"  # in Hindi
    assert (data["start_url"], data["scope"], data["display"], data["id"]) == ("/", "/", "standalone", "/")
    assert data["theme_color"] == "#1b1f23"
    assert {(icon["sizes"], icon["purpose"]) for icon in data["icons"]} == {
        ("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")}
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]


def test_the_manifests_icons_exist_in_their_sizes(client):
    from PIL import Image

    for icon in client.get("/manifest.webmanifest").json()["icons"]:
        path = finders.find(icon["src"].removeprefix(django_settings.STATIC_URL))
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
            assert image.format == "PNG"


def test_every_page_links_the_manifest_and_registers_the_worker(client):
    page = client.get("/").content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<meta name="theme-color" content="#1b1f23">' in page
    assert re.search(r'<script src="/static/js/pwa\.js" defer></script>', page)


def test_the_worker_names_its_version_and_shell_and_holds_the_push_code(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    first_line = response.content.decode().split("\n", 1)[0]
    config = json.loads(first_line.removeprefix("self.SACHET_WORKER = ").rstrip(";"))
    assert re.fullmatch(r"[0-9a-f]{16}", config["version"])
    assert "/static/css/site.css" in config["shell"] and "/offline" in config["shell"]
    assert config["queueScript"] == "/static/js/sightings_queue.js"
    assert 'addEventListener("push"' in response.content.decode()
    assert django_settings.ADMIN_URL.strip("/") not in response.content.decode()


def test_the_workers_version_changes_with_a_file_of_the_shell(monkeypatch):
    before = pwa.worker_version()
    real = pwa._read_static
    monkeypatch.setattr(pwa, "_read_static", lambda path: real(path) + (b"/* new */" if path == "css/site.css"
                                                                         else b""))

    assert pwa.worker_version() != before


def test_the_offline_page_is_not_for_search_engines(client):
    response = client.get("/offline")

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert "No connection" in response.content.decode()


def test_robots_txt_keeps_forms_and_posters_out_and_never_names_the_admin(client):
    response = client.get("/robots.txt")
    text = response.content.decode()

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert text.startswith("User-agent: *\n")
    for path in ("/api/", "/poster/", "/hooks/", "/appeal/"):
        assert f"Disallow: {path}\n" in text
    assert "Allow: /\n" in text
    assert django_settings.ADMIN_URL.strip("/") not in text
    assert "admin" not in text.lower() and "staff" not in text.lower()


def test_a_public_page_may_be_kept(client, make_case):
    case = make_case()
    response = client.get(case.get_absolute_url())

    assert "no-store" not in response.get("Cache-Control", "")
    assert "private" not in response.get("Cache-Control", "")


def test_every_answer_to_a_signed_in_user_is_private_and_not_stored(client, make_case):
    case = make_case()
    user = get_user_model().objects.create_user("officer", password="a long pass phrase", is_staff=True)
    client.force_login(user)

    for path in ("/", case.get_absolute_url(), f"/found/{case.reference}", f"/{django_settings.ADMIN_URL}"):
        control = client.get(path)["Cache-Control"]
        assert "private" in control and "no-store" in control, path


def test_a_page_showing_a_one_time_message_is_not_stored(client, make_case, django_capture_on_commit_callbacks):
    case = make_case()
    with django_capture_on_commit_callbacks(execute=True):
        landed = client.post(f"/found/{case.reference}", {
            "place": "Kalyani Nagar, Pune", "seen_at": form_datetime(timezone.now()),
            "description": "Boy in a red T-shirt near the bridge."}, follow=True)
    again = client.get(case.get_absolute_url())

    assert "Your sighting is saved" in landed.content.decode()
    assert "no-store" in landed["Cache-Control"]
    assert "no-store" not in again["Cache-Control"]  # the message is gone: the page may be kept again
