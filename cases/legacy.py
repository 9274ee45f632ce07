"""Import from the old Sachet (the Flask/SQLAlchemy app): its `missing_child` and `sighting` tables become cases and
sightings, with their references kept so printed posters and QR codes keep working.

Decisions (README "Partners"):
- A row is read with the database's own driver (sqlite3 or psycopg), so the command needs no SQLAlchemy.
- References: `report_id` is the case's reference (the old format is Sachet's); a second row with the same
  report_id is skipped and reported. The case remembers its origin (source_domain "sachet-v1").
- Ages that are not 0-17 ("abc", 25, -1) are not changed into something else: the case is imported with its age
  unknown and a staff note saying what the old value was, for staff to check.
- 0/0 coordinates (the old app's "unknown"), or none, or off the Earth: the place is looked up by the geocoding
  task like a new report's. Descriptions and names lose any HTML (tags removed, entities decoded).
- Photos (a file name under the old `static/uploads/photos/`, or a Cloudinary URL) and voice notes
  (`static/uploads/audio/`) go through the upload checks (media.images, media.audio: real images and recordings
  only, metadata stripped); a file that is missing or refused is reported and the case imported without it.
- Statuses: active/missing -> missing, found/resolved/reunited -> found, closed/inactive/cancelled -> closed
  (anything else: missing, with a staff note). The old app published every report, so cases count as verified by
  "import" with the old form's consent (version 2026-11) at their report date; no alert is sent again.
- Sightings are staff information (not published), keyed by report, time, place and text so a re-run adds none.
- Idempotent: a second run changes nothing (fields compared, files only added when missing).
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone as dt_timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags

from media.audio import InvalidVoiceNote, validate_voice_note
from media.images import InvalidPhoto, normalise_photo
from media.storage import StorageUnavailable, fetch_url
from sachet.phones import normalise_or_blank

from . import services
from .models import REFERENCE_REGEX, Case, CaseNote, Sighting, StatusChange, Verification, VerificationMethod

logger = logging.getLogger(__name__)

SOURCE = "sachet-v1"
LEGACY_CONSENT_VERSION = "2026-11"
NOT_GIVEN = "Not given"
STATUSES = {"active": "missing", "missing": "missing", "open": "missing", "found": "found", "resolved": "found",
            "reunited": "found", "closed": "closed", "inactive": "closed", "cancelled": "closed",
            "canceled": "closed"}
GENDERS = {"male": "male", "m": "male", "boy": "male", "female": "female", "f": "female", "girl": "female"}
CASE_COLUMNS = ("report_id", "name", "age", "gender", "last_seen_location", "location_subcategory", "last_seen_lat",
                "last_seen_lng", "description", "photo_filename", "audio_filename", "emergency_contact",
                "date_reported", "status")
SIGHTING_COLUMNS = ("report_id", "location", "latitude", "longitude", "description", "reporter_phone",
                    "photo_filename", "face_match_score", "sighting_time")


class OldDatabaseError(ValueError):
    """The old database cannot be opened or lacks its tables."""


@dataclass
class Summary:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    sightings_imported: int = 0
    sightings_unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # files not imported, with why
    flagged: list[str] = field(default_factory=list)


# --- reading the old database ----------------------------------------------------------------------------------

def read_rows(database_url: str, table: str, columns: tuple[str, ...]) -> list[dict]:
    """Every row of an old table as dicts, oldest first where the table has a date."""
    order = {"missing_child": "date_reported", "sighting": "sighting_time"}[table]
    query = f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}"
    scheme = urlsplit(database_url).scheme
    try:
        if scheme == "sqlite":
            path = database_url.split(":///", 1)[1] if ":///" in database_url else ""
            if not path or not Path(path).exists():
                raise OldDatabaseError(f"No SQLite database at {path or database_url!r}")
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            error_types: tuple = (sqlite3.Error,)
        elif scheme in ("postgres", "postgresql"):
            connection = psycopg.connect(database_url.replace("postgres://", "postgresql://", 1), connect_timeout=10)
            error_types = (psycopg.Error,)
        else:
            raise OldDatabaseError("The database URL must start with sqlite:/// or postgresql://")
    except (sqlite3.Error, psycopg.Error, OSError) as error:
        raise OldDatabaseError(f"Cannot open the old database: {error}") from None
    try:
        cursor = connection.cursor()
        cursor.execute(query)
        return [dict(zip(columns, row)) for row in cursor.fetchall()]
    except error_types as error:
        raise OldDatabaseError(f"Cannot read the old table {table}: {error}") from None
    finally:
        connection.close()


# --- cleaning values ---------------------------------------------------------------------------------------------

_SCRIPTS = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def plain(value) -> str:
    """Text without HTML (scripts and styles with their content, other tags, entities), one line per paragraph."""
    text = html.unescape(strip_tags(_SCRIPTS.sub(" ", str(value or ""))))
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def child_age(value) -> tuple[int | None, str]:
    text = str(value).strip() if value is not None else ""
    if re.fullmatch(r"\d{1,2}(\.0+)?", text) and 0 <= int(float(text)) <= 17:
        return int(float(text)), ""
    return None, f"The old record's age was {text!r}, not a child's age (0-17): imported as unknown, please check."


def point(lat, lng) -> tuple[Decimal | None, Decimal | None]:
    try:
        lat_d, lng_d = Decimal(str(lat)), Decimal(str(lng))
    except (InvalidOperation, ValueError, TypeError):
        return None, None
    if lat_d == 0 and lng_d == 0 or not (-90 <= lat_d <= 90 and -180 <= lng_d <= 180):
        return None, None
    return lat_d.quantize(Decimal("0.000001")), lng_d.quantize(Decimal("0.000001"))


def moment(value) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = parse_datetime(str(value or "").strip().replace(" ", "T", 1))
        except ValueError:
            parsed = None
    if parsed is None:
        return None
    # The old app stored naive UTC times.
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=dt_timezone.utc)


# --- files --------------------------------------------------------------------------------------------------------

def _file(name: str, *, folder: str, media_dir: Path | None, photo_hosts: tuple[str, ...]) -> tuple[bytes, str]:
    """The bytes and base name of an old photo or voice note; raises FileNotFoundError / StorageUnavailable."""
    name = (name or "").strip()
    if name.startswith(("http://", "https://")):
        host = urlsplit(name).netloc
        if host not in photo_hosts:
            raise StorageUnavailable(f"not fetched: {host} is not one of {', '.join(photo_hosts)}")
        return fetch_url(name, max_bytes=settings.PHOTO_MAX_BYTES), Path(urlsplit(name).path).name or "photo"
    if media_dir is None:
        raise FileNotFoundError("no --media-dir given")
    base = Path(name).name  # never outside the folder
    path = media_dir / folder / base
    if not base or not path.is_file():
        raise FileNotFoundError(f"{folder}/{base} not found")
    return path.read_bytes(), base


def _photo(name: str, label: str, summary: Summary, **where):
    return _media(name, label, summary, folder="photos", what="photo", validate=normalise_photo,
                  invalid=InvalidPhoto, **where)


def _voice(name: str, label: str, summary: Summary, **where):
    return _media(name, label, summary, folder="audio", what="voice note", validate=validate_voice_note,
                  invalid=InvalidVoiceNote, **where)


def _media(name: str, label: str, summary: Summary, *, folder: str, what: str, validate, invalid, **where):
    """The old app's file, through the same validation as an upload; None (and a line in the summary) when it
    cannot be had or is not what it should be."""
    if not name:
        return None
    try:
        data, base = _file(name, folder=folder, **where)
        return validate(SimpleUploadedFile(base, data))
    except (FileNotFoundError, StorageUnavailable, invalid, OSError) as error:
        summary.files.append(f"{label}: {what} {name!r} not imported ({error})")
        return None


# --- the import ----------------------------------------------------------------------------------------------------

def import_old_sachet(database_url: str, *, media_dir: Path | None = None,
                      photo_hosts: tuple[str, ...] = ("res.cloudinary.com",), progress=None) -> Summary:
    cases = read_rows(database_url, "missing_child", CASE_COLUMNS)
    sightings = read_rows(database_url, "sighting", SIGHTING_COLUMNS)
    summary = Summary()
    where = {"media_dir": media_dir, "photo_hosts": photo_hosts}
    seen: set[str] = set()
    total, done = len(cases) + len(sightings), 0
    for row in cases:
        reference = str(row["report_id"] or "").strip().upper()
        if reference in seen:
            summary.skipped.append(f"{reference}: a second row with this report_id (the first one was imported)")
        else:
            seen.add(reference)
            _one(summary, f"case {reference}", lambda: _case(row, reference, summary, where))
        done += 1
        if progress:
            progress(done, total)
    for row in sightings:
        reference = str(row["report_id"] or "").strip().upper()
        _one(summary, f"sighting of {reference}", lambda: _sighting(row, reference, summary, where))
        done += 1
        if progress:
            progress(done, total)
    logger.info("old sachet import: %s imported, %s updated, %s unchanged, %s sightings, %s skipped",
                summary.imported, summary.updated, summary.unchanged, summary.sightings_imported,
                len(summary.skipped))
    return summary


def _one(summary: Summary, label: str, work) -> None:
    try:
        with transaction.atomic():
            work()
    except (ValueError, IntegrityError) as error:
        summary.skipped.append(f"{label}: {error}")


def _case(row: dict, reference: str, summary: Summary, where: dict) -> None:
    if not re.fullmatch(REFERENCE_REGEX, reference):
        raise ValueError(f"report_id {row['report_id']!r} is not a Sachet reference (MC + date + 8 hex)")
    name = plain(row["name"])[:120]
    if not name:
        raise ValueError("no name")
    age, age_note = child_age(row["age"])
    latitude, longitude = point(row["last_seen_lat"], row["last_seen_lng"])
    reported = moment(row["date_reported"]) or timezone.now()
    status_text = str(row["status"] or "").strip().lower()
    status = STATUSES.get(status_text, "missing")
    fields = dict(
        name=name, age=age, gender=GENDERS.get(str(row["gender"] or "").strip().lower(), "other"),
        description=plain(row["description"]), last_seen_place=plain(row["last_seen_location"])[:255] or NOT_GIVEN,
        last_seen_specific=plain(row["location_subcategory"])[:255], contact_phone=normalise_or_blank(row["emergency_contact"]),
    )
    existing = Case.objects.filter(reference=reference).first()
    if existing is not None:
        if existing.source_domain != SOURCE:
            raise ValueError("this reference is already a case of this site (not imported): left as it is")
        _update(existing, fields, latitude, longitude, status, row, summary, where)
        return
    photo = _photo(row["photo_filename"], reference, summary, **where)
    voice = _voice(row["audio_filename"], reference, summary, **where)
    case = services.report_case(
        **fields, latitude=latitude, longitude=longitude, last_seen_at=min(reported, timezone.now()),
        contact_name="Family", photo=photo, voice_note=voice, announce=False, source_domain=SOURCE,
        source_record=str(row["report_id"]).strip(),
    )
    if latitude is not None:  # a point from the old app is a looked-up place, not one marked on a map
        Case.objects.filter(pk=case.pk).update(geocoding="found", location_precision="")
    Case.objects.filter(pk=case.pk).update(
        reference=reference, created_at=reported, verification=Verification.VERIFIED,
        verification_method=VerificationMethod.IMPORT, verification_at=reported, consent_at=reported,
        consent_version=LEGACY_CONSENT_VERSION, consent_given_by="Family",
        resolved_at=None if status == "missing" else timezone.now(), status=status,
    )
    StatusChange.objects.filter(case=case).update(changed_at=reported, note="Imported from the old Sachet")
    if status != "missing":
        StatusChange.objects.create(case=case, from_status="missing", to_status=status,
                                    note=f"Imported from the old Sachet as {status_text!r}")
    notes = [note for note in (
        age_note,
        f"The old record's status {status_text!r} is not known: imported as missing, please check."
        if status_text not in STATUSES else "",
        "The old record's emergency contact is not a valid phone number: please add one."
        if not fields["contact_phone"] else "",
    ) if note]
    if notes:
        CaseNote.objects.create(case=case, text=" ".join(notes))
        summary.flagged.append(f"{reference}: {' '.join(notes)}")
    summary.imported += 1


def _update(case: Case, fields: dict, latitude, longitude, status: str, row: dict, summary: Summary,
            where: dict) -> None:
    if case.erased_at is not None:
        summary.unchanged += 1  # erased since: never brought back
        return
    if latitude is not None:
        fields = {**fields, "latitude": latitude, "longitude": longitude}
    files = ()
    if not case.photo:
        photo = _photo(row["photo_filename"], case.reference, summary, **where)
        if photo is not None:
            case.photo.save(photo.name, photo, save=False)
            files = ("photo",)
    if services.update_case(case=case, fields=fields, files=files):
        summary.updated += 1
    else:
        summary.unchanged += 1


def _sighting(row: dict, reference: str, summary: Summary, where: dict) -> None:
    case = Case.objects.filter(reference=reference).first()
    if case is None:
        raise ValueError("no case with this report_id")
    seen = moment(row["sighting_time"])
    if seen is None:
        raise ValueError(f"sighting_time {row['sighting_time']!r} is not a time")
    description = plain(row["description"])
    place = plain(row["location"])[:255] or NOT_GIVEN
    digest = hashlib.sha256(f"{place}\x1f{description}".encode()).hexdigest()[:16]
    record = f"{reference}/{seen:%Y%m%dT%H%M%S}/{digest}"
    if Sighting.objects.filter(source_domain=SOURCE, source_record=record).exists():
        summary.sightings_unchanged += 1
        return
    latitude, longitude = point(row["latitude"], row["longitude"])
    photo = _photo(row["photo_filename"], f"sighting of {reference}", summary, **where)
    sighting = services.record_sighting(
        case=case, place=place, seen_at=min(seen, timezone.now()), description=description or NOT_GIVEN,
        latitude=latitude, longitude=longitude, photo=photo, reporter_phone=normalise_or_blank(row["reporter_phone"]),
        source_domain=SOURCE, source_record=record, announce=False,
    )
    score = _score(row["face_match_score"])
    if score is not None:
        Sighting.objects.filter(pk=sighting.pk).update(face_match_score=score)
    summary.sightings_imported += 1


def _score(value) -> int | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    number = number * 100 if 0 <= number <= 1 else number
    return round(number) if 0 <= number <= 100 else None


def iter_summary(summary: Summary) -> Iterator[str]:
    yield (f"Cases: {summary.imported} imported, {summary.updated} updated, {summary.unchanged} unchanged. "
           f"Sightings: {summary.sightings_imported} imported, {summary.sightings_unchanged} unchanged. "
           f"Skipped: {len(summary.skipped)}. Files not imported: {len(summary.files)}. "
           f"Flagged for staff: {len(summary.flagged)}.")
    for title, lines in (("Skipped", summary.skipped), ("Files not imported", summary.files),
                         ("Flagged for staff (a note on the case)", summary.flagged)):
        if lines:
            yield f"{title}:"
            yield from (f"  {line}" for line in lines)
