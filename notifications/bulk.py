"""The bulk senders: messages to subscribers go out at each provider's pace, on a queue of their own.

A fan-out to 10,000 subscribers writes 10,000 deliveries but no 10,000 tasks: per channel, up to
BULK_SENDERS_PER_CHANNEL senders (`send_bulk` tasks on the "bulk" queue, each holding a slot lock in the cache) work
through the due deliveries, oldest first, taking a turn from one limiter per channel shared by every process
(`geocoding.ratelimit`, in Redis) before each send: SUBSCRIPTION_SMS_PER_SECOND, ..._TELEGRAM_..., ..._WEBPUSH_....
A sender works for at most SENDER_SECONDS, then hands over to a fresh task (so a fan-out's next batch or another
channel's sender gets a thread; the bulk worker runs 16); the alerts queue never sees any of it.

Each send is the outbox's own `attempt_delivery` (claim with a lease, retry with backoff, never twice), so a sender
that dies loses nothing: its lock expires and the minute sweep (`tasks.sweep_area_alerts`) starts senders again for
any channel with due deliveries.
"""

from __future__ import annotations

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache

from geocoding.ratelimit import RateLimitError, shared_limiter

from . import services

logger = logging.getLogger(__name__)

SENDER_SECONDS = 15.0
BATCH_PER_SENDER = 20
IDLE, MORE, BUSY, PAUSED = "idle", "more", "busy", "paused"


def pace_per_second(channel: str) -> float:
    return {
        "sms_subscriber": settings.SUBSCRIPTION_SMS_PER_SECOND,
        "telegram_subscriber": settings.SUBSCRIPTION_TELEGRAM_PER_SECOND,
        "webpush": settings.SUBSCRIPTION_WEBPUSH_PER_SECOND,
    }.get(channel, settings.SUBSCRIPTION_TELEGRAM_PER_SECOND)


def start_senders(channels) -> int:
    """Enqueue the senders of each channel (a sender whose slot is taken stops at once); how many were enqueued."""
    from .tasks import send_bulk

    started = 0
    for channel in channels:
        for slot in range(max(1, settings.BULK_SENDERS_PER_CHANNEL)):
            try:
                send_bulk.delay(channel, slot)
            except Exception as error:  # noqa: BLE001 - the broker is down: the sweep starts them later
                logger.warning("bulk senders for %s left for the sweep: broker unavailable (%s)", channel,
                               type(error).__name__)
                return started
            started += 1
    return started


def send_due(channel: str, slot: int = 0, *, seconds: float = SENDER_SECONDS) -> str:
    """Send the channel's due subscriber messages at its pace for up to `seconds`: IDLE when none are left, MORE
    when time ran out first, BUSY when another sender holds this slot, PAUSED when the shared pace is unreachable."""
    senders = max(1, settings.BULK_SENDERS_PER_CHANNEL)
    lock, token = f"notifications:bulk:{channel}:{slot}", uuid.uuid4().hex
    if not cache.add(lock, token, timeout=int(seconds + settings.ALERT_LEASE_SECONDS)):
        return BUSY
    limiter = shared_limiter(f"bulk:{channel}", interval=1.0 / pace_per_second(channel),
                             max_wait=max(seconds, 5.0), redis_url=settings.REDIS_URL)
    deadline = time.monotonic() + seconds
    sent, outcome = 0, MORE
    try:
        while outcome == MORE and time.monotonic() < deadline:
            due = services.due_delivery_ids(due_for=0, bulk=True, channel=channel, limit=BATCH_PER_SENDER * senders)
            mine = due[slot % senders::senders] or due  # senders take turns through the backlog
            if not mine:
                outcome = IDLE
            for delivery_id in mine:
                if time.monotonic() >= deadline:
                    break
                try:
                    sent += services.attempt_delivery(delivery_id, pace=limiter.acquire).outcome == services.SENT
                except RateLimitError as error:
                    logger.warning("bulk %s paused: %s", channel, error)
                    outcome = PAUSED
                    break
    finally:
        if cache.get(lock) == token:
            cache.delete(lock)
        if sent:
            logger.info("bulk %s sender %d sent %d message(s)", channel, slot, sent)
    # Rows written while this sender was finding none, whose own sender found the slot still taken: go on.
    if outcome == IDLE and services.due_delivery_ids(due_for=0, bulk=True, channel=channel, limit=1):
        outcome = MORE
    return outcome
