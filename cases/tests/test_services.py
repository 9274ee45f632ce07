from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from cases import services
from cases.models import Case, Sighting, StatusChange
from tests.factories import jpeg_bytes


def report(**overrides):
    values = dict(
        name="Ananya Iyer", age=12, gender="female", description="School uniform, pink school bag.",
        last_seen_place="Andheri West, Mumbai", last_seen_at=timezone.now() - timedelta(hours=2),
        contact_name="Ramesh Iyer", contact_phone="+919820000202",
    )
    values.update(overrides)
    return services.report_case(**values)


@pytest.mark.django_db
def test_report_case_saves_the_case_and_its_first_history_row():
    case = report(latitude=Decimal("19.136300"), longitude=Decimal("72.827700"))
    assert Case.objects.get().reference == case.reference
    change = StatusChange.objects.get(case=case)
    assert (change.from_status, change.to_status, change.note) == ("", "missing", "Reported")


@pytest.mark.django_db
def test_report_case_stores_the_photo_under_a_random_name():
    case = report(photo=ContentFile(jpeg_bytes(), name="ananya.jpg"))
    case.refresh_from_db()
    assert case.photo.name.startswith("cases/photos/")
    assert "ananya" not in case.photo.name
    assert case.photo.storage.exists(case.photo.name)


@pytest.mark.django_db
def test_reference_clash_is_retried(monkeypatch, make_case):
    existing = make_case()
    fresh = "MC20261125ABCDEF01"
    monkeypatch.setattr("cases.models.new_reference", lambda: fresh)
    case = Case(name="Kavya", age=10, gender="female", description="Purple jacket", last_seen_place="MG Road",
                last_seen_at=timezone.now(), contact_name="Lakshmi", contact_phone="+919880000606",
                reference=existing.reference)
    services._save_with_unique_reference(case)
    assert case.reference == fresh
    assert Case.objects.filter(reference=fresh).count() == 1


@pytest.mark.django_db
def test_change_status_records_who_when_and_why(make_case):
    case = make_case()
    officer = get_user_model().objects.create_user("officer", password="x" * 12)
    change = services.change_status(case=case, to="found", by=officer, note="Found at Pune station")
    case.refresh_from_db()
    assert case.status == "found"
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        "missing", "found", officer, "Found at Pune station")


@pytest.mark.django_db
def test_change_to_the_same_status_is_refused_and_leaves_no_row(make_case):
    case = make_case()
    with pytest.raises(services.InvalidStatusChange):
        services.change_status(case=case, to="missing")
    assert StatusChange.objects.filter(case=case).count() == 0


@pytest.mark.django_db
def test_change_to_an_unknown_status_is_refused(make_case):
    case = make_case()
    with pytest.raises(services.InvalidStatusChange):
        services.change_status(case=case, to="lost")
    case.refresh_from_db()
    assert case.status == "missing"


@pytest.mark.django_db
def test_record_sighting_keeps_the_reporters_phone_for_staff(make_case):
    case = make_case()
    sighting = services.record_sighting(
        case=case, place="Versova, Mumbai", seen_at=timezone.now() - timedelta(minutes=30),
        description="Girl with a pink bag at the bus stop.", reporter_phone="+919900000002",
        photo=ContentFile(jpeg_bytes(), name="s.jpg"),
    )
    stored = Sighting.objects.get(pk=sighting.pk)
    assert stored.reporter_phone == "+919900000002"
    assert stored.photo.name.startswith("sightings/photos/")
    assert stored.face_match_score is None
