"""The verbs for found children: a member of the public reports a child who is lost, staff register and update the
records of children in care, add photos, publish or withdraw a "do you know this child?" appeal, change the status,
and link a record to a missing-child case once staff confirmed the match.

Every change is one transaction and leaves a `FoundChildEvent` (who, when, what). Face analysis and the searches
(cases.candidates) start after commit. A reunited child's faces are forgotten, its appeal withdrawn and its pending
candidates dropped, as for a found case.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from media import matching
from media import services as media_services
from media import uploads

from . import alerts, candidates
from .after_commit import after_commit
from .models import Case, FoundChild, FoundChildEvent, FoundChildPhoto, Geocoding
from .names import name_key

logger = logging.getLogger(__name__)

Action = FoundChildEvent.Action
# Changes to these fields can change what the record matches.
_MATCHED_FIELDS = {"stated_name", "apparent_age", "found_place", "found_at", "latitude", "longitude"}


class AppealRefused(ValueError):
    """An appeal cannot be published now (the child is reunited, or no contact was given)."""


def report_found_child(
    *,
    found_place: str,
    found_at: datetime,
    reporter_phone: str,
    description: str = "",
    stated_name: str = "",
    stated_parents: str = "",
    stated_place: str = "",
    language: str = "",
    apparent_age: int | None = None,
    gender: str = "",
    clothing: str = "",
    identifying_marks: str = "",
    reporter_name: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    photo: File | None = None,
) -> FoundChild:
    """A member of the public is with a child who is lost. Staff are alerted at once; nothing is public."""
    child = FoundChild(
        source=FoundChild.Source.PUBLIC, status=FoundChild.Status.REPORTED, found_place=found_place,
        found_at=found_at, reporter_phone=reporter_phone, reporter_name=reporter_name, description=description,
        stated_name=stated_name, stated_parents=stated_parents, stated_place=stated_place, language=language,
        apparent_age=apparent_age, gender=gender, clothing=clothing, identifying_marks=identifying_marks,
        latitude=latitude, longitude=longitude,
    )
    _prepare(child)
    # The photo is stored first, outside the transaction (as cases.services.report_case).
    saved = FoundChildPhoto(found_child=child)
    stored = [uploads.store(saved.photo, photo)] if photo is not None else []
    try:
        with transaction.atomic():
            child.save()
            FoundChildEvent.objects.create(found_child=child, action=Action.REGISTERED,
                                           note="Reported by a member of the public through the site.")
            if stored:
                saved.found_child = child
                saved.save()
                uploads.claim(*stored)
                FoundChildEvent.objects.create(found_child=child, action=Action.PHOTO_ADDED, by=None)
            alerts.child_found_reported(child)
            _after_save(child, matched=True)
    except BaseException:
        uploads.discard(*stored)
        raise
    logger.info("found child reported ref=%s", child.reference)
    return child


@transaction.atomic
def register_found_child(*, child: FoundChild, by) -> FoundChild:
    """A record staff filled in (the admin's form): saved with its name key and history, then searched."""
    child.source = FoundChild.Source.STAFF
    child.created_by = by
    _prepare(child)
    child.save()
    FoundChildEvent.objects.create(found_child=child, action=Action.REGISTERED, by=by)
    _after_save(child, matched=True)
    return child


@transaction.atomic
def update_found_child(*, child: FoundChild, by, changed: list[str]) -> FoundChild:
    """Save staff's changes to a record; the history names the fields changed. A status change goes through
    `change_status` (it has consequences); here it is refused."""
    if "status" in changed:
        raise ValueError("Change the status with change_status.")
    _prepare(child)
    child.save()
    if changed:
        FoundChildEvent.objects.create(found_child=child, action=Action.UPDATED, by=by, note=", ".join(changed))
    _after_save(child, matched=bool(_MATCHED_FIELDS & set(changed)))
    return child


@transaction.atomic
def add_photo(*, child: FoundChild, photo: File, by=None) -> FoundChildPhoto:
    """A photo of the child (validated by media.images first); analysed and searched after commit."""
    saved = _save_photo(child, photo, by=by)
    after_commit(_tasks().reunite_found_child.delay, child.pk)
    return saved


@transaction.atomic
def photo_added(*, photo: FoundChildPhoto, by=None) -> None:
    """A photo saved by the admin's inline form: recorded, analysed and searched after commit."""
    FoundChildEvent.objects.create(found_child=photo.found_child, action=Action.PHOTO_ADDED, by=by)
    after_commit(_tasks().reunite_found_child.delay, photo.found_child_id)


@transaction.atomic
def change_status(*, child: FoundChild, to: str, by=None, note: str = "") -> FoundChild:
    """In care, transferred or reunited. Reunited: the appeal is withdrawn, the faces forgotten, the pending
    candidates dropped. Back from reunited: the photos are analysed and searched again."""
    if to not in FoundChild.Status.values:
        raise ValueError(f"Unknown status {to!r}.")
    locked = FoundChild.objects.select_for_update().get(pk=child.pk)
    if locked.status == to:
        return locked
    previous = locked.status
    locked.status = to
    locked.save(update_fields=["status", "updated_at"])
    FoundChildEvent.objects.create(found_child=locked, action=Action.STATUS, by=by,
                                   note=f"{previous} -> {to}" + (f": {note}" if note else ""))
    if to == FoundChild.Status.REUNITED:
        if locked.appeal_is_published:
            _withdraw(locked, by=by, note="The child is reunited.")
        forget_faces(locked)
        candidates.drop_pending(found_child=locked)
    elif previous == FoundChild.Status.REUNITED:
        after_commit(_tasks().reunite_found_child.delay, locked.pk)
    child.status = to
    return locked


@transaction.atomic
def publish_appeal(*, child: FoundChild, by, contact: str) -> FoundChild:
    """Publish the "do you know this child?" page and poster: an explicit step by a Police user, recorded.
    Raises AppealRefused."""
    locked = FoundChild.objects.select_for_update().get(pk=child.pk)
    contact = " ".join((contact or "").split())
    if not contact:
        raise AppealRefused("An appeal needs a contact: who should people call?")
    if locked.status == FoundChild.Status.REUNITED:
        raise AppealRefused(f"{locked.reference} is reunited with the family: there is nothing to appeal for.")
    locked.appeal_contact = contact
    locked.appeal_published_at = timezone.now()
    locked.save(update_fields=["appeal_contact", "appeal_published_at", "updated_at"])
    FoundChildEvent.objects.create(found_child=locked, action=Action.APPEAL_PUBLISHED, by=by, note=contact)
    logger.info("appeal published ref=%s by=%s", locked.reference, getattr(by, "pk", None))
    return locked


@transaction.atomic
def withdraw_appeal(*, child: FoundChild, by, note: str = "") -> FoundChild:
    locked = FoundChild.objects.select_for_update().get(pk=child.pk)
    if locked.appeal_is_published:
        _withdraw(locked, by=by, note=note)
    return locked


def link_case(*, child: FoundChild, case: Case, by=None) -> None:
    """Staff confirmed that the found child is the missing child of `case` (inside the review's transaction)."""
    FoundChild.objects.filter(pk=child.pk).update(case=case, updated_at=timezone.now())
    FoundChildEvent.objects.create(found_child=child, action=Action.LINKED, by=by, note=case.reference)


def unlink_case(*, child: FoundChild, case: Case, by=None) -> None:
    FoundChild.objects.filter(pk=child.pk, case=case).update(case=None, updated_at=timezone.now())
    FoundChildEvent.objects.create(found_child=child, action=Action.UNLINKED, by=by, note=case.reference)


def mark_same_child(*, child: FoundChild, earlier: FoundChild, by=None) -> None:
    """Staff confirmed that `child` is `earlier` registered again: the later record stops being searched."""
    FoundChild.objects.filter(pk=child.pk).update(duplicate_of=earlier, updated_at=timezone.now())
    FoundChildEvent.objects.create(found_child=child, action=Action.SAME_CHILD, by=by, note=earlier.reference)


def unmark_same_child(*, child: FoundChild, earlier: FoundChild, by=None) -> None:
    FoundChild.objects.filter(pk=child.pk, duplicate_of=earlier).update(duplicate_of=None, updated_at=timezone.now())
    FoundChildEvent.objects.create(found_child=child, action=Action.NOT_SAME_CHILD, by=by, note=earlier.reference)
    after_commit(_tasks().reunite_found_child.delay, child.pk)


@transaction.atomic
def delete_found_child(*, child: FoundChild, by=None) -> None:
    """Delete a record with its photos, history and candidates; the files and their faces go after commit."""
    files = [(photo.photo.storage, photo.photo.name) for photo in child.photos.all() if photo.photo]
    reference = child.reference
    child.delete()
    logger.info("found child deleted ref=%s by=%s files=%d", reference, getattr(by, "pk", None), len(files))
    after_commit(media_services.delete_files, files)


def forget_faces(child: FoundChild) -> int:
    """Delete the face prints of the child's photos; how many."""
    return matching.forget(name for name in child.photos.values_list("photo", flat=True) if name)


def reunite(child_id: int) -> int | None:
    """Analyse an open found child's photos and search them (and its name) in both directions; how many
    candidates, None when the record is gone or no longer open. For the task."""
    child = FoundChild.objects.filter(pk=child_id).first()
    if child is None or not child.is_open:
        return None
    for photo in child.photos.all():
        try:
            matching.analyse(name=photo.photo.name, group=candidates.FOUND_GROUP)
        except matching.PhotoMissing:
            logger.warning("found child photo missing ref=%s photo=%s", child.reference, photo.pk)
    child.refresh_from_db()
    if not child.is_open:  # reunited meanwhile: its faces are not kept
        forget_faces(child)
        return None
    found = candidates.for_found_child(child)
    logger.info("found child searched ref=%s candidates=%d", child.reference, len(found))
    return len(found)


# --- Helpers ---------------------------------------------------------------------------------------------------


def _prepare(child: FoundChild) -> None:
    child.name_key = name_key(child.stated_name)
    if child.latitude is not None and child.geocoding == Geocoding.PENDING:
        child.geocoding, child.location_precision = Geocoding.MANUAL, "exact"


def _save_photo(child: FoundChild, photo: File, *, by) -> FoundChildPhoto:
    saved = FoundChildPhoto(found_child=child, added_by=by)
    saved.photo.save(photo.name, photo, save=False)
    saved.save()
    FoundChildEvent.objects.create(found_child=child, action=Action.PHOTO_ADDED, by=by)
    return saved


def _withdraw(child: FoundChild, *, by, note: str) -> None:
    child.appeal_published_at = None
    child.save(update_fields=["appeal_published_at", "updated_at"])
    FoundChildEvent.objects.create(found_child=child, action=Action.APPEAL_WITHDRAWN, by=by, note=note)
    logger.info("appeal withdrawn ref=%s by=%s", child.reference, getattr(by, "pk", None))


def _after_save(child: FoundChild, *, matched: bool) -> None:
    tasks = _tasks()
    if child.geocoding == Geocoding.PENDING and child.latitude is None:
        after_commit(tasks.geocode_found_child.delay, child.pk)
    if matched:
        after_commit(tasks.reunite_found_child.delay, child.pk)


def _tasks():
    from . import tasks  # the tasks call these services

    return tasks
