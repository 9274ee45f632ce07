"""PFIF 1.4 in: persons become cases of the importing domain, notes become sightings or status changes.

Each record is taken on its own (its own transaction): an invalid one is reported with its line and the reason,
the valid ones are kept. Record ids are kept (Case/Sighting.source_record), so importing the same file again
updates what changed and adds nothing twice. A record of this site's own domain ("<PFIF_DOMAIN>/<reference>")
comes back as the case with that reference.

Imported cases are staff information: not verified, no consent recorded (PFIF carries none), so they are never
published or alerted until a Police user records a legal basis and verifies them; they send no alert on import.
Photos named by URL are not fetched (a staff note keeps the address). How notes are read:
  - author_made_contact (or PFIF 1.3's `found`) true: the child is found (a status change);
  - believed_missing on a found or closed case: missing again; on a missing case: nothing new;
  - believed_alive, or no status with a last known location: a sighting (staff publish it if they choose);
  - believed_dead: a staff note to check; information_sought and is_note_author alone: nothing to record.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone as dt_timezone

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from lxml import etree

from sachet.phones import normalise_or_blank

from .. import services
from ..models import REFERENCE_REGEX, Case, CaseNote, Sighting, StatusChange
from . import NS

logger = logging.getLogger(__name__)

RECORD_ID = re.compile(r"^[A-Za-z0-9.\-]+/\S.*$")
NOT_GIVEN = "Not given"
MAX_BYTES = 10 * 1024 * 1024


class InvalidPfif(ValueError):
    """Not a PFIF document at all (not XML, or another root)."""


class RecordError(ValueError):
    pass


@dataclass
class Problem:
    line: int
    record: str
    reason: str


@dataclass
class Result:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    sightings: int = 0
    status_changes: int = 0
    notes_unchanged: int = 0
    skipped: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "sightings": self.sightings, "status_changes": self.status_changes,
                "notes_unchanged": self.notes_unchanged,
                "skipped": [{"line": p.line, "record": p.record, "reason": p.reason} for p in self.skipped]}


def parse(data: bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise InvalidPfif(f"Not well-formed XML: {error}") from None
    if root.getroottree().docinfo.doctype:
        raise InvalidPfif("Documents with a DOCTYPE are not accepted (PFIF needs none).")
    if root.tag not in (f"{{{NS}}}pfif", "{http://www.w3.org/2005/Atom}feed"):
        raise InvalidPfif(f"Not a PFIF 1.4 document: the root element is {root.tag}, not pfif:pfif in {NS}.")
    return root


def import_pfif(data: bytes, *, domain: str, progress=None) -> Result:
    """Import a PFIF 1.4 document (or a PFIF Atom feed) for `domain`."""
    root = parse(data)
    result = Result()
    persons = list(root.iter(f"{{{NS}}}person"))
    loose_notes = [n for n in root.iter(f"{{{NS}}}note") if n.getparent().tag != f"{{{NS}}}person"]
    total = len(persons) + len(loose_notes)
    done = 0
    for person in persons:
        case = _take(result, person, "person_record_id", lambda: _person(person, domain, result))
        for note in person.findall(f"{{{NS}}}note"):
            if case is not None:
                _take(result, note, "note_record_id", lambda: _note(note, domain, result, case=case))
            else:
                result.skipped.append(Problem(note.sourceline or 0, _text(note, "note_record_id"),
                                              "its person record was not imported"))
        done += 1
        if progress:
            progress(done, total)
    for note in loose_notes:
        _take(result, note, "note_record_id", lambda: _note(note, domain, result, case=None))
        done += 1
        if progress:
            progress(done, total)
    logger.info("pfif import domain=%s created=%s updated=%s unchanged=%s sightings=%s status=%s skipped=%s",
                domain, result.created, result.updated, result.unchanged, result.sightings, result.status_changes,
                len(result.skipped))
    return result


def _take(result: Result, element, id_tag: str, work):
    try:
        with transaction.atomic():
            return work()
    except (RecordError, IntegrityError, ValueError) as error:
        result.skipped.append(Problem(element.sourceline or 0, _text(element, id_tag), str(error)))
        return None


def _text(element, tag: str) -> str:
    return (element.findtext(f"{{{NS}}}{tag}") or "").strip()


def _time(element, tag: str) -> datetime | None:
    value = _text(element, tag)
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt_timezone.utc)
    except ValueError:
        raise RecordError(f"{tag} {value!r} is not a UTC time like 2026-11-30T08:00:00Z") from None


def _own_reference(record_id: str) -> str | None:
    record_domain, _, local = record_id.partition("/")
    if record_domain == settings.PFIF_DOMAIN and re.fullmatch(REFERENCE_REGEX, local):
        return local
    return None


def _person(person, domain: str, result: Result) -> Case | None:
    record_id = _text(person, "person_record_id")
    if not RECORD_ID.match(record_id):
        raise RecordError("person_record_id must be domain/id, e.g. example.org/person.123")
    name = _text(person, "full_name") or " ".join(filter(None, (_text(person, "given_name"),
                                                                 _text(person, "family_name"))))
    reference = _own_reference(record_id)
    existing = (Case.objects.filter(reference=reference).first() if reference else
                Case.objects.filter(source_domain=domain, source_record=record_id).first())
    if not name:
        raise RecordError("no name: an expired placeholder record, nothing to import")
    if len(name) > 120:
        raise RecordError("full_name is longer than 120 characters")
    # The report: the first note saying missing, with where and when the child was last seen.
    reports = [n for n in person.findall(f"{{{NS}}}note") if _text(n, "status") == "believed_missing"]
    places = [_text(n, "last_known_location") for n in reports if _text(n, "last_known_location")]
    home = ", ".join(filter(None, (_text(person, "home_neighborhood"), _text(person, "home_city"))))
    place = (places[0] if places else home or NOT_GIVEN)[:255]
    age, age_problem = _age(_text(person, "age"))
    phone = normalise_or_blank(_text(person, "author_phone"))
    fields = dict(
        name=name, age=age, gender={"female": "female", "male": "male"}.get(_text(person, "sex"), "other"),
        description=_text(person, "description"), last_seen_place=place,
        contact_name=(_text(person, "author_name") or NOT_GIVEN)[:120], contact_phone=phone,
    )
    when = (_time(reports[0], "source_date") if reports else None) or _time(person, "source_date") \
        or _time(person, "entry_date") or timezone.now()
    if existing is not None:
        if not reference and existing.source_domain != domain:
            raise RecordError("this record belongs to another partner's domain")
        if services.update_case(case=existing, fields=fields):
            result.updated += 1
        else:
            result.unchanged += 1
        return existing
    case = services.report_case(**fields, last_seen_at=min(when, timezone.now()), announce=False,
                                source_domain="" if reference else domain, source_record="" if reference else record_id)
    if reference:
        Case.objects.filter(pk=case.pk).update(reference=reference)
        case.reference = reference
    staff_notes = [f"Imported from PFIF record {record_id} ({domain})."]
    if age_problem:
        staff_notes.append(age_problem)
    if _text(person, "author_phone") and not phone:
        staff_notes.append("The record's phone number is not a valid number; it was not kept.")
    if _text(person, "photo_url"):
        staff_notes.append(f"Photo in the record (not fetched): {_text(person, 'photo_url')}")
    CaseNote.objects.create(case=case, text=" ".join(staff_notes))
    result.created += 1
    return case


def _age(value: str) -> tuple[int | None, str]:
    if not value:
        return None, ""
    match = re.fullmatch(r"(\d{1,3})(?:-(\d{1,3}))?", value)
    if match and int(match.group(1)) <= 17:
        return int(match.group(1)), ""
    return None, f"The record's age {value!r} is not a child's age (0-17): left unknown, please check."


def _note(note, domain: str, result: Result, *, case: Case | None) -> None:
    record_id = _text(note, "note_record_id")
    if not RECORD_ID.match(record_id):
        raise RecordError("note_record_id must be domain/id")
    if case is None:
        person_id = _text(note, "person_record_id")
        reference = _own_reference(person_id)
        case = (Case.objects.filter(reference=reference).first() if reference else
                Case.objects.filter(source_domain=domain, source_record=person_id).first())
        if case is None:
            raise RecordError("no imported person has this person_record_id")
    seen = _time(note, "source_date")
    if seen is None:
        raise RecordError("source_date is required")
    text = _text(note, "text")
    status = _text(note, "status")
    contact = (_text(note, "author_made_contact") or _text(note, "found")).lower() == "true"
    marker = f"PFIF note {record_id}"
    if contact or (status == "believed_missing" and case.status != Case.Status.MISSING):
        to = Case.Status.FOUND if contact else Case.Status.MISSING
        if StatusChange.objects.filter(case=case, note__startswith=marker).exists() or case.status == to:
            result.notes_unchanged += 1
            return
        services.change_status(case=case, to=to, note=f"{marker}: {text}"[:2000])
        result.status_changes += 1
        return
    if status == "believed_dead":
        if not CaseNote.objects.filter(case=case, text__startswith=marker).exists():
            CaseNote.objects.create(case=case, text=f"{marker} says the child is believed dead; please check: {text}")
            result.status_changes += 1
        else:
            result.notes_unchanged += 1
        return
    place = _text(note, "last_known_location")
    if status == "believed_alive" or (not status and place):
        if Sighting.objects.filter(source_domain=domain, source_record=record_id).exists():
            result.notes_unchanged += 1
            return
        if not text:
            raise RecordError("a sighting needs its text")
        services.record_sighting(case=case, place=(place or NOT_GIVEN)[:255], seen_at=min(seen, timezone.now()),
                                 description=text, reporter_phone=normalise_or_blank(_text(note, "author_phone")),
                                 source_domain=domain, source_record=record_id, announce=False)
        result.sightings += 1
        return
    result.notes_unchanged += 1
