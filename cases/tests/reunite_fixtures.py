"""Fixtures for the reunite tests (import them into a test module): cases, sightings and found children made through
the services with real photographs, what they schedule after commit run in-process."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cases import found, services
from cases.consent import CURRENT_VERSION
from cases.models import Case, FoundChild, Sighting
from media.tests.conftest import PHOTOS

PUNE = (Decimal("18.536200"), Decimal("73.893900"))
KALYANI_NAGAR = (Decimal("18.548600"), Decimal("73.902300"))


@pytest.fixture
def match_settings(settings):
    settings.FACE_MATCH_LIKELY_DISTANCE = 0.45
    settings.FACE_MATCH_POSSIBLE_DISTANCE = 0.55
    settings.FACE_MATCH_ZERO_DISTANCE = 0.65
    settings.FACE_MATCH_CANDIDATES = 5
    return settings


def photo_file(photo: str | None, name: str = "photo.jpg") -> ContentFile | None:
    return ContentFile(PHOTOS[photo](), name=name) if photo else None


@pytest.fixture
def report(django_capture_on_commit_callbacks):
    """Report a case (with one of the test photos) and run what follows the commit."""

    def report(photo: str | None, name: str = "Aarav Sharma", *, phone: str = "+919822000101", age: int = 7,
               reporter_phone: str = "", place: tuple = PUNE, hours_ago: float = 3) -> Case:
        with django_capture_on_commit_callbacks(execute=True):
            return services.report_case(
                name=name, age=age, gender="male", description="Red T-shirt, blue shorts.",
                last_seen_place="Koregaon Park, Pune",
                last_seen_at=timezone.now() - datetime.timedelta(hours=hours_ago),
                contact_name="Priya Sharma", contact_phone=phone, reporter_phone=reporter_phone,
                latitude=place[0] if place else None, longitude=place[1] if place else None,
                photo=photo_file(photo), consent_version=CURRENT_VERSION,
            )

    return report


@pytest.fixture
def sight(django_capture_on_commit_callbacks):
    def sight(case: Case, photo: str | None) -> Sighting:
        with django_capture_on_commit_callbacks(execute=True):
            sighting = services.record_sighting(
                case=case, place="Kalyani Nagar, Pune", seen_at=timezone.now() - datetime.timedelta(hours=1),
                description="A boy near the bridge, with a woman.", latitude=KALYANI_NAGAR[0],
                longitude=KALYANI_NAGAR[1], photo=photo_file(photo, "sighting.jpg"),
                reporter_phone="+919900012345",
            )
        sighting.refresh_from_db()
        return sighting

    return sight


@pytest.fixture
def register_found(django_capture_on_commit_callbacks):
    """A found child registered by staff, with photos, searched after commit."""

    def register(*photos: str, stated_name: str = "", age: int | None = 7, by=None, place: tuple = KALYANI_NAGAR,
                 status: str = FoundChild.Status.IN_CARE) -> FoundChild:
        with django_capture_on_commit_callbacks(execute=True):
            child = found.register_found_child(child=FoundChild(
                stated_name=stated_name, apparent_age=age, gender="male", found_place="Pune railway station",
                found_at=timezone.now() - datetime.timedelta(hours=2), current_location="Shishu Bhavan, Pune",
                latitude=place[0], longitude=place[1], status=status), by=by)
        for photo in photos:
            with django_capture_on_commit_callbacks(execute=True):
                found.add_photo(child=child, photo=photo_file(photo, "found.jpg"), by=by)
        child.refresh_from_db()
        return child

    return register


@pytest.fixture
def set_status(django_capture_on_commit_callbacks):
    def set_status(case: Case, to: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.change_status(case=case, to=to, note="Status changed in a test.")

    return set_status


@pytest.fixture
def run_after_commit(django_capture_on_commit_callbacks):
    """Call a service and run what it scheduled after commit."""

    def run(function, /, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run
