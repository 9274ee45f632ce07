"""The alert outbox: one `Delivery` per (event, channel, recipient), written in the transaction of the event itself."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sachet.phones import mask

from .channels import AUDIENCES, Message

# Channels whose recipients are phone numbers (shown masked everywhere).
PHONE_CHANNELS = frozenset({"sms", "sms_subscriber"})
# A delivery to a subscriber who has stopped keeps "<masked recipient>#<delivery id>" instead of the address.
REMOVED_MARK = "#"


class Delivery(models.Model):
    """One alert to one recipient of one channel, and what became of it.

    pending -> sending (a worker holds the lease in `claimed_until`) -> sent, or back to pending after a transient
    error (with `next_attempt_at`), or failed (a permanent error, or too many attempts). The unique key makes
    writing the same event twice harmless, and a sent row is never claimed again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    event_key = models.CharField(max_length=200, db_index=True, help_text=_('e.g. "case:<reference>:reported"'))
    channel = models.CharField(max_length=32)
    # A chat id, a webhook id (never the webhook URL, which holds its token) or a phone number (shown masked).
    recipient = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500)
    photo_url = models.CharField(max_length=500, blank=True)
    audience = models.CharField(max_length=10, choices=[(a, a) for a in sorted(AUDIENCES)])
    kind = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, help_text=_("The channel's reason, without secrets or full numbers."))
    provider_message_id = models.CharField(max_length=100, blank=True)
    # A message holding a secret (a one-time code) keeps it in `body` only until it is sent or has failed; then the
    # body becomes this text. The admin shows only this text, and such a delivery is never sent again.
    redacted_body = models.TextField(blank=True)
    # Not sent after this time (a code that has expired); None for alerts, which are always worth sending.
    expires_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Sent from the "bulk" queue at the provider's pace (messages to area subscribers), never from the alerts queue.
    bulk = models.BooleanField(default=False)
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-id"]
        permissions = [
            ("resend_delivery", "Can send failed alerts again"),
            ("send_test_alert", "Can send a test alert"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["event_key", "channel", "recipient"], name="one_delivery_per_recipient"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed"]), name="delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent"), name="sent_delivery_has_sent_at"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            # What one subscriber address was sent lately (the daily limit, the "found" follow-up, a STOP).
            models.Index(fields=["channel", "recipient", "created_at"], name="delivery_recipient",
                         condition=Q(bulk=True)),
        ]

    def __str__(self) -> str:
        return f"{self.event_key} via {self.channel} to {self.masked_recipient}"

    @property
    def masked_recipient(self) -> str:
        if REMOVED_MARK in self.recipient:  # a subscriber who stopped: only the masked form was kept
            return self.recipient.split(REMOVED_MARK, 1)[0]
        return mask(self.recipient) if self.channel in PHONE_CHANNELS else self.recipient

    @property
    def holds_secret(self) -> bool:
        return bool(self.redacted_body)

    @property
    def shown_body(self) -> str:
        """The body as staff may see it: the redacted form for a message that held a secret."""
        return self.redacted_body or self.body

    def message(self) -> Message:
        return Message(
            title=self.title,
            body=self.body,
            link=self.link,
            audience=self.audience,
            kind=self.kind,
            photo_url=self.photo_url or None,
        )


class PhoneCode(models.Model):
    """A one-time code sent by SMS to prove that someone holds a phone, for one (purpose, subject).

    `purpose` says what for ("report", "subscription"); `subject` is the caller's opaque id (a case reference, a
    pending subscription's token). Only an HMAC of the code is kept (`notifications.codes`). At most one code per
    (purpose, subject) is active: a new one replaces it. Rows are deleted after PHONE_CODE_KEEP_HOURS.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Waiting to be entered")
        VERIFIED = "verified", _("Entered correctly")
        REPLACED = "replaced", _("Replaced by a newer code")
        LOCKED = "locked", _("Locked after too many wrong tries")

    purpose = models.CharField(max_length=32)
    subject = models.CharField(max_length=100)
    phone = models.CharField(max_length=20, help_text=_("E.164; shown masked."))
    code_hash = models.CharField(max_length=64, editable=False)
    nonce = models.CharField(max_length=32, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    tries = models.PositiveSmallIntegerField(default=0, help_text=_("Wrong codes entered."))
    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    expires_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    delivery = models.ForeignKey("Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "subject"], condition=Q(status="active"), name="one_active_code_per_subject"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "verified", "replaced", "locked"]), name="phone_code_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="verified", verified_at__isnull=False) | ~Q(status="verified"),
                name="verified_code_has_verified_at",
            ),
        ]
        indexes = [
            models.Index(fields=["purpose", "subject", "created_at"], name="phone_code_subject"),
            models.Index(fields=["phone", "created_at"], name="phone_code_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} code for {self.subject} to {self.masked_phone}"

    @property
    def masked_phone(self) -> str:
        return mask(self.phone)

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class Subscription(models.Model):
    """Someone who asked to hear of missing children near a place: one address (a phone number, a Telegram chat or a
    browser's push endpoint), one circle, one language. Nothing else about them is kept.

    SMS waits for its one-time code and Telegram for the bot to be started (`pending`); a push subscription is active
    at once (the browser's permission is the consent). Stopping deletes the row (`notifications.subscriptions`).
    `cell` and the box (south..east) index the circle for matching (`notifications.matching`).
    """

    class Channel(models.TextChoices):
        SMS = "sms_subscriber", _("SMS")
        TELEGRAM = "telegram_subscriber", _("Telegram")
        WEBPUSH = "webpush", _("Web push")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        ACTIVE = "active", _("Active")

    channel = models.CharField(max_length=32, choices=Channel.choices)
    # E.164 number, Telegram chat id, or "wp:" + a hash of the push endpoint; "" until a Telegram chat is known.
    address = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The unguessable handle of a pending subscription: the one-time code's subject, the Telegram /start parameter.
    token = models.CharField(max_length=43, unique=True, editable=False)
    # HMAC of (channel, address): the one-click stop link, the same for every subscription of one address.
    stop_key = models.CharField(max_length=24, blank=True, db_index=True, editable=False)
    latitude = models.FloatField()
    longitude = models.FloatField()
    radius_km = models.PositiveSmallIntegerField()
    language = models.CharField(max_length=8)
    push_endpoint = models.URLField(max_length=1000, blank=True)
    push_p256dh = models.CharField(max_length=200, blank=True)
    push_auth = models.CharField(max_length=100, blank=True)
    consent_at = models.DateTimeField()
    consent_version = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The grid cell of the point and the box around the circle (degrees), for a matching query on an index.
    cell = models.IntegerField(editable=False)
    south = models.FloatField(editable=False)
    north = models.FloatField(editable=False)
    west = models.FloatField(editable=False)
    east = models.FloatField(editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(radius_km__gte=1, radius_km__lte=50), name="subscription_radius_1_50"),
            models.CheckConstraint(condition=Q(latitude__gte=-90, latitude__lte=90)
                                   & Q(longitude__gte=-180, longitude__lte=180), name="subscription_point_on_earth"),
            models.CheckConstraint(condition=Q(status__in=["pending", "active"]), name="subscription_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=["sms_subscriber", "telegram_subscriber", "webpush"]),
                                   name="subscription_channel_valid"),
            models.CheckConstraint(condition=Q(status="pending") | ~Q(address=""),
                                   name="active_subscription_has_address"),
        ]
        indexes = [
            # Not a partial index: SQLite cannot use one when the status comes as a query parameter.
            models.Index(fields=["cell", "status"], name="subscription_cell"),
            models.Index(fields=["channel", "address"], name="subscription_address"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} subscription {self.pk} ({self.masked_address})"

    @property
    def masked_address(self) -> str:
        if self.channel == self.Channel.SMS:
            return mask(self.address)
        if self.channel == self.Channel.WEBPUSH:
            return "browser " + self.address[3:11] if self.address else "browser"
        return f"chat {self.address}" if self.address else "-"


class AreaAlert(models.Model):
    """One event told to the subscribers around a point (a new case, a reminder, found): the fan-out's record.

    Written in the caller's transaction by `notify_area`; `notifications.area` then turns it into one Delivery per
    subscriber address, in batches (`done_through` is the last subscription id handled), on the bulk queue. The
    per-language wording is kept in `messages` ({"en": {"title":..., "body":..., "link":..., "photo_url":...}}).
    """

    class Kind(models.TextChoices):
        NEW = "new", _("New case")
        REMINDER = "reminder", _("Still missing")
        FOUND = "found", _("Found")
        CLOSED = "closed", _("Closed")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Queueing messages")
        DONE = "done", _("Queued")

    event_key = models.CharField(max_length=200, unique=True)
    # Events of one thing (a case): "found" goes to those alerted by the earlier events of the same topic.
    topic = models.CharField(max_length=150, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    started_at = models.DateTimeField()
    reach_km = models.FloatField(null=True, blank=True, help_text=_("The circle reached (new and reminder)."))
    messages = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    done_through = models.BigIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0, help_text=_("Subscriber addresses in the circle (or alerted)."))
    queued = models.PositiveIntegerField(default=0)
    over_limit = models.PositiveIntegerField(default=0, help_text=_("Left out: their daily limit was reached."))
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["new", "reminder", "found", "closed"]),
                                   name="area_alert_kind_valid"),
            models.CheckConstraint(condition=Q(kind__in=["found", "closed"]) | Q(latitude__isnull=False,
                                                                                   longitude__isnull=False),
                                   name="area_alert_new_has_point"),
        ]

    def __str__(self) -> str:
        return self.event_key
