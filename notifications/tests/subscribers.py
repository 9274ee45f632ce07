"""Fixtures and factories for the area-subscription tests: fakes for each channel, fast sending, subscribers."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone

from notifications import subscriptions
from notifications.channels import Message
from notifications.matching import area_fields
from notifications.models import Subscription
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio
from tests.fakes.webpush import FakePushService

SMS_FROM = "+15005550006"
WEBHOOK_SECRET = "test-webhook-secret_0123456789"
BOT_USERNAME = "sachet_alerts_bot"
# Koregaon Park, Pune, and places around it (distances from it, km).
PUNE = (18.5362, 73.8939)
KALYANI_NAGAR = (18.5486, 73.9023)  # 1.6 km
HADAPSAR = (18.5089, 73.9260)  # 4.5 km
HINJEWADI = (18.5913, 73.7389)  # 17.4 km
LONAVALA = (18.7546, 73.4062)  # 56.8 km
MUMBAI = (19.0760, 72.8777)  # 122.7 km


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def vapid_pair() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(public), b64url(key.private_numbers().private_value.to_bytes(32, "big"))


@pytest.fixture
def fast_bulk(settings):
    """Senders at full speed, so the tests never wait on the providers' pace."""
    settings.SUBSCRIPTION_SMS_PER_SECOND = 1000.0
    settings.SUBSCRIPTION_TELEGRAM_PER_SECOND = 1000.0
    settings.SUBSCRIPTION_WEBPUSH_PER_SECOND = 1000.0
    settings.BULK_SENDERS_PER_CHANNEL = 1
    return settings


@pytest.fixture
def sms_service(settings, fast_bulk):
    """Twilio for messages to one number (codes, subscribers), no staff SMS recipients."""
    with FakeTwilio() as fake:
        settings.TWILIO_API_BASE_URL = fake.url
        settings.TWILIO_ACCOUNT_SID = fake.account_sid
        settings.TWILIO_AUTH_TOKEN = fake.auth_token
        settings.TWILIO_FROM_NUMBER = SMS_FROM
        settings.SMS_RECIPIENTS = []
        yield fake


@pytest.fixture
def telegram_bot(settings, fast_bulk):
    with FakeTelegram(chats=()) as fake:
        settings.TELEGRAM_API_BASE_URL = fake.base_url
        settings.TELEGRAM_BOT_TOKEN = fake.token
        settings.TELEGRAM_BOT_USERNAME = BOT_USERNAME
        settings.TELEGRAM_WEBHOOK_SECRET = WEBHOOK_SECRET
        yield fake


@pytest.fixture
def push_service(settings, fast_bulk):
    public, private = vapid_pair()
    with FakePushService() as fake:
        settings.VAPID_PUBLIC_KEY = public
        settings.VAPID_PRIVATE_KEY = private
        settings.VAPID_CLAIMS_EMAIL = "ops@sachet.example"
        settings.WEBPUSH_ENDPOINT_HOSTS = ["127.0.0.1"]
        yield fake


def make_subscriber(point=PUNE, *, channel=Subscription.Channel.SMS, address="+919822012345", radius_km=5,
                    language="en", status=Subscription.Status.ACTIVE, push: dict | None = None) -> Subscription:
    """A subscription as the public pages leave it once confirmed (no code or bot round trip)."""
    latitude, longitude = point
    now = timezone.now()
    extra = {}
    if push is not None:
        address = subscriptions.push_address(push["endpoint"])
        extra = {"push_endpoint": push["endpoint"], "push_p256dh": push["keys"]["p256dh"],
                 "push_auth": push["keys"]["auth"]}
    return Subscription.objects.create(
        channel=channel, address=address, status=status, token=subscriptions.secrets.token_urlsafe(24),
        stop_key=subscriptions.stop_key(channel, address) if address else "", latitude=latitude, longitude=longitude,
        radius_km=radius_km, language=language, consent_at=now, consent_version=subscriptions.CONSENT_VERSION,
        created_at=now, confirmed_at=now if status == Subscription.Status.ACTIVE else None,
        **area_fields(latitude, longitude, radius_km), **extra)


def wording(title: str = "Missing near you: Aarav Sharma, age 7", **overrides) -> dict[str, Message]:
    values = {"title": title, "body": "Last seen at Koregaon Park, Pune on 10 Mar 2026, 3:00 PM IST. Red T-shirt.",
              "link": "https://sachet.example.org/case/MC20260310AB12CD34", "kind": "new_case"}
    values.update(overrides)
    return {"en": Message(**values)}


def hours_ago(hours: float):
    return timezone.now() - timedelta(hours=hours)
