"""Small copies of case photos: made on first request on the local disk and kept, served only while the photo
exists, deleted with it; on Cloudinary a URL transformation; and every stored file cached for a year."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from media import services, thumbnails
from tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(make_case):
    case = make_case()
    case.photo.save("aarav.jpg", ContentFile(jpeg_bytes(800, 600)), save=True)
    return case.photo


def test_a_square_copy_is_made_on_first_request_kept_and_cached_for_a_year(client, photo, settings):
    url = thumbnails.url(photo, "square240")
    first = client.get(url)
    kept = settings.MEDIA_ROOT / "thumbs" / "square240" / photo.name
    made_at = kept.stat().st_mtime_ns
    again = client.get(url)

    assert url == f"/media/thumbs/square240/{photo.name}"
    assert first.status_code == 200 and first["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(b"".join(first.streaming_content))) as image:
        assert image.size == (240, 240)
    assert "max-age=31536000" in first["Cache-Control"] and "immutable" in first["Cache-Control"]
    assert again.status_code == 200 and kept.stat().st_mtime_ns == made_at


def test_a_fitted_copy_keeps_the_whole_photo(client, photo):
    response = client.get(thumbnails.url(photo, "fit400"))

    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert image.size == (400, 300)


def test_the_srcsets_name_each_copy_with_its_width(photo):
    assert thumbnails.srcset(photo, "square") == ", ".join(
        f"/media/thumbs/square{side}/{photo.name} {side}w" for side in (240, 480, 720))
    assert thumbnails.srcset(photo, "fit") == (f"/media/thumbs/fit400/{photo.name} 400w, "
                                               f"/media/thumbs/fit600/{photo.name} 600w, {photo.url} 800w")


@pytest.mark.parametrize("path", ["square999/cases/photos/x.jpg", "square240/sightings/photos/x.jpg",
                                  "square240/cases/photos/../../secret.jpg", "square240/cases/photos/missing.jpg"])
def test_anything_but_a_copy_of_an_existing_case_photo_is_not_found(client, path, settings):
    assert client.get(f"/media/thumbs/{path}").status_code == 404
    assert not (settings.MEDIA_ROOT / "thumbs").exists()


def test_a_deleted_photos_copies_go_with_it(client, photo, settings):
    client.get(thumbnails.url(photo, "square240"))
    client.get(thumbnails.url(photo, "fit400"))
    folder = settings.MEDIA_ROOT / "thumbs"

    services.delete_files([(photo.storage, photo.name)])

    assert not list(folder.rglob("*.jpg"))
    assert client.get(thumbnails.url(photo, "square240")).status_code == 404


def test_a_copy_left_behind_is_never_served_once_the_photo_is_gone(client, photo, settings):
    client.get(thumbnails.url(photo, "square240"))
    photo.storage.delete(photo.name)  # deleted without delete_files (e.g. by hand)

    assert client.get(thumbnails.url(photo, "square240")).status_code == 404
    assert not (settings.MEDIA_ROOT / "thumbs" / "square240" / photo.name).exists()


def test_on_cloudinary_a_copy_is_a_url_transformation():
    stored = SimpleNamespace(name="media/cases/photos/abc.jpg",
                             url="https://res.cloudinary.com/demo/image/upload/v1/media/cases/photos/abc.jpg")

    assert thumbnails.url(stored, "square240") == ("https://res.cloudinary.com/demo/image/upload/"
                                                   "c_fill,g_face,w_240,h_240,f_auto,q_auto/v1/media/cases/photos/abc.jpg")
    assert thumbnails.url(stored, "fit400") == ("https://res.cloudinary.com/demo/image/upload/"
                                                "c_limit,w_400,h_400,f_auto,q_auto/v1/media/cases/photos/abc.jpg")


def test_stored_files_are_cached_for_a_year(client, photo):
    response = client.get(photo.url)

    assert response.status_code == 200
    assert "max-age=31536000" in response["Cache-Control"] and "immutable" in response["Cache-Control"]


def test_the_home_page_fetches_the_first_photo_first_and_the_others_lazily(client, make_case):
    for name in ("Aarav Sharma", "Kavya Reddy"):
        make_case(name=name).photo.save("p.jpg", ContentFile(jpeg_bytes()), save=True)

    page = client.get("/").content.decode()

    first, second = page.split('<li class="case-card">')[1:3]
    assert 'fetchpriority="high"' in first and 'loading="lazy"' not in first
    assert 'loading="lazy"' in second and "fetchpriority" not in second
    assert 'width="240" height="240"' in first and "srcset=" in first and "sizes=" in first
