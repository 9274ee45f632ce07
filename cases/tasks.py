"""The cases app's Celery tasks: thin wrappers that take ids, load, and call the services in faces, posters and geo.

Each is safe to run twice. Face and poster tasks retry storage and database outages with backoff (media's
RETRY_OPTIONS); geocoding retries an unavailable provider, then leaves the row pending for the beat sweep below and
`manage.py geocode_pending`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import models

from geocoding.providers import ProviderUnavailable
from media.tasks import RETRY_OPTIONS

from . import alerts, faces, found, geo, posters, retention, sweeps
from .models import Case, FoundChild, Geocoding, Sighting

logger = logging.getLogger(__name__)


# --- Faces -----------------------------------------------------------------------------------------------------


@shared_task(**RETRY_OPTIONS, soft_time_limit=120, time_limit=150)
def analyse_case_photo(case_id: int, refresh: bool = False) -> str | None:
    """Analyse an open case's photo (again, with refresh); the face status, or None when there is none."""
    return faces.analyse_case_photo(case_id, refresh=refresh)


@shared_task(**RETRY_OPTIONS, soft_time_limit=60, time_limit=90)
def rematch_case(case_id: int) -> int:
    """Analyse the case photo again, then match each of its sightings again; how many sightings were queued."""
    sighting_ids = faces.sightings_to_rematch(case_id)
    for sighting_id in sighting_ids:
        match_sighting.delay(sighting_id)
    reunite_case.delay(case_id)  # the photo was analysed just now: search it in both directions
    return len(sighting_ids)


@shared_task(**RETRY_OPTIONS, soft_time_limit=120, time_limit=150)
def match_sighting(sighting_id: int) -> str | None:
    """Score a sighting's photo against its case and every open case; the verdict, None when not matched."""
    return faces.match_sighting(sighting_id)


@shared_task(**RETRY_OPTIONS, soft_time_limit=180, time_limit=210)
def reunite_case(case_id: int, refresh: bool = False) -> int | None:
    """Analyse a missing case's photo (if not yet), search it against found children, other cases' sightings and
    other cases, and look for the same child reported twice; how many candidates."""
    return faces.reunite_case(case_id, refresh=refresh)


@shared_task(**RETRY_OPTIONS, soft_time_limit=180, time_limit=210)
def reunite_found_child(found_child_id: int) -> int | None:
    """Analyse a found child's photos and search them (and the name the child gave) against open cases and other
    found children; how many candidates."""
    return found.reunite(found_child_id)


# --- Posters ---------------------------------------------------------------------------------------------------


@shared_task(**RETRY_OPTIONS, soft_time_limit=60, time_limit=90)
def generate_poster(case_id: int, force: bool = False) -> str | None:
    """Render and store the case's poster; the stored file's name ("" for a closed case), None for no case."""
    return posters.make_poster(case_id, force=force)


# --- Geocoding -------------------------------------------------------------------------------------------------


@shared_task(bind=True, acks_late=True, max_retries=settings.GEOCODE_TASK_MAX_RETRIES)
def geocode_case(self, case_id: int) -> str:
    """Fill a reported case's coordinates from its last-seen place, unless someone gave them; then its area
    subscribers can be told."""
    result = _locate(self, Case, case_id)
    if result == geo.FOUND:
        alerts.case_located(case_id)
    return result


@shared_task(bind=True, acks_late=True, max_retries=settings.GEOCODE_TASK_MAX_RETRIES)
def geocode_sighting(self, sighting_id: int) -> str:
    """Fill a sighting's coordinates from its place text, unless someone gave them."""
    return _locate(self, Sighting, sighting_id)


@shared_task(bind=True, acks_late=True, max_retries=settings.GEOCODE_TASK_MAX_RETRIES)
def geocode_found_child(self, found_child_id: int) -> str:
    """Fill a found child's coordinates from the place text, then search again (places are evidence)."""
    result = _locate(self, FoundChild, found_child_id)
    if result == geo.FOUND:
        reunite_found_child.delay(found_child_id)
    return result


@shared_task(acks_late=True)
def requeue_pending_geocoding(older_than_minutes: int = 10, batch: int = 200) -> int:
    """Beat job: places still pending after a broker outage or exhausted retries are looked up again, in bounded
    batches (the Nominatim limit still spaces the look-ups)."""
    queued = 0
    for model, task in ((Case, geocode_case), (Sighting, geocode_sighting), (FoundChild, geocode_found_child)):
        ids = geo.pending_ids(model, older_than=timedelta(minutes=older_than_minutes), limit=batch)
        for pk in ids:
            task.delay(pk)
        queued += len(ids)
    if queued:
        logger.info("geocoding re-queued %d pending place(s)", queued)
    return queued


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def sweep_unfinished_work(batch: int = 100) -> dict[str, int]:
    """Beat job: photos never analysed and posters never made (the broker was down when they were scheduled, or a
    worker dropped the task) are queued again, `batch` of each kind per run (cases.sweeps)."""
    queued = {
        "case_faces": _queue(reunite_case, sweeps.cases_without_faces(limit=batch)),
        "sighting_faces": _queue(match_sighting, sweeps.sightings_without_faces(limit=batch)),
        "found_child_faces": _queue(reunite_found_child, sweeps.found_children_without_faces(limit=batch)),
        "posters": _queue(generate_poster, sweeps.stale_posters(limit=batch)),
    }
    if any(queued.values()):
        logger.info("sweep re-queued unfinished work %s", queued)
    return queued


def _queue(task, ids: list[int]) -> int:
    for pk in ids:
        task.delay(pk)
    return len(ids)


@shared_task(acks_late=True)
def send_area_reminders() -> int:
    """Beat job: "still missing" reminders to the wider circle of subscribers at 24 h and 72 h."""
    return alerts.send_area_reminders()


def _locate(task, model: type[models.Model], pk: int) -> str:
    try:
        return geo.locate(model, pk)
    except ProviderUnavailable as error:
        # In-process (no broker) a retry would run at once and hold up the request: leave it to the command.
        if task.request.is_eager or task.request.retries >= task.max_retries:
            logger.warning("geocoding %s %s left pending: %s", model.__name__.lower(), pk, error)
            return Geocoding.PENDING
        raise task.retry(countdown=geo.retry_delay(task.request.retries, error.retry_after)) from error


# --- Retention -------------------------------------------------------------------------------------------------


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def apply_retention(batch: int = retention.BATCH) -> dict[str, int]:
    """Beat job (hourly): erase the personal data of cases past RETENTION_DAYS_AFTER_FOUND and withdraw the posters
    of cases past PUBLIC_PHOTO_DAYS_AFTER_FOUND, `batch` of each at a time; a full batch queues the next run at
    once. Safe to run twice: an erased case or a withdrawn poster is not touched again."""
    erased = 0
    for case_id in retention.due_for_erasure(limit=batch):
        case = Case.objects.filter(pk=case_id).first()
        if case is not None and retention.erase_personal_data(case=case, by=None) is not None:
            erased += 1
    withdrawn = retention.posters_to_withdraw(limit=batch)
    for case_id in withdrawn:
        posters.make_poster(case_id)
    if erased or withdrawn:
        logger.info("retention: erased %d case(s), withdrew %d poster(s)", erased, len(withdrawn))
    if erased >= batch or len(withdrawn) >= batch:
        apply_retention.delay(batch)
    return {"erased": erased, "posters_withdrawn": len(withdrawn)}
