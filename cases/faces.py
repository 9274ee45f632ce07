"""Face matching for cases: the case photo analysed (on the face staff chose, the largest by default), a sighting
scored against its own case by the nearest pair of faces, the searches of `cases.candidates` in both directions,
and forgetting faces when a case is found or closed.

The tasks in `cases.tasks` call these after `cases.events` scheduled them; faces are matched through
`media.matching`. A score is a pointer for staff to compare two photos: nothing here ever changes a case's status.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F, QuerySet

from media import matching

from . import alerts, candidates
from .models import Case, Sighting, Verdict

logger = logging.getLogger(__name__)

# media's groups (cases.candidates searches them).
CASE_GROUP = candidates.CASE_GROUP
SIGHTING_GROUP = candidates.SIGHTING_GROUP


def analyse_case_photo(case_id: int, *, refresh: bool = False) -> str | None:
    """Analyse an open case's photo (again, with refresh); the face status, or None when there is no photo."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None or not case.photo or not case.is_active:
        return None
    try:
        summary = matching.analyse(name=case.photo.name, group=CASE_GROUP, refresh=refresh, face=case.photo_face)
    except matching.PhotoMissing:
        logger.warning("case photo missing ref=%s", case.reference)
        return None
    if _forget_if_closed(case_id):
        return None
    return summary.status


def sightings_to_rematch(case_id: int) -> list[int]:
    """Analyse the case photo again; the ids of the case's sightings with a photo, to be matched again (none when
    the case is no longer missing)."""
    if analyse_case_photo(case_id, refresh=True) is None and not Case.objects.filter(
        pk=case_id, status=Case.Status.MISSING
    ).exists():
        return []
    return list(Sighting.objects.filter(case_id=case_id).exclude(photo="").values_list("pk", flat=True))


def reunite_case(case_id: int, *, refresh: bool = False) -> int | None:
    """Analyse an open case's photo (again, with refresh), then search it in both directions and look for the same
    child reported twice (cases.candidates.for_case); how many candidates, None when the case is not open."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None or not case.is_active or case.merged_into_id:
        return None
    if case.photo:
        analyse_case_photo(case_id, refresh=refresh)
    case.refresh_from_db()
    if not case.is_active:
        return None
    found = candidates.for_case(case)
    logger.info("case searched ref=%s candidates=%d", case.reference, len(found))
    return len(found)


def match_sighting(sighting_id: int) -> str | None:
    """Score a sighting's photo against its case's photo and search it against every open case.

    Stores Sighting.face_match_score/verdict and the candidates for review (cases.candidates.for_sighting: running
    it twice gives one set), and queues a staff alert when its own case is a likely match.
    """
    sighting = Sighting.objects.select_related("case").filter(pk=sighting_id).first()
    if sighting is None or not sighting.photo:
        return None
    case = sighting.case
    if not case.is_active:
        # A found or closed child's faces are not kept, so a late sighting of one is not analysed.
        logger.info("face matching skipped: case is %s ref=%s sighting=%s", case.status, case.reference,
                    sighting_id)
        return None
    try:
        matching.analyse(name=sighting.photo.name, group=SIGHTING_GROUP)
    except matching.PhotoMissing:
        logger.warning("sighting photo missing ref=%s sighting=%s", case.reference, sighting_id)
        return None
    own = _own_case_match(sighting, case)
    with transaction.atomic():
        locked = Sighting.objects.select_for_update().filter(pk=sighting_id).first()
        if locked is None:
            return None
        locked.face_match_score, locked.face_match_verdict = own.score, own.verdict
        locked.save(update_fields=["face_match_score", "face_match_verdict"])
        found = candidates.for_sighting(locked)
        if own.verdict == Verdict.LIKELY:
            # Same transaction: the outbox rows commit with the verdict; queueing twice adds nothing.
            alerts.face_match(locked, case, own.score, own.verdict)
    logger.info("sighting matched ref=%s sighting=%s verdict=%s score=%s candidates=%d", case.reference,
                sighting_id, own.verdict, own.score, len(found))
    _forget_if_closed(case.pk)
    return own.verdict


class NoSuchFace(ValueError):
    """The case photo has no such face (or has not been analysed)."""


def choose_case_face(*, case: Case, face: int, by=None) -> matching.FaceSummary:
    """Staff say which face of the case photo is the child (the photo shows others too); matching runs again on
    that face, after commit. Raises NoSuchFace."""
    summary = matching.face_summary(case.photo.name) if case.photo else None
    if summary is None or not 0 <= face < len(summary.faces):
        raise NoSuchFace(f"The photo of {case.reference} has no face {face + 1}.")
    from .events import schedule_rematch  # events imports this module

    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(photo_face=face)
        case.photo_face = face
        summary = matching.choose_face(case.photo.name, face)
        schedule_rematch(case)
    logger.info("case face chosen ref=%s face=%d by=%s", case.reference, face, getattr(by, "pk", None))
    return summary


def forget_case_faces(case: Case) -> int:
    """Delete the face prints of the case photo and of its sightings' photos; how many."""
    names = [case.photo.name] if case.photo else []
    names += [name for name in Sighting.objects.filter(case=case).values_list("photo", flat=True) if name]
    return matching.forget(names)


def with_face_status(sightings: QuerySet[Sighting]) -> QuerySet[Sighting]:
    """Sightings annotated with `face_status` and `face_count` of their photo (None when not analysed, or not kept)
    and their case's status (`case_status`, which says which), and the boxes for a thumbnail cropped around the main
    face, for a list or inline at a fixed number of queries."""
    return sightings.annotate(case_status=F("case__status"), **matching.face_status_annotations("photo"),
                              **matching.face_box_annotations("photo"))


def _own_case_match(sighting: Sighting, case: Case) -> matching.Match:
    """The sighting's face against its case photo's; NO_FACE when the case has no usable photo."""
    if not case.photo:
        return matching.Match(photo_name="", verdict=Verdict.NO_FACE, score=None, distance=None)
    try:
        matching.analyse(name=case.photo.name, group=CASE_GROUP, face=case.photo_face)
    except matching.PhotoMissing:
        logger.warning("case photo missing ref=%s", case.reference)
        return matching.Match(photo_name=case.photo.name, verdict=Verdict.NO_FACE, score=None, distance=None)
    return matching.compare(sighting.photo.name, case.photo.name)


def own_case_faces(sighting: Sighting) -> matching.Match | None:
    """Which faces of the sighting's photo and of its case's photo gave the sighting's own score (for staff to see
    them framed); None when they cannot be compared now (no photo, or the faces are no longer kept)."""
    case = sighting.case
    if not sighting.photo or not case.photo:
        return None
    match = matching.compare(sighting.photo.name, case.photo.name)
    return match if match.face else None


def _forget_if_closed(case_id: int) -> bool:
    """A case found while its photos were being analysed keeps no face print: forget them again."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None or case.is_active:
        return False
    forget_case_faces(case)
    return True
