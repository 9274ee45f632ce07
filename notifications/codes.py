"""One-time phone codes: prove that someone holds a phone number by a 6-digit code sent to it by SMS.

    code = send_code(purpose="report", subject=case.reference, phone=case.contact_phone)   # in the caller's
    ...                                                                                        # transaction
    result = check_code(purpose="report", subject=case.reference, code=form.cleaned_data["code"])
    if result.ok: ...                    # result.phone is the number the code went to

Codes are random, kept only as an HMAC-SHA256 (key derived from SECRET_KEY, a fresh nonce per code) and compared in
constant time. A code lasts PHONE_CODE_TTL_SECONDS; PHONE_CODE_MAX_TRIES wrong entries lock it; a new code replaces
the last one, at least PHONE_CODE_RESEND_SECONDS after it and at most PHONE_CODE_MAX_PER_HOUR an hour per (purpose,
subject) and per phone. The SMS is a Delivery in the outbox (sent by the worker after commit, never in the request),
whose text keeps the code only until it is sent or has failed, and never shows it in the admin.
"""

from __future__ import annotations

import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from sachet.phones import InvalidPhone, can_receive_sms, normalise

from .channels import PUBLIC, Message, sms_configured
from .models import PhoneCode
from .services import queue_message

CODE_DIGITS = 6
HOUR = timedelta(hours=1)
REDACTED_CODE = "******"

OK, WRONG, EXPIRED, LOCKED, NONE = "ok", "wrong", "expired", "locked", "none"


class CodeNotSent(Exception):
    """No code was sent now; a new one may be asked for in `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry in {retry_after} s")
        self.retry_after = retry_after


class ResendTooSoon(CodeNotSent):
    """The last code to this subject or phone went out less than PHONE_CODE_RESEND_SECONDS ago."""


class TooManyCodes(CodeNotSent):
    """PHONE_CODE_MAX_PER_HOUR codes went to this subject or phone in the last hour."""


@dataclass(frozen=True)
class CodeCheck:
    """What an entered code came to: ok (then `phone` is the number it was sent to), wrong (with `tries_left`),
    expired, locked, or none (no code waiting: never sent, already used, or replaced)."""

    status: str
    tries_left: int | None = None
    phone: str = ""

    @property
    def ok(self) -> bool:
        return self.status == OK

    @property
    def message(self) -> str:
        """The outcome in words for the person who typed the code."""
        if self.status == OK:
            return _("Thank you: your phone number is confirmed.")
        if self.status == WRONG:
            return _("That code is not right. Please check the SMS and try again (%(tries)d tries left).") % {
                "tries": self.tries_left or 0}
        if self.status == EXPIRED:
            return _("That code has expired. Please ask for a new one.")
        if self.status == LOCKED:
            return _("Too many wrong codes. Please ask for a new one.")
        return _("There is no code waiting for this. Please ask for a new one.")


def sms_available() -> bool:
    """Whether codes can be sent at all (Twilio is configured); `send_code` raises ChannelNotConfigured if not."""
    return sms_configured()


def send_code(*, purpose: str, subject: str, phone: str, language: str = "") -> PhoneCode:
    """A new code for (purpose, subject) to `phone`, replacing any earlier one, sent by SMS after commit, worded in
    `language` (the person's; the site's default when not given).

    Call it inside the caller's transaction. Raises InvalidPhone for a number that is not one or cannot take a text
    message (a landline), ResendTooSoon or TooManyCodes (with `retry_after`) past the limits, ChannelNotConfigured
    when SMS is not configured.
    """
    if not purpose or not subject:
        raise ValueError("a code needs a purpose and a subject")
    phone = normalise(phone)
    if not can_receive_sms(phone):
        raise InvalidPhone(_("This number cannot receive text messages. Please give a mobile number."))
    try:
        with transaction.atomic():
            return _send(purpose, subject, phone, language or settings.LANGUAGE_CODE)
    except IntegrityError:
        # Another request made a code for the same subject at this very moment: that one stands.
        raise ResendTooSoon(settings.PHONE_CODE_RESEND_SECONDS) from None


def _send(purpose: str, subject: str, phone: str, language: str) -> PhoneCode:
    now = timezone.now()
    # Serialises concurrent sends for one subject behind its active code (when there is one; else the constraint
    # on one active code per subject does it).
    list(PhoneCode.objects.select_for_update().filter(purpose=purpose, subject=subject, status=PhoneCode.Status.ACTIVE))
    _check_limits(now, PhoneCode.objects.filter(purpose=purpose, subject=subject))
    _check_limits(now, PhoneCode.objects.filter(phone=phone))
    PhoneCode.objects.filter(purpose=purpose, subject=subject, status=PhoneCode.Status.ACTIVE).update(
        status=PhoneCode.Status.REPLACED
    )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = PhoneCode(purpose=purpose, subject=subject, phone=phone, nonce=secrets.token_hex(16), created_at=now,
                    expires_at=now + timedelta(seconds=settings.PHONE_CODE_TTL_SECONDS))
    row.code_hash = _digest(row, code)
    row.save()
    minutes = max(1, settings.PHONE_CODE_TTL_SECONDS // 60)
    with translation.override(language):
        message, redacted = _code_message(code, minutes), _code_message(REDACTED_CODE, minutes)
    [row.delivery] = queue_message(
        message=message,
        event_key=f"code:{purpose}:{subject}:{row.pk}",
        channel="sms",
        recipients=[phone],
        redacted_body=redacted.body,
        expires_at=row.expires_at,
    )
    row.save(update_fields=["delivery"])
    return row


def _code_message(code: str, minutes: int) -> Message:
    # The code comes first: if a long site address makes the SMS shorten its text, the code still fits.
    return Message(
        title="Sachet",
        body=_("%(code)s is your Sachet code, valid for %(minutes)d minutes. Do not share it.") % {
            "code": code, "minutes": minutes},
        link=settings.SITE_URL + "/",
        audience=PUBLIC,
        kind="code",
    )


def _check_limits(now: datetime, codes) -> None:
    recent = list(codes.filter(created_at__gt=now - HOUR).order_by("created_at").values_list("created_at", flat=True))
    if len(recent) >= settings.PHONE_CODE_MAX_PER_HOUR:
        # Free again when the oldest of the last MAX_PER_HOUR leaves the hour.
        raise TooManyCodes(_seconds_until(recent[-settings.PHONE_CODE_MAX_PER_HOUR] + HOUR, now))
    gap = timedelta(seconds=settings.PHONE_CODE_RESEND_SECONDS)
    if recent and recent[-1] + gap > now:
        raise ResendTooSoon(_seconds_until(recent[-1] + gap, now))


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


def _digest(row: PhoneCode, code: str) -> str:
    value = f"{row.nonce}:{row.purpose}:{row.subject}:{code}"
    return salted_hmac("sachet.notifications.codes", value, algorithm="sha256").hexdigest()


def check_code(*, purpose: str, subject: str, code: str) -> CodeCheck:
    """Check an entered code against the latest code of (purpose, subject); a wrong one uses up a try."""
    entered = "".join((code or "").split())
    with transaction.atomic():
        row = (
            PhoneCode.objects.select_for_update()
            .filter(purpose=purpose, subject=subject)
            .exclude(status=PhoneCode.Status.REPLACED)
            .order_by("-created_at", "-id")
            .first()
        )
        if row is None or row.status == PhoneCode.Status.VERIFIED:
            return CodeCheck(NONE)
        if row.status == PhoneCode.Status.LOCKED:
            return CodeCheck(LOCKED, tries_left=0)
        now = timezone.now()
        if row.is_expired(now):
            return CodeCheck(EXPIRED)
        max_tries = settings.PHONE_CODE_MAX_TRIES
        # Every entry, well formed or not, is hashed and compared in constant time, and a wrong one uses up a try.
        if hmac.compare_digest(row.code_hash, _digest(row, entered)):
            PhoneCode.objects.filter(pk=row.pk).update(status=PhoneCode.Status.VERIFIED, verified_at=now)
            return CodeCheck(OK, phone=row.phone)
        tries = row.tries + 1
        locked = tries >= max_tries
        PhoneCode.objects.filter(pk=row.pk).update(
            tries=F("tries") + 1, **({"status": PhoneCode.Status.LOCKED} if locked else {})
        )
        if locked:
            return CodeCheck(LOCKED, tries_left=0)
        return CodeCheck(WRONG, tries_left=max_tries - tries)


def purge_old_codes() -> int:
    """Delete codes older than PHONE_CODE_KEEP_HOURS (long past any limit's window); how many."""
    cutoff = timezone.now() - timedelta(hours=settings.PHONE_CODE_KEEP_HOURS)
    deleted, _per_model = PhoneCode.objects.filter(created_at__lt=cutoff).delete()
    return deleted
