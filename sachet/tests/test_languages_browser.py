"""Switching to Hindi on a phone-sized screen in headless Chromium: the switcher, the home page, the report form with
its map script's words and an error, and the choice remembered on the next page. Only the loopback is reachable."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser import chromium, playwright_driver  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOOPBACK = {"127.0.0.1", "localhost"}  # live_server's address
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


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


# --- The whole report journey in Hindi, and the same pages in Bengali and Marathi --------------------------------

HINDI = {
    "report": "लापता बच्चे की सूचना दें",
    "confirm": "अपनी रिपोर्ट पक्की करें",
    "confirmed": "धन्यवाद: आपकी रिपोर्ट पक्की हो गई है और अब सबके साथ शेयर हो रही है।",
    "seen": "मैंने इस बच्चे को देखा है",
    "sighting": "मैंने आरव शर्मा को देखा है",
    "sighting_saved": "धन्यवाद। आपकी ख़बर सहेज ली गई है",
}


@pytest.fixture
def sms(settings):
    """Twilio faked, so that the report asks the family for the code it sends."""
    from tests.fakes.twilio import FakeTwilio

    with FakeTwilio() as twilio:
        settings.TWILIO_API_BASE_URL = twilio.url
        settings.TWILIO_ACCOUNT_SID = twilio.account_sid
        settings.TWILIO_AUTH_TOKEN = twilio.auth_token
        settings.TWILIO_FROM_NUMBER = "+15005550006"
        settings.SMS_RECIPIENTS = []
        settings.REPORT_VERIFICATION = "sms+staff"
        yield twilio


def english_left(page) -> set[str]:
    """English template strings among the texts of the page (none may be left on a translated page)."""
    from .test_languages import template_strings, texts

    return template_strings() & texts(page.content())


def code_sent_to(twilio, phone: str) -> str:
    """The code in the (Hindi) SMS the fake Twilio received for `phone`."""
    import re

    [body] = [message["body"] for message in twilio.messages if message["to"] == phone]
    return re.search(r"(\d{6}) आपका Sachet कोड है", body).group(1)


def test_the_whole_report_journey_in_hindi_on_a_phone(phone, live_server, sms, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from cases.models import Case
    from tests.factories import form_datetime, jpeg_bytes

    photo = tmp_path / "aarav.jpg"
    photo.write_bytes(jpeg_bytes())

    # The switcher, on the home page.
    phone.goto(f"{live_server.url}/")
    with phone.expect_navigation():
        phone.get_by_role("button", name="हिन्दी").click()
    assert phone.get_attribute("html", "lang") == "hi"
    assert phone.inner_text("h1") == "लापता बच्चे"
    assert english_left(phone) == set()

    # The form, and an error in Hindi.
    phone.get_by_role("link", name=HINDI["report"]).click()
    phone.wait_for_url(f"{live_server.url}/report")
    assert phone.inner_text("h1") == HINDI["report"]
    assert english_left(phone) == set()
    phone.fill("#id_name", "आरव शर्मा")
    phone.fill("#id_age", "19")
    with phone.expect_navigation():
        phone.get_by_role("button", name="लापता बच्चे की सूचना भेजें").click()
    assert phone.get_attribute("html", "lang") == "hi"
    assert phone.locator("#form-problems").inner_text().startswith("कृपया फ़ॉर्म एक बार देख लें।")
    too_old = "Sachet बच्चों के लिए है: उम्र 17 या उससे कम होनी चाहिए।"
    assert phone.locator(".field-error .error", has_text=too_old).count() == 1
    assert phone.input_value("#id_name") == "आरव शर्मा"  # kept as typed
    assert english_left(phone) == set()
    assert fits_the_screen(phone)

    # The report, then the code step.
    phone.fill("#id_age", "7")
    phone.select_option("#id_gender", "male")
    phone.fill("#id_description", "लाल टी-शर्ट, नीली निकर, सफ़ेद चप्पल।")
    phone.set_input_files("#id_photo", str(photo))
    phone.fill("#id_last_seen_place", "Koregaon Park, Pune")
    phone.fill("#id_last_seen_at", form_datetime(timezone.now() - timedelta(hours=2)))
    phone.fill("#id_contact_name", "प्रिया शर्मा")
    phone.fill("#id_contact_phone", "98220 00101")
    phone.check("#id_consent")
    with phone.expect_navigation():
        phone.get_by_role("button", name="लापता बच्चे की सूचना भेजें").click()
    case = Case.objects.get()
    assert phone.url == f"{live_server.url}/case/{case.reference}/confirm"
    assert phone.inner_text("h1") == HINDI["confirm"]
    assert english_left(phone) == set()
    assert fits_the_screen(phone)

    phone.fill("#id_code", code_sent_to(sms, "+919822000101"))
    with phone.expect_navigation():
        phone.get_by_role("button", name="रिपोर्ट पक्की करें").click()

    # The case page: Hindi around the name as it was typed.
    assert phone.url == f"{live_server.url}/case/{case.reference}"
    assert phone.get_attribute("html", "lang") == "hi"
    assert HINDI["confirmed"] in phone.inner_text("body")
    assert phone.inner_text("h1") == "आरव शर्मा"
    assert phone.inner_text(".status") == "लापता"
    assert english_left(phone) == set()
    assert fits_the_screen(phone)

    # The poster the page offers: English and Hindi (Pune: Marathi too), the name as typed.
    poster = phone.request.get(f"{live_server.url}/poster/{case.reference}")
    assert poster.headers["content-type"] == "application/pdf"
    import pypdfium2 as pdfium

    text = pdfium.PdfDocument(poster.body())[0].get_textpage().get_text_range()
    assert "MISSING" in text and "लापता – इस बच्चे को देखा है?" in text and "हरवले आहे" in text
    assert "आरव शर्मा" in text

    # A sighting, in Hindi.
    phone.get_by_role("link", name=HINDI["seen"]).first.click()
    phone.wait_for_url(f"{live_server.url}/found/{case.reference}")
    assert phone.inner_text("h1") == HINDI["sighting"]
    assert english_left(phone) == set()
    phone.fill("#id_place", "Kalyani Nagar, Pune")
    phone.fill("#id_seen_at", form_datetime(timezone.now() - timedelta(minutes=30)))
    phone.fill("#id_description", "लाल टी-शर्ट में एक बच्चा पुल के पास दिखा।")
    with phone.expect_navigation():
        phone.get_by_role("button", name="ख़बर भेजें").click()
    assert phone.get_attribute("html", "lang") == "hi"
    assert HINDI["sighting_saved"] in phone.inner_text("body")
    assert case.sightings.get().description == "लाल टी-शर्ट में एक बच्चा पुल के पास दिखा।"
    assert english_left(phone) == set()
    assert phone.problems == []


@pytest.mark.parametrize(("language", "switch", "heading"), [
    ("bn", "বাংলা", "নিখোঁজ শিশু"),
    ("mr", "मराठी", "हरवलेली मुले"),
])
def test_the_journeys_pages_render_in_bengali_and_marathi(phone, live_server, make_case, language, switch, heading):
    case = make_case(name="Ishita Das")
    phone.goto(f"{live_server.url}/")
    with phone.expect_navigation():
        phone.get_by_role("button", name=switch).click()
    assert phone.inner_text("h1") == heading

    for path in ("/", "/report", f"/case/{case.reference}", f"/case/{case.reference}/confirm",
                 f"/found/{case.reference}"):
        phone.goto(f"{live_server.url}{path}")
        assert phone.get_attribute("html", "lang") == language, path
        assert english_left(phone) == set(), path
        assert fits_the_screen(phone), path
    assert phone.problems == []
