"""Alerts in each channel's languages: Telegram and Discord carry English plus their configured languages in one
message, an SMS goes in its recipient's one language and counts its segments right for UCS-2 text, and a one-time
code goes out in the language of the person who asked for it. The stored delivery holds the final text."""

from __future__ import annotations

import datetime
from dataclasses import asdict

import pytest
from django.core.checks import run_checks
from django.utils import translation

from cases import services
from notifications import codes, languages
from notifications.channels import Message
from notifications.channels.formatting import (
    discord_payload,
    is_gsm,
    sms_segments,
    sms_text,
    telegram_html,
    utf16_len,
)
from notifications.models import Delivery

SITE = "https://sachet.example.org"
PUBLIC_CHAT, PUBLIC_HOOK = "@sachet_alerts", "1111111111111111111"
SMS_TO, SMS_OTHER = "+919876543210", "+919876500000"
LAST_SEEN = datetime.datetime(2026, 3, 10, 9, 30, tzinfo=datetime.UTC)  # 3:00 PM in India

# What a reader of each language sees first: the title of a new case's alert, and a sentence of its body.
TITLES = {"en": "Missing: Aarav Sharma, 7", "hi": "लापता: Aarav Sharma, 7", "bn": "নিখোঁজ: Aarav Sharma, 7",
          "mr": "हरवले आहे: Aarav Sharma, 7"}
LAST_SEEN_AT = {"en": "Last seen at Koregaon Park, Pune", "hi": "आख़िरी बार Koregaon Park, Pune में",
                "bn": "শেষ দেখা গেছে Koregaon Park, Pune-এ", "mr": "शेवटचे Koregaon Park, Pune येथे"}
OTHERS = ["hi", "bn", "mr"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def channels(settings):
    """Telegram, Discord and SMS configured (no message leaves: the sends would run only after commit)."""
    settings.SITE_URL = SITE
    settings.TELEGRAM_BOT_TOKEN = "123456:test-token"
    settings.TELEGRAM_CHAT_ID = PUBLIC_CHAT
    settings.TELEGRAM_STAFF_CHAT_ID = ""
    settings.DISCORD_WEBHOOK_URL = f"https://discord.com/api/webhooks/{PUBLIC_HOOK}/public-token"
    settings.DISCORD_STAFF_WEBHOOK_URL = ""
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "test-auth-token"
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.SMS_LANGUAGE = "en"
    settings.TELEGRAM_LANGUAGES = ["en"]
    settings.DISCORD_LANGUAGES = ["en"]
    settings.SMS_RECIPIENTS = [SMS_TO]
    settings.REPORT_VERIFICATION = "none"
    return settings


def report(**overrides):
    values = dict(
        name="Aarav Sharma", age=7, gender="male", description="Red T-shirt, blue shorts, white sandals.",
        last_seen_place="Koregaon Park, Pune", last_seen_at=LAST_SEEN, contact_name="Priya Sharma",
        contact_phone="+919822000101", consent_version="2026-12",
    )
    values.update(overrides)
    return services.report_case(**values)


def public_delivery(case, channel: str, recipient: str | None = None) -> Delivery:
    rows = Delivery.objects.filter(event_key=f"case:{case.reference}:reported", channel=channel)
    return rows.get(recipient=recipient) if recipient else rows.get()


def stored(delivery: Delivery) -> Message:
    return Message(title=delivery.title, body=delivery.body, link=delivery.link, audience=delivery.audience,
                   kind=delivery.kind, photo_url=delivery.photo_url or None)


# --- Telegram and Discord: English first, then the configured languages, in one message -------------------------


@pytest.mark.parametrize("language", OTHERS)
def test_telegram_message_carries_english_then_the_configured_language(channels, language):
    channels.TELEGRAM_LANGUAGES = ["en", language]

    case = report()
    text = telegram_html(stored(public_delivery(case, "telegram")))

    assert text.startswith(f"<b>{TITLES['en']}</b>\n\n{LAST_SEEN_AT['en']}")
    assert f"\n\n{TITLES[language]}\n{LAST_SEEN_AT[language]}" in text
    assert text.index(TITLES["en"]) < text.index(TITLES[language])
    assert text.endswith(f'<a href="{SITE}/case/{case.reference}">{SITE}/case/{case.reference}</a>')
    assert text.count(TITLES[language]) == 1
    assert all(TITLES[other] not in text for other in OTHERS if other != language)


@pytest.mark.parametrize("language", OTHERS)
def test_discord_embed_carries_english_then_the_configured_language(channels, language):
    channels.DISCORD_LANGUAGES = [language]  # English is always first, named or not

    case = report()
    [embed] = discord_payload(stored(public_delivery(case, "discord")))["embeds"]

    assert embed["title"] == TITLES["en"]
    assert embed["description"].startswith(LAST_SEEN_AT["en"])
    assert f"\n\n{TITLES[language]}\n{LAST_SEEN_AT[language]}" in embed["description"]
    assert embed["description"].endswith(f"\n\n{SITE}/case/{case.reference}")
    assert all(TITLES[other] not in embed["description"] for other in OTHERS if other != language)


def test_telegram_carries_every_configured_language_in_their_order(channels):
    channels.TELEGRAM_LANGUAGES = ["en", "mr", "hi", "bn", "hi"]

    text = telegram_html(stored(public_delivery(report(), "telegram")))

    positions = [text.index(TITLES[language]) for language in ("en", "mr", "hi", "bn")]
    assert positions == sorted(positions)
    assert text.count(TITLES["hi"]) == 1


def test_english_only_channels_get_english_only(channels):
    case = report()

    for channel in ("telegram", "discord", "sms"):
        delivery = public_delivery(case, channel)
        assert delivery.title == TITLES["en"]
        assert all(TITLES[language] not in delivery.body for language in OTHERS)


def test_staff_and_public_channels_word_the_languages_whatever_language_is_active(channels):
    channels.TELEGRAM_LANGUAGES = ["en", "hi"]

    with translation.override("bn"):  # a report sent from a Bengali page
        case = report()

    delivery = public_delivery(case, "telegram")
    assert delivery.title == TITLES["en"]
    assert TITLES["hi"] in delivery.body
    assert TITLES["bn"] not in delivery.body


# --- SMS: one language per recipient; segments counted for UCS-2 --------------------------------------------------


@pytest.mark.parametrize("language", OTHERS)
def test_sms_goes_in_the_recipients_language_in_up_to_three_ucs2_segments(channels, language):
    channels.SMS_RECIPIENTS = [f"{SMS_TO}:{language}", SMS_OTHER]

    case = report()
    theirs, english = public_delivery(case, "sms", SMS_TO), public_delivery(case, "sms", SMS_OTHER)
    text = sms_text(stored(theirs), ucs2_segments=channels.SMS_UCS2_MAX_SEGMENTS)

    assert theirs.title == TITLES[language]
    assert "Missing" not in theirs.body and "Last seen" not in theirs.body
    assert english.title == TITLES["en"]
    assert not is_gsm(text)
    assert 70 < utf16_len(text) <= 3 * 67
    assert sms_segments(text) == 3
    assert text.startswith(f"{TITLES[language]}: {LAST_SEEN_AT[language]}")
    assert text.endswith(f" {SITE}/case/{case.reference}")


@pytest.mark.parametrize("language", OTHERS)
def test_sms_in_the_recipients_language_fits_one_segment_when_limited_to_one(channels, language):
    channels.SMS_RECIPIENTS = [f"{SMS_TO}:{language}"]

    text = sms_text(stored(public_delivery(report(), "sms")), ucs2_segments=1)

    assert utf16_len(text) <= 70
    assert sms_segments(text) == 1
    assert text.startswith(TITLES[language][:4])


def test_an_english_sms_stays_gsm_in_one_segment_of_160(channels):
    case = report()
    text = sms_text(stored(public_delivery(case, "sms")))

    assert is_gsm(text)
    assert 70 < len(text) <= 160
    assert sms_segments(text) == 1


def test_the_sms_recipients_setting_takes_a_language_per_number(settings):
    settings.SMS_LANGUAGE = "hi"
    settings.SMS_RECIPIENTS = ["+919822012345:bn", " +919822054321 ", "+919822000000:mr"]

    assert languages.sms_recipients() == {"+919822012345": "bn", "+919822054321": "hi", "+919822000000": "mr"}
    assert languages.languages_for("sms", "+919822054321") == ["hi"]
    assert languages.languages_for("sms", "+919822012345") == ["bn"]


@pytest.mark.parametrize(("text", "segments"), [
    ("क" * 70, 1),
    ("क" * 71, 2),  # past one segment: parts of 67
    ("क" * 134, 2),
    ("ক" * 135, 3),
    ("म" * 201, 3),
    ("म" * 202, 4),
    ("a" * 160, 1),
    ("a" * 161, 2),  # parts of 153 septets
    ("a" * 306, 2),
    ("a" * 307, 3),
    ("€" * 80, 1),  # an extension character costs two septets
    ("aa" + "€" * 152, 3),  # 306 septets, but a part of 153 would split a euro sign: it moves on, and so on
    ("🙂" * 35, 1),  # two UTF-16 units each
    ("कक" + "🙂" * 66, 3),  # 134 units, but a 67-unit part would split an emoji: it moves on, and so on
])
def test_sms_segment_counts_gsm_and_ucs2_text_as_networks_bill_it(text, segments):
    assert sms_segments(text) == segments


def test_a_hindi_sms_of_70_characters_is_one_segment_and_of_71_two():
    start = "बच्चा लापता है। कृपया देखें और मदद करें। "
    seventy = start + "क" * (70 - len(start))

    assert len(seventy) == 70
    assert sms_segments(seventy) == 1
    assert sms_segments(seventy + "।") == 2


# --- Messages to one person: their language --------------------------------------------------------------------


@pytest.mark.parametrize(("language", "words"), [
    ("hi", "आपका Sachet कोड"), ("bn", "আপনার Sachet কোড"), ("mr", "तुमचा Sachet कोड"), ("en", "is your Sachet code"),
])
def test_a_one_time_code_goes_out_in_the_persons_language(channels, language, words):
    with translation.override("en"):  # whatever the page around it: the language given decides
        row = codes.send_code(purpose="report", subject="MC20260310ABCDEF01", phone="+919822000101",
                              language=language)

    delivery = Delivery.objects.get(pk=row.delivery_id)
    assert words in delivery.body
    assert words in delivery.redacted_body  # the text kept once sent: the same language, without the code
    assert delivery.channel == "sms" and delivery.recipient == "+919822000101"


def test_a_report_sends_its_code_in_the_language_of_the_form(channels):
    channels.REPORT_VERIFICATION = "sms+staff"

    case = report(language="mr")

    code = Delivery.objects.get(event_key__startswith=f"code:report:{case.reference}:")
    assert "तुमचा Sachet कोड" in code.body


# --- Combining, and the checks on the settings -------------------------------------------------------------------


def test_combine_leaves_out_a_language_whose_wording_is_the_english():
    english = Message(title="Missing: A", body="Last seen here.", link=SITE + "/")
    hindi = Message(title="लापता: A", body="यहाँ देखा गया।", link=SITE + "/")

    assert languages.combine({"en": english, "hi": english}, ["en", "hi"]) == english
    combined = languages.combine({"en": english, "hi": hindi}, ["en", "hi", "bn"])
    assert asdict(combined) == {**asdict(english), "body": "Last seen here.\n\nलापता: A\nयहाँ देखा गया।"}


def test_unknown_alert_languages_are_a_system_check_warning(settings):
    settings.TELEGRAM_LANGUAGES = ["en", "ta"]
    settings.SMS_RECIPIENTS = ["+919822012345:gu"]

    warnings = [message for message in run_checks() if message.id == "notifications.W006"]

    assert [w.msg for w in warnings] == ["TELEGRAM_LANGUAGES names ta: the site speaks bn, en, hi, mr.",
                                         "SMS_RECIPIENTS or SMS_LANGUAGE names gu: the site speaks bn, en, hi, mr."]


def test_known_alert_languages_pass_the_checks(settings):
    settings.TELEGRAM_LANGUAGES = ["en", "hi", "bn"]
    settings.DISCORD_LANGUAGES = ["mr"]
    settings.SMS_RECIPIENTS = ["+919822012345:bn"]

    assert [message for message in run_checks() if message.id == "notifications.W006"] == []
