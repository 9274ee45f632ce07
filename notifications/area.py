"""Alerts to the subscribers around a point: the one function other apps call, and the fan-out behind it.

    notify_area(event_key="case:MC...:area:new", topic="case:MC...:", kind="new", messages={"en": Message(...), ...},
                latitude=18.53, longitude=73.89, started_at=case.last_seen_at)

`notify_area` only writes an `AreaAlert` row in the caller's transaction (never lost, and nothing slow in a web
request); after commit `fan_out` turns it, in batches on the bulk queue, into one Delivery per subscriber address
(so one message per event whatever the overlap of someone's subscriptions), worded in the subscriber's language and
ending with how to stop. The bulk senders (`notifications.bulk`) then send them at each provider's pace.

Who is reached:
- "new" and "reminder": subscribers whose point lies within min(their radius, the reach) of the point, the reach
  growing with the hours since `started_at` (`notifications.matching`), at most SUBSCRIPTION_DAILY_LIMIT a day each.
- "found" and "closed": exactly the addresses that were sent (or are being sent) an earlier alert of the same
  `topic` and still subscribe; their unsent alerts of that topic are cancelled first.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import services
from .channels import PUBLIC, Message, get_channel
from .channels.base import ChannelNotConfigured
from .channels.formatting import sms_with_footer
from .matching import matching, reach_km
from .models import AreaAlert, Delivery, Subscription

logger = logging.getLogger(__name__)

NEW, REMINDER, FOUND, CLOSED = "new", "reminder", "found", "closed"
ALERTS = (NEW, REMINDER)  # reach a circle, count towards the daily limit
ENDINGS = (FOUND, CLOSED)  # reach those alerted before
BATCH = 500
LEASE = timedelta(minutes=5)


def notify_area(
    *,
    event_key: str,
    topic: str,
    kind: str,
    messages: Mapping[str, Message],
    latitude: float | None,
    longitude: float | None,
    started_at: datetime,
    now: datetime | None = None,
) -> AreaAlert | None:
    """Tell the subscribers around a point about an event, once: call it inside the transaction that records the
    event. `messages` holds the wording per language code (at least LANGUAGE_CODE's); `topic` is the prefix shared by
    the events of one thing (e.g. "case:<reference>:"). The same `event_key` again adds nothing.

    Returns the AreaAlert, or None when there is nothing to do (an alert without a point)."""
    if kind not in ALERTS + ENDINGS:
        raise ValueError(f"kind must be one of {ALERTS + ENDINGS}, not {kind!r}")
    if not event_key.startswith(topic) or not topic:
        raise ValueError("the event key must start with its topic")
    if settings.LANGUAGE_CODE not in messages:
        raise ValueError(f"messages need a {settings.LANGUAGE_CODE!r} wording at least")
    has_point = latitude is not None and longitude is not None
    if kind in ALERTS and not has_point:
        logger.info("area alert %s not sent: no point to measure from", event_key)
        return None
    now = now or timezone.now()
    alert, created = AreaAlert.objects.get_or_create(event_key=event_key, defaults=dict(
        topic=topic, kind=kind, started_at=started_at, created_at=now,
        latitude=float(latitude) if has_point else None, longitude=float(longitude) if has_point else None,
        reach_km=reach_km(started_at, now) if kind in ALERTS else None,
        messages={language: asdict(message) for language, message in messages.items()},
    ))
    if not created:
        return alert
    if kind in ENDINGS:
        cancel_unsent(topic, reason=f"not sent: the {kind} message replaced it")
    if not Subscription.objects.filter(status=Subscription.Status.ACTIVE).exists():
        # Nobody subscribes on this site (yet): nothing to fan out.
        AreaAlert.objects.filter(pk=alert.pk).update(status=AreaAlert.Status.DONE, finished_at=now)
        return alert
    transaction.on_commit(lambda: _start_fan_out(alert.pk), robust=True)
    logger.info("area alert %s (%s) queued, reach %s km", event_key, kind, alert.reach_km)
    return alert


def cancel_unsent(topic: str, *, reason: str) -> int:
    """Alerts of the topic still waiting to go out are not sent any more (the child is found); how many."""
    earlier = AreaAlert.objects.filter(topic=topic, kind__in=ALERTS)
    earlier.exclude(status=AreaAlert.Status.DONE).update(status=AreaAlert.Status.DONE, finished_at=timezone.now(),
                                                          claimed_until=None)
    return Delivery.objects.filter(event_key__in=earlier.values("event_key"), bulk=True,
                                   status=Delivery.Status.PENDING).update(status=Delivery.Status.FAILED,
                                                                          last_error=reason)


def _start_fan_out(alert_id: int) -> None:
    from .tasks import fan_out_area_alert

    try:
        fan_out_area_alert.delay(alert_id)
    except Exception as error:  # noqa: BLE001 - a broker outage: the sweep starts it later
        logger.warning("area alert %s left for the sweep: broker unavailable (%s)", alert_id, type(error).__name__)


# --- The fan-out ------------------------------------------------------------------------------------------------


def fan_out(alert_id: int, *, batch: int = BATCH) -> bool:
    """Write the deliveries of the next `batch` subscriber addresses of the alert; True when more remain.

    Safe to run twice and from two workers: the alert is claimed with a lease, each batch commits its deliveries
    with the new cursor, and a delivery that exists already is not written again."""
    now = timezone.now()
    claimed = AreaAlert.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), pk=alert_id,
        status__in=[AreaAlert.Status.PENDING, AreaAlert.Status.RUNNING],
    ).update(status=AreaAlert.Status.RUNNING, claimed_until=now + LEASE)
    if not claimed:
        return False
    alert = AreaAlert.objects.get(pk=alert_id)
    targets = _targets(alert)
    remaining = [target for target in targets if target[0] > alert.done_through]
    chunk, more = remaining[:batch], len(remaining) > batch
    with transaction.atomic():
        subscriptions = Subscription.objects.in_bulk([target[0] for target in chunk])
        over = _over_daily_limit(chunk, now) if alert.kind in ALERTS else set()
        outgoing, unavailable = [], 0
        for subscription_id, channel, address in chunk:
            subscription = subscriptions.get(subscription_id)
            if subscription is None or (channel, address) in over:
                continue
            if not _channel_on(channel):
                unavailable += 1
                continue
            outgoing.append((channel, address, personal_message(alert, subscription)))
        services.queue_bulk(event_key=alert.event_key, messages=outgoing)  # it starts each channel's sender
        done = not more
        AreaAlert.objects.filter(pk=alert.pk).update(
            done_through=chunk[-1][0] if chunk else alert.done_through, matched=len(targets),
            queued=alert.queued + len(outgoing), over_limit=alert.over_limit + len(over),
            status=AreaAlert.Status.DONE if done else AreaAlert.Status.RUNNING,
            finished_at=timezone.now() if done else None, claimed_until=None,  # the next batch may start at once
        )
    if unavailable:
        logger.warning("area alert %s: %d subscriber(s) on a channel that is not configured", alert.event_key,
                       unavailable)
    if done:
        logger.info("area alert %s: %d subscriber address(es), %d message(s) queued, %d over the daily limit",
                    alert.event_key, len(targets), alert.queued + len(outgoing), alert.over_limit + len(over))
    return more


def _targets(alert: AreaAlert) -> list[tuple[int, str, str]]:
    """(subscription id, channel, address) for each address to tell, the oldest subscription of an address standing
    for it; sorted by id, so batches resume where the last one stopped."""
    if alert.kind in ALERTS:
        found = [(m.id, m.channel, m.address) for m in matching(alert.latitude, alert.longitude, alert.reach_km)]
    else:
        alerted = (
            Delivery.objects.filter(
                event_key__in=AreaAlert.objects.filter(topic=alert.topic, kind__in=ALERTS).values("event_key"),
                bulk=True, status__in=[Delivery.Status.SENT, Delivery.Status.SENDING],
            ).order_by().values_list("channel", "recipient").distinct()
        )
        by_channel: dict[str, set[str]] = {}
        for channel, recipient in alerted:
            by_channel.setdefault(channel, set()).add(recipient)
        found = []
        for channel, recipients in by_channel.items():
            recipients = list(recipients)
            for start in range(0, len(recipients), 900):  # SQLite's limit on query parameters
                found += Subscription.objects.filter(
                    status=Subscription.Status.ACTIVE, channel=channel, address__in=recipients[start:start + 900]
                ).values_list("id", "channel", "address")
    seen: set[tuple[str, str]] = set()
    targets = []
    for target in sorted(found):
        if (target[1], target[2]) not in seen:
            seen.add((target[1], target[2]))
            targets.append(target)
    return targets


def _over_daily_limit(chunk: list[tuple[int, str, str]], now: datetime) -> set[tuple[str, str]]:
    """The addresses of the chunk that had SUBSCRIPTION_DAILY_LIMIT alerts in the last 24 hours."""
    over = set()
    by_channel: dict[str, list[str]] = {}
    for _id, channel, address in chunk:
        by_channel.setdefault(channel, []).append(address)
    for channel, addresses in by_channel.items():
        counts = (
            Delivery.objects.filter(bulk=True, channel=channel, recipient__in=addresses,
                                    created_at__gte=now - timedelta(hours=24),
                                    kind__in=[f"area_{kind}" for kind in ALERTS])
            .exclude(status=Delivery.Status.FAILED)
            .order_by().values("recipient").annotate(sent=Count("id"))
        )
        over |= {(channel, row["recipient"]) for row in counts if row["sent"] >= settings.SUBSCRIPTION_DAILY_LIMIT}
    return over


def _channel_on(name: str) -> bool:
    try:
        get_channel(name)
    except ChannelNotConfigured:
        return False
    return True


def personal_message(alert: AreaAlert, subscription: Subscription) -> Message:
    """The alert as this subscriber gets it: in their language, and, by SMS or Telegram, ending with how to stop."""
    wording = alert.messages.get(subscription.language) or alert.messages[settings.LANGUAGE_CODE]
    message = Message(**{**wording, "audience": PUBLIC, "kind": f"area_{alert.kind}"})
    with translation.override(subscription.language):
        if subscription.channel == Subscription.Channel.SMS:
            stop = settings.SITE_URL + reverse("subscriptions:stop", args=[subscription.stop_key])
            footer = _("To stop: reply STOP or open %(link)s") % {"link": stop}
            text = sms_with_footer(f"{message.title}: {message.body}", message.link, footer,
                                   max_segments=settings.SUBSCRIPTION_SMS_MAX_SEGMENTS)
            return Message(title=message.title, body=text, link=message.link, audience=PUBLIC, kind=message.kind)
        if subscription.channel == Subscription.Channel.TELEGRAM:
            footer = _("Send /stop to end these alerts.")
            return Message(title=message.title, body=f"{message.body}\n\n{footer}", link=message.link,
                           audience=PUBLIC, kind=message.kind, photo_url=message.photo_url)
    return message
