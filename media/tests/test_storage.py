"""Storage: the local disk by default; with CLOUDINARY_URL, django-cloudinary-storage through media.storage's
adapter, driven against a fake Cloudinary on 127.0.0.1 with the real cloudinary SDK."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from media import services, storage
from media.storage import StorageUnavailable, cloudinary_options
from tests.factories import jpeg_bytes
from media.tests.fixtures import cloudinary  # noqa: F401 - fixture
from tests.fakes.cloudinary import FakeCloudinary
from tests.fakes.server import Response

PDF = b"%PDF-1.4\n% a poster\n%%EOF\n"


def test_cloudinary_url_gives_credentials_and_query_options():
    options = cloudinary_options("cloudinary://1234:s%2Fecret@my-cloud?upload_prefix=http://127.0.0.1:9&secure=false")

    assert options == {"cloud_name": "my-cloud", "api_key": "1234", "api_secret": "s/ecret",
                       "upload_prefix": "http://127.0.0.1:9", "secure": False}


@pytest.mark.parametrize("url", ["https://key:secret@cloud", "cloudinary://cloud-only", "cloudinary://key@cloud"])
def test_malformed_cloudinary_url_is_refused(url):
    with pytest.raises(ImproperlyConfigured):
        cloudinary_options(url)


def test_photo_is_uploaded_as_an_image_under_the_media_folder(cloudinary):
    data = jpeg_bytes(40, 30)

    name = default_storage.save("cases/photos/abc.jpg", ContentFile(data))

    assert name.startswith("media/cases/photos/abc_") and "." not in name  # Cloudinary drops an image's extension
    assert cloudinary.files == {("image", name): (data, "abc.jpg")}


def test_photo_url_is_cloudinarys_delivery_url(cloudinary):
    name = default_storage.save("cases/photos/abc.jpg", ContentFile(jpeg_bytes(40, 30)))

    assert default_storage.url(name) == f"http://127.0.0.1:{cloudinary.port}/sachet-test/image/upload/v1/{name}"


def test_stored_photo_reads_back_from_its_url(cloudinary):
    data = jpeg_bytes(40, 30)
    name = default_storage.save("sightings/photos/s.jpg", ContentFile(data))

    with default_storage.open(name) as file:
        assert file.read() == data


def test_reading_a_missing_file_raises_file_not_found(cloudinary):
    with pytest.raises(FileNotFoundError):
        default_storage.open("media/cases/photos/never_uploaded")


def test_deleting_removes_the_file_and_deleting_again_is_fine(cloudinary):
    name = default_storage.save("cases/photos/abc.jpg", ContentFile(jpeg_bytes(40, 30)))

    default_storage.delete(name)
    default_storage.delete(name)

    assert cloudinary.files == {}
    assert [r.path for r in cloudinary.requests if r.method == "POST"][-2:] == [
        "/v1_1/sachet-test/image/destroy", "/v1_1/sachet-test/image/destroy"]


def test_poster_storage_keeps_pdfs_as_raw_files_with_their_extension(cloudinary):
    name = storage.document_storage().save("posters/p.pdf", ContentFile(PDF))

    assert name.startswith("media/posters/p_") and name.endswith(".pdf")
    assert cloudinary.stored("raw") == [name]
    assert storage.document_storage().url(name).endswith(f"/sachet-test/raw/upload/v1/{name}")


def test_voice_note_storage_uses_cloudinarys_video_type_for_audio(cloudinary):
    name = storage.audio_storage().save("cases/voice/v.ogg", ContentFile(b"OggS fake audio"))

    assert cloudinary.stored("video") == [name]
    storage.audio_storage().delete(name)
    assert cloudinary.files == {}


def test_without_cloudinary_posters_and_voice_notes_are_files_on_disk(settings):
    name = storage.document_storage().save("posters/p.pdf", ContentFile(PDF))

    assert (settings.MEDIA_ROOT / name).read_bytes() == PDF


def test_cloudinary_server_error_is_a_retryable_storage_error(cloudinary):
    cloudinary.script(FakeCloudinary.server_error())

    with pytest.raises(StorageUnavailable):
        default_storage.save("cases/photos/abc.jpg", ContentFile(jpeg_bytes(40, 30)))

    assert cloudinary.files == {}


def test_slow_delivery_times_out_as_a_retryable_storage_error(cloudinary, settings):
    name = default_storage.save("cases/photos/abc.jpg", ContentFile(jpeg_bytes(40, 30)))
    settings.MEDIA_STORAGE_TIMEOUT = 0.2
    cloudinary.script(Response(200, b"late", delay=1.0))

    with pytest.raises(StorageUnavailable):
        default_storage.open(name)


def test_refused_upload_is_not_retryable(cloudinary, settings):
    settings.CLOUDINARY_URL = cloudinary.cloudinary_url.replace("fake-secret", "wrong-secret")

    with pytest.raises(Exception) as raised:
        default_storage.save("cases/photos/abc.jpg", ContentFile(jpeg_bytes(40, 30)))

    assert not isinstance(raised.value, StorageUnavailable)
    assert str(raised.value) == "Invalid Signature"
    assert cloudinary.files == {}


@pytest.mark.django_db
def test_deletion_that_fails_is_retried_by_a_task(cloudinary):
    name = default_storage.save("cases/photos/abc.jpg", ContentFile(jpeg_bytes(40, 30)))
    cloudinary.script(FakeCloudinary.server_error())

    assert services.delete_files([(default_storage, name)]) == 0

    # In-process, the retry task ran at once and Cloudinary answered it.
    assert cloudinary.files == {}
    assert [r.path for r in cloudinary.requests if r.path.endswith("/destroy")] == [
        "/v1_1/sachet-test/image/destroy", "/v1_1/sachet-test/image/destroy"]
