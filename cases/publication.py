"""Sightings are staff information until a staff user publishes them on the case page (place, time and the
description with phone numbers, e-mail addresses and links masked); publishing and withdrawing are recorded in the
case's history."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from . import cap, pagecache
from .models import Case, CaseEvent, Sighting

logger = logging.getLogger(__name__)


@transaction.atomic
def publish_sighting(*, sighting: Sighting, by) -> bool:
    """Show the sighting on its case's public page; False when it was published already."""
    now = timezone.now()
    if not Sighting.objects.filter(pk=sighting.pk, published_at__isnull=True).update(published_at=now,
                                                                                       published_by=by):
        return False
    sighting.published_at, sighting.published_by = now, by
    pagecache.changed()
    CaseEvent.objects.create(case_id=sighting.case_id, kind=CaseEvent.Kind.SIGHTING_PUBLISHED, by=by, at=now,
                             details={"sighting": sighting.pk})
    cap.update(Case.objects.get(pk=sighting.case_id), key=f"sighting:{sighting.pk}")
    logger.info("sighting published ref=%s sighting=%s by=%s", sighting.case_id, sighting.pk, getattr(by, "pk", None))
    return True


@transaction.atomic
def unpublish_sighting(*, sighting: Sighting, by) -> bool:
    """Take the sighting off the public page; False when it was not published."""
    if not Sighting.objects.filter(pk=sighting.pk, published_at__isnull=False).update(published_at=None,
                                                                                        published_by=None):
        return False
    sighting.published_at = sighting.published_by = None
    pagecache.changed()
    CaseEvent.objects.create(case_id=sighting.case_id, kind=CaseEvent.Kind.SIGHTING_UNPUBLISHED, by=by,
                             details={"sighting": sighting.pk})
    logger.info("sighting unpublished case=%s sighting=%s by=%s", sighting.case_id, sighting.pk,
                getattr(by, "pk", None))
    return True
