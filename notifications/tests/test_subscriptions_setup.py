"""Setting subscriptions up: a VAPID key pair from the command, and warnings for what is half configured."""

from __future__ import annotations

import base64
import io

from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command

from notifications.channels import configuration_problems, telegram_configured, webpush_configured


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_generate_vapid_keys_prints_a_matching_pair():
    out = io.StringIO()
    call_command("generate_vapid_keys", stdout=out)

    values = dict(line.split("=", 1) for line in out.getvalue().split())
    public, private = unb64url(values["VAPID_PUBLIC_KEY"]), unb64url(values["VAPID_PRIVATE_KEY"])
    assert len(public) == 65 and public[0] == 4 and len(private) == 32
    derived = ec.derive_private_key(int.from_bytes(private, "big"), ec.SECP256R1()).public_key()
    assert derived.public_numbers().x.to_bytes(32, "big") == public[1:33]


def test_half_configured_web_push_and_telegram_subscriptions_are_reported(settings):
    settings.VAPID_PUBLIC_KEY = "BPublic"
    settings.TELEGRAM_BOT_USERNAME = "sachet_alerts_bot"
    settings.TELEGRAM_WEBHOOK_SECRET = "has spaces!"

    problems = configuration_problems()

    assert "Web push is half configured: VAPID_PRIVATE_KEY, VAPID_CLAIMS_EMAIL missing " \
           "(manage.py generate_vapid_keys makes a key pair)." in problems
    assert "Telegram subscriptions need TELEGRAM_BOT_TOKEN too." in problems
    assert "TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - (1 to 256 of them)." in problems
    assert not webpush_configured() and not telegram_configured()


def test_a_bot_token_for_subscriptions_alone_is_not_a_problem(settings):
    settings.TELEGRAM_BOT_TOKEN = "7000000001:AAF-token"
    settings.TELEGRAM_BOT_USERNAME = "sachet_alerts_bot"
    settings.TELEGRAM_WEBHOOK_SECRET = "secret_123"

    assert configuration_problems() == []
    assert telegram_configured()
