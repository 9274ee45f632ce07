"""The verbs of the media app for stored files: analyse the faces in a photo, forget them, search a group of
photos for a face, and delete files. Photos are known by their storage name; callers say which group a photo
belongs to ("case", "sighting"), and media never learns what a case is. Other apps match faces through
`media.matching`, the public API built on these.
"""

from __future__ import annotations

import ctypes
import io
import logging
import threading
import time
import uuid
from collections.abc import Iterable
from datetime import timedelta

import numpy as np
from django.core.cache import cache
from django.core.files.storage import Storage, default_storage
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from PIL import ExifTags, Image, UnidentifiedImageError

from . import faces
from .face_index import FaceIndex
from .models import ENCODING_BYTES, FacePrint, FacePrintDeletion
from .storage import StorageUnavailable, storage_kind

logger = logging.getLogger(__name__)

_WITH_FACE = (FacePrint.Status.ONE_FACE, FacePrint.Status.SEVERAL_FACES)


class PhotoMissing(Exception):
    """The stored photo is gone (deleted with its case, or never saved): there is nothing to analyse."""


# --- Analysing and forgetting --------------------------------------------------------------------------------


def analyse_stored_photo(*, name: str, group: str, chosen_face: int | None = None,
                         storage: Storage | None = None) -> FacePrint:
    """Find every face in a stored photo and keep the result, replacing an earlier analysis of the same file.

    `chosen_face` names the one face the photo is about (see FacePrint.chosen_face); None keeps the earlier
    choice. A choice beyond the faces found falls back to the largest face. Safe to run twice. Raises
    PhotoMissing when the file is gone, StorageUnavailable when it cannot be read now. Reading and analysing
    (~0.3 s, ~80 ms more per extra face) happen before the short transaction that stores the row.
    """
    data = _read(storage or default_storage, name)
    try:
        analysis = faces.analyse_photo(data)
    except faces.UnreadablePhoto:
        values = {"status": FacePrint.Status.UNREADABLE, "face_count": 0, "boxes": None, "encodings": None,
                  "width": None, "height": None}
    else:
        width, height = _upright_size(data)
        values = {
            "status": analysis.status,
            "face_count": analysis.face_count,
            "boxes": [list(box) for box in analysis.boxes] or None,
            "encodings": faces.encodings_to_bytes(analysis.encodings) if analysis.encodings else None,
            "width": width,
            "height": height,
        }
    with transaction.atomic():
        if chosen_face is None:
            chosen_face = FacePrint.objects.filter(photo_name=name).values_list("chosen_face", flat=True).first()
        kept = len(values["boxes"] or ())
        values["chosen_face"] = None if not kept or chosen_face is None else (chosen_face if chosen_face < kept else 0)
        face_print, _ = FacePrint.objects.update_or_create(
            photo_name=name, defaults={**values, "group": group, "analysed_at": timezone.now()}
        )
        _changed(group)
    logger.info("photo analysed group=%s print=%s status=%s faces=%d", group, face_print.pk, face_print.status,
                face_print.face_count)
    return face_print


def choose_face(*, name: str, face: int | None) -> FacePrint | None:
    """Say which face an analysed photo is about (None: every face); only that face is compared and searched
    from now on. The print, or None when the photo has not been analysed. Raises ValueError for a face that is
    not in the photo."""
    with transaction.atomic():
        face_print = FacePrint.objects.select_for_update().filter(photo_name=name).first()
        if face_print is None:
            return None
        if face is not None and not 0 <= face < face_print.kept_faces:
            raise ValueError(f"the photo has {face_print.kept_faces} face(s); there is no face {face}")
        if face_print.chosen_face != face:
            face_print.chosen_face = face
            face_print.analysed_at = timezone.now()  # every process's index reads rows changed since its last look
            face_print.save(update_fields=["chosen_face", "analysed_at"])
            _changed(face_print.group)
    return face_print


def analysed_photo(*, name: str, group: str, chosen_face: int | None = None,
                   storage: Storage | None = None) -> FacePrint:
    """The stored analysis of a photo, analysing it first if there is none; `chosen_face` as in
    analyse_stored_photo (a face the photo does not have falls back to the largest)."""
    existing = FacePrint.objects.filter(photo_name=name).first()
    if existing is None:
        return analyse_stored_photo(name=name, group=group, chosen_face=chosen_face, storage=storage)
    if chosen_face is not None and existing.has_face:
        wanted = chosen_face if chosen_face < existing.kept_faces else 0
        if existing.chosen_face != wanted:
            return choose_face(name=name, face=wanted) or existing
    return existing


def forget_photos(names: Iterable[str]) -> int:
    """Delete what is known of these photos' faces (privacy: a found child's face is not kept). How many."""
    names = sorted({name for name in names if name})
    if not names:
        return 0
    now = timezone.now()
    with transaction.atomic():
        prints = FacePrint.objects.filter(photo_name__in=names)
        gone = list(prints.values_list("photo_name", "group"))
        deleted, _ = prints.delete()
        FacePrintDeletion.objects.bulk_create(
            FacePrintDeletion(photo_name=name, group=group, deleted_at=now) for name, group in gone
        )
        FacePrintDeletion.objects.filter(deleted_at__lt=now - _KEEP_DELETIONS).delete()
        for group in {group for _, group in gone}:
            _changed(group)
    return deleted


def delete_files(files: Iterable[tuple[Storage, str]]) -> int:
    """Delete stored files (each from its own storage) and forget their faces; how many files were deleted.

    Call after the rows that named them are gone (after commit). A storage that cannot be reached now gets the
    deletion retried by a task, so no photo of a deleted case is left behind for long.
    """
    from .tasks import delete_stored_file

    files = [(storage, name) for storage, name in files if name]
    forget_photos(name for _, name in files)
    deleted = 0
    for storage, name in files:
        try:
            storage.delete(name)
        except StorageUnavailable as error:
            logger.warning("file deletion postponed name=%s: %s", name, error)
            delete_stored_file.delay(name, storage_kind(storage))
            continue
        deleted += 1
    return deleted


# --- 1:N search ----------------------------------------------------------------------------------------------


def search_group(
    encoding: np.ndarray, group: str, max_distance: float | None, limit: int | None
) -> list[tuple[tuple[str, int], float]]:
    """The faces of a group nearest to this encoding, as ((photo name, face index), distance), nearest first.
    A photo with a chosen face is searched on that face only."""
    return _index_for(group).search(encoding, max_distance=max_distance, limit=limit)


# Every process keeps one in-memory index per group. Writers change a token in the cache after they commit; a
# search that sees the token it synced at costs one cache read. Otherwise it applies the deletions logged and the
# rows analysed since its last sync (two small indexed queries, ~1 ms). Every _CHECK_AFTER seconds it also compares
# the count of prints with its own (~13 ms at 100,000 rows in SQLite): only a difference (a deletion older than the
# log keeps, a row committed very late) makes it read every name of the group. The periodic check also covers a
# cache of its own per process (no Redis), where other processes' tokens are never seen.
_CHECK_AFTER = 30.0
# Rows and deletions are read from a little before the newest already seen, so a transaction that committed late
# or a worker whose clock is a little behind is still picked up. Reading a row twice is harmless.
_OVERLAP = timedelta(seconds=60)
_KEEP_DELETIONS = timedelta(days=1)


def _version_key(group: str) -> str:
    return f"media:faceprints:{group}:version"


def _changed(group: str) -> None:
    """After commit, tell every process that the group's prints changed (a fresh token, never a reused number)."""
    transaction.on_commit(lambda: cache.set(_version_key(group), uuid.uuid4().hex, None), robust=True)


class _GroupIndex:
    """One group's faces in memory, keyed by (photo name, face index)."""

    def __init__(self, group: str):
        self.group = group
        self.index = FaceIndex()
        self.faces_of: dict[str, tuple[int, ...]] = {}  # photo name -> the face indexes in the index
        self.version: str | None = None
        self.checked_at = -float("inf")
        self.newest = None  # the latest analysed_at loaded
        self.deletions_since = None  # deletions logged from this time on are still to be read
        self.lock = threading.Lock()  # FaceIndex is not thread-safe; eager tasks run in web threads

    def search(self, encoding, *, max_distance, limit):
        with self.lock:
            self.sync()
            return self.index.search(encoding, max_distance=max_distance, limit=limit)

    def sync(self) -> None:
        # The token is read before the rows: a change committed after this read sets a new token, so it is
        # seen by the next search at the latest.
        version = cache.get(_version_key(self.group))
        check_due = time.monotonic() - self.checked_at >= _CHECK_AFTER
        if version is not None and version == self.version and not check_due:
            return
        rows = FacePrint.objects.filter(group=self.group)
        if self.newest is None:
            self._load_all(rows)
            _release_freed_memory()
        else:
            # Deletions first, then rows as they are now: a photo forgotten and analysed again stays.
            deletions = FacePrintDeletion.objects.filter(group=self.group, deleted_at__gte=self.deletions_since)
            for name, deleted_at in deletions.values_list("photo_name", "deleted_at"):
                self._remove(name)
                self.deletions_since = max(self.deletions_since, deleted_at - _OVERLAP)
            self._load(rows.filter(analysed_at__gte=self.newest - _OVERLAP))
        if time.monotonic() - self.checked_at >= _CHECK_AFTER:  # not right after a first load
            self._check(rows)
        self.version = version

    def _check(self, rows) -> None:
        with_face = rows.filter(status__in=_WITH_FACE)
        if with_face.count() != len(self.faces_of):
            present = set(with_face.values_list("photo_name", flat=True))
            for name in set(self.faces_of) - present:
                self._remove(name)
            missed = present - set(self.faces_of)  # committed late, behind the overlap: rare and few
            if len(missed) > 500:
                self._load_all(rows)
            elif missed:
                self._load(rows.filter(photo_name__in=missed))
        self.checked_at = time.monotonic()

    def _load_all(self, rows) -> None:
        self.deletions_since = timezone.now() - _OVERLAP
        with_face = rows.filter(status__in=_WITH_FACE)
        # Read before the rows, so that no row analysed meanwhile is left behind the watermark.
        newest = with_face.aggregate(newest=Max("analysed_at"))["newest"]
        keys, faces_of, blobs = [], {}, []
        add_key, add_blob = keys.append, blobs.append

        def take(chunk) -> None:
            for name, encodings, chosen in chunk:
                if len(encodings) == ENCODING_BYTES and not chosen:  # most photos: one face (or the first chosen)
                    add_key((name, 0))
                    faces_of[name] = _FIRST_FACE
                    add_blob(encodings)
                    continue
                indexes, data = _matched(encodings, chosen)
                faces_of[name] = indexes
                keys.extend((name, face) for face in indexes)
                add_blob(data)

        # Without analysed_at: converting 100,000 timestamps took as long as reading the rows.
        _read_in_chunks(with_face.values_list("photo_name", "encodings", "chosen_face"), take)
        # One conversion of all encodings at once: 100,000 rows load in about half a second.
        matrix = np.frombuffer(b"".join(blobs), dtype="<f4").reshape(-1, faces.ENCODING_SIZE)
        del blobs
        self.index = FaceIndex.from_matrix(keys, matrix)
        del matrix
        self.faces_of = faces_of
        self.newest = newest or self.deletions_since  # an empty group: later rows are all newer than this
        self.checked_at = time.monotonic()

    def _load(self, rows) -> None:
        for name, encodings, chosen, analysed_at in rows.values_list("photo_name", "encodings", "chosen_face",
                                                                     "analysed_at"):
            self.newest = max(self.newest, analysed_at)
            self._remove(name)
            if encodings is not None:
                indexes, data = _matched(encodings, chosen)
                matrix = np.frombuffer(data, dtype="<f4").reshape(-1, faces.ENCODING_SIZE)
                for face, encoding in zip(indexes, matrix):
                    self.index.add((name, face), encoding)
                self.faces_of[name] = indexes

    def _remove(self, name: str) -> None:
        for face in self.faces_of.pop(name, ()):
            self.index.remove((name, face))


_FIRST_FACE = (0,)
_CHUNK = 5000


def _read_in_chunks(rows, take) -> None:
    """Hand the rows of a values_list query to `take` a chunk at a time. PostgreSQL sends bytea as hex text unless
    asked for binary (twice the bytes, decoded in Python): there a binary server-side cursor reads them, which made
    the first load of 100,000 prints ~25 % faster (bench/reunite.py)."""
    if connection.vendor != "postgresql":
        take(rows.iterator(chunk_size=_CHUNK))
        return
    sql, params = rows.query.sql_with_params()
    with transaction.atomic():  # a server-side cursor lives in a transaction
        connection.ensure_connection()
        with connection.connection.cursor(name=f"faceprints_{uuid.uuid4().hex}", binary=True) as cursor:
            cursor.itersize = _CHUNK
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(_CHUNK):
                take(chunk)


def _release_freed_memory() -> None:
    """Give the heap freed after a full load (the rows read: as much again as the index) back to the system, so a
    worker's memory is the index's, not its high-water mark: 100,000 prints took 130 MB of RSS without this,
    90 MB with it (bench/reunite.py). glibc only; elsewhere a no-op."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _matched(encodings, chosen: int | None) -> tuple[tuple[int, ...], bytes]:
    """The face indexes a stored print is searched on, and their encodings' bytes: the chosen face, or all."""
    data = bytes(encodings)
    count = len(data) // ENCODING_BYTES
    if chosen is not None and chosen < count:
        return (chosen,), data[chosen * ENCODING_BYTES:(chosen + 1) * ENCODING_BYTES]
    return tuple(range(count)), data


_indexes: dict[str, _GroupIndex] = {}
_indexes_lock = threading.Lock()


def reset_face_indexes() -> None:
    """Drop this process's in-memory indexes; the next search loads them again. For tests, whose rolled-back
    rows vanish without leaving a deletion behind."""
    with _indexes_lock:
        _indexes.clear()


def _index_for(group: str) -> _GroupIndex:
    with _indexes_lock:
        if group not in _indexes:
            _indexes[group] = _GroupIndex(group)
        return _indexes[group]


# --- Files ---------------------------------------------------------------------------------------------------


def _read(storage: Storage, name: str) -> bytes:
    try:
        with storage.open(name, "rb") as file:
            return file.read()
    except FileNotFoundError as error:
        raise PhotoMissing(f"stored photo {name} is missing") from error


def _upright_size(data: bytes) -> tuple[int, int] | tuple[None, None]:
    """The photo's size as analysed, i.e. after its EXIF orientation (read from the header, not decoded)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if image.getexif().get(ExifTags.Base.Orientation, 1) in (5, 6, 7, 8):
                width, height = height, width
            return width, height
    except (UnidentifiedImageError, OSError):
        return None, None
