"""A found child leaves public view, as a visitor's browser shows it (headless Chromium, loopback only): the found
page has no phone, no share button, no sightings and no map; after PUBLIC_PHOTO_DAYS_AFTER_FOUND it has no photo and
no name either, and the link printed in a QR code still lands on it."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cases.models import Case
from tests.browser import chromium, playwright_driver  # noqa: F401 - fixtures
from tests.factories import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOOPBACK = {"127.0.0.1", "localhost"}


@pytest.fixture
def page(chromium, live_server, settings):
    settings.MAP_TILE_URL = "/static/no-tiles/{z}/{x}/{y}.png"  # same origin: no tile server is asked
    context = chromium.new_context(locale="en-IN", timezone_id="Asia/Kolkata")
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname in LOOPBACK
                  else route.abort())
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
    yield page
    context.close()


@pytest.fixture
def found_case(make_case, make_sighting) -> Case:
    case = make_case(name="Kavya Reddy", contact_phone="+919880000606", status="found",
                     resolved_at=timezone.now() - timedelta(days=1))
    case.photo.save("kavya.jpg", ContentFile(jpeg_bytes()), save=True)
    make_sighting(case, place="MG Road metro, Bengaluru", description="Girl in a purple jacket.",
                  published_at=timezone.now())
    return case


def test_a_found_childs_page_has_no_phone_share_sightings_or_map(page, live_server, found_case):
    page.goto(f"{live_server.url}/case/{found_case.reference}")

    assert page.inner_text(".status") == "FOUND SAFE – please stop sharing"
    assert page.inner_text("h1") == "Kavya Reddy"
    assert page.locator(".case-photo img").count() == 1
    assert "Kavya Reddy has been found safe." in page.inner_text("main")
    assert page.locator("a[href^='tel:+91']").count() == 0  # the family is not called any more (112/1098 stay)
    assert "98800 00606" not in page.content() and "9880000606" not in page.content()
    assert page.locator("text=Share on WhatsApp").count() == 0
    assert page.locator(".share, [data-copy]").count() == 0
    assert page.locator("#sightings-heading, .sightings").count() == 0
    assert "MG Road metro" not in page.content()
    assert page.locator(".map, [data-case-map], .leaflet-container").count() == 0
    assert page.locator("text=I have seen this child").count() == 0
    assert page.locator("meta[property='og:title']").get_attribute("content") == "Found safe: Kavya Reddy"
    assert page.problems == []


def test_after_the_photo_period_the_page_has_no_photo_and_no_name(page, live_server, found_case):
    Case.objects.filter(pk=found_case.pk).update(resolved_at=timezone.now() - timedelta(days=8))

    page.goto(f"{live_server.url}/case/{found_case.reference}")  # the address a printed QR code holds

    assert page.inner_text("h1") == f"Case {found_case.reference}"
    assert "The child in this case has been found safe." in page.inner_text("main")
    assert page.locator("main img").count() == 0
    assert found_case.photo.name not in page.content()
    assert "Kavya" not in page.content()
    assert page.title() == f"Found safe: case {found_case.reference} – Sachet"
    assert page.locator("a[href^='tel:+91']").count() == 0
    assert page.problems == []
