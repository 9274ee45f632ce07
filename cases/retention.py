"""Erasing a case's personal data: after RETENTION_DAYS_AFTER_FOUND (the hourly beat job, in bounded batches), or at
once when a Police user erases one case (a family's request).

What goes: the photo, voice note and poster (deleted from storage, Cloudinary's CDN copies invalidated), the face
prints of the case's and its sightings' photos, the child's name and description, the exact place, the contact's and
reporter's names and phones, the sightings' photos, descriptions and reporters' phones, the words of staff notes and
status notes, the alerts' texts (and a family's number on the code SMS), the one-time codes, and the possible matches.
What stays is an anonymised stub that keeps the analytics right: the age group (the age becomes its group's lowest
age), gender, city and kind of place ("railway station, Pune"), the last-seen point rounded to about a kilometre,
the dates, and the outcome. Every erasure leaves a CaseEvent (what kinds, by whom or automatic) and a LogEntry.
Running it twice changes nothing more.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from media import services as media_services
from notifications.models import PhoneCode
from notifications.services import redact_deliveries

from . import pagecache
from .after_commit import after_commit
from .ages import AGE_GROUPS, age_group
from .alerts import event_prefix
from .models import Case, CaseEvent, CaseNote, MatchCandidate, Sighting, StatusChange, Verification
from .places import city_of, place_kind

logger = logging.getLogger(__name__)

ERASED_TEXT = "[erased]"
ROUND_TO = Decimal("0.01")  # about 1.1 km: a neighbourhood for the risk zones, not a house
BATCH = 50


class CannotErase(ValueError):
    """A case still missing is not erased: close it (or mark it found) first."""


def due_for_erasure(*, limit: int = BATCH) -> list[int]:
    """Cases found or closed (or rejected) more than RETENTION_DAYS_AFTER_FOUND ago and not erased yet, oldest
    first."""
    cutoff = timezone.now() - timedelta(days=settings.RETENTION_DAYS_AFTER_FOUND)
    done = Q(status__in=[Case.Status.FOUND, Case.Status.CLOSED], resolved_at__lt=cutoff)
    rejected = Q(verification=Verification.REJECTED, verification_at__lt=cutoff)
    return list(Case.objects.filter(done | rejected, erased_at__isnull=True)
                .order_by("resolved_at", "verification_at", "id").values_list("id", flat=True)[:limit])


def posters_to_withdraw(*, limit: int = BATCH) -> list[int]:
    """Cases that still have a stored poster although their public state has none (found or closed past the photo
    period, rejected, erased): the poster task deletes it."""
    cutoff = timezone.now() - timedelta(days=settings.PUBLIC_PHOTO_DAYS_AFTER_FOUND)
    past = Q(status__in=[Case.Status.FOUND, Case.Status.CLOSED], resolved_at__lt=cutoff)
    return list(Case.objects.filter(past | Q(verification=Verification.REJECTED) | Q(erased_at__isnull=False))
                .exclude(poster="").order_by("id").values_list("id", flat=True)[:limit])


def erase_personal_data(*, case: Case, by=None, note: str = "") -> CaseEvent | None:
    """Erase the case's personal data now (see the module's docstring); the audit row, or None when it was erased
    already. `by` None means the retention job. Raises CannotErase for a case still missing."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.erased_at is not None:
            return None
        if locked.status == Case.Status.MISSING and locked.verification != Verification.REJECTED:
            raise CannotErase(f"Case {locked.reference} is still missing: close it or mark it found first.")
        files, kinds = _erase(locked)
        event = CaseEvent.objects.create(
            case=locked, kind=CaseEvent.Kind.ERASED, by=by, note=note.strip(),
            details={"kinds": kinds, "files": len(files), "automatic": by is None,
                     "after_days": settings.RETENTION_DAYS_AFTER_FOUND if by is None else None},
        )
    # Files (and the face prints named by them) go once the rows no longer name them; a storage outage is retried.
    after_commit(media_services.delete_files, files)
    logger.info("personal data erased ref=%s by=%s kinds=%s", locked.reference, getattr(by, "pk", "retention"),
                ",".join(kinds))
    case.refresh_from_db()
    return event


def _erase(case: Case) -> tuple[list, list[str]]:
    files = [(field.storage, field.name) for field in (case.photo, case.voice_note, case.poster) if field]
    kinds = [name for name, field in (("photo", case.photo), ("voice_note", case.voice_note),
                                      ("poster", case.poster)) if field]
    sightings = list(Sighting.objects.filter(case=case))
    files += [(s.photo.storage, s.photo.name) for s in sightings if s.photo]
    if any(s.photo for s in sightings):
        kinds.append("sighting_photos")
    if files:
        kinds.append("face_prints")
    if any(s.reporter_phone for s in sightings):
        kinds.append("sighting_reporter_phones")
    kinds += ["name", "description", "exact_place", "contact"]
    if case.reporter_name or case.reporter_phone:
        kinds.append("reporter")

    reference = case.reference
    pagecache.changed()
    Case.objects.filter(pk=case.pk).update(
        name="", description="", last_seen_specific="", last_seen_place=stub_place(case.last_seen_place),
        latitude=_rounded(case.latitude), longitude=_rounded(case.longitude),
        location_precision="locality" if case.latitude is not None else case.location_precision,
        age=stub_age(case.age), contact_name="", contact_phone="", reporter_name="", reporter_phone="", name_key="",
        consent_given_by="", photo="", voice_note="", poster="", poster_of=None, erased_at=timezone.now(),
        updated_at=timezone.now(),
    )
    for sighting in sightings:
        Sighting.objects.filter(pk=sighting.pk).update(
            photo="", reporter_phone="", description="", place=stub_place(sighting.place),
            latitude=_rounded(sighting.latitude), longitude=_rounded(sighting.longitude),
        )
    MatchCandidate.objects.filter(Q(case=case) | Q(other_case=case) | Q(sighting__case=case)).delete()
    if CaseNote.objects.filter(case=case).exclude(text=ERASED_TEXT).update(text=ERASED_TEXT):
        kinds.append("staff_notes")
    StatusChange.objects.filter(case=case).exclude(note="").update(note=ERASED_TEXT)
    CaseEvent.objects.filter(case=case).exclude(note="").update(note=ERASED_TEXT)
    redact_deliveries(event_prefix=event_prefix(case))
    redact_deliveries(event_prefix=f"code:report:{reference}:", mask_recipients=True)
    PhoneCode.objects.filter(purpose="report", subject=reference).delete()
    kinds.append("alert_texts")
    _redact_admin_log(case)
    return files, kinds


def stub_place(place: str) -> str:
    """"Platform 9, Howrah Station, Kolkata" -> "railway station, Kolkata": the kind of place and the city only."""
    city = city_of(place or "")
    kind = place_kind(place or "")
    return city if kind == "other" else f"{kind}, {city}"


def stub_age(age: int | None) -> int | None:
    """The lowest age of the age's group: the analytics count groups, and a child is harder to single out."""
    group = age_group(age)
    return AGE_GROUPS[group][0] if group else age


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(ROUND_TO)


_STATUS_NOTE = re.compile(r"^(Status changed to \w+): .*$", re.DOTALL)


def _redact_admin_log(case: Case) -> None:
    """The admin log names the child in each entry's title ("MC... Aarav Sharma") and may quote a status note."""
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Case), object_id=str(case.pk))
    entries.update(object_repr=case.reference)
    for entry in entries.filter(change_message__startswith="Status changed to ").only("id", "change_message"):
        LogEntry.objects.filter(pk=entry.pk).update(change_message=_STATUS_NOTE.sub(r"\1", entry.change_message))
    sighting_ids = [str(pk) for pk in Sighting.objects.filter(case=case).values_list("pk", flat=True)]
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Sighting),
                            object_id__in=sighting_ids).update(object_repr=f"Sighting of {case.reference}")
