"""The verbs of the alert outbox: queue an alert, send one delivery, send failed ones again.

Never lost: `queue_alert` writes the rows in the caller's transaction, so an alert exists exactly when its event
does, and a row that no task picks up is found by the sweep. Never twice: a delivery is sent only by whoever
claims it with a conditional UPDATE (pending, or sending with an expired lease -> sending with a new lease), and a
sent row matches no claim. No transaction is open during a provider call.

The one window left: a worker that dies after the provider accepted a message but before the row is marked sent
leaves it "sending"; once the lease expires it is claimed and sent again (at least once, not exactly once: no
provider here takes an idempotency key). For a missing child a duplicate is the better failure than a silence.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError

from .channels import (
    PUBLIC,
    STAFF,
    Message,
    PermanentError,
    RecipientGone,
    TransientError,
    enabled_channels,
    get_channel,
)
from .languages import ENGLISH, for_recipient
from .models import Delivery

logger = logging.getLogger(__name__)

# A Celery retry runs at the time it was given; this absorbs rounding so it is not turned away as early.
CLOCK_SLACK = timedelta(seconds=1)

SENT, RETRY, FAILED, SKIPPED = "sent", "retry", "failed", "skipped"


@dataclasses.dataclass(frozen=True)
class Attempt:
    """What one try at a delivery came to; `retry_in` (seconds) when it should be tried again."""

    outcome: str
    retry_in: float | None = None


# --- Queueing --------------------------------------------------------------------------------------------------


def queue_alert(*, message: Message | Mapping[str, Message], event_key: str) -> list[Delivery]:
    """One pending delivery per enabled channel and recipient for the message's audience, sent after commit.

    `message` is one wording, or one per language ({"en": ..., "hi": ...}, English required): each delivery then
    stores the text in its channel's and recipient's languages (`notifications.languages`).
    Call it inside the transaction that records the event. Queueing the same event again adds nothing.
    """
    messages = {ENGLISH: message} if isinstance(message, Message) else dict(message)
    audience = messages[ENGLISH].audience
    targets = [
        (channel.name, recipient, for_recipient(messages, channel.name, recipient))
        for channel in enabled_channels(audience)
        for recipient in channel.recipients()
    ]
    if not targets:
        logger.warning("alert %s (%s) not queued: no channel serves this audience", event_key, audience)
        return []
    return _queue(event_key, targets)


def queue_message(
    *,
    message: Message,
    event_key: str,
    channel: str,
    recipients: list[str],
    redacted_body: str = "",
    expires_at: datetime | None = None,
) -> list[Delivery]:
    """One pending delivery per recipient on one channel, sent after commit: a message to people named by the
    caller (a one-time code to a phone, an alert to a subscriber) rather than to the channel's configured recipients.

    Same guarantees as `queue_alert`: call it inside the transaction that records why; the same (event, channel,
    recipient) again adds nothing. `redacted_body` is what the body becomes once the delivery is sent or has failed
    (a secret such as a code is in the body until then, and the admin shows only the redacted form); such a delivery
    is never sent again by `resend`. A delivery still unsent at `expires_at` fails instead of going out late.
    Raises ChannelNotConfigured when the channel is off, ValueError when it does not carry the message's audience.
    """
    target = get_channel(channel)
    if message.audience not in target.audiences:
        raise ValueError(f"channel {channel!r} does not carry {message.audience} messages")
    recipients = list(dict.fromkeys(recipients))
    if not recipients or not all(isinstance(r, str) and r.strip() for r in recipients):
        raise ValueError("queue_message needs at least one recipient, each a non-empty string")
    return _queue(event_key, [(target.name, r, message) for r in recipients], redacted_body=redacted_body,
                  expires_at=expires_at)


def _queue(event_key: str, targets: list[tuple[str, str, Message]], **extra) -> list[Delivery]:
    Delivery.objects.bulk_create(
        [_delivery(message, event_key, name, recipient, **extra) for name, recipient, message in targets],
        ignore_conflicts=True,
    )
    wanted = {(name, recipient) for name, recipient, _message in targets}
    deliveries = [
        delivery
        for delivery in Delivery.objects.filter(event_key=event_key).order_by("id")
        if (delivery.channel, delivery.recipient) in wanted
    ]
    send_after_commit([d.pk for d in deliveries if d.status == Delivery.Status.PENDING])
    return deliveries


def queue_bulk(*, event_key: str, messages: list[tuple[str, str, Message]]) -> int:
    """Personal messages of one event, one per (channel, recipient, message): pending deliveries sent from the bulk
    queue at the providers' pace after commit (`notifications.bulk`), never from the alerts queue. Same guarantees as
    `queue_alert`; a recipient who has this event already is left alone. How many were asked for."""
    rows = [_delivery(message, event_key, channel, recipient, bulk=True) for channel, recipient, message in messages]
    for start in range(0, len(rows), 500):
        Delivery.objects.bulk_create(rows[start:start + 500], ignore_conflicts=True)
    channels = sorted({channel for channel, _recipient, _message in messages})
    if channels:
        from .bulk import start_senders

        transaction.on_commit(lambda: start_senders(channels), robust=True)
    return len(rows)


def queue_test_alert(*, channel_name: str, requested_by: str) -> list[Delivery]:
    """A test alert through the outbox to every recipient of one enabled channel; ChannelNotConfigured if off."""
    channel = get_channel(channel_name)
    audience = PUBLIC if PUBLIC in channel.audiences else STAFF
    now = timezone.localtime()
    message = Message(
        title="Sachet test alert",
        body=f"A test of the {channel.name} channel, sent by {requested_by} at {now:%H:%M} on {now:%d %b %Y}. "
        "No action needed.",
        link=settings.SITE_URL + "/",
        audience=audience,
        kind="test",
    )
    event_key = f"test:{uuid.uuid4().hex}"
    with transaction.atomic():
        Delivery.objects.bulk_create(
            [_delivery(message, event_key, channel.name, recipient) for recipient in channel.recipients()]
        )
        deliveries = list(Delivery.objects.filter(event_key=event_key).order_by("id"))
        send_after_commit([d.pk for d in deliveries])
    return deliveries


def _delivery(message: Message, event_key: str, channel: str, recipient: str, **extra) -> Delivery:
    fields = dataclasses.asdict(message)
    fields["photo_url"] = fields["photo_url"] or ""
    now = timezone.now()
    return Delivery(event_key=event_key, channel=channel, recipient=recipient, created_at=now, next_attempt_at=now,
                    **fields, **extra)


def resend(deliveries: QuerySet[Delivery]) -> int:
    """Put the failed ones among `deliveries` back in the queue with a full set of attempts; how many.

    Never those that held a secret (a one-time code): their text is redacted, and the code is stale anyway. Nor
    messages to subscribers: those failed because the subscriber stopped, the case was found, or the address is gone."""
    with transaction.atomic():
        ids = list(
            deliveries.filter(status=Delivery.Status.FAILED, redacted_body="", bulk=False)
            .values_list("id", flat=True)
        )
        count = Delivery.objects.filter(id__in=ids, status=Delivery.Status.FAILED).update(
            status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_until=None
        )
        send_after_commit(ids)
    return count


def send_after_commit(delivery_ids: list[int]) -> None:
    """Enqueue a send task per delivery once the transaction commits. A broker that is down is not an error:
    the rows stay pending and the sweep sends them when it is back."""
    if delivery_ids:
        transaction.on_commit(lambda: enqueue(delivery_ids), robust=True)


def enqueue(delivery_ids: list[int]) -> int:
    """send_delivery for each id; stops at the first broker error (the rest would wait for it too). How many went."""
    from .tasks import send_delivery

    for queued, delivery_id in enumerate(delivery_ids):
        try:
            send_delivery.delay(delivery_id)
        except OperationalError as error:
            logger.warning(
                "broker unavailable (%s): %d deliveries (ids from %s) left pending for the sweep",
                type(error).__name__,
                len(delivery_ids) - queued,
                delivery_id,
            )
            return queued
    return len(delivery_ids)


# --- Sending ---------------------------------------------------------------------------------------------------


def retry_delay(attempts: int, retry_after: float | None = None, *, rng: random.Random | None = None) -> float:
    """Seconds to wait after the `attempts`-th failed try: doubling from ALERT_RETRY_BASE_DELAY up to
    ALERT_RETRY_MAX_DELAY, jittered within its upper half so that retries of many rows spread out, and never
    sooner than the provider's `retry_after`."""
    ceiling = min(settings.ALERT_RETRY_MAX_DELAY, settings.ALERT_RETRY_BASE_DELAY * 2 ** min(attempts - 1, 30))
    delay = (rng or random).uniform(ceiling / 2, ceiling)
    return max(delay, retry_after) if retry_after is not None else delay


def claim(delivery_id: int) -> Delivery | None:
    """Take the delivery for one send, or None when it is sent, failed, not yet due, or leased to another worker."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.ALERT_LEASE_SECONDS)
    claimed = (
        Delivery.objects.filter(
            Q(status=Delivery.Status.PENDING) | Q(status=Delivery.Status.SENDING),
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            pk=delivery_id,
            next_attempt_at__lte=now + CLOCK_SLACK,
        ).update(status=Delivery.Status.SENDING, claimed_until=lease, attempts=F("attempts") + 1)
    )
    return Delivery.objects.get(pk=delivery_id) if claimed else None


def attempt_delivery(delivery_id: int, *, pace: Callable[[], object] | None = None) -> Attempt:
    """Claim the delivery and send it once. Safe to call any number of times, from any number of workers.

    `pace` is called after the claim and before the send (a provider's rate limit: it waits for a free slot); if it
    raises, the delivery is given back untried and the error goes up."""
    delivery = claim(delivery_id)
    if delivery is None:
        return Attempt(SKIPPED)
    if pace is not None:
        try:
            pace()
        except BaseException:
            Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING,
                                    claimed_until=delivery.claimed_until).update(
                status=Delivery.Status.PENDING, claimed_until=None, attempts=F("attempts") - 1)
            raise
    if delivery.expires_at is not None and timezone.now() >= delivery.expires_at:
        _fail(delivery, "expired before it could be sent")
        return Attempt(FAILED)
    max_attempts = settings.ALERT_MAX_ATTEMPTS
    if delivery.attempts > max_attempts:
        # Only a worker that died during the last allowed try gets here.
        _fail(delivery, f"gave up after {max_attempts} attempts (the last one did not finish)")
        return Attempt(FAILED)
    try:
        result = get_channel(delivery.channel).send(delivery.message(), delivery.recipient)
    except TransientError as error:
        return _after_transient(delivery, error.reason, error.retry_after)
    except RecipientGone as error:
        _fail(delivery, error.reason)
        from .subscriptions import forget_address  # their subscription ends: no more messages to a closed door

        forget_address(channel=delivery.channel, address=delivery.recipient, why=error.reason)
        return Attempt(FAILED)
    except PermanentError as error:
        _fail(delivery, error.reason)
        return Attempt(FAILED)
    except Exception as error:  # noqa: BLE001 - a bug must not strand the row in "sending"
        # The error's text may hold a URL with a token in it: keep only its type.
        logger.error("delivery %s: unexpected %s while sending", delivery.pk, type(error).__name__)
        return _after_transient(delivery, f"unexpected error ({type(error).__name__})", None)
    Delivery.objects.filter(pk=delivery.pk).exclude(status=Delivery.Status.SENT).update(
        status=Delivery.Status.SENT,
        provider_message_id=result.provider_message_id[:100],
        sent_at=timezone.now(),
        claimed_until=None,
        **_redaction(delivery),
    )
    logger.info("delivery %s sent event=%s channel=%s attempt=%d", delivery.pk, delivery.event_key,
                delivery.channel, delivery.attempts)
    return Attempt(SENT)


def _after_transient(delivery: Delivery, reason: str, retry_after: float | None) -> Attempt:
    if delivery.attempts >= settings.ALERT_MAX_ATTEMPTS:
        _fail(delivery, f"gave up after {delivery.attempts} attempts: {reason}")
        return Attempt(FAILED)
    delay = retry_delay(delivery.attempts, retry_after)
    # Only if the lease is still ours: after it expired, another worker may hold the row.
    Delivery.objects.filter(
        pk=delivery.pk, status=Delivery.Status.SENDING, claimed_until=delivery.claimed_until
    ).update(
        status=Delivery.Status.PENDING,
        claimed_until=None,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        last_error=reason,
    )
    logger.warning("delivery %s attempt %d failed, retry in %.0f s: %s", delivery.pk, delivery.attempts, delay, reason)
    return Attempt(RETRY, retry_in=delay)


def _fail(delivery: Delivery, reason: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).exclude(status=Delivery.Status.SENT).update(
        status=Delivery.Status.FAILED, claimed_until=None, last_error=reason, **_redaction(delivery)
    )
    logger.error("delivery %s failed event=%s channel=%s: %s", delivery.pk, delivery.event_key, delivery.channel,
                 reason)


def _redaction(delivery: Delivery) -> dict:
    """A delivery that held a secret keeps only its redacted text once it is sent or has failed for good."""
    return {"body": delivery.redacted_body} if delivery.redacted_body else {}


def due_delivery_ids(*, due_for: float | None = None, limit: int = 500, bulk: bool = False,
                     channel: str | None = None) -> list[int]:
    """Deliveries that should be going out and that no worker holds: pending and due for `due_for` seconds
    (default ALERT_SWEEP_AFTER: younger ones most likely have a task on its way), or sending with an expired
    lease (a dead worker), oldest first. Alerts by default; the bulk ones (subscribers) with `bulk`."""
    now = timezone.now()
    due_for = settings.ALERT_SWEEP_AFTER if due_for is None else due_for
    return list(
        Delivery.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING],
            next_attempt_at__lte=now - timedelta(seconds=due_for),
            bulk=bulk,
            **({"channel": channel} if channel else {}),
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )



# --- Erasure ---------------------------------------------------------------------------------------------------


REDACTED = "[erased]"


def redact_deliveries(*, event_prefix: str, mask_recipients: bool = False) -> int:
    """Erase the words of every delivery whose event key starts with `event_prefix` (its subject's personal data is
    being erased): title and body become "[erased]", the photo link goes, deliveries not sent yet are cancelled, and
    with `mask_recipients` the recipient (a family's phone) is kept only masked. How many rows were changed.

    What providers already delivered (a Telegram post, an SMS) cannot be recalled from here.
    """
    from sachet.phones import mask

    rows = Delivery.objects.filter(event_key__startswith=event_prefix)
    rows.filter(status=Delivery.Status.PENDING).update(
        status=Delivery.Status.FAILED, last_error="cancelled: the personal data it held was erased"
    )
    changed = rows.update(title=REDACTED, body=REDACTED, redacted_body="", photo_url="")
    if mask_recipients:
        for delivery in rows.filter(channel="sms").exclude(recipient__contains="*").only("id", "recipient"):
            Delivery.objects.filter(pk=delivery.pk).update(recipient=mask(delivery.recipient))
    return changed
