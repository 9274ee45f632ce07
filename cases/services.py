"""The verbs of the cases app. Views, admin actions, commands and tasks call these; none repeats their logic.

Each service is one transaction. What must happen next (photo analysis, posters, alerts, geocoding) is started
by `cases.events` after the transaction commits, so a rolled-back report never sends an alert.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from decimal import Decimal

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from media import services as media_services
from media import uploads

from . import consent, events, verification
from .after_commit import after_commit
from .models import Case, CaseNote, Geocoding, Sighting, StatusChange, Verification, VerificationMethod
from .names import name_key

logger = logging.getLogger(__name__)


class InvalidStatusChange(ValueError):
    """A status change that makes no sense (to the same status, or to an unknown one)."""


def report_case(
    *,
    name: str,
    age: int,
    gender: str,
    description: str,
    last_seen_place: str,
    last_seen_at: datetime,
    contact_name: str,
    contact_phone: str,
    last_seen_specific: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    photo: File | None = None,
    voice_note: File | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    consent_version: str = "",
    legal_basis: str = "",
    entered_by=None,
    language: str = "",
    source_domain: str = "",
    source_record: str = "",
    announce: bool = True,
) -> Case:
    """Record a missing child. Files must already be validated (media.images / media.audio).

    A public report gives the consent wording its contact agreed to (`consent_version`); a report entered by staff
    gives the legal basis instead, and `entered_by`, which verifies it at once. Without either, nothing is published.
    Otherwise REPORT_VERIFICATION decides (cases.verification): published now, or once the family's code or a staff
    user confirms it.

    `announce=False` is for records brought from another system (PFIF, the old Sachet): no alert and no code to
    the family; geocoding, photo analysis and the poster happen as for any report.

    The files are stored first, outside the transaction (Cloudinary can take seconds), then the rows are written in
    one short transaction (media.uploads: a file whose row never comes is deleted by a sweep).
    """
    if consent_version and not consent.wording(consent_version):
        raise ValueError(f"unknown consent version {consent_version!r}")
    now = timezone.now()
    case = Case(
        name=name,
        age=age,
        gender=gender,
        description=description,
        last_seen_place=last_seen_place,
        last_seen_specific=last_seen_specific,
        latitude=latitude,
        longitude=longitude,
        last_seen_at=last_seen_at,
        contact_name=contact_name,
        contact_phone=contact_phone,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        geocoding=Geocoding.MANUAL if latitude is not None else Geocoding.PENDING,
        location_precision="exact" if latitude is not None else "",
        consent_version=consent_version,
        consent_at=now if consent_version else None,
        consent_given_by=contact_name if consent_version else "",
        legal_basis=legal_basis,
        source_domain=source_domain,
        source_record=source_record,
        name_key=name_key(name),
    )
    if legal_basis and entered_by is not None:
        case.verification, case.verification_method = Verification.VERIFIED, VerificationMethod.STAFF
        case.verification_at, case.verification_by = now, entered_by
    stored = []
    try:
        if photo is not None:
            stored.append(uploads.store(case.photo, photo))
        if voice_note is not None:
            stored.append(uploads.store(case.voice_note, voice_note))
        with transaction.atomic():
            _save_with_unique_reference(case)
            uploads.claim(*stored)
            StatusChange.objects.create(case=case, from_status="", to_status=case.status, changed_by=entered_by,
                                        note="Reported" if entered_by is None else "Entered by staff")
            if announce:
                verification.begin(case, language=language)
            events.case_reported(case, announce=announce)
    except BaseException:
        uploads.discard(*stored)
        raise
    return case


def _save_with_unique_reference(case: Case, attempts: int = 5) -> None:
    """The reference has 32 random bits per day; a clash is rare but is retried, never surfaced."""
    from .models import new_reference

    for attempt in range(attempts):
        try:
            with transaction.atomic():
                case.save(force_insert=True)
            return
        except IntegrityError:
            if attempt == attempts - 1 or Case.objects.filter(reference=case.reference).count() == 0:
                raise
            case.reference = new_reference()


def record_sighting(
    *,
    case: Case,
    place: str,
    seen_at: datetime,
    description: str,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    photo: File | None = None,
    reporter_phone: str = "",
    submission_key: uuid.UUID | None = None,
    source_domain: str = "",
    source_record: str = "",
    announce: bool = True,
) -> Sighting:
    """Record a sighting reported by a member of the public (submission_key: the browser's key for it, unique per
    case) or sent by a partner (`source_domain`): the photo stored first, then the row in a short transaction (as
    report_case)."""
    sighting = Sighting(
        case=case,
        submission_key=submission_key,
        place=place,
        seen_at=seen_at,
        description=description,
        latitude=latitude,
        longitude=longitude,
        reporter_phone=reporter_phone,
        geocoding=Geocoding.MANUAL if latitude is not None else Geocoding.PENDING,
        location_precision="exact" if latitude is not None else "",
        source_domain=source_domain,
        source_record=source_record,
    )
    stored = [uploads.store(sighting.photo, photo)] if photo is not None else []
    try:
        with transaction.atomic():
            sighting.save(force_insert=True)
            uploads.claim(*stored)
            events.sighting_recorded(sighting, announce=announce)
    except BaseException:
        uploads.discard(*stored)
        raise
    return sighting


@transaction.atomic
def change_status(*, case: Case, to: str, by=None, note: str = "") -> StatusChange:
    """Move a case to another status, leaving one StatusChange row. The row is locked against a concurrent change."""
    if to not in Case.Status.values:
        raise InvalidStatusChange(f"Unknown status {to!r}.")
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.status == to:
        raise InvalidStatusChange(f"Case {locked.reference} is already {locked.get_status_display().lower()}.")
    change = StatusChange.objects.create(
        case=locked, from_status=locked.status, to_status=to, changed_by=by, note=note
    )
    locked.status = to
    locked.resolved_at = None if to == Case.Status.MISSING else change.changed_at
    locked.save(update_fields=["status", "resolved_at", "updated_at"])
    case.status, case.resolved_at = to, locked.resolved_at
    events.status_changed(locked, change)
    return change


def update_case(*, case: Case, fields: dict, files: tuple[str, ...] = ()) -> bool:
    """Bring a case in line with a record from another system (PFIF, the old Sachet): only the fields that differ
    are written, the name key kept with the name; `files` names file fields already saved to storage on `case`.
    Whether anything changed."""
    changed = {name: value for name, value in fields.items() if getattr(case, name) != value}
    if "name" in changed:
        changed["name_key"] = name_key(changed["name"])
    for name, value in changed.items():
        setattr(case, name, value)
    written = [*changed, *files]
    if written:
        case.save(update_fields=[*written, "updated_at"])
    return bool(written)


def add_note(*, case: Case, by, text: str) -> CaseNote:
    """A staff note: appended, never edited."""
    text = text.strip()
    if not text:
        raise ValueError("A note cannot be empty.")
    return CaseNote.objects.create(case=case, author=by, text=text)


def case_files(case: Case) -> list[tuple[object, str]]:
    """Every stored file that belongs to a case: photo, voice note, poster and its sightings' photos."""
    files = [(field.storage, field.name) for field in (case.photo, case.voice_note, case.poster) if field]
    files += [(s.photo.storage, s.photo.name) for s in case.sightings.all() if s.photo]
    return files


@transaction.atomic
def delete_case(*, case: Case, by=None) -> None:
    """Delete a case with its sightings, history and every stored file (after the delete commits)."""
    files = case_files(case)
    reference = case.reference
    case.delete()
    logger.info("case deleted ref=%s by=%s files=%d", reference, getattr(by, "pk", None), len(files))

    # Files (in either storage) and their face prints go once the delete has committed; a storage outage is retried.
    after_commit(media_services.delete_files, files)
