"""Face matching for cases: which photos are analysed when, a sighting scored against its own case, the 1:N
search of a sighting against every open case, and forgetting faces when a case is found or closed.

`cases.events` calls the hooks below inside the service's transaction; the work runs in tasks after commit.
A score is a pointer for staff to compare two photos: nothing here ever changes a case's status.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.html import format_html

from media import faces
from media import services as media
from media.models import FacePrint
from media.tasks import RETRY_OPTIONS

from . import alerts, events
from .models import Case, MatchCandidate, Sighting, Verdict

logger = logging.getLogger(__name__)

CASE_GROUP = "case"
SIGHTING_GROUP = "sighting"


# --- Hooks (called by cases.events inside the service's transaction) -----------------------------------------


def case_reported(case: Case) -> None:
    if case.photo:
        events.after_commit(analyse_case_photo.delay, case.pk)


def sighting_recorded(sighting: Sighting) -> None:
    if sighting.photo:
        events.after_commit(match_sighting.delay, sighting.pk)


def status_changed(case: Case, change) -> None:
    """Found or closed: the child's faces are forgotten now, in the same transaction. Missing again: rebuilt."""
    if change.to_status == Case.Status.MISSING:
        schedule_rematch(case)
    else:
        forget_case_faces(case)


def schedule_rematch(case: Case) -> None:
    """Analyse the case photo again and match every sighting of the case again (after commit)."""
    events.after_commit(rematch_case.delay, case.pk)


def forget_case_faces(case: Case) -> int:
    """Delete the face prints of the case photo and of its sightings' photos; how many."""
    names = [case.photo.name] if case.photo else []
    names += [name for name in Sighting.objects.filter(case=case).values_list("photo", flat=True) if name]
    return media.forget_photos(names)


# --- Reading for staff pages ---------------------------------------------------------------------------------


def face_summary(photo_name: str) -> dict | None:
    """What analysis found in one photo (status, label, face_count, box, box_percent, analysed_at), or None when
    it has not been analysed (yet, or any more: a found case's faces are forgotten)."""
    return media.face_summary(photo_name) if photo_name else None


def case_face_summaries(case: Case) -> dict[str, dict]:
    """Face summaries of the case photo and of every sighting photo of the case, by photo name, in one query."""
    names = [case.photo.name] if case.photo else []
    names += [name for name in Sighting.objects.filter(case=case).values_list("photo", flat=True) if name]
    return media.face_summaries(names)


def with_face_status(sightings: QuerySet[Sighting]) -> QuerySet[Sighting]:
    """Sightings annotated with `face_status` and `face_count` of their photo's print (None when not analysed),
    for a list or inline that shows them at a fixed number of queries."""
    prints = FacePrint.objects.filter(photo_name=OuterRef("photo"))
    return sightings.annotate(face_status=Subquery(prints.values("status")[:1]),
                              face_count=Subquery(prints.values("face_count")[:1]))


def photo_with_face_box(field, summary: dict | None, width: int = 240) -> str:
    """The photo with the chosen face framed, as inline SVG (attributes, no inline style, so the site's CSP allows
    it); the plain photo when no face was found. `summary` is face_summary()'s dict."""
    if not field:
        return ""
    label = summary["label"] if summary else "Not analysed yet"
    if not summary or not summary["box"] or not summary["width"] or not summary["height"]:
        return format_html('<img src="{}" width="{}" alt="{}" title="{}">', field.url, width, label, label)
    top, right, bottom, left = summary["box"]
    photo_width, photo_height = summary["width"], summary["height"]
    return format_html(
        '<svg viewBox="0 0 {} {}" width="{}" role="img" aria-label="{}"><title>{}</title>'
        '<image href="{}" width="{}" height="{}"/>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#f5b400" stroke-width="{}"/></svg>',
        photo_width, photo_height, width, label, label, field.url, photo_width, photo_height,
        left, top, right - left, bottom - top, max(2, photo_width // 120),
    )


# --- Tasks -----------------------------------------------------------------------------------------------------


@shared_task(**RETRY_OPTIONS, soft_time_limit=120, time_limit=150)
def analyse_case_photo(case_id: int, refresh: bool = False) -> str | None:
    """Analyse an open case's photo (again, with refresh); the print's status, or None when there is none."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None or not case.photo or not case.is_active:
        return None
    try:
        if refresh:
            face_print = media.analyse_stored_photo(name=case.photo.name, group=CASE_GROUP)
        else:
            face_print = media.analysed_photo(name=case.photo.name, group=CASE_GROUP)
    except media.PhotoMissing:
        logger.warning("case photo missing ref=%s", case.reference)
        return None
    if _forget_if_closed(case_id):
        return None
    return face_print.status


@shared_task(**RETRY_OPTIONS, soft_time_limit=60, time_limit=90)
def rematch_case(case_id: int) -> int:
    """Analyse the case photo again, then match each of its sightings again; how many sightings were queued."""
    if analyse_case_photo(case_id, refresh=True) is None and not Case.objects.filter(
        pk=case_id, status=Case.Status.MISSING
    ).exists():
        return 0
    sighting_ids = list(Sighting.objects.filter(case_id=case_id).exclude(photo="").values_list("pk", flat=True))
    for sighting_id in sighting_ids:
        match_sighting.delay(sighting_id)
    return len(sighting_ids)


@shared_task(**RETRY_OPTIONS, soft_time_limit=120, time_limit=150)
def match_sighting(sighting_id: int) -> str | None:
    """Score a sighting's photo against its case's photo and search it against every open case.

    Stores Sighting.face_match_score/verdict and the MatchCandidate rows (replacing those of an earlier run, so
    running it twice gives one set), and queues a staff alert when its own case is a likely match.
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
        sighting_print = media.analysed_photo(name=sighting.photo.name, group=SIGHTING_GROUP)
    except media.PhotoMissing:
        logger.warning("sighting photo missing ref=%s sighting=%s", case.reference, sighting_id)
        return None
    case_print = _case_print(case)
    score, verdict = _own_case_score(sighting_print, case_print)
    candidates = _candidates(sighting_print, exclude_case_id=case.pk)
    with transaction.atomic():
        locked = Sighting.objects.select_for_update().filter(pk=sighting_id).first()
        if locked is None:
            return None
        locked.face_match_score, locked.face_match_verdict = score, verdict
        locked.save(update_fields=["face_match_score", "face_match_verdict"])
        MatchCandidate.objects.filter(sighting=locked).exclude(case_id__in=[c.pk for c, _ in candidates]).delete()
        for candidate, match in candidates:
            MatchCandidate.objects.update_or_create(
                sighting=locked, case=candidate,
                defaults={"distance": match.distance, "score": match.score, "verdict": match.verdict},
            )
        if verdict == Verdict.LIKELY:
            # Same transaction: the outbox rows commit with the verdict; queueing twice adds nothing.
            alerts.face_match(locked, case, score, verdict)
    logger.info("sighting matched ref=%s sighting=%s verdict=%s score=%s candidates=%d", case.reference,
                sighting_id, verdict, score, len(candidates))
    _forget_if_closed(case.pk)
    return verdict


def _case_print(case: Case) -> FacePrint | None:
    if not case.photo:
        return None
    try:
        return media.analysed_photo(name=case.photo.name, group=CASE_GROUP)
    except media.PhotoMissing:
        logger.warning("case photo missing ref=%s", case.reference)
        return None


def _own_case_score(sighting_print: FacePrint, case_print: FacePrint | None) -> tuple[int | None, str]:
    """(score, verdict); no score when either photo has no usable face."""
    if case_print is None or not case_print.has_face or not sighting_print.has_face:
        return None, Verdict.NO_FACE
    match = faces.score_distance(faces.face_distance(_encoding(sighting_print), _encoding(case_print)))
    return match.score, match.verdict


def _candidates(sighting_print: FacePrint, *, exclude_case_id: int) -> list[tuple[Case, faces.MatchScore]]:
    """Other open cases whose photo is within the "possible" line of the sighting's face, nearest first."""
    if not sighting_print.has_face:
        return []
    limit = settings.FACE_MATCH_CANDIDATES
    _, possible, _ = faces.match_thresholds()
    # One more than needed: the sighting's own case is usually the nearest and is left out below.
    found = media.search_group(_encoding(sighting_print), CASE_GROUP, max_distance=possible, limit=limit + 1)
    cases = {
        case.photo.name: case
        for case in Case.objects.filter(photo__in=[name for name, _ in found], status=Case.Status.MISSING)
        .exclude(pk=exclude_case_id)
    }
    matches = [(cases[name], faces.score_distance(distance)) for name, distance in found if name in cases]
    return matches[:limit]


def _encoding(face_print: FacePrint):
    return faces.encoding_from_bytes(bytes(face_print.encoding))


def _forget_if_closed(case_id: int) -> bool:
    """A case found while its photos were being analysed keeps no face print: forget them again."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None or case.is_active:
        return False
    forget_case_faces(case)
    return True
