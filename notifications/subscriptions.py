"""Area subscriptions: people who asked to hear of missing children near a place, by SMS, Telegram or web push.

    subscription = subscribe(channel=SMS, phone="98220 12345", latitude=..., longitude=..., radius_km=5,
                             language="hi")                      # SMS: a one-time code goes out
    confirm_sms(token=subscription.token, code="123456")         # active from now on
    stop(stop_key)                                               # the one-click link in every SMS

What is kept (DPDP): the address (number, chat id, or a browser's push endpoint and its keys), the point, the radius,
the language and when and to which wording of the consent they agreed. No name, no place text. Stopping (a reply,
a click, /stop, a push service saying the subscription is gone, or staff) deletes the rows of that address, the
numbers in its one-time codes, and leaves only a masked recipient in the deliveries already made to it.
Nothing is ever sent to a subscription still waiting for its code or for the bot to be started.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from sachet.phones import mask, normalise

from . import codes
from .matching import area_fields
from .models import PHONE_CHANNELS, REMOVED_MARK, Delivery, PhoneCode, Subscription

logger = logging.getLogger(__name__)

SMS, TELEGRAM, WEBPUSH = Subscription.Channel.SMS, Subscription.Channel.TELEGRAM, Subscription.Channel.WEBPUSH
CODE_PURPOSE = "subscription"
# The wording of the consent on /subscribe; change it when the words change, so each row says what was agreed to.
CONSENT_VERSION = "2026-12-v1"


class InvalidPushEndpoint(ValueError):
    """Not the address of a push service we send to."""


def stop_key(channel: str, address: str) -> str:
    """The token of the stop link: an HMAC of the address, the same for all of its subscriptions."""
    return salted_hmac("sachet.subscriptions.stop", f"{channel}:{address}", algorithm="sha256").hexdigest()[:20]


def push_address(endpoint: str) -> str:
    """A push subscription's address in deliveries: short, and not the endpoint (a capability URL) itself."""
    return "wp:" + hashlib.sha256(endpoint.encode()).hexdigest()[:40]


# --- Subscribing ----------------------------------------------------------------------------------------------


@transaction.atomic
def subscribe(*, channel: str, latitude: float, longitude: float, radius_km: int, language: str, phone: str = "",
              push_endpoint: str = "", push_p256dh: str = "", push_auth: str = "") -> Subscription:
    """A new subscription. SMS: pending, and a one-time code is sent (raises InvalidPhone, ResendTooSoon,
    TooManyCodes or ChannelNotConfigured, and nothing is kept). Telegram: pending until the bot is started with
    its token. Web push: active at once (raises InvalidPushEndpoint for an endpoint that is not a push service)."""
    if channel not in Subscription.Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if not 1 <= radius_km <= settings.SUBSCRIPTION_MAX_RADIUS_KM:
        raise ValueError("the radius must be 1 to 50 km")
    now = timezone.now()
    subscription = Subscription(
        channel=channel, latitude=latitude, longitude=longitude, radius_km=radius_km, language=language,
        token=secrets.token_urlsafe(24), consent_at=now, consent_version=CONSENT_VERSION, created_at=now,
        **area_fields(latitude, longitude, radius_km),
    )
    if channel == SMS:
        subscription.address = normalise(phone)
    elif channel == WEBPUSH:
        check_push_endpoint(push_endpoint)
        subscription.address = push_address(push_endpoint)
        subscription.push_endpoint, subscription.push_p256dh, subscription.push_auth = (
            push_endpoint, push_p256dh, push_auth)
        subscription.status, subscription.confirmed_at = Subscription.Status.ACTIVE, now
    if subscription.address:
        subscription.stop_key = stop_key(channel, subscription.address)
    subscription.save()
    if channel == SMS:
        codes.send_code(purpose=CODE_PURPOSE, subject=subscription.token, phone=subscription.address,
                        language=subscription.language)
    logger.info("subscription %s started channel=%s radius=%d language=%s", subscription.pk, channel, radius_km,
                language)
    return subscription


def resend_code(*, token: str) -> Subscription | None:
    """A new code for a pending SMS subscription (the code limits apply); None when there is no such subscription."""
    subscription = pending(token=token, channel=SMS)
    if subscription is not None:
        with transaction.atomic():
            codes.send_code(purpose=CODE_PURPOSE, subject=token, phone=subscription.address,
                            language=subscription.language)
    return subscription


def confirm_sms(*, token: str, code: str) -> codes.CodeCheck:
    """Check the code of a pending SMS subscription; a right one makes it active."""
    result = codes.check_code(purpose=CODE_PURPOSE, subject=token, code=code)
    if result.ok:
        Subscription.objects.filter(token=token, channel=SMS, status=Subscription.Status.PENDING).update(
            status=Subscription.Status.ACTIVE, confirmed_at=timezone.now())
        logger.info("sms subscription confirmed for %s", mask(result.phone))
    return result


def pending(*, token: str, channel: str) -> Subscription | None:
    """A subscription of `channel` still waiting for confirmation, not older than SUBSCRIPTION_PENDING_HOURS."""
    cutoff = timezone.now() - timedelta(hours=settings.SUBSCRIPTION_PENDING_HOURS)
    return Subscription.objects.filter(token=token, channel=channel, status=Subscription.Status.PENDING,
                                       created_at__gte=cutoff).first()


def confirm_telegram(*, token: str, chat_id: str) -> Subscription | None:
    """The bot was started with a pending subscription's token in this (private) chat: it is active now."""
    subscription = pending(token=token, channel=TELEGRAM)
    if subscription is None:
        return None
    updated = Subscription.objects.filter(pk=subscription.pk, status=Subscription.Status.PENDING).update(
        status=Subscription.Status.ACTIVE, confirmed_at=timezone.now(), address=chat_id,
        stop_key=stop_key(TELEGRAM, chat_id))
    if not updated:
        return None
    subscription.refresh_from_db()
    logger.info("telegram subscription %s confirmed", subscription.pk)
    return subscription


def check_push_endpoint(endpoint: str) -> None:
    """Only push services are sent to: https, a host name (no address, no localhost) in WEBPUSH_ENDPOINT_HOSTS.
    The worker posts to this URL, so anything else would let a stranger make it call hosts of their choosing."""
    parts = urlsplit(endpoint or "")
    host = (parts.hostname or "").lower()
    allowed = any(host == entry or (entry.startswith(".") and host.endswith(entry))
                  for entry in settings.WEBPUSH_ENDPOINT_HOSTS)
    loopback = host in {"127.0.0.1", "localhost"}
    if not allowed or not (parts.scheme == "https" or (loopback and parts.scheme == "http")) or len(endpoint) > 1000:
        raise InvalidPushEndpoint("not the address of a known push service")
    if not loopback:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return
        raise InvalidPushEndpoint("a push service is named, not given as an address")


def push_target(address: str) -> dict | None:
    """The endpoint and keys pywebpush needs for a push address, or None when no active subscription has it."""
    row = (Subscription.objects.filter(channel=WEBPUSH, address=address, status=Subscription.Status.ACTIVE)
           .order_by("-id").values("push_endpoint", "push_p256dh", "push_auth").first())
    if row is None:
        return None
    return {"endpoint": row["push_endpoint"], "keys": {"p256dh": row["push_p256dh"], "auth": row["push_auth"]}}


def language_of(*, channel: str, address: str) -> str:
    """The language an address chose (its newest subscription's), or the site's default."""
    chosen = (Subscription.objects.filter(channel=channel, address=address).order_by("-id")
              .values_list("language", flat=True).first())
    return chosen or settings.LANGUAGE_CODE


# --- Stopping ---------------------------------------------------------------------------------------------------


def stop(key: str) -> int:
    """The stop link: every subscription of the address it was made for ends; how many."""
    addresses = set(Subscription.objects.filter(stop_key=key).values_list("channel", "address"))
    return sum(forget_address(channel=channel, address=address, why="stop link") for channel, address in addresses)


def stop_push(endpoint: str) -> int:
    return forget_address(channel=WEBPUSH, address=push_address(endpoint), why="stopped in the browser")


@transaction.atomic
def forget_address(*, channel: str, address: str, why: str) -> int:
    """Delete every subscription of the address, and what else holds it: how many subscriptions there were."""
    if not address:
        return 0
    deleted, _per_model = Subscription.objects.filter(channel=channel, address=address).delete()
    _forget_in_outbox(channel, address)
    logger.info("subscriptions removed channel=%s address=%s count=%d why=%s", channel, _masked(channel, address),
                deleted, why)
    return deleted


@transaction.atomic
def remove(subscription: Subscription, *, why: str) -> None:
    """Staff remove one subscription; when it was the address's last, the outbox forgets the address too."""
    channel, address = subscription.channel, subscription.address
    subscription.delete()
    if address and not Subscription.objects.filter(channel=channel, address=address).exists():
        _forget_in_outbox(channel, address)
    logger.info("subscription removed channel=%s address=%s why=%s", channel, _masked(channel, address), why)


def _forget_in_outbox(channel: str, address: str) -> None:
    """Unsent messages to the address are cancelled; every delivery to it keeps only "<masked>#<delivery id>"."""
    to_address = Delivery.objects.filter(channel=channel, recipient=address)
    to_address.filter(status=Delivery.Status.PENDING).update(status=Delivery.Status.FAILED,
                                                             last_error="not sent: the subscriber stopped")
    to_address.update(recipient=_removed_recipient(_masked(channel, address)))
    if channel == SMS:
        codes_to = Delivery.objects.filter(channel="sms", recipient=address,
                                           event_key__startswith=f"code:{CODE_PURPOSE}:")
        codes_to.update(recipient=_removed_recipient(mask(address)))
        PhoneCode.objects.filter(purpose=CODE_PURPOSE, phone=address).delete()


def _masked(channel: str, address: str) -> str:
    if channel in PHONE_CHANNELS:
        return mask(address)
    return "browser" if channel == WEBPUSH else "chat"


def _removed_recipient(masked: str):
    """What a delivery keeps of a recipient who is gone: "<masked>#<delivery id>" (unique, never the address)."""
    return Concat(Value(masked + REMOVED_MARK), Cast("id", CharField()))


def purge_pending() -> int:
    """Delete subscriptions never confirmed within SUBSCRIPTION_PENDING_HOURS, with their codes; how many."""
    cutoff = timezone.now() - timedelta(hours=settings.SUBSCRIPTION_PENDING_HOURS)
    stale = list(Subscription.objects.filter(status=Subscription.Status.PENDING, created_at__lt=cutoff)
                 .values_list("id", "channel", "address", "token"))
    for _id, channel, address, token in stale:
        if channel == SMS:
            Delivery.objects.filter(channel="sms", recipient=address,
                                    event_key__startswith=f"code:{CODE_PURPOSE}:{token}:").update(
                recipient=_removed_recipient(mask(address)))
            PhoneCode.objects.filter(purpose=CODE_PURPOSE, subject=token).delete()
    deleted, _per_model = Subscription.objects.filter(pk__in=[row[0] for row in stale]).delete()
    return deleted


# --- Replies to people writing to us ------------------------------------------------------------------------------

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_WORDS = {"START", "YES", "UNSTOP"}


def sms_reply(*, phone: str, text: str) -> str:
    """What to answer an SMS to our number (Twilio's inbound webhook): STOP ends every subscription of the number,
    START and HELP (and anything else) say how to subscribe or stop."""
    words = (text or "").strip().upper().split()
    keyword = words[0].strip(".!") if words else ""
    language = language_of(channel=SMS, address=phone)
    subscribe_link = settings.SITE_URL + "/subscribe"
    with translation.override(language):
        if keyword in STOP_WORDS:
            forget_address(channel=SMS, address=phone, why="replied STOP")
            return _("Sachet: you will get no more alerts. To subscribe again: %(link)s") % {"link": subscribe_link}
        if keyword in START_WORDS:
            return _("Sachet: to get alerts about missing children near you, subscribe at %(link)s") % {
                "link": subscribe_link}
        return _("Sachet alerts about missing children near you. Reply STOP to end them. To report a sighting, open "
                 "the link in the alert, or call 112 in an emergency.")


def telegram_reply(*, chat_id: str, command: str, argument: str, language: str) -> str:
    """What the bot answers a command in a private chat: /start <token> confirms a subscription, /stop ends every
    subscription of the chat, anything else says how it works."""
    subscribe_link = settings.SITE_URL + "/subscribe"
    if command == "/start" and argument:
        subscription = confirm_telegram(token=argument, chat_id=chat_id)
        if subscription is not None:
            with translation.override(subscription.language):
                return _("You will get an alert here when a child goes missing within %(km)d km of the place you "
                         "chose. Send /stop to end these alerts.") % {"km": subscription.radius_km}
    language = language_of(channel=TELEGRAM, address=chat_id) if command == "/stop" else language
    with translation.override(language):
        if command == "/stop":
            removed = forget_address(channel=TELEGRAM, address=chat_id, why="/stop")
            if removed:
                return _("You will get no more alerts from Sachet. To subscribe again: %(link)s") % {
                    "link": subscribe_link}
            return _("You have no Sachet alerts here. To subscribe: %(link)s") % {"link": subscribe_link}
        if command == "/start" and argument:
            return _("This link has expired or was used already. Please subscribe again at %(link)s") % {
                "link": subscribe_link}
        return _("Sachet sends alerts about missing children near a place you choose. To subscribe: %(link)s. "
                 "Send /stop to end them.") % {"link": subscribe_link}
