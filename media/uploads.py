"""Files stored outside the database transaction: store first (no transaction open, however long the storage takes),
then write the row in a short transaction that also `claim`s the file. A file whose row never came is deleted by
`sweep` (a beat job) after UPLOAD_GRACE_MINUTES."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import DatabaseError
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .models import StoredUpload
from .storage import StorageUnavailable, storage_kind, storage_of_kind

logger = logging.getLogger(__name__)


def store(field: FieldFile, content: File) -> str:
    """Store `content` under the field's upload_to name and remember it until claimed; sets and returns the stored
    name. Call it before the transaction that writes the row (under an outer transaction, e.g. the admin's, it
    still works, only without the speed)."""
    name = field.field.generate_filename(field.instance, content.name)
    stored = field.storage.save(name, content, max_length=field.field.max_length)
    StoredUpload.objects.create(name=stored, storage=storage_kind(field.storage))
    field.name = stored
    field._committed = True
    return stored


def claim(*names: str) -> None:
    """The row pointing to these files is being written (call inside its transaction): they are no longer orphans."""
    names = [name for name in names if name]
    if names:
        StoredUpload.objects.filter(name__in=names).delete()


def discard(*names: str) -> None:
    """The row could not be written: delete its stored files now rather than at the next sweep (which still finds
    them if the database cannot be read now)."""
    try:
        for upload in StoredUpload.objects.filter(name__in=[name for name in names if name]):
            _delete(upload)
    except DatabaseError as error:
        logger.warning("uploads of a failed write left to the sweep: %s", type(error).__name__)


def sweep(*, limit: int = 200) -> int:
    """Delete the files stored more than UPLOAD_GRACE_MINUTES ago that no row claimed; how many."""
    cutoff = timezone.now() - timedelta(minutes=settings.UPLOAD_GRACE_MINUTES)
    deleted = 0
    for upload in StoredUpload.objects.filter(stored_at__lt=cutoff).order_by("stored_at")[:limit]:
        deleted += _delete(upload)
    if deleted:
        logger.info("orphan uploads deleted: %d", deleted)
    return deleted


def _delete(upload: StoredUpload) -> int:
    try:
        storage_of_kind(upload.storage).delete(upload.name)
    except StorageUnavailable as error:
        logger.warning("orphan upload not deleted now name=%s: %s", upload.name, error)
        return 0
    upload.delete()
    return 1
