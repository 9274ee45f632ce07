"""Cases as PFIF 1.4 person records with their notes, for a partner key.

- A missing child's case (what the key may see: cases.api.visibility) is a full person record; its notes are the
  report ("believed_missing", last known location) and each status change back to missing, and the sightings
  staff published ("believed_alive", the place, the text with contact details masked). `full_read` adds the
  family's phone as the report note's author_phone, the sightings' reporters' phones and the sightings not
  published; a read key never gets a phone or e-mail in PFIF.
- A found, closed or erased case is only the placeholder the spec asks for after expiry: person_record_id,
  entry_date, expiry_date (when it was found, closed or erased) and source_date, with an empty full_name, and no
  notes, so copies elsewhere are withdrawn too.
- person_record_id is "<PFIF_DOMAIN>/<reference>" (a person imported from elsewhere keeps its own id); entry_date is
  when the current version was stored (so `min_entry_date` finds changes), all times in UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone as dt_timezone

from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from lxml import etree

from sachet.partners.models import PartnerKey

from ..api.visibility import full, visible_cases
from ..models import Case, Sighting, StatusChange, Verification
from ..text import mask_contact_details
from . import NS

FEED_MAX = 200
KEEP_DAYS = 365  # a missing child's record is kept by others this long without news (it is re-sent on change)


def person_record_id(case: Case) -> str:
    if case.source_record and case.source_domain not in ("", "sachet-v1"):
        return case.source_record
    return f"{settings.PFIF_DOMAIN}/{case.reference}"


def utc(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_placeholder(case: Case) -> bool:
    return case.erased_at is not None or case.status != Case.Status.MISSING


def entry_date(case: Case) -> datetime:
    return max(filter(None, (case.updated_at, case.verification_at, case.erased_at)))


def cases_for(key: PartnerKey, *, since: datetime | None = None) -> QuerySet[Case]:
    # An unconfirmed report never leaves Sachet, except back to the partner that sent it.
    cases = visible_cases(key).exclude(Q(verification=Verification.UNVERIFIED) & ~Q(source_domain=key.domain))
    if since is not None:
        cases = cases.filter(Q(updated_at__gte=since) | Q(verification_at__gte=since) | Q(erased_at__gte=since))
    return cases.order_by("updated_at", "id")


def person_element(case: Case, key: PartnerKey, *, with_notes: bool = True):
    person = etree.Element(f"{{{NS}}}person", nsmap={"pfif": NS})
    add = _adder(person)
    add("person_record_id", person_record_id(case))
    add("entry_date", utc(entry_date(case)))
    if is_placeholder(case):
        add("expiry_date", utc(case.erased_at or case.resolved_at or case.updated_at))
        add("source_date", utc(entry_date(case)))
        add("full_name", "")
        return person
    add("expiry_date", utc(case.updated_at + timedelta(days=KEEP_DAYS)))
    add("author_name", case.contact_name)
    if full(key) and case.contact_phone:
        add("author_phone", case.contact_phone)
    add("source_name", "Sachet")
    add("source_date", utc(case.created_at))
    add("source_url", settings.SITE_URL + case.get_absolute_url())
    add("full_name", case.name)
    given, _, family = case.name.rpartition(" ")
    if given:
        add("given_name", given)
        add("family_name", family)
    add("description", case.description)
    add("sex", {"female": "female", "male": "male"}.get(case.gender, "other"))
    if case.age is not None:
        add("age", str(case.age))
    if case.photo:
        add("photo_url", case.photo.url if case.photo.url.startswith("http")
            else settings.SITE_URL + case.photo.url)
    if with_notes:
        for note in note_elements(case, key):
            person.append(note)
    return person


def note_elements(case: Case, key: PartnerKey, *, since: datetime | None = None) -> list:
    if is_placeholder(case):
        return []
    notes = []
    if since is None or case.created_at >= since:
        notes.append(_status_note(case, None, key))
    for change in case.status_changes.all():
        if change.from_status and change.to_status == Case.Status.MISSING and (since is None
                                                                                 or change.changed_at >= since):
            notes.append(_status_note(case, change, key))
    # From the prefetched rows when the caller has them (`with_notes`): one query for every case, not one per case.
    for sighting in sorted(case.sightings.all(), key=lambda sighting: (sighting.seen_at, sighting.id)):
        if not full(key) and sighting.published_at is None:
            continue
        if since is None or (sighting.published_at or sighting.created_at) >= since:
            notes.append(_sighting_note(case, sighting, key))
    return notes


def _status_note(case: Case, change: StatusChange | None, key: PartnerKey):
    """The report (`change` None: observed when last seen) or a change back to missing."""
    note = etree.Element(f"{{{NS}}}note", nsmap={"pfif": NS})
    add = _adder(note)
    suffix = "report" if change is None else f"status.{change.pk}"
    add("note_record_id", f"{settings.PFIF_DOMAIN}/{case.reference}.{suffix}")
    add("person_record_id", person_record_id(case))
    add("entry_date", utc(case.created_at if change is None else change.changed_at))
    add("author_name", case.contact_name)
    if full(key) and case.contact_phone:
        add("author_phone", case.contact_phone)
    add("source_date", utc(case.last_seen_at if change is None else change.changed_at))
    add("author_made_contact", "false")
    add("status", "believed_missing")
    add("last_known_location", case.last_seen_place)
    spot = f" ({case.last_seen_specific})" if case.last_seen_specific else ""
    add("text", f"{'Reported missing' if change is None else 'Missing again'}. Last seen at "
                f"{case.last_seen_place}{spot} on {utc(case.last_seen_at)}.")
    return note


def _sighting_note(case: Case, sighting: Sighting, key: PartnerKey):
    note = etree.Element(f"{{{NS}}}note", nsmap={"pfif": NS})
    add = _adder(note)
    private = full(key)
    add("note_record_id", sighting.source_record if sighting.source_record and "/" in sighting.source_record
        else f"{settings.PFIF_DOMAIN}/{case.reference}.sighting.{sighting.pk}")
    add("person_record_id", person_record_id(case))
    add("entry_date", utc(sighting.published_at or sighting.created_at))
    add("author_name", "Member of the public")
    if private and sighting.reporter_phone:
        add("author_phone", sighting.reporter_phone)
    add("source_date", utc(sighting.seen_at))
    add("author_made_contact", "false")
    add("status", "believed_alive")
    add("last_known_location", sighting.place if private else mask_contact_details(sighting.place))
    add("text", sighting.description if private else mask_contact_details(sighting.description))
    return note


def document(cases, key: PartnerKey) -> bytes:
    root = etree.Element(f"{{{NS}}}pfif", nsmap={"pfif": NS})
    for case in cases:
        root.append(person_element(case, key))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _adder(parent):
    def add(tag: str, text: str) -> None:
        etree.SubElement(parent, f"{{{NS}}}{tag}").text = text
    return add


ATOM = "http://www.w3.org/2005/Atom"


def with_notes(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What `note_elements` reads, fetched for every case at once."""
    return cases.prefetch_related("status_changes", "sightings")


def person_feed(key: PartnerKey, cases: list[Case], *, feed_url: str) -> bytes:
    """The feed of these cases (`cases_for(...)[:limit]`), persons without their notes."""
    root = _feed_root(feed_url, "Sachet PFIF person feed", [entry_date(c) for c in cases])
    for case in cases:
        entry = etree.SubElement(root, f"{{{ATOM}}}entry")
        entry.append(person_element(case, key, with_notes=False))
        etree.SubElement(entry, f"{{{ATOM}}}id").text = f"pfif:{person_record_id(case)}"
        etree.SubElement(entry, f"{{{ATOM}}}title").text = "" if is_placeholder(case) else case.name
        etree.SubElement(entry, f"{{{ATOM}}}updated").text = utc(entry_date(case))
        etree.SubElement(entry, f"{{{ATOM}}}content").text = "" if is_placeholder(case) else case.name
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def note_feed(key: PartnerKey, *, since: datetime | None, limit: int, feed_url: str) -> bytes:
    """The notes entered since `since`, oldest first, at most `limit`: each kind of note is read from the database
    already in entry order and cut at `limit` (reports, returns to missing, sightings), then the three merged."""
    cases = cases_for(key).filter(status=Case.Status.MISSING, erased_at__isnull=True).order_by()
    reports = cases.filter(created_at__gte=since) if since else cases
    notes = [(case.created_at, case.pk, _status_note(case, None, key))
             for case in reports.order_by("created_at", "id")[:limit]]
    changes = StatusChange.objects.filter(case__in=cases, to_status=Case.Status.MISSING).exclude(from_status="")
    if since:
        changes = changes.filter(changed_at__gte=since)
    notes += [(change.changed_at, change.case_id, _status_note(change.case, change, key))
              for change in changes.select_related("case").order_by("changed_at", "id")[:limit]]
    sightings = Sighting.objects.filter(case__in=cases).annotate(entered=Coalesce("published_at", "created_at"))
    if not full(key):
        sightings = sightings.filter(published_at__isnull=False)
    if since:
        sightings = sightings.filter(entered__gte=since)
    notes += [(sighting.entered, sighting.case_id, _sighting_note(sighting.case, sighting, key))
              for sighting in sightings.select_related("case").order_by("entered", "id")[:limit]]
    notes.sort(key=lambda item: (item[0].replace(microsecond=0), item[1]))
    notes = [note for _when, _case, note in notes[:limit]]
    root = _feed_root(feed_url, "Sachet PFIF note feed", [])
    updated = max((n.findtext(f"{{{NS}}}entry_date") for n in notes), default=utc(timezone.now()))
    root.find(f"{{{ATOM}}}updated").text = updated
    for note in notes:
        entry = etree.SubElement(root, f"{{{ATOM}}}entry")
        entry.append(note)
        etree.SubElement(entry, f"{{{ATOM}}}id").text = f"pfif:{note.findtext(f'{{{NS}}}note_record_id')}"
        etree.SubElement(entry, f"{{{ATOM}}}title").text = note.findtext(f"{{{NS}}}text")[:80]
        etree.SubElement(entry, f"{{{ATOM}}}updated").text = note.findtext(f"{{{NS}}}entry_date")
        etree.SubElement(entry, f"{{{ATOM}}}content").text = note.findtext(f"{{{NS}}}text")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _feed_root(feed_url: str, title: str, dates: list[datetime]):
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM, "pfif": NS})
    etree.SubElement(root, f"{{{ATOM}}}id").text = feed_url
    etree.SubElement(root, f"{{{ATOM}}}title").text = title
    etree.SubElement(root, f"{{{ATOM}}}updated").text = utc(max(dates, default=timezone.now()))
    author = etree.SubElement(root, f"{{{ATOM}}}author")
    etree.SubElement(author, f"{{{ATOM}}}name").text = "Sachet"
    etree.SubElement(root, f"{{{ATOM}}}link", rel="self", href=feed_url)
    return root
