"""The partner API's cases: what each scope sees in each public state, filters, pages, reports and sightings."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cases import merging, services
from cases.models import Case, CaseEvent, Sighting

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db


def get(client, key, url, **params):
    return client.get(url, params, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_read_key_sees_a_missing_case_like_its_public_page(client, make_case, make_key):
    case = make_case()
    _row, key = make_key("read")
    body = get(client, key, f"/api/v1/cases/{case.reference}/").json()
    assert body["state"] == "missing" and body["stub"] is False
    assert body["name"] == "Aarav Sharma" and body["age"] == 7 and body["contact_phone"] == "+919822000101"
    assert body["latitude"] == pytest.approx(18.5362)
    # Private: never to a read key.
    assert body["reporter_phone"] is None and body["reporter_name"] is None and body["verification"] is None
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.PARTNER_READ).exists()


def test_found_case_has_no_phone_or_place_and_becomes_a_stub_after_the_photo_period(client, make_case, make_key):
    case = make_case()
    services.change_status(case=case, to=Case.Status.FOUND, note="At the station")
    _row, key = make_key("read")
    body = get(client, key, f"/api/v1/cases/{case.reference}/").json()
    assert body["state"] == "found" and body["name"] == "Aarav Sharma"
    assert body["contact_phone"] is None and body["latitude"] is None and body["description"] is None
    Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - timedelta(days=8))
    body = get(client, key, f"/api/v1/cases/{case.reference}/").json()
    assert body["state"] == "found_withdrawn" and body["stub"] is True
    assert body["name"] is None and body["photo_url"] is None and body["status"] == "found"


def test_rejected_and_unverified_reports_are_not_shown_to_read_keys(client, make_case, make_key):
    rejected = make_case(verification="rejected")
    unverified = make_case(name="Diya Patil", verification="unverified", consent_at=None, consent_version="")
    _row, key = make_key("read")
    assert get(client, key, f"/api/v1/cases/{rejected.reference}/").status_code == 404
    assert get(client, key, f"/api/v1/cases/{unverified.reference}/").status_code == 404
    assert get(client, key, "/api/v1/cases/").json()["results"] == []


def test_full_read_adds_private_fields_and_records_each_read(client, make_case, make_key):
    case = make_case()
    row, key = make_key("full_read")
    body = get(client, key, f"/api/v1/cases/{case.reference}/").json()
    assert body["reporter_phone"] == "+919822000999" and body["verification"] == "verified"
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.PARTNER_READ)
    assert event.details == {"key": row.pk, "partner": "Childline Pune", "domain": "childline.example.org",
                             "what": "case"}


def test_list_filters_by_status_city_box_and_time(client, make_case, make_key):
    pune = make_case()
    mumbai = make_case(name="Diya Patil", last_seen_place="Dadar, Mumbai", latitude=Decimal("19.018"),
                       longitude=Decimal("72.843"))
    found = make_case(name="Kabir Khan", status="found", resolved_at=timezone.now())
    _row, key = make_key("read")

    def refs(**params):
        return {c["reference"] for c in get(client, key, "/api/v1/cases/", **params).json()["results"]}

    assert refs() == {pune.reference, mumbai.reference, found.reference}
    assert refs(status="found") == {found.reference}
    assert refs(city="Mumbai") == {mumbai.reference}
    assert refs(bbox="73.5,18.3,74.2,18.8") == {pune.reference}
    # A found child's place is not public: the box never finds it for a read key.
    assert refs(bbox="60,5,100,40") == {pune.reference, mumbai.reference}
    Case.objects.filter(pk=pune.pk).update(updated_at=timezone.now() - timedelta(days=3))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert refs(updated_since=since) == {mumbai.reference, found.reference}


def test_list_pages_with_a_cursor(client, make_case, make_key):
    for n in range(5):
        make_case(name=f"Child Number {n}", note="")
    _row, key = make_key("read")
    first = get(client, key, "/api/v1/cases/", page_size=2).json()
    assert len(first["results"]) == 2 and first["next"]
    seen = [c["reference"] for c in first["results"]]
    url = first["next"]
    while url:
        page = client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}").json()
        seen += [c["reference"] for c in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 5


@pytest.mark.parametrize("params", [{"bbox": "1,2,3"}, {"bbox": "10,50,5,60"}, {"updated_since": "yesterday"},
                                    {"status": "lost"}, {"cursor": "nonsense"}])
def test_bad_filters_are_a_400_json(client, make_key, params):
    _row, key = make_key("read")
    response = get(client, key, "/api/v1/cases/", **params)
    assert response.status_code in (400, 404) and response["Content-Type"] == "application/json"


def test_write_key_reports_a_case_through_the_public_form_rules(client, make_key, django_capture_on_commit_callbacks):
    _row, key = make_key("read", "write")
    data = {"name": "Meera Joshi", "age": "9", "gender": "female", "description": "Green school uniform, two plaits.",
            "last_seen_place": "Shivajinagar, Pune", "last_seen_at": (timezone.now() - timedelta(hours=2)).strftime(
                "%Y-%m-%dT%H:%M"), "contact_name": "Anil Joshi", "contact_phone": "98220 11111", "consent": "true",
            "photo": SimpleUploadedFile("meera.jpg", jpeg_bytes(), content_type="image/jpeg")}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/cases/", data, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.source_domain == "childline.example.org" and case.contact_phone == "+919822011111"
    assert case.consent_version == "2026-12" and case.photo


def test_write_key_report_with_bad_fields_is_a_400_and_stores_nothing(client, make_key):
    _row, key = make_key("write")
    response = client.post("/api/v1/cases/", {"name": "M", "age": 25}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"name", "age", "photo", "consent", "contact_phone"}
    assert not Case.objects.exists()


def test_read_key_cannot_write(client, make_key):
    _row, key = make_key("read")
    response = client.post("/api/v1/cases/", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 403 and "write" in response.json()["detail"]


def test_sightings_read_key_sees_published_ones_masked(client, make_case, make_sighting, make_key):
    case = make_case()
    make_sighting(case, description="Seen near the bridge, call 9876543210")
    published = make_sighting(case, description="At the bus stand with a woman, call +91 98765 43210",
                              published_at=timezone.now())
    _row, key = make_key("read")
    body = get(client, key, f"/api/v1/cases/{case.reference}/sightings/").json()
    assert [s["id"] for s in body] == [published.pk]
    assert "98765" not in body[0]["description"] and body[0]["reporter_phone"] is None


def test_write_key_sends_a_sighting_owned_by_its_domain(client, make_case, make_key,
                                                        django_capture_on_commit_callbacks):
    case = make_case()
    _row, key = make_key("write", "read")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/cases/{case.reference}/sightings/", {
            "place": "Kalyani Nagar, Pune", "seen_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "description": "A boy in a red T-shirt near the bridge."}, content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201, response.content
    assert Sighting.objects.get(pk=response.json()["id"]).source_domain == "childline.example.org"


def test_found_case_takes_no_sightings(client, make_case, make_key):
    case = make_case(status="found", resolved_at=timezone.now())
    _row, key = make_key("write", "read")
    response = client.post(f"/api/v1/cases/{case.reference}/sightings/", {
        "place": "Kalyani Nagar, Pune", "seen_at": timezone.now().isoformat(), "description": "Seen near the bridge."},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 409 and not Sighting.objects.exists()


def test_history_lists_status_changes_without_staff_notes(client, make_case, make_key):
    case = make_case()
    services.change_status(case=case, to=Case.Status.CLOSED, note="Family moved away")
    services.change_status(case=case, to=Case.Status.MISSING, note="Reopened by the police")
    _row, key = make_key("read")
    body = get(client, key, f"/api/v1/cases/{case.reference}/history/").json()
    assert [(c["from_status"], c["to_status"], c["note"]) for c in body] == [
        ("missing", "closed", None), ("closed", "missing", None)]


def test_a_merged_case_names_the_case_it_was_merged_into(client, make_case, make_key):
    kept = make_case()
    duplicate = make_case(name="Arav Sharma")
    merging.merge(kept=kept, duplicate=duplicate)
    _row, key = make_key("read")
    body = get(client, key, f"/api/v1/cases/{duplicate.reference}/").json()
    assert body["status"] == "closed" and body["merged_into"] == kept.reference
    assert get(client, key, f"/api/v1/cases/{kept.reference}/").json()["merged_into"] is None
