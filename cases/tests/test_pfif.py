"""PFIF 1.4: exports valid against cases/pfif/pfif-1.4.xsd, what each key sees, feeds, imports and a round trip."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from lxml import etree

from cases import services
from cases.models import Case, CaseNote, Sighting

pytestmark = pytest.mark.django_db

P = "{http://zesty.ca/pfif/1.4}"
ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).resolve().parents[1] / "pfif" / "pfif-1.4.xsd")))


def get(client, key, url, **params):
    return client.get(url, params, HTTP_AUTHORIZATION=f"Bearer {key}")


def export(client, key, **params) -> etree._Element:
    response = get(client, key, "/api/v1/pfif/export/", **params)
    assert response.status_code == 200, response.content
    root = etree.fromstring(response.content)
    SCHEMA.assertValid(root)
    return root


def test_missing_case_exports_as_a_valid_person_with_notes_and_no_phone_for_read_keys(client, make_case,
                                                                                      make_sighting, make_key):
    case = make_case()
    services.change_status(case=case, to="closed", note="x")
    services.change_status(case=case, to="missing", note="y")
    make_sighting(case, published_at=timezone.now(), description="Seen at the bus stand, call 9876543210")
    make_sighting(case, description="Not published")
    _row, key = make_key("read")
    person = export(client, key).find(f"{P}person")
    assert person.findtext(f"{P}person_record_id") == f"localhost/{case.reference}"
    assert person.findtext(f"{P}full_name") == "Aarav Sharma" and person.findtext(f"{P}family_name") == "Sharma"
    assert person.findtext(f"{P}age") == "7" and person.findtext(f"{P}sex") == "male"
    assert person.find(f"{P}author_phone") is None
    notes = person.findall(f"{P}note")
    assert [n.findtext(f"{P}status") for n in notes] == ["believed_missing", "believed_missing", "believed_alive"]
    assert "9876543210" not in notes[1].findtext(f"{P}text")
    assert all(n.find(f"{P}author_phone") is None for n in notes)


def test_full_read_export_adds_phones(client, make_case, make_sighting, make_key):
    case = make_case()
    make_sighting(case)
    _row, key = make_key("full_read")
    person = export(client, key).find(f"{P}person")
    assert person.findtext(f"{P}author_phone") == "+919822000101"
    assert person.findall(f"{P}note")[-1].findtext(f"{P}author_phone") == "+919900012345"


def test_found_and_erased_cases_export_only_the_placeholder(client, make_case, make_key):
    found = make_case()
    services.change_status(case=found, to="found", note="Home")
    erased = make_case(name="Diya Patil", status="closed", resolved_at=timezone.now(), erased_at=timezone.now())
    _row, key = make_key("read")
    persons = {p.findtext(f"{P}person_record_id"): p for p in export(client, key).findall(f"{P}person")}
    for case in (found, erased):
        person = persons[f"localhost/{case.reference}"]
        assert [child.tag[len(P):] for child in person] == ["person_record_id", "entry_date", "expiry_date",
                                                             "source_date", "full_name"]
        assert person.findtext(f"{P}full_name") == ""


def test_feeds_follow_min_entry_date(client, make_case, make_sighting, make_key):
    old = make_case(name="Old Case")
    Case.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=5),
                                          verification_at=timezone.now() - timedelta(days=5),
                                          created_at=timezone.now() - timedelta(days=5))
    new = make_case(name="New Case")
    make_sighting(new, published_at=timezone.now())
    _row, key = make_key("read")
    since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = get(client, key, "/api/v1/pfif/feeds/person", min_entry_date=since)
    assert response["Content-Type"].startswith("application/atom+xml")
    people = etree.fromstring(response.content).findall(f"{ATOM}entry/{P}person")
    assert [p.findtext(f"{P}full_name") for p in people] == ["New Case"]
    for person in people:
        SCHEMA.assertValid(person)
    notes = etree.fromstring(get(client, key, "/api/v1/pfif/feeds/note", min_entry_date=since).content)
    assert len(notes.findall(f"{ATOM}entry/{P}note")) == 2  # New Case's report and its published sighting
    assert get(client, key, "/api/v1/pfif/feeds/person", min_entry_date="yesterday").status_code == 400



def test_note_feed_gives_the_oldest_notes_of_every_kind_first_and_stops_at_max_results(client, make_case,
                                                                                        make_sighting, make_key):
    now = timezone.now()
    case = make_case()
    Case.objects.filter(pk=case.pk).update(created_at=now - timedelta(hours=5))
    services.change_status(case=case, to="closed", note="x")
    services.change_status(case=case, to="missing", note="y")
    back = case.status_changes.get(to_status="missing", from_status="closed")
    type(back).objects.filter(pk=back.pk).update(changed_at=now - timedelta(hours=3))
    make_sighting(case, published_at=now - timedelta(hours=4), description="At the bus stand")
    make_sighting(case, published_at=now - timedelta(hours=1), description="Near the temple")
    hidden = make_sighting(case, description="Not published")
    Sighting.objects.filter(pk=hidden.pk).update(created_at=now - timedelta(hours=2))
    _row, read = make_key("read")
    _row, full = make_key("read", "full_read")

    def texts(key, **params):
        feed = etree.fromstring(get(client, key, "/api/v1/pfif/feeds/note", **params).content)
        notes = feed.findall(f"{ATOM}entry/{P}note")
        for note in notes:
            SCHEMA.assertValid(note)
        return [n.findtext(f"{P}text").split(".")[0] for n in notes]

    assert texts(read) == ["Reported missing", "At the bus stand", "Missing again", "Near the temple"]
    assert texts(read, max_results=2) == ["Reported missing", "At the bus stand"]
    since = (now - timedelta(hours=3, minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert texts(read, min_entry_date=since) == ["Missing again", "Near the temple"]
    assert texts(full, min_entry_date=since) == ["Missing again", "Not published", "Near the temple"]


INCOMING = b"""<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">
  <pfif:person>
    <pfif:person_record_id>childline.example.org/p.1</pfif:person_record_id>
    <pfif:full_name>Rohan Verma</pfif:full_name>
    <pfif:sex>male</pfif:sex>
    <pfif:age>9</pfif:age>
    <pfif:description>Blue school bag</pfif:description>
    <pfif:note>
      <pfif:note_record_id>childline.example.org/n.1</pfif:note_record_id>
      <pfif:author_name>Volunteer</pfif:author_name>
      <pfif:source_date>2026-11-29T10:00:00Z</pfif:source_date>
      <pfif:status>believed_alive</pfif:status>
      <pfif:last_known_location>Swargate, Pune</pfif:last_known_location>
      <pfif:text>Seen near the bus depot.</pfif:text>
    </pfif:note>
  </pfif:person>
  <pfif:person>
    <pfif:person_record_id>no-slash</pfif:person_record_id>
    <pfif:full_name>Bad Id</pfif:full_name>
  </pfif:person>
  <pfif:person>
    <pfif:person_record_id>childline.example.org/p.2</pfif:person_record_id>
    <pfif:full_name>Grown Up</pfif:full_name>
    <pfif:age>34</pfif:age>
  </pfif:person>
</pfif:pfif>
"""


def post_pfif(client, key, body):
    return client.post("/api/v1/pfif/import/", body, content_type="application/xml",
                       HTTP_AUTHORIZATION=f"Bearer {key}")


def test_import_keeps_valid_records_reports_invalid_ones_and_updates_on_a_second_run(client, make_key):
    _row, key = make_key("write")
    body = post_pfif(client, key, INCOMING).json()
    assert (body["created"], body["sightings"]) == (2, 1)
    assert body["skipped"] == [{"line": 18, "record": "no-slash",
                                "reason": "person_record_id must be domain/id, e.g. example.org/person.123"}]
    rohan = Case.objects.get(source_record="childline.example.org/p.1")
    assert rohan.source_domain == "childline.example.org" and rohan.verification == "unverified"
    assert rohan.age == 9 and Sighting.objects.get(case=rohan).place == "Swargate, Pune"
    grown = Case.objects.get(source_record="childline.example.org/p.2")
    assert grown.age is None and "not a child's age" in CaseNote.objects.get(case=grown).text
    again = post_pfif(client, key, INCOMING.replace(b"Blue school bag", b"Blue school bag, red cap")).json()
    assert (again["created"], again["updated"], again["unchanged"], again["sightings"]) == (0, 1, 1, 0)
    assert Case.objects.count() == 2 and Sighting.objects.count() == 1


def test_import_of_a_found_note_marks_the_case_found(client, make_key):
    _row, key = make_key("write")
    post_pfif(client, key, INCOMING)
    found = INCOMING.replace(b"<pfif:status>believed_alive</pfif:status>",
                             b"<pfif:author_made_contact>true</pfif:author_made_contact><pfif:status>believed_alive"
                             b"</pfif:status>").replace(b"n.1", b"n.2")
    assert post_pfif(client, key, found).json()["status_changes"] == 1
    assert Case.objects.get(source_record="childline.example.org/p.1").status == "found"


@pytest.mark.parametrize("body", [b"", b"not xml", b"<other/>", b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
                                  b"<pfif:pfif xmlns:pfif='http://zesty.ca/pfif/1.4'>&e;</pfif:pfif>"])
def test_bad_documents_are_a_400(client, make_key, body):
    _row, key = make_key("write")
    response = post_pfif(client, key, body)
    assert response.status_code == 400 and not Case.objects.exists()


def test_read_key_cannot_import(client, make_key):
    _row, key = make_key("read")
    assert post_pfif(client, key, INCOMING).status_code == 403 and not Case.objects.exists()


def test_round_trip_export_then_import_into_an_empty_database_gives_the_same_cases(client, make_case,
                                                                                   make_sighting, make_key, tmp_path):
    cases = [make_case(), make_case(name="Ishita Das", age=5, gender="female", last_seen_place="Howrah, Kolkata",
                                    description="Yellow frock with white flowers.")]
    make_sighting(cases[0], published_at=timezone.now())
    _row, key = make_key("full_read")
    path = tmp_path / "export.xml"
    path.write_bytes(get(client, key, "/api/v1/pfif/export/").content)

    def snapshot():
        return sorted(
            (c.reference, c.name, c.age, c.gender, c.description, c.last_seen_place, c.contact_name, c.contact_phone,
             c.status, c.last_seen_at.replace(microsecond=0), sorted((s.place, s.description, s.seen_at.replace(microsecond=0)) for s in c.sightings.all()))
            for c in Case.objects.prefetch_related("sightings"))

    before = snapshot()
    Case.objects.all().delete()
    call_command("import_pfif", str(path))
    assert snapshot() == before
    call_command("import_pfif", str(path))  # again: nothing new
    assert snapshot() == before and Sighting.objects.count() == 1
