"""Fixtures shared by every app's tests: isolated media folder, in-process tasks, a clean cache, factories."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone, translation


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in-process unless a test is about the real worker (marked `worker`)."""
    from sachet.celery import app

    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in English: a request through LocaleMiddleware leaves its language active in the thread."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def make_case(db):
    from cases.models import Case, CaseNote

    def make(**overrides) -> Case:
        values = dict(
            name="Aarav Sharma", age=7, gender="male", description="Red T-shirt, blue shorts, white sandals.",
            last_seen_place="Koregaon Park, Pune", latitude=Decimal("18.536200"), longitude=Decimal("73.893900"),
            last_seen_at=timezone.now() - timedelta(hours=3), contact_name="Priya Sharma",
            contact_phone="+919822000101", reporter_name="Priya Sharma", reporter_phone="+919822000999",
            # Published, as a confirmed report with the family's consent is (cases.verification).
            verification="verified", verification_method="import", verification_at=timezone.now(),
            consent_at=timezone.now(), consent_given_by="Priya Sharma", consent_version="2026-12",
        )
        note = overrides.pop("note", "Father works night shifts; check with the school.")
        values.update(overrides)
        case = Case.objects.create(**values)
        if note:
            CaseNote.objects.create(case=case, text=note)
        return case

    return make


@pytest.fixture
def make_sighting(db):
    from cases.models import Sighting

    def make(case, **overrides) -> Sighting:
        values = dict(place="Kalyani Nagar, Pune", latitude=Decimal("18.548600"), longitude=Decimal("73.902300"),
                      seen_at=timezone.now() - timedelta(hours=1), description="Boy in a red T-shirt near the bridge.",
                      reporter_phone="+919900012345")
        values.update(overrides)
        return Sighting.objects.create(case=case, **values)

    return make


@pytest.fixture
def make_key(db):
    """A partner API key with the given scopes: (row, the key itself)."""
    from sachet.partners.keys import create_key

    def make(*scopes, domain="childline.example.org", name="Childline Pune", expires_in=timedelta(days=30),
             rate=""):
        return create_key(name=name, domain=domain, scopes=list(scopes or ("read",)), rate=rate,
                          expires_at=timezone.now() + expires_in)

    return make
