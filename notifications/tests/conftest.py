"""Fake Telegram, Discord and Twilio servers on 127.0.0.1, with the settings that point the real clients at them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

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
    settings.TELEGRAM_BOT_USERNAME = ""
    settings.TELEGRAM_WEBHOOK_SECRET = ""
    settings.VAPID_PUBLIC_KEY = ""
    settings.VAPID_PRIVATE_KEY = ""
    settings.VAPID_CLAIMS_EMAIL = ""
    settings.ALERT_HTTP_TIMEOUT = 5.0  # a loaded machine answers late; the time-out tests set their own
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


# --- Outbox -------------------------------------------------------------------------------------------------------

STAFF_WEBHOOK = "2222222222222222222"


class Clock:
    """The time `django.utils.timezone.now()` returns while the `clock` fixture is active."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    """A fixed clock (10 March 2026, 09:30 UTC) that only moves when a test says so."""
    fixed = Clock(datetime.datetime(2026, 3, 10, 9, 30, tzinfo=datetime.UTC))
    monkeypatch.setattr(timezone, "now", lambda: fixed.now)
    return fixed


@pytest.fixture
def outbox_settings(settings):
    """Short retries for the tests; the sweep takes every due row at once."""
    settings.ALERT_MAX_ATTEMPTS = 4
    settings.ALERT_RETRY_BASE_DELAY = 10.0
    settings.ALERT_RETRY_MAX_DELAY = 60.0
    settings.ALERT_LEASE_SECONDS = 120
    settings.ALERT_SWEEP_AFTER = 0
    settings.ALERT_STALLED_AFTER = 300
    return settings


@pytest.fixture
def staff_channels(fake_telegram, fake_discord, settings):
    settings.TELEGRAM_STAFF_CHAT_ID = STAFF_CHAT
    settings.DISCORD_STAFF_WEBHOOK_URL = fake_discord.webhook_url(STAFF_WEBHOOK)


# A real Celery worker for tests marked `worker`, and a broker that is down (tests/worker.py).
from tests.worker import celery_broker_down, celery_worker_process  # noqa: E402, F401


def worker_env_for(fake_telegram) -> dict[str, str]:
    """What a worker process needs to reach the fake Telegram like this process does, with quick retries."""
    return {
        "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
        "TELEGRAM_BOT_TOKEN": fake_telegram.token,
        "TELEGRAM_CHAT_ID": PUBLIC_CHAT,
        "ALERT_HTTP_TIMEOUT": "2",
        "ALERT_RETRY_BASE_DELAY": "0.4",
        "ALERT_RETRY_MAX_DELAY": "1",
    }


from .subscribers import fast_bulk, push_service, sms_service, telegram_bot  # noqa: E402, F401
