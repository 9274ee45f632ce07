"""Switching to Hindi on a phone-sized screen in headless Chromium: the switcher, the home page, the report form with
its map script's words and an error, and the choice remembered on the next page. Only the loopback is reachable."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOOPBACK = {"127.0.0.1", "localhost"}  # live_server's address
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def chromium():
    """Its own Playwright, closed after this module: a session-long one would leave an event loop running under
    every later test. Django refuses database calls while a loop runs in the thread unless told it is safe."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
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


@pytest.fixture
def phone(chromium, live_server, settings):
    """A phone whose browser asks for English (as most phones in India do), with what went wrong on its pages."""
    settings.NOMINATIM_ENABLED = False
    settings.GOOGLE_MAPS_API_KEY = ""
    settings.MAP_TILE_URL = "/static/no-tiles/{z}/{x}/{y}.png"  # same origin: no tile server is asked
    context = chromium.new_context(locale="en-IN", timezone_id="Asia/Kolkata", **PHONE)
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"latitude": 18.5362, "longitude": 73.8939})
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname in LOOPBACK
                  else route.abort())
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
    page.on("console", lambda message: page.problems.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_switch_to_hindi_on_a_phone_and_report_in_hindi(phone, live_server, make_case):
    case = make_case(name="Aarav Sharma")
    phone.goto(f"{live_server.url}/")
    assert phone.get_attribute("html", "lang") == "en"
    assert phone.inner_text("h1") == "Missing children"

    with phone.expect_navigation():
        phone.get_by_role("button", name="हिन्दी").click()

    assert phone.url == f"{live_server.url}/"
    assert phone.get_attribute("html", "lang") == "hi"
    assert phone.inner_text("h1") == "लापता बच्चे"
    assert phone.get_attribute(".language-switcher button[lang=hi]", "aria-current") == "true"
    assert fits_the_screen(phone)

    phone.get_by_role("link", name="लापता बच्चे की सूचना दें").click()
    phone.wait_for_url(f"{live_server.url}/report")
    assert phone.inner_text("h1") == "लापता बच्चे की सूचना दें"
    assert phone.inner_text("fieldset legend >> nth=0") == "बच्चे के बारे में"
    assert fits_the_screen(phone)

    # The map script's words come from the Hindi JavaScript catalogue.
    phone.get_by_role("button", name="मेरी लोकेशन इस्तेमाल करें").click()
    status = phone.locator("[data-location-status]")
    status.filter(has_text="के पास").wait_for(timeout=15000)
    assert status.text_content().startswith("आपकी लोकेशन: 18.536200, 73.893900 (")

    # An error, in Hindi: the form comes back with Django's own message in Sachet's words.
    with phone.expect_navigation():
        phone.get_by_role("button", name="लापता बच्चे की सूचना भेजें").click()
    assert phone.get_attribute("html", "lang") == "hi"
    assert phone.locator("#form-problems").inner_text().startswith("कृपया फ़ॉर्म एक बार देख लें।")
    assert phone.locator(".field-error .error", has_text="यह जानकारी ज़रूरी है।").count() >= 3

    # The cookie remembers the choice on the next page.
    phone.goto(f"{live_server.url}/case/{case.reference}")
    assert phone.get_attribute("html", "lang") == "hi"
    assert phone.inner_text(".status") == "लापता"
    assert phone.problems == []
