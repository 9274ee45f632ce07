import io
import struct
import wave

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from media.audio import InvalidVoiceNote, validate_voice_note
from media.images import InvalidPhoto, normalise_photo
from tests.factories import jpeg_bytes

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def exif_with_gps_and_camera(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x013B] = "Priya Sharma"  # artist: the photographer's name
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (18.0, 32.0, 10.3), 3: "E", 4: (73.0, 53.0, 38.0)})
    if orientation:
        exif[ORIENTATION] = orientation
    return exif


def test_gps_and_all_other_metadata_are_stripped():
    source = jpeg_bytes(exif=exif_with_gps_and_camera())
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(GPS_IFD)  # the input really has GPS

    result = Image.open(io.BytesIO(normalise_photo(upload(source)).read()))
    assert dict(result.getexif()) == {}
    assert result.getexif().get_ifd(GPS_IFD) == {}
    assert "exif" not in result.info and "icc_profile" not in result.info and "comment" not in result.info


def test_exif_orientation_is_applied_to_the_pixels():
    # A 400x200 landscape sensor image that the phone says to rotate 90 degrees: people see it upright, 200x400.
    source = jpeg_bytes(400, 200, exif=exif_with_gps_and_camera(orientation=6))
    result = Image.open(io.BytesIO(normalise_photo(upload(source)).read()))
    assert result.size == (200, 400)


def test_large_photo_is_stored_as_jpeg_fitting_800_by_800():
    result = Image.open(io.BytesIO(normalise_photo(upload(jpeg_bytes(3000, 2000))).read()))
    assert result.format == "JPEG"
    assert result.size == (800, 533)


def test_png_with_transparency_becomes_a_jpeg_on_white():
    image = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    result = Image.open(io.BytesIO(normalise_photo(upload(out.getvalue(), "a.png")).read()))
    assert result.format == "JPEG" and result.mode == "RGB"
    assert result.getpixel((50, 50)) == (255, 255, 255)


def test_text_file_named_jpg_is_refused():
    with pytest.raises(InvalidPhoto, match="not a photo we can read"):
        normalise_photo(upload(b"GIF89a? no, just text pretending\n" * 10))


def test_truncated_jpeg_is_refused():
    data = jpeg_bytes(800, 600)
    with pytest.raises(InvalidPhoto, match="damaged or incomplete"):
        normalise_photo(upload(data[: len(data) // 2]))


def test_huge_pixel_png_is_refused_before_decoding(settings):
    # 9000 x 5000 = 45 million pixels of one colour: a few kB on disk, 135 MB once decoded.
    image = Image.new("1", (9000, 5000))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    assert len(out.getvalue()) < 200_000
    with pytest.raises(InvalidPhoto, match="too many pixels"):
        normalise_photo(upload(out.getvalue(), "bomb.png"))


def test_photo_over_the_size_cap_is_refused(settings):
    settings.PHOTO_MAX_BYTES = 10_000
    with pytest.raises(InvalidPhoto, match="too large"):
        normalise_photo(upload(jpeg_bytes(1200, 1200) + b"\0" * 20_000))


def test_empty_file_is_refused():
    with pytest.raises(InvalidPhoto, match="empty"):
        normalise_photo(upload(b""))


def wav_bytes(seconds: float = 0.5) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(struct.pack("<h", 0) * int(8000 * seconds))
    return out.getvalue()


def test_wav_voice_note_is_accepted_with_a_safe_name():
    result = validate_voice_note(SimpleUploadedFile("../../etc/note.wav", wav_bytes(), content_type="audio/wav"))
    assert result.name.endswith(".wav")
    assert "/" not in result.name and "note" not in result.name


def test_voice_note_that_is_text_is_refused():
    with pytest.raises(InvalidVoiceNote, match="not a sound recording"):
        validate_voice_note(SimpleUploadedFile("note.mp3", b"hello there\n" * 50, content_type="audio/mpeg"))


def test_text_with_an_mp3_tag_header_is_refused():
    with pytest.raises(InvalidVoiceNote, match="damaged"):
        validate_voice_note(SimpleUploadedFile("note.mp3", b"ID3? no\n" * 50, content_type="audio/mpeg"))


def test_voice_note_that_is_a_photo_is_refused():
    with pytest.raises(InvalidVoiceNote, match="not a sound recording"):
        validate_voice_note(SimpleUploadedFile("note.m4a", jpeg_bytes(), content_type="audio/mp4"))


def test_voice_note_over_the_size_cap_is_refused(settings):
    settings.VOICE_MAX_BYTES = 4000
    with pytest.raises(InvalidVoiceNote, match="too long"):
        validate_voice_note(SimpleUploadedFile("note.wav", wav_bytes(1.0), content_type="audio/wav"))
