"""The analytics recalculation as a Celery task: nightly from beat, and on demand from the admin's button."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from analytics.services import RecalculationRunning, recalculate

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    # A lost connection or a database restart is worth another try; any other error is a bug and fails at once.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=25 * 60,  # below the service's lock time-out, so a stuck run ends before its lock expires
    time_limit=28 * 60,
)
def recalculate_analytics() -> int | None:
    """Store a new analytics snapshot; return its id, or None when another run already holds the lock.

    Safe to run twice: each run writes one complete snapshot and the lock keeps two from running at once.
    """
    try:
        snapshot = recalculate()
    except RecalculationRunning:
        logger.info("analytics recalculation skipped: another run is in progress")
        return None
    return snapshot.pk
