"""Verification of reports before they are broadcast: by a code sent to the family's phone, or by staff.

REPORT_VERIFICATION says how (settings.py): "sms+staff", "staff" or "none". Staff are alerted of every report at
once (cases.alerts.report_received); the public alert (cases.alerts.case_reported) goes out when a report is
verified, exactly once per channel: the outbox keeps one delivery per (event, channel, recipient), and verifying an
already verified case does nothing. A rejected report never alerts publicly and leaves every public page.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications import codes
from notifications.channels import ChannelNotConfigured
from notifications.models import PhoneCode
from sachet.phones import InvalidPhone, can_receive_sms

from . import alerts, faces, pagecache
from .events import schedule_poster, schedule_rematch
from .models import Case, CaseEvent, Verification, VerificationMethod

logger = logging.getLogger(__name__)

SMS_AND_STAFF, STAFF, NONE = "sms+staff", "staff", "none"
CODE_PURPOSE = "report"


class CannotVerify(ValueError):
    """The report cannot be verified: no consent or legal basis is recorded, or it is already decided."""


def mode() -> str:
    return settings.REPORT_VERIFICATION


def codes_possible(case: Case) -> bool:
    """The family can confirm this report with a code: SMS verification is on and the phone can take a text."""
    return (mode() == SMS_AND_STAFF and codes.sms_available() and case.verification == Verification.UNVERIFIED
            and can_receive_sms(case.contact_phone))


def begin(case: Case, *, language: str = "") -> None:
    """Called by report_case inside its transaction: publish at once (mode "none", with consent), or send the family
    a code (mode "sms+staff", when the phone can take one). Staff verification is always possible."""
    if case.verification != Verification.UNVERIFIED:
        return
    if mode() == NONE and case.has_consent:
        # The public alert follows in cases.events.case_reported, after the staff alert.
        _decide(case, Verification.VERIFIED, method=VerificationMethod.NONE, by=None, note="", release=False)
        return
    if mode() == SMS_AND_STAFF:
        try:
            send_code(case, language=language)
        except (InvalidPhone, codes.CodeNotSent, ChannelNotConfigured) as error:
            # Staff verify it instead; the family's page says so.
            logger.info("no code sent for report ref=%s: %s", case.reference, type(error).__name__)


def send_code(case: Case, *, language: str = "") -> PhoneCode:
    """A (new) code to the contact phone, in the family's language. Raises InvalidPhone (a landline),
    ResendTooSoon / TooManyCodes (with retry_after), ChannelNotConfigured (no SMS)."""
    return codes.send_code(purpose=CODE_PURPOSE, subject=case.reference, phone=case.contact_phone, language=language)


def code_waiting(case: Case) -> bool:
    """A code was sent for this report and can still be entered (not used, replaced or locked)."""
    return PhoneCode.objects.filter(purpose=CODE_PURPOSE, subject=case.reference,
                                    status=PhoneCode.Status.ACTIVE).exists()


def confirm_with_code(case: Case, code: str) -> codes.CodeCheck:
    """Check the code the family typed; the right one verifies the report and releases the public alert."""
    result = codes.check_code(purpose=CODE_PURPOSE, subject=case.reference, code=code)
    if result.ok:
        try:
            verify(case=case, by=None, method=VerificationMethod.SMS)
        except CannotVerify as error:
            logger.warning("code right but report not verified ref=%s: %s", case.reference, error)
    return result


def verify(*, case: Case, by=None, method: str = VerificationMethod.STAFF, note: str = "") -> bool:
    """Mark the report verified and release the public alert (once); False when it was verified already.
    Raises CannotVerify when no consent or legal basis is recorded."""
    return _decide(case, Verification.VERIFIED, method=method, by=by, note=note)


def reject(*, case: Case, by, note: str) -> bool:
    """Reject the report as abuse: hidden from every public page, never alerted publicly, kept for the audit.
    False when it was rejected already."""
    return _decide(case, Verification.REJECTED, method=VerificationMethod.STAFF, by=by, note=note)


@transaction.atomic
def _decide(case: Case, to: str, *, method: str, by, note: str, release: bool = True) -> bool:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.verification == to:
        return False
    if to == Verification.VERIFIED and not locked.has_consent:
        raise CannotVerify(f"Case {locked.reference} has no consent or legal basis recorded: it cannot be published.")
    previous = locked.verification
    now = timezone.now()
    # A queryset update: the case's content (and so its poster) is unchanged, and updated_at stays.
    Case.objects.filter(pk=locked.pk).update(verification=to, verification_method=method, verification_at=now,
                                             verification_by=by)
    pagecache.changed()  # a queryset update sends no save signal: the public lists gain or lose the case now
    for target in (locked, case):
        target.verification, target.verification_method, target.verification_at = to, method, now
        target.verification_by = by
    kind = CaseEvent.Kind.VERIFIED if to == Verification.VERIFIED else CaseEvent.Kind.REJECTED
    CaseEvent.objects.create(case=locked, kind=kind, by=by, at=now, note=note,
                             details={"method": method, "from": previous})
    logger.info("report %s ref=%s method=%s by=%s", to, locked.reference, method, getattr(by, "pk", None))
    if to == Verification.VERIFIED:
        if release and locked.status == Case.Status.MISSING and locked.erased_at is None:
            alerts.case_reported(locked)  # the public alert, in this transaction; a second time adds nothing
        if previous == Verification.REJECTED:
            schedule_rematch(locked)
    else:
        # A rejected report's photo is not matched against sightings, and its poster is withdrawn.
        faces.forget_case_faces(locked)
        schedule_poster(locked, force=True)
    return True


def pending_count() -> int:
    """Reports waiting for staff (the admin's "to verify" filter)."""
    return Case.objects.filter(verification=Verification.UNVERIFIED).count()

