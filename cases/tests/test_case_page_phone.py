"""The case page on a 390 px phone (headless Chromium at 390 x 844, loopback only) has no sideways scrolling, with a
long name, a long place, many published sightings with long words, in English and in Hindi."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from tests.browser import chromium, playwright_driver  # noqa: F401 - fixtures
from tests.factories import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOOPBACK = {"127.0.0.1", "localhost"}
LONG_NAME = "Venkatanarasimharajuvaripeta Subrahmanyeswara Lakshminarayanaswamy Chakravarthy-Ramachandran"
LONG_PLACE = "Chhatrapati Shivaji Maharaj Terminus Suburban Railway Station (Platform 18), Mumbai, Maharashtra"
LONG_WORD = "Sitabuldi" + "-Mahamarg" * 12


@pytest.fixture
def phone(chromium, live_server, settings):
    settings.MAP_TILE_URL = "/static/no-tiles/{z}/{x}/{y}.png"  # same origin: no tile server is asked

    def open_page(path: str, *, language: str):
        context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3,
                                       is_mobile=True, has_touch=True, locale="en-IN", timezone_id="Asia/Kolkata")
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname in LOOPBACK
                      else route.abort())
        page = context.new_page()
        page.goto(live_server.url + path)
        opened.append(context)
        return page

    opened = []
    yield open_page
    for context in opened:
        context.close()


@pytest.fixture
def long_case(make_case, make_sighting):
    case = make_case(name=LONG_NAME, last_seen_place=LONG_PLACE, last_seen_specific=LONG_WORD,
                     description=("Wearing a school uniform with the badge " + LONG_WORD + ". ") * 3)
    case.photo.save("child.jpg", ContentFile(jpeg_bytes(1200, 1600)), save=True)
    for number in range(25):
        make_sighting(case, place=f"{LONG_PLACE} {number}", description=f"Seen near {LONG_WORD} gate {number}.",
                      published_at=timezone.now(), seen_at=timezone.now() - timedelta(minutes=number))
    return case


def overflow(page) -> list[str]:
    """The elements wider than the window, and the page's own width when it scrolls sideways."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const name = e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '');
        const wide = [...document.querySelectorAll('body *')]
            .filter(e => !e.closest('.leaflet-container'))
            .filter(e => e.getBoundingClientRect().right > width + 1
                         || (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible'))
            .map(e => name(e) + ' ' + Math.round(e.getBoundingClientRect().right) + '/' + e.scrollWidth);
        if (document.documentElement.scrollWidth > width) wide.unshift('page ' + document.documentElement.scrollWidth);
        return wide;
    }""")


@pytest.mark.parametrize("language", ["en", "hi"])
def test_case_page_fits_a_390_px_phone(phone, long_case, language):
    page = phone(long_case.get_absolute_url(), language=language)

    assert page.evaluate("document.documentElement.lang") == language
    assert page.locator("h1").count() == 1
    assert overflow(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
