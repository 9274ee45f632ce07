"""Fake Telegram, Discord and Twilio servers on 127.0.0.1, with the settings that point the real clients at them."""

from __future__ import annotations

import pytest

from notifications.channels import Message
from tests.fakes.discord import FakeDiscord
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio

PUBLIC_CHAT = "@sachet_alerts"
STAFF_CHAT = "-1001234567890"
SMS_FROM = "+15005550006"
SMS_TO = "+919876543210"


@pytest.fixture(autouse=True)
def no_channels_configured(settings):
    """Every test starts with no channel configured, whatever the environment holds, and short time-outs."""
    settings.TELEGRAM_BOT_TOKEN = ""
    settings.TELEGRAM_CHAT_ID = ""
    settings.TELEGRAM_STAFF_CHAT_ID = ""
    settings.DISCORD_WEBHOOK_URL = ""
    settings.DISCORD_STAFF_WEBHOOK_URL = ""
    settings.TWILIO_ACCOUNT_SID = ""
    settings.TWILIO_AUTH_TOKEN = ""
    settings.TWILIO_FROM_NUMBER = ""
    settings.SMS_RECIPIENTS = []
    settings.ALERT_HTTP_TIMEOUT = 0.3
    return settings


@pytest.fixture
def fake_telegram(settings):
    with FakeTelegram(chats=(PUBLIC_CHAT, STAFF_CHAT)) as fake:
        settings.TELEGRAM_API_BASE_URL = fake.base_url
        settings.TELEGRAM_BOT_TOKEN = fake.token
        settings.TELEGRAM_CHAT_ID = PUBLIC_CHAT
        yield fake


@pytest.fixture
def fake_discord(settings):
    with FakeDiscord({"1111111111111111111": "public-token", "2222222222222222222": "staff-token"}) as fake:
        settings.DISCORD_WEBHOOK_URL = fake.webhook_url("1111111111111111111")
        yield fake


@pytest.fixture
def fake_twilio(settings):
    with FakeTwilio(unsubscribed=("+919800000001",)) as fake:
        settings.TWILIO_API_BASE_URL = fake.url
        settings.TWILIO_ACCOUNT_SID = fake.account_sid
        settings.TWILIO_AUTH_TOKEN = fake.auth_token
        settings.TWILIO_FROM_NUMBER = SMS_FROM
        settings.SMS_RECIPIENTS = [SMS_TO]
        yield fake


def make_message(**overrides) -> Message:
    values = {
        "title": "Missing: Asha Verma, 7",
        "body": "Last seen near Sarojini Nagar market at 4 pm, wearing a red frock.",
        "link": "https://sachet.example/cases/SCH-0042/",
        "audience": "public",
        "kind": "new_case",
        "photo_url": None,
    }
    values.update(overrides)
    return Message(**values)
