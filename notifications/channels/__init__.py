"""Alert channels and the registry that builds them from settings.

Which channel serves which audience (a `Message.audience`):

    channel          settings                                              audiences
    telegram         TELEGRAM_BOT_TOKEN + TELEGRAM_CHAT_ID                  public
    telegram_staff   TELEGRAM_BOT_TOKEN + TELEGRAM_STAFF_CHAT_ID            staff
    discord          DISCORD_WEBHOOK_URL                                    public
    discord_staff    DISCORD_STAFF_WEBHOOK_URL                              staff
    sms              TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN                 public and staff
                     + TWILIO_FROM_NUMBER; alerts go to SMS_RECIPIENTS
                     (staff, volunteers), messages to one number to it
    log              on only when no channel has alert recipients           public and staff

Channels of area subscribers (no configured recipients: each delivery names its own, see notifications.area):

    sms_subscriber       the Twilio variables above                         public
    telegram_subscriber  TELEGRAM_BOT_TOKEN                                 public
    webpush              VAPID_PUBLIC_KEY + VAPID_PRIVATE_KEY + VAPID_CLAIMS_EMAIL  public

A channel is on when all of its settings are set. Public channels never receive staff messages (sightings with
details, face matches); SMS recipients are trusted people and receive both. SMS without SMS_RECIPIENTS still sends
messages addressed to one number (`notifications.services.queue_message`, e.g. one-time codes) but no alerts.
Channels are built from settings on each call, so a changed setting takes effect without a restart of anything but
the process that reads it.
"""

from __future__ import annotations

import re

from django.conf import settings

from sachet.phones import InvalidPhone, mask, normalise

from .base import (
    AUDIENCES,
    KINDS,
    PUBLIC,
    STAFF,
    Channel,
    ChannelError,
    ChannelNotConfigured,
    Message,
    PermanentError,
    RecipientGone,
    SendResult,
    TransientError,
)
from .discord import DiscordChannel, webhook_id
from .log import LogChannel
from .sms import SmsChannel, SubscriberSmsChannel
from .telegram import SUBSCRIBER as TELEGRAM_SUBSCRIBER
from .telegram import TelegramChannel
from .webpush import WebPushChannel

__all__ = [
    "AUDIENCES",
    "KINDS",
    "PUBLIC",
    "STAFF",
    "Channel",
    "ChannelError",
    "ChannelNotConfigured",
    "Message",
    "PermanentError",
    "RecipientGone",
    "SendResult",
    "TransientError",
    "configuration_problems",
    "enabled_channels",
    "get_channel",
    "sms_configured",
    "telegram_configured",
    "webpush_configured",
]


def _configured_channels() -> list[Channel]:
    channels: list[Channel] = []
    token = settings.TELEGRAM_BOT_TOKEN
    if token and settings.TELEGRAM_CHAT_ID:
        channels.append(TelegramChannel("telegram", token, settings.TELEGRAM_CHAT_ID, frozenset({PUBLIC})))
    if token and settings.TELEGRAM_STAFF_CHAT_ID:
        channels.append(TelegramChannel("telegram_staff", token, settings.TELEGRAM_STAFF_CHAT_ID, frozenset({STAFF})))
    if webhook_id(settings.DISCORD_WEBHOOK_URL):
        channels.append(DiscordChannel("discord", settings.DISCORD_WEBHOOK_URL, frozenset({PUBLIC})))
    if webhook_id(settings.DISCORD_STAFF_WEBHOOK_URL):
        channels.append(DiscordChannel("discord_staff", settings.DISCORD_STAFF_WEBHOOK_URL, frozenset({STAFF})))
    if sms_configured():
        channels.append(SmsChannel(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN,
                                   settings.TWILIO_FROM_NUMBER, numbers=list(sms_recipients())))
        channels.append(SubscriberSmsChannel(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN,
                                             settings.TWILIO_FROM_NUMBER))
    if token:
        channels.append(TelegramChannel(TELEGRAM_SUBSCRIBER, token, "", frozenset({PUBLIC})))
    if webpush_configured():
        channels.append(WebPushChannel(settings.VAPID_PRIVATE_KEY, settings.VAPID_CLAIMS_EMAIL))
    return channels


def telegram_configured() -> bool:
    """Whether people can subscribe through the Telegram bot (token, username for links, webhook secret)."""
    return all((settings.TELEGRAM_BOT_TOKEN, settings.TELEGRAM_BOT_USERNAME, settings.TELEGRAM_WEBHOOK_SECRET))


def webpush_configured() -> bool:
    return all((settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY, settings.VAPID_CLAIMS_EMAIL))


def sms_configured() -> bool:
    """Whether SMS can be sent to a given number (Twilio's account, token and sending number are set)."""
    return all((settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM_NUMBER))


def enabled_channels(audience: str | None = None) -> list[Channel]:
    """The configured channels that have alert recipients (the log channel when there are none), only those
    serving `audience` if given."""
    if audience is not None and audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {sorted(AUDIENCES)}, not {audience!r}")
    channels = [channel for channel in _configured_channels() if channel.recipients()] or [LogChannel()]
    return [channel for channel in channels if audience is None or audience in channel.audiences]


def get_channel(name: str) -> Channel:
    """The configured channel called `name` (also SMS without alert recipients, for messages to one number);
    ChannelNotConfigured (a PermanentError) when it is not configured."""
    for channel in [*_configured_channels(), *enabled_channels()]:
        if channel.name == name:
            return channel
    raise ChannelNotConfigured(f"channel {name!r} is not configured")


def configuration_problems() -> list[str]:
    """Half-configured channels, in words for a system check: such a channel is silently off otherwise."""
    problems = []
    chats = settings.TELEGRAM_CHAT_ID or settings.TELEGRAM_STAFF_CHAT_ID
    if (chats and not settings.TELEGRAM_BOT_TOKEN) or (settings.TELEGRAM_BOT_TOKEN and not chats
                                                       and not telegram_configured()):
        problems.append("Telegram needs both TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID (or TELEGRAM_STAFF_CHAT_ID).")
    for setting in ("DISCORD_WEBHOOK_URL", "DISCORD_STAFF_WEBHOOK_URL"):
        url = getattr(settings, setting)
        if url and not webhook_id(url):
            problems.append(f"{setting} is not a Discord webhook URL (https://discord.com/api/webhooks/<id>/<token>).")
    twilio = {
        "TWILIO_ACCOUNT_SID": settings.TWILIO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": settings.TWILIO_AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": settings.TWILIO_FROM_NUMBER,
    }
    missing = [name for name, value in twilio.items() if not value]
    if missing and (len(missing) < len(twilio) or settings.SMS_RECIPIENTS):
        problems.append(f"SMS is half configured: {', '.join(missing)} missing.")
    telegram = {"TELEGRAM_BOT_USERNAME": settings.TELEGRAM_BOT_USERNAME,
                "TELEGRAM_WEBHOOK_SECRET": settings.TELEGRAM_WEBHOOK_SECRET}
    if any(telegram.values()) and not telegram_configured():
        missing = [name for name, value in {"TELEGRAM_BOT_TOKEN": settings.TELEGRAM_BOT_TOKEN, **telegram}.items()
                   if not value]
        problems.append(f"Telegram subscriptions need {', '.join(missing)} too.")
    if settings.TELEGRAM_WEBHOOK_SECRET and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", settings.TELEGRAM_WEBHOOK_SECRET):
        problems.append("TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - (1 to 256 of them).")
    vapid = {"VAPID_PUBLIC_KEY": settings.VAPID_PUBLIC_KEY, "VAPID_PRIVATE_KEY": settings.VAPID_PRIVATE_KEY,
             "VAPID_CLAIMS_EMAIL": settings.VAPID_CLAIMS_EMAIL}
    if any(vapid.values()) and not all(vapid.values()):
        problems.append(f"Web push is half configured: {', '.join(k for k, v in vapid.items() if not v)} missing "
                        "(manage.py generate_vapid_keys makes a key pair).")
    invalid = [mask(number) for number in sms_recipients() if not _is_e164(number)]
    if invalid:
        problems.append(f"SMS_RECIPIENTS must be numbers in E.164 form (+919822012345): {', '.join(invalid)}.")
    return problems


def sms_recipients() -> list[str]:
    """The numbers of SMS_RECIPIENTS, without the language each may carry ("+919822012345:hi")."""
    from ..languages import sms_recipients as numbers_and_languages

    return list(numbers_and_languages())


def _is_e164(number: str) -> bool:
    try:
        return normalise(number) == number
    except InvalidPhone:
        return False
