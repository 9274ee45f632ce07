"""Celery tasks of the media app. They take storage names (strings), are safe to run twice, and retry only when
the storage or the database could not be reached, with backoff and jitter up to a cap."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services, uploads
from .storage import StorageUnavailable, storage_of_kind

logger = logging.getLogger(__name__)

# acks_late: a worker that dies mid-task leaves the message to be delivered again; each task is idempotent.
RETRY_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (StorageUnavailable, OperationalError, InterfaceError),
    "retry_backoff": 15,
    "retry_backoff_max": 900,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**RETRY_OPTIONS, soft_time_limit=120, time_limit=150)
def analyse_photo(name: str, group: str) -> str | None:
    """Analyse a stored photo's faces (again); the print's status, or None when the file is gone."""
    try:
        return services.analyse_stored_photo(name=name, group=group).status
    except services.PhotoMissing:
        logger.info("photo analysis skipped: the file is gone group=%s", group)
        return None


@shared_task(**RETRY_OPTIONS, soft_time_limit=60, time_limit=90)
def delete_stored_file(name: str, kind: str) -> None:
    """Delete a file whose deletion failed earlier; kind is media.storage's "image", "raw" or "video"."""
    storage_of_kind(kind).delete(name)


@shared_task(acks_late=True, soft_time_limit=300, time_limit=330)
def sweep_orphan_uploads(batch: int = 200) -> int:
    """Beat job: files stored for a row that was never written (media.uploads) are deleted after the grace period;
    a full batch queues the next run at once."""
    deleted = uploads.sweep(limit=batch)
    if deleted >= batch:
        sweep_orphan_uploads.delay(batch)
    return deleted
