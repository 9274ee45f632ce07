"""Uploads are stored before the transaction that writes their row (Cloudinary can take seconds), the row claims
them, a failed write deletes them at once, and the sweep deletes what no row claimed after the grace period: on
the local disk and on (a fake) Cloudinary."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cases import events, services
from cases.models import Case, Sighting
from media import uploads
from media.models import StoredUpload
from media.tests.fixtures import cloudinary  # noqa: F401 - fixture
from tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db


def report(**overrides) -> Case:
    values = dict(name="Ishita Das", age=5, gender="female", description="Yellow frock with white flowers.",
                  last_seen_place="Howrah Station, Kolkata", last_seen_at=timezone.now() - timedelta(hours=1),
                  contact_name="Sujata Das", contact_phone="+919831000404",
                  photo=ContentFile(jpeg_bytes(200, 200), name="child.jpg"))
    values.update(overrides)
    return services.report_case(**values)


def stored_files(settings) -> list[str]:
    return sorted(str(path.relative_to(settings.MEDIA_ROOT)) for path in settings.MEDIA_ROOT.rglob("*")
                  if path.is_file())


def test_a_report_claims_the_photo_it_stored(settings):
    case = report()

    assert case.photo.name.startswith("cases/photos/")
    assert stored_files(settings) == [case.photo.name]
    assert StoredUpload.objects.count() == 0


def test_a_sighting_claims_the_photo_it_stored(settings, make_case):
    case = make_case()

    sighting = services.record_sighting(case=case, place="Howrah", seen_at=timezone.now(), description="Seen",
                                        photo=ContentFile(jpeg_bytes(200, 200), name="s.jpg"))

    assert Sighting.objects.get(pk=sighting.pk).photo.name == sighting.photo.name
    assert stored_files(settings) == [sighting.photo.name]
    assert StoredUpload.objects.count() == 0


def test_a_report_that_fails_to_save_leaves_no_file(settings, monkeypatch):
    def broken(case, **options):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(events, "case_reported", broken)

    with pytest.raises(RuntimeError):
        report()

    assert Case.objects.count() == 0
    assert stored_files(settings) == []
    assert StoredUpload.objects.count() == 0


def unclaimed(name: str, *, minutes_ago: int) -> str:
    """A file stored for a row that never came (the process died between the upload and the commit)."""
    field = Case(name="x").photo
    uploads.store(field, ContentFile(jpeg_bytes(100, 100), name=name))
    StoredUpload.objects.filter(name=field.name).update(stored_at=timezone.now() - timedelta(minutes=minutes_ago))
    return field.name


def test_the_sweep_deletes_unclaimed_files_after_the_grace_period(settings):
    settings.UPLOAD_GRACE_MINUTES = 60
    case = report()
    unclaimed("old.jpg", minutes_ago=61)
    recent = unclaimed("recent.jpg", minutes_ago=5)

    deleted = uploads.sweep()

    assert deleted == 1
    assert list(StoredUpload.objects.values_list("name", flat=True)) == [recent]
    assert stored_files(settings) == sorted([case.photo.name, recent])


def test_the_sweep_deletes_unclaimed_files_on_cloudinary(settings, cloudinary):  # noqa: F811 - fixture
    settings.UPLOAD_GRACE_MINUTES = 60
    case = report()
    orphan = unclaimed("old.jpg", minutes_ago=61)
    before = {name for _kind, name in cloudinary.files}

    deleted = uploads.sweep()

    assert deleted == 1
    assert before == {case.photo.name, orphan}
    assert {name for _kind, name in cloudinary.files} == {case.photo.name}
    assert StoredUpload.objects.count() == 0
