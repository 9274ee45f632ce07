"""The alert outbox: one `Delivery` per (event, channel, recipient), written in the transaction of the event itself."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from sachet.phones import mask

from .channels import AUDIENCES, Message


class Delivery(models.Model):
    """One alert to one recipient of one channel, and what became of it.

    pending -> sending (a worker holds the lease in `claimed_until`) -> sent, or back to pending after a transient
    error (with `next_attempt_at`), or failed (a permanent error, or too many attempts). The unique key makes
    writing the same event twice harmless, and a sent row is never claimed again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    event_key = models.CharField(max_length=200, db_index=True, help_text='e.g. "case:<reference>:reported"')
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
    last_error = models.TextField(blank=True, help_text="The channel's reason, without secrets or full numbers.")
    provider_message_id = models.CharField(max_length=100, blank=True)
    # A message holding a secret (a one-time code) keeps it in `body` only until it is sent or has failed; then the
    # body becomes this text. The admin shows only this text, and such a delivery is never sent again.
    redacted_body = models.TextField(blank=True)
    # Not sent after this time (a code that has expired); None for alerts, which are always worth sending.
    expires_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
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
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.event_key} via {self.channel} to {self.masked_recipient}"

    @property
    def masked_recipient(self) -> str:
        return mask(self.recipient) if self.channel == "sms" else self.recipient

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
        ACTIVE = "active", "Waiting to be entered"
        VERIFIED = "verified", "Entered correctly"
        REPLACED = "replaced", "Replaced by a newer code"
        LOCKED = "locked", "Locked after too many wrong tries"

    purpose = models.CharField(max_length=32)
    subject = models.CharField(max_length=100)
    phone = models.CharField(max_length=20, help_text="E.164; shown masked.")
    code_hash = models.CharField(max_length=64, editable=False)
    nonce = models.CharField(max_length=32, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    tries = models.PositiveSmallIntegerField(default=0, help_text="Wrong codes entered.")
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
