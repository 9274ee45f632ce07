"""Byte-level proof that no metadata block of an uploaded photo survives into the stored file or the poster: JPEG,
PNG, GIF and WebP inputs carrying EXIF (with GPS), XMP, IPTC, ICC, comments and text chunks, each with a marker."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, IptcImagePlugin

from media.images import normalise_photo, strip_jpeg_metadata
from media.posters import render_poster

from .metadata_samples import (
    GPS_IFD,
    MARKERS,
    PHONE,
    gif_with_everything,
    jpeg_segments,
    jpeg_with_everything,
    pdf_stream_contents,
    png_with_everything,
    webp_with_everything,
)

INPUTS = {
    "jpeg": jpeg_with_everything,
    "png": png_with_everything,
    "gif": gif_with_everything,
    "webp": webp_with_everything,
}
# Segments a clean baseline or progressive JPEG may have: SOI, APP0 (JFIF), DQT, SOF0/SOF2, DHT, SOS, EOI.
CLEAN_SEGMENTS = {0xD8, 0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDA, 0xD9}


@pytest.fixture(scope="module")
def inputs() -> dict[str, bytes]:
    return {name: build() for name, build in INPUTS.items()}


def stored(data: bytes, name: str) -> bytes:
    return normalise_photo(SimpleUploadedFile(f"photo.{name}", data, content_type="image/*")).read()


def forbidden(blob: bytes) -> list[str]:
    """Markers (and the phone number written into two of them) found in `blob`."""
    found = [key for key, marker in MARKERS.items() if marker.encode() in blob]
    digits = PHONE.replace("+91 ", "").encode()
    if digits in blob or digits.replace(b" ", b"") in blob:
        found.append("phone")
    return found


def icc_description(image: Image.Image) -> str:
    profile = ImageCms.ImageCmsProfile(io.BytesIO(image.info["icc_profile"]))
    return ImageCms.getProfileDescription(profile).strip()


# --- The inputs really carry what the tests say ---------------------------------------------------------------


def test_the_jpeg_input_carries_exif_gps_xmp_iptc_icc_and_a_comment(inputs):
    data = inputs["jpeg"]
    image = Image.open(io.BytesIO(data))

    assert forbidden(data) == ["exif", "exif-gps", "xmp", "iptc", "icc", "comment", "phone"]
    assert image.getexif().get_ifd(GPS_IFD)[1] == "N"
    assert image.info["comment"] == MARKERS["comment"].encode()
    assert MARKERS["xmp"].encode() in image.info["xmp"]
    assert IptcImagePlugin.getiptcinfo(image)[(2, 120)] == MARKERS["iptc"].encode()
    assert icc_description(image) == MARKERS["icc"]


def test_the_png_input_carries_text_itxt_ztxt_xmp_exif_and_icc(inputs):
    image = Image.open(io.BytesIO(inputs["png"]))

    assert image.text["Comment"] == MARKERS["png-text"]
    assert image.text["Description"] == MARKERS["png-itxt"]
    assert image.text["Author"] == MARKERS["png-ztxt"]  # compressed in the file: not visible as bytes
    assert MARKERS["xmp"] in image.text["XML:com.adobe.xmp"]
    assert image.getexif()[0x010E] == MARKERS["exif"]
    assert icc_description(image) == MARKERS["icc"]


def test_the_gif_input_carries_a_comment_and_an_xmp_extension(inputs):
    data = inputs["gif"]

    assert Image.open(io.BytesIO(data)).info["comment"] == MARKERS["gif-comment"].encode()
    assert b"\x21\xff\x0bXMP DataXMP" in data and MARKERS["gif-xmp"].encode() in data


def test_the_webp_input_carries_exif_xmp_and_icc(inputs):
    image = Image.open(io.BytesIO(inputs["webp"]))

    assert image.getexif()[0x010E] == MARKERS["exif"]
    assert MARKERS["xmp"].encode() in image.info["xmp"]
    assert icc_description(image) == MARKERS["icc"]


# --- The stored file ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(INPUTS))
def test_no_marker_survives_in_the_stored_photo(inputs, name):
    assert forbidden(stored(inputs[name], name)) == []


@pytest.mark.parametrize("name", list(INPUTS))
def test_the_stored_photo_is_a_jpeg_with_no_metadata_segment(inputs, name):
    segments = jpeg_segments(stored(inputs[name], name))

    markers = {marker for marker, _payload in segments}
    assert markers <= CLEAN_SEGMENTS, sorted(hex(m) for m in markers - CLEAN_SEGMENTS)
    [app0] = [payload for marker, payload in segments if marker == 0xE0]
    assert app0.startswith(b"JFIF\x00") and len(app0) == 14  # version, density and no thumbnail: nothing else


@pytest.mark.parametrize("name", list(INPUTS))
def test_pillow_finds_no_metadata_in_the_stored_photo(inputs, name):
    image = Image.open(io.BytesIO(stored(inputs[name], name)))

    assert dict(image.getexif()) == {}
    assert not {"exif", "icc_profile", "comment", "xmp", "photoshop"} & set(image.info)


@pytest.mark.parametrize("name", ["jpeg", "png", "webp"])
def test_colours_are_converted_to_srgb_before_the_profile_is_dropped(inputs, name):
    # The input's profile swaps red and blue: its "red" half is blue in sRGB, and stays blue without the profile.
    image = Image.open(io.BytesIO(stored(inputs[name], name)))

    red, green, blue = image.getpixel((100, 100))
    assert blue > 200 and red < 60 and green < 60
    assert image.getpixel((image.width - 50, 100)) >= (240, 240, 240)  # white stays white


def test_a_profile_that_cannot_be_read_is_dropped_and_the_pixels_kept(settings):
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (255, 0, 0)).save(out, "JPEG", icc_profile=b"not an ICC profile at all" * 8)

    image = Image.open(io.BytesIO(stored(out.getvalue(), "jpeg")))

    assert "icc_profile" not in image.info
    red, green, blue = image.getpixel((32, 32))
    assert red > 240 and green < 20 and blue < 20


# --- The poster -----------------------------------------------------------------------------------------------


def poster_of(photo: bytes) -> bytes:
    return render_poster(status="missing", name="Aarav Sharma", age=7, gender="Boy", last_seen_place="Pune",
                         last_seen_at_text="3 March 2026, 4 pm", description="Red T-shirt", contact="98220 00101",
                         reference="MC20260303A1B2C3D4", case_url="https://sachet.example/case/MC20260303A1B2C3D4",
                         photo=photo)


@pytest.mark.parametrize("name", list(INPUTS))
def test_the_poster_of_a_stored_photo_carries_no_marker(inputs, name):
    pdf = poster_of(stored(inputs[name], name))

    streams = pdf_stream_contents(pdf)
    assert forbidden(pdf) == []
    assert len(streams) > 3 and [forbidden(stream) for stream in streams] == [[]] * len(streams)


def test_a_photo_stored_before_cleaning_reaches_the_poster_without_its_metadata(inputs):
    # An upright JPEG is embedded without re-encoding: its metadata segments must be cut out on the way.
    raw = inputs["jpeg"]
    upright = Image.open(io.BytesIO(raw))
    assert upright.getexif().get(0x0112, 1) == 1 and upright.mode == "RGB"

    pdf = poster_of(raw)

    streams = pdf_stream_contents(pdf)
    assert forbidden(pdf) == []
    assert len(streams) > 3 and [forbidden(stream) for stream in streams] == [[]] * len(streams)
    [embedded] = [stream for stream in streams if stream.startswith(b"\xff\xd8")]
    assert {marker for marker, _payload in jpeg_segments(embedded)} <= CLEAN_SEGMENTS


def test_stripping_a_jpeg_keeps_its_pixels_and_drops_what_follows_its_end(inputs):
    raw = inputs["jpeg"] + b"PK\x03\x04 a zip appended after the image"

    clean = strip_jpeg_metadata(raw)

    assert forbidden(clean) == [] and b"PK\x03\x04" not in clean
    assert {marker for marker, _payload in jpeg_segments(clean)} <= CLEAN_SEGMENTS
    assert Image.open(io.BytesIO(clean)).tobytes() == Image.open(io.BytesIO(inputs["jpeg"])).tobytes()


def test_stripping_refuses_what_is_not_a_jpeg():
    with pytest.raises(ValueError, match="not a JPEG"):
        strip_jpeg_metadata(b"GIF89a")
