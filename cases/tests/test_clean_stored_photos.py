"""`manage.py clean_stored_photos`: photos stored before every upload was cleaned lose their metadata (dry run
first), keep their pixels (JPEG) or become a clean JPEG (anything else), and a second run finds nothing to do."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image

from cases.models import Case
from media.images import strip_jpeg_metadata
from media.models import FacePrint
from media.tests.metadata_samples import MARKERS, jpeg_segments, jpeg_with_everything, png_with_everything
from tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db

CLEAN_SEGMENTS = {0xD8, 0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDA, 0xD9}


def run(*args) -> str:
    out = StringIO()
    call_command("clean_stored_photos", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def stored_raw(case: Case, data: bytes, name: str) -> str:
    """Store bytes as the case photo as an old version of Sachet did: as uploaded."""
    stored = case.photo.storage.save(f"cases/photos/{name}", ContentFile(data))
    Case.objects.filter(pk=case.pk).update(photo=stored)
    return stored


@pytest.fixture
def old_photos(make_case, make_sighting):
    jpeg_case, png_case, clean_case = make_case(name="Jpeg Case"), make_case(name="Png Case"), make_case(name="Ok")
    names = {"jpeg": stored_raw(jpeg_case, jpeg_with_everything(), "old.jpg"),
             "png": stored_raw(png_case, png_with_everything(), "old.png"),
             "clean": stored_raw(clean_case, jpeg_bytes(), "clean.jpg")}
    FacePrint.objects.create(photo_name=names["jpeg"], group="case", status="no_face")
    return {"jpeg": jpeg_case, "png": png_case, "clean": clean_case}, names


def test_a_dry_run_counts_and_changes_nothing(old_photos):
    cases, names = old_photos

    summary = run("--dry-run")

    assert summary == "3 photo(s) (dry run): 2 to clean, 1 already clean."
    assert {key: Case.objects.get(pk=case.pk).photo.name for key, case in cases.items()} == names


def test_cleaning_drops_every_metadata_block_and_keeps_jpeg_pixels(old_photos, settings):
    cases, names = old_photos

    summary = run()

    assert summary == "3 photo(s): 2 cleaned, 1 already clean."
    for key in ("jpeg", "png"):
        case = Case.objects.get(pk=cases[key].pk)
        assert case.photo.name != names[key]
        assert not (settings.MEDIA_ROOT / names[key]).exists()  # the old file is gone
        data = (settings.MEDIA_ROOT / case.photo.name).read_bytes()
        assert {marker for marker, _ in jpeg_segments(data)} <= CLEAN_SEGMENTS
        assert not [m for m in MARKERS.values() if m.encode() in data]
    jpeg = (settings.MEDIA_ROOT / Case.objects.get(pk=cases["jpeg"].pk).photo.name).read_bytes()
    assert jpeg == strip_jpeg_metadata(jpeg_with_everything())  # lossless: the same scan
    assert Image.open(settings.MEDIA_ROOT / Case.objects.get(pk=cases["png"].pk).photo.name).format == "JPEG"
    assert Case.objects.get(pk=cases["clean"].pk).photo.name == names["clean"]
    assert not FacePrint.objects.filter(photo_name=names["jpeg"]).exists()  # analysed again under the new name


def test_a_second_run_finds_nothing_to_do(old_photos):
    run()

    assert run() == "3 photo(s): 3 already clean."
