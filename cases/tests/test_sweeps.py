"""Nothing is lost, nothing is noisy: work that could not be queued while the broker was down (photo analysis,
posters, places) is found by the beat sweeps and done later, and the outage logs one warning per report."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone

from cases import found, posters, services, sweeps, tasks
from cases.models import Case, FoundChild, FoundChildPhoto, Sighting
from geocoding.tests.helpers import use_fake_nominatim
from media import matching
from tests.fakes.geocoders import FakeNominatim, FakePlace
from tests.worker import celery_broker_down  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

FACE = Path(__file__).resolve().parents[2] / "tests" / "data" / "faces" / "grace_hopper.jpg"
PLACES = [FakePlace("Navrangpura", 23.0365, 72.5611, "Navrangpura, Ahmedabad, Gujarat, 380009, India")]


@pytest.fixture
def nominatim(settings):
    with FakeNominatim(PLACES) as fake:
        use_fake_nominatim(settings, fake)
        yield fake


def photo() -> ContentFile:
    return ContentFile(FACE.read_bytes(), name="child.jpg")


def report(**overrides) -> Case:
    values = dict(name="Ishita Das", age=5, gender="female", description="Yellow frock with white flowers.",
                  last_seen_place="Navrangpura, Ahmedabad", last_seen_at=timezone.now() - timedelta(hours=1),
                  contact_name="Sujata Das", contact_phone="+919831000404", photo=photo())
    values.update(overrides)
    return services.report_case(**values)


def age_everything(minutes: int = 30) -> None:
    """As if the reports were made `minutes` ago: the sweeps leave the newest rows to their own tasks."""
    earlier = timezone.now() - timedelta(minutes=minutes)
    Case.objects.filter(poster_of=F("updated_at")).update(poster_of=earlier)  # a fresh poster stays fresh
    Case.objects.update(created_at=earlier, updated_at=earlier)
    Sighting.objects.update(created_at=earlier)
    FoundChild.objects.update(created_at=earlier)
    FoundChildPhoto.objects.update(created_at=earlier)


def test_reports_made_while_the_broker_is_down_are_analysed_postered_and_placed_later(
    nominatim, celery_broker_down, django_capture_on_commit_callbacks, caplog  # noqa: F811 - fixture
):
    caplog.set_level(logging.INFO, logger="cases.after_commit")
    with django_capture_on_commit_callbacks(execute=True):
        case = report()
    with django_capture_on_commit_callbacks(execute=True):
        sighting = services.record_sighting(case=case, place="Navrangpura, Ahmedabad", seen_at=timezone.now(),
                                            description="Girl in a yellow frock.", photo=photo())
    with django_capture_on_commit_callbacks(execute=True):
        child = found.report_found_child(
            stated_name="Ishita", apparent_age=5, gender="female", description="Yellow frock.",
            found_place="Navrangpura, Ahmedabad", found_at=timezone.now(), reporter_name="Ravi",
            reporter_phone="+919831000505", photo=photo())
    lost = (matching.face_summary(case.photo.name), Case.objects.get(pk=case.pk).poster,
            Case.objects.get(pk=case.pk).geocoding)
    celery_broker_down.end()
    age_everything()

    swept = tasks.sweep_unfinished_work()
    placed = tasks.requeue_pending_geocoding()

    assert lost == (None, "", "pending")
    assert swept["case_faces"] == 1 and swept["sighting_faces"] == 1 and swept["found_child_faces"] == 1
    assert swept["posters"] == 1
    assert placed == 3
    case.refresh_from_db()
    assert matching.face_summary(case.photo.name).status == "one_face"
    assert matching.face_summary(Sighting.objects.get(pk=sighting.pk).photo.name).status == "one_face"
    assert matching.face_summary(child.photos.get().photo.name).status == "one_face"
    assert posters.is_fresh(case)
    assert (case.geocoding, case.latitude) == ("found", Decimal("23.036500"))
    assert FoundChild.objects.get(pk=child.pk).geocoding == "found"
    outage = [record for record in caplog.records if record.name == "cases.after_commit"]
    warnings = [record for record in outage if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "not queued now, the beat sweep will queue it later" in warnings[0].getMessage()
    assert all(record.exc_info is None for record in outage)
    assert all(record.exc_info is None for record in caplog.records if record.levelno >= logging.WARNING)


def test_sweeps_find_nothing_when_the_work_was_done(nominatim, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = report()
    age_everything()

    assert matching.face_summary(Case.objects.get(pk=case.pk).photo.name) is not None
    assert sweeps.cases_without_faces(limit=10) == []
    assert sweeps.stale_posters(limit=10) == []
    assert tasks.sweep_unfinished_work() == {"case_faces": 0, "sighting_faces": 0, "found_child_faces": 0,
                                             "posters": 0}


def test_sweeps_leave_fresh_rows_to_their_own_tasks(celery_broker_down):  # noqa: F811 - fixture
    case = report()

    assert sweeps.cases_without_faces(limit=10) == []
    assert sweeps.stale_posters(limit=10) == []
    assert Case.objects.get(pk=case.pk).poster == ""


def test_sweeps_skip_what_the_public_state_does_not_need(celery_broker_down):  # noqa: F811 - fixture
    closed = report(contact_phone="+919831000411")
    Case.objects.filter(pk=closed.pk).update(status="closed", resolved_at=timezone.now())
    found_long_ago = report(contact_phone="+919831000412", name="Meera Joshi")
    Case.objects.filter(pk=found_long_ago.pk).update(status="found",
                                                      resolved_at=timezone.now() - timedelta(days=30))
    age_everything()

    assert sweeps.cases_without_faces(limit=10) == []
    assert sweeps.stale_posters(limit=10) == []
