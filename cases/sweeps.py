"""Work that was scheduled after a commit but never done, found again: the photo analysis, the poster and the
place of a report whose task could not be queued (the broker was down) or was dropped by a worker.

Alerts have their outbox; this is the same guarantee for the rest, read from the rows themselves: a photo without
a face print, a poster that does not show the case as it is now (places still pending: tasks.requeue_pending_geocoding). Each finder looks only at
rows changed within SWEEP_WINDOW_DAYS and older than SWEEP_AFTER_MINUTES (the normal task had its chance), and
returns at most `limit` ids; the tasks they feed are idempotent, so finding a row twice does no harm.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from media import matching

from .models import Case, FoundChild, FoundChildPhoto, Sighting, Verification


def _window(field: str) -> Q:
    now = timezone.now()
    return Q(**{f"{field}__lt": now - timedelta(minutes=settings.SWEEP_AFTER_MINUTES),
                f"{field}__gte": now - timedelta(days=settings.SWEEP_WINDOW_DAYS)})


def cases_without_faces(*, limit: int) -> list[int]:
    """Missing children whose photo has not been analysed."""
    rows = (Case.objects.filter(_window("created_at"), status=Case.Status.MISSING, merged_into__isnull=True)
            .exclude(photo="").annotate(**matching.face_status_annotations("photo")).filter(face_status__isnull=True))
    return list(rows.order_by("created_at").values_list("pk", flat=True)[:limit])


def sightings_without_faces(*, limit: int) -> list[int]:
    """Sightings of missing children whose photo has not been analysed."""
    rows = (Sighting.objects.filter(_window("created_at"), case__status=Case.Status.MISSING).exclude(photo="")
            .annotate(**matching.face_status_annotations("photo")).filter(face_status__isnull=True))
    return list(rows.order_by("created_at").values_list("pk", flat=True)[:limit])


def found_children_without_faces(*, limit: int) -> list[int]:
    """Open found children with a photo that has not been analysed."""
    photos = (FoundChildPhoto.objects.filter(_window("created_at"), found_child__duplicate_of__isnull=True)
              .exclude(found_child__status=FoundChild.Status.REUNITED).exclude(photo="")
              .annotate(**matching.face_status_annotations("photo")).filter(face_status__isnull=True))
    return sorted(set(photos.values_list("found_child_id", flat=True)[:limit]))


def stale_posters(*, limit: int) -> list[int]:
    """Cases whose public state has a poster, without a stored poster that shows the case as it is now."""
    shown_since = timezone.now() - timedelta(days=settings.PUBLIC_PHOTO_DAYS_AFTER_FOUND)
    rows = (Case.objects.filter(_window("updated_at"), erased_at__isnull=True,
                                status__in=[Case.Status.MISSING, Case.Status.FOUND])
            .exclude(verification=Verification.REJECTED)
            .exclude(status=Case.Status.FOUND, resolved_at__lt=shown_since)
            .filter(Q(poster="") | Q(poster_of__isnull=True) | ~Q(poster_of=F("updated_at"))))
    return list(rows.order_by("updated_at").values_list("pk", flat=True)[:limit])

