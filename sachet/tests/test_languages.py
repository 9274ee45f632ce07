"""Sachet in Hindi, Bengali and Marathi: chosen with the switcher (kept in the language cookie) or from the browser's
Accept-Language; pages, Django's own form errors, dates, numbers, staff pages and the JavaScript catalogue."""

from __future__ import annotations

import gzip
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import polib
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import formats, translation

from sachet.errors import server_error

from .test_catalogues import LOCALE

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME
LANGUAGES = ["hi", "bn", "mr"]
LAST_SEEN = datetime(2026, 3, 10, 9, 30, tzinfo=ZoneInfo("Asia/Kolkata"))

# A line of each page in each language, as the catalogues say it (read here as a reader would see it).
HEADINGS = {
    "home": {"en": "<h1>Missing children</h1>", "hi": "<h1>लापता बच्चे</h1>", "bn": "<h1>নিখোঁজ শিশু</h1>",
             "mr": "<h1>हरवलेली मुले</h1>"},
    "report": {"en": "<h1>Report a missing child</h1>", "hi": "<h1>लापता बच्चे की सूचना दें</h1>",
               "bn": "<h1>নিখোঁজ শিশুর খবর দিন</h1>", "mr": "<h1>हरवलेल्या मुलाची माहिती द्या</h1>"},
    "case": {"en": ">I have seen this child</a>", "hi": ">मैंने इस बच्चे को देखा है</a>",
             "bn": ">আমি এই শিশুটিকে দেখেছি</a>", "mr": ">मी हे मूल पाहिले आहे</a>"},
    "sighting": {"en": "<h1>I have seen Aarav Sharma</h1>", "hi": "<h1>मैंने Aarav Sharma को देखा है</h1>",
                 "bn": "<h1>আমি Aarav Sharma-কে দেখেছি</h1>", "mr": "<h1>मला Aarav Sharma दिसले</h1>"},
    "404": {"en": "<h1>We could not find that page</h1>", "hi": "<h1>यह पेज हमें नहीं मिला</h1>",
            "bn": "<h1>এই পেজটি আমরা খুঁজে পাইনি</h1>", "mr": "<h1>हे पान आम्हाला सापडले नाही</h1>"},
}
REQUIRED = {"hi": "यह जानकारी ज़रूरी है।", "bn": "এই তথ্যটি দিতেই হবে।", "mr": "ही माहिती आवश्यक आहे."}


@pytest.fixture
def case(make_case):
    return make_case(name="Aarav Sharma", last_seen_at=LAST_SEEN)


def path_of(page: str, case) -> str:
    return {"home": "/", "report": "/report", "case": f"/case/{case.reference}",
            "sighting": f"/found/{case.reference}", "404": "/no/such/page"}[page]


def html_lang(html: str) -> str:
    return re.search(r"<html lang=\"([^\"]+)\" dir=\"(ltr|rtl)\">", html).group(1)


# English words allowed on a translated page although a template message has them too: none (form labels, choices
# and errors written in Python are translated like the templates).
FROM_PYTHON: set[str] = set()


def template_strings() -> set[str]:
    """The English of every template message without placeholders: none may show on a translated page."""
    return {entry.msgid for entry in polib.pofile(str(LOCALE / "hi" / "LC_MESSAGES" / "django.po"))
            if any(path.startswith("templates/") for path, _ in entry.occurrences)
            and "%(" not in entry.msgid and len(entry.msgid) > 3 and not entry.msgid_plural} - FROM_PYTHON


def texts(html: str) -> set[str]:
    """Every piece of text a reader meets: text between tags and the words in alt, aria-label, placeholder, title
    and meta content attributes."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    nodes = re.findall(r">([^<]+)<", html)
    attributes = re.findall(r'\b(?:alt|aria-label|placeholder|title|content)="([^"]*)"', html)
    return {" ".join(text.split()) for text in nodes + attributes} - {""}


@pytest.mark.parametrize("page", list(HEADINGS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_page_follows_the_language_cookie(client, case, page, language):
    client.cookies[COOKIE] = language

    response = client.get(path_of(page, case))
    html = response.content.decode()

    assert response.status_code == (404 if page == "404" else 200)
    assert html_lang(html) == language
    assert HEADINGS[page][language] in html
    assert HEADINGS[page]["en"] not in html
    assert template_strings() & texts(html) == set()  # no template string left in English


@pytest.mark.parametrize("page", list(HEADINGS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_first_visit_follows_the_browsers_accept_language(client, case, page, language):
    response = client.get(path_of(page, case), HTTP_ACCEPT_LANGUAGE=f"{language}-IN,{language};q=0.9,en;q=0.5")
    html = response.content.decode()

    assert html_lang(html) == language
    assert HEADINGS[page][language] in html


def test_cookie_wins_over_the_browsers_language(client, case):
    client.cookies[COOKIE] = "bn"

    html = client.get("/", HTTP_ACCEPT_LANGUAGE="hi").content.decode()

    assert html_lang(html) == "bn"
    assert HEADINGS["home"]["bn"] in html


@pytest.mark.parametrize("accept", ["", "fr-FR,fr;q=0.9", "en-IN,en;q=0.9", "en-US"])
def test_english_when_the_browser_asks_for_no_language_sachet_speaks(client, accept):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()

    assert html_lang(html) == "en"
    assert HEADINGS["home"]["en"] in html


def test_every_public_page_has_the_switcher_with_each_language_in_its_own_script(client, case):
    client.cookies[COOKIE] = "hi"
    for page in HEADINGS:
        html = client.get(path_of(page, case)).content.decode()
        switcher = re.search(r'<form class="language-switcher" action="/i18n/language" method="get".*?</form>', html,
                             re.S).group(0)
        buttons = re.findall(r'<button type="submit" name="language" value="(\w+)" lang="(\w+)"'
                             r'( aria-current="true")?>([^<]+)</button>', switcher)
        assert [(value, name, bool(current)) for value, _lang, current, name in buttons] == [
            ("en", "English", False), ("hi", "हिन्दी", True), ("bn", "বাংলা", False), ("mr", "मराठी", False)]
        assert f'<input type="hidden" name="next" value="{path_of(page, case)}">' in switcher
        assert 'name="csrfmiddlewaretoken"' not in switcher


def test_public_pages_set_no_cookie_so_that_they_can_be_cached(client, case):
    for page in ("home", "case"):
        response = client.get(path_of(page, case))

        assert response.status_code == 200
        assert dict(response.cookies) == {}


def test_switcher_returns_to_the_same_page_and_the_cookie_remembers_the_choice(case):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(f"/case/{case.reference}?utm=qr").content.decode()
    next_path = re.search(r'name="next" value="([^"]+)"', page).group(1).replace("&amp;", "&")

    response = browser.get("/i18n/language", {"language": "mr", "next": next_path})

    assert response.status_code == 302
    assert response["Location"] == f"/case/{case.reference}?utm=qr"
    cookie = response.cookies[COOKIE]
    assert cookie.value == "mr"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie["samesite"] == "Lax"
    later = browser.get(f"/case/{case.reference}", HTTP_ACCEPT_LANGUAGE="hi").content.decode()
    assert html_lang(later) == "mr"
    assert HEADINGS["case"]["mr"] in later


def test_switcher_never_sends_the_reader_to_another_site(client):
    response = client.get("/i18n/language", {"language": "hi", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[COOKIE].value == "hi"


def test_a_language_sachet_does_not_speak_leaves_the_pages_in_english(client):
    response = client.get("/i18n/language", {"language": "fr", "next": "/"})
    html = client.get("/").content.decode()

    assert "django_language" not in response.cookies

    assert response.status_code == 302
    assert html_lang(html) == "en"
    assert HEADINGS["home"]["en"] in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_djangos_own_form_errors_come_out_in_the_readers_language(client, language):
    client.cookies[COOKIE] = language

    response = client.post("/report", {})
    html = response.content.decode()

    assert response.status_code == 400
    assert f'<p class="error" role="alert">{REQUIRED[language]}</p>' in html
    assert "This field is required." not in html


def test_hindi_form_errors_through_accept_language_too(client):
    response = client.post("/report", {"age": "abc"}, HTTP_ACCEPT_LANGUAGE="hi")
    html = response.content.decode()

    assert REQUIRED["hi"] in html
    assert "कृपया पूरी संख्या लिखें।" in html  # "Enter a whole number."
    assert "कृपया फ़ॉर्म एक बार देख लें।" in html  # "Please check the form."


@pytest.mark.parametrize(("language", "when"), [
    ("en", "10 March 2026, 09:30"), ("hi", "10 मार्च 2026, 09:30"), ("bn", "10 মার্চ 2026, 09:30"),
    ("mr", "10 मार्च 2026, 09:30")])
def test_case_page_dates_use_the_languages_month_names(client, case, language, when):
    client.cookies[COOKIE] = language

    html = client.get(f"/case/{case.reference}").content.decode()

    assert f'<time datetime="2026-03-10T09:30:00+05:30">{when}</time>' in html


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_lists_show_day_month_year_in_figures(client, case, language):
    client.cookies[COOKIE] = language

    html = client.get("/").content.decode()

    assert '<time datetime="2026-03-10T09:30:00+05:30">10/03/2026, 09:30</time>' in html


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_numbers_are_grouped_in_lakhs(language):
    with translation.override(language):
        assert formats.number_format(1234567, force_grouping=True) == "12,34,567"
        assert formats.date_format(LAST_SEEN, "DATE_FORMAT").startswith("10 ")


def test_hindi_month_names_are_spelt_right():
    """Django's usual Hindi month names misspell some (नवमबर): the Hindi formats use its other set."""
    with translation.override("hi"):
        assert formats.date_format(datetime(2026, 11, 30), "DATE_FORMAT") == "30 नवंबर 2026"
        assert formats.date_format(datetime(2026, 9, 1), "DATE_FORMAT") == "1 सितंबर 2026"


def test_responses_vary_on_the_language_header_and_cookie(client):
    response = client.get("/")
    vary = {part.strip() for part in response["Vary"].split(",")}

    assert {"Accept-Language", "Cookie"} <= vary
    assert response["Content-Language"] == "en"


def test_urls_carry_no_language_prefix(client, case):
    client.cookies[COOKIE] = "hi"

    assert client.get(f"/case/{case.reference}").status_code == 200
    assert client.get(f"/hi/case/{case.reference}").status_code == 404


def test_server_error_page_speaks_the_language_of_the_request():
    with translation.override("hi"):
        response = server_error(RequestFactory().get("/report"))
    html = response.content.decode()

    assert response.status_code == 500
    assert html_lang(html) == "hi"
    assert "<h1>हमारी तरफ़ से कुछ गड़बड़ हो गई</h1>" in html
    assert 'href="tel:112"' in html and 'href="tel:1098"' in html


# --- The JavaScript catalogue ----------------------------------------------------------------------------------


def test_pages_with_scripts_load_their_languages_catalogue_from_a_file(client, case):
    client.cookies[COOKIE] = "bn"

    html = client.get("/report").content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)

    catalogue = re.search(r'<script src="(/jsi18n/bn\.js\?v=[0-9a-f]{12})" defer></script>', html).group(1)
    # Deferred scripts run in the page's order: the catalogue before the scripts that take their words from it.
    assert (scripts.index(f'<script src="{catalogue}" defer>')
            < scripts.index('<script src="/static/js/location.js" defer>'))
    assert all("src=" in tag for tag in scripts)  # nothing inline: the Content-Security-Policy stays strict


@pytest.mark.parametrize(("language", "copied"), [("hi", "लिंक कॉपी हो गया"), ("bn", "লিংক কপি হয়েছে"),
                                                  ("mr", "लिंक कॉपी झाली")])
def test_javascript_catalogue_has_the_languages_strings_and_is_cached_like_a_static_file(client, language, copied):
    client.cookies[COOKIE] = "en"  # the language comes from the address, not the reader's cookie

    response = client.get(f"/jsi18n/{language}.js")
    body = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Type"] == 'text/javascript; charset="utf-8"'
    assert f'"Link copied": {json.dumps(copied)}' in body
    assert response["Content-Language"] == language
    assert "max-age=31536000" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert "Please enter a correct" not in body  # only Sachet's own strings, not every installed app's


def test_javascript_catalogue_for_an_unknown_language_is_404(client):
    assert client.get("/jsi18n/fr.js").status_code == 404


# --- Staff pages -------------------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client):
    user = User.objects.create_superuser("analyst", password="long-enough-password-1")
    with override_settings(AXES_ENABLED=False):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_analytics_dashboard_in_hindi(staff_client):
    staff_client.cookies[COOKIE] = "hi"

    html = staff_client.get(reverse("admin:analytics_analyticssnapshot_changelist")).content.decode()

    assert html_lang(html) == "hi"
    assert "<h1>विश्लेषण</h1>" in html
    assert "अभी तक कोई विश्लेषण नहीं हुआ है।" in html
    assert "Sachet – मामलों का प्रबंधन" in html  # the admin's own header


def test_case_page_in_the_admin_in_marathi_with_the_switcher(staff_client, case):
    staff_client.cookies[COOKIE] = "mr"

    html = staff_client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()

    assert html_lang(html) == "mr"
    assert "या प्रकरणाचे अलर्ट" in html  # "Alerts for this case"
    assert ">सार्वजनिक पान</a>" in html  # "Public page"
    assert '<button type="submit" name="language" value="mr" lang="mr" aria-current="true">मराठी</button>' in html


def test_sign_in_lockout_page_in_bengali(client):
    User.objects.create_user("officer", password="long-enough-password-1", is_staff=True)
    client.cookies[COOKIE] = "bn"
    login = f"/{settings.ADMIN_URL}login/"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login, {"username": "officer", "password": "wrong"})

    response = client.post(login, {"username": "officer", "password": "long-enough-password-1"})

    assert response.status_code == 429
    assert "<h1>অনেকবার সাইন ইন ব্যর্থ হয়েছে</h1>" in response.content.decode()


# --- Page weight -------------------------------------------------------------------------------------------------


def page_weight(client, path: str) -> int:
    """Bytes a phone downloads for a page, compressed as they are sent: the document and the styles and scripts
    it links. Case photos are left out: they are the same in every language."""
    html = client.get(path).content
    total = len(gzip.compress(html))
    for asset in re.findall(rb'(?:href|src)="(/(?:static|jsi18n)/[^"]+)"', html):
        response = client.get(asset.decode())
        assert response.status_code == 200, asset
        body = b"".join(response.streaming_content) if response.streaming else response.content
        total += len(gzip.compress(body))
    return total


def test_home_page_in_each_language_weighs_within_ten_percent_of_english(client, make_case, make_sighting):
    for number in range(settings.CASES_PER_PAGE):
        case = make_case(name=f"Child {number}", last_seen_place=["Koregaon Park, Pune", "Howrah Station, Kolkata",
                                                                  "Charminar, Hyderabad"][number % 3])
        if number % 2:
            make_sighting(case)

    english = page_weight(client, "/")
    for language in LANGUAGES:
        client.cookies[COOKIE] = language
        assert page_weight(client, "/") <= english * 1.10, language


def test_pages_are_sent_compressed_to_browsers_that_accept_it(client):
    client.cookies[COOKIE] = "hi"

    response = client.get("/", HTTP_ACCEPT_ENCODING="gzip")

    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert HEADINGS["home"]["hi"] in gzip.decompress(response.content).decode()
