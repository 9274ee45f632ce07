"""Celery tasks of the outbox, on the "alerts" queue (CELERY_TASK_ROUTES). Both take ids or nothing and are safe
to run twice; the rules that make them so are in `notifications.services`."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings

from . import area, bulk, codes, selectors, services, subscriptions

logger = logging.getLogger(__name__)


# acks_late: a worker that dies mid-task leaves the message to be delivered again (and the row's lease to expire).
# No send outlives its lease: every provider call has ALERT_HTTP_TIMEOUT (check notifications.W003 keeps the lease
# longer than the longest send). The hard time limit adds a stop for prefork workers; the alerts worker's thread pool
# (many sends waiting on the network at once) does not enforce time limits, so the time-outs are what counts there.
@shared_task(bind=True, acks_late=True, max_retries=None, time_limit=max(settings.ALERT_LEASE_SECONDS - 5, 1))
def send_delivery(self, delivery_id: int) -> str:
    """Send one delivery; after a transient error, try again when `services.retry_delay` says."""
    attempt = services.attempt_delivery(delivery_id)
    if attempt.outcome == services.RETRY and not self.request.is_eager:
        # A retry that cannot be published is rejected; the row is pending, so the sweep still finds it.
        raise self.retry(countdown=attempt.retry_in)
    # In-process (no broker) a retry would run at once: the row waits for its time and the sweep instead.
    return attempt.outcome


@shared_task(acks_late=True)
def sweep_pending_deliveries() -> int:
    """Celery beat, every minute: enqueue deliveries that no task holds (written while the broker was down, or
    left by a dead worker), and say so loudly when the queue has stalled. How many were enqueued."""
    due = services.due_delivery_ids()
    enqueued = services.enqueue(due)
    backlog = selectors.overdue_deliveries(older_than=timedelta(seconds=settings.ALERT_STALLED_AFTER))
    if backlog.count:
        logger.warning(
            "alert queue stalled: %d deliveries overdue by more than %d s, oldest is delivery %s due since %s; "
            "check that a worker consumes the alerts queue",
            backlog.count,
            settings.ALERT_STALLED_AFTER,
            backlog.oldest_id,
            backlog.oldest_due.isoformat(),
        )
    if due:
        logger.info("sweep enqueued %d of %d due deliveries", enqueued, len(due))
    return enqueued


@shared_task(acks_late=True)
def purge_phone_codes() -> int:
    """Celery beat, hourly: delete one-time codes (and the numbers they went to) past PHONE_CODE_KEEP_HOURS."""
    deleted = codes.purge_old_codes()
    if deleted:
        logger.info("deleted %d old phone codes", deleted)
    return deleted


# --- Area subscriptions: on the "bulk" queue (CELERY_TASK_ROUTES), never on the alerts queue ---------------------


FAN_OUT_SECONDS = 60.0


@shared_task(acks_late=True)
def fan_out_area_alert(area_alert_id: int) -> bool:
    """Write an area alert's deliveries, batch after batch (each its own transaction) for up to FAN_OUT_SECONDS,
    then hand the rest to a fresh task (behind the senders on the bulk queue)."""
    deadline = time.monotonic() + FAN_OUT_SECONDS
    while area.fan_out(area_alert_id):
        if time.monotonic() > deadline:
            fan_out_area_alert.delay(area_alert_id)
            return True
    return False


@shared_task(acks_late=True)
def send_bulk(channel: str, slot: int = 0) -> str:
    """One sender of subscriber messages on one channel, at the provider's pace (`notifications.bulk`); hands over
    to a fresh task when its time is up and messages remain."""
    outcome = bulk.send_due(channel, slot)
    if outcome == bulk.MORE:
        send_bulk.delay(channel, slot)
    return outcome


@shared_task(acks_late=True)
def sweep_area_alerts() -> int:
    """Celery beat, every minute: area alerts that no worker is fanning out (written while the broker was down, or
    left by a dead worker) start again, and every channel with due subscriber messages gets its senders."""
    alerts = selectors.stalled_area_alerts()
    for alert_id in alerts:
        fan_out_area_alert.delay(alert_id)
    channels = selectors.channels_with_due_bulk()
    bulk.start_senders(channels)
    stalled = selectors.bulk_stalled(older_than=timedelta(seconds=settings.ALERT_STALLED_AFTER))
    if stalled:
        logger.warning("subscriber messages stalled on %s: none sent for %d s while some are due; check that a "
                       "worker consumes the bulk queue", ", ".join(stalled), settings.ALERT_STALLED_AFTER)
    return len(alerts)


@shared_task(acks_late=True)
def purge_pending_subscriptions() -> int:
    """Celery beat, hourly: subscriptions never confirmed (and the numbers in them) go after
    SUBSCRIPTION_PENDING_HOURS."""
    deleted = subscriptions.purge_pending()
    if deleted:
        logger.info("deleted %d unconfirmed subscription(s)", deleted)
    return deleted
