"""Fixtures for the trust tests: the three providers faked (public and staff destinations), a public report as the
form sends it, and staff users. Import the fixtures into a test module: `from .trust_fixtures import *`."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import form_datetime, jpeg_bytes
from tests.fakes.discord import FakeDiscord
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio

SITE = "https://sachet.example.org"
PUBLIC_CHAT, STAFF_CHAT = "@sachet_alerts", "-1001234567890"
PUBLIC_HOOK, STAFF_HOOK = "1111111111111111111", "2222222222222222222"
SMS_TO = "+919876543210"  # staff and volunteers (SMS_RECIPIENTS)
FAMILY_PHONE = "+919822000101"
PASSWORD = "Correct-Horse-4711"
PUBLIC_CHANNELS = ("telegram", "discord", "sms")
STAFF_CHANNELS = ("telegram_staff", "discord_staff", "sms")

__all__ = ["channels", "police", "ngo", "report_data", "code_sent_to", "staff_user", "SITE", "PUBLIC_CHAT",
           "STAFF_CHAT", "PUBLIC_HOOK", "STAFF_HOOK", "SMS_TO", "FAMILY_PHONE", "PASSWORD", "PUBLIC_CHANNELS",
           "STAFF_CHANNELS"]


@pytest.fixture
def channels(settings):
    """Telegram, Discord and Twilio faked, public and staff destinations on, in settings and as a worker's
    environment (`.env`)."""
    with (
        FakeTelegram(chats=(PUBLIC_CHAT, STAFF_CHAT)) as telegram,
        FakeDiscord({PUBLIC_HOOK: "public-token", STAFF_HOOK: "staff-token"}) as discord,
        FakeTwilio() as twilio,
    ):
        env = {
            "SITE_URL": SITE,
            "TELEGRAM_API_BASE_URL": telegram.base_url, "TELEGRAM_BOT_TOKEN": telegram.token,
            "TELEGRAM_CHAT_ID": PUBLIC_CHAT, "TELEGRAM_STAFF_CHAT_ID": STAFF_CHAT,
            "DISCORD_WEBHOOK_URL": discord.webhook_url(PUBLIC_HOOK),
            "DISCORD_STAFF_WEBHOOK_URL": discord.webhook_url(STAFF_HOOK),
            "TWILIO_API_BASE_URL": twilio.url, "TWILIO_ACCOUNT_SID": twilio.account_sid,
            "TWILIO_AUTH_TOKEN": twilio.auth_token, "TWILIO_FROM_NUMBER": "+15005550006",
            "SMS_RECIPIENTS": SMS_TO, "ALERT_HTTP_TIMEOUT": "2",
        }
        for name, value in env.items():
            setattr(settings, name, value)
        settings.SMS_RECIPIENTS = [SMS_TO]
        settings.ALERT_HTTP_TIMEOUT = 2.0
        settings.ALERT_SWEEP_AFTER = 0
        yield SimpleNamespace(telegram=telegram, discord=discord, twilio=twilio, env=env)


def code_sent_to(twilio, phone: str = FAMILY_PHONE) -> str:
    """The latest one-time code the fake Twilio delivered to `phone`."""
    bodies = [m["body"] for m in twilio.messages if m["to"] == phone]
    assert bodies, f"no SMS to {phone}"
    match = re.search(r"(\d{6}) is your Sachet code", bodies[-1])
    assert match, bodies[-1]
    return match.group(1)


def report_data(**overrides) -> dict:
    """The report form as a browser posts it."""
    data = {
        "name": "Ishita Das", "age": "5", "gender": "female",
        "description": "Yellow frock with white flowers, curly hair.", "last_seen_place": "Howrah Station, Kolkata",
        "last_seen_specific": "platform 9", "last_seen_at": form_datetime(timezone.now() - timedelta(hours=1)),
        "contact_name": "Sujata Das", "contact_phone": "98220 00101", "reporter_name": "Neighbour Ravi",
        "reporter_phone": "+919831777777", "consent": "on", "latitude": "22.583900", "longitude": "88.342600",
        "photo": SimpleUploadedFile("ishita.jpg", jpeg_bytes(), content_type="image/jpeg"),
    }
    data.update(overrides)
    return data


def staff_user(username: str, group: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(role(group))
    return user


def role(name: str) -> Group:
    """The Police or NGO group; made again as the roles migration makes it when a transactional test's flush has
    emptied the table."""
    from django.contrib.auth.models import Permission

    from cases.roles import NGO_PERMISSIONS, POLICE_APPS

    group, created = Group.objects.get_or_create(name=name)
    if created:
        if name == "Police":
            group.permissions.set(Permission.objects.filter(content_type__app_label__in=POLICE_APPS))
        else:
            group.permissions.set([Permission.objects.get(content_type__app_label=app, codename=codename)
                                   for app, codename in (p.split(".") for p in NGO_PERMISSIONS)])
    return group


@pytest.fixture
def police(db) -> User:
    return staff_user("inspector", "Police")


@pytest.fixture
def ngo(db) -> User:
    return staff_user("volunteer", "NGO")
