"""Voice notes: real recordings in every container phones and browsers make are taken; anything else, and a real
recording with anything appended, is refused with a message the family understands."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from media import containers
from media.audio import InvalidVoiceNote, validate_voice_note
from tests.factories import jpeg_bytes

from .audio_samples import APPENDED, FORMATS, recording, wav_bytes

EXTENSIONS = {"webm": "webm", "webm-live": "webm", "ogg": "ogg", "m4a": "m4a", "3gp": "m4a", "mp3": "mp3",
              "aac": "aac", "wav": "wav"}
EXTRA = "This file holds something else after the recording, so we cannot accept it."
DAMAGED = "This recording seems to be damaged. Please record it again."
NOT_AUDIO = "This file is not a sound recording we can play. Please send MP3, M4A, OGG, WAV or WebM audio."


def upload(data: bytes, name: str = "note.webm") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def refusal(data: bytes) -> str:
    with pytest.raises(InvalidVoiceNote) as raised:
        validate_voice_note(upload(data))
    return str(raised.value)


@pytest.fixture(scope="module")
def recordings() -> dict[str, bytes]:
    return {name: recording(name) for name in [*FORMATS, "wav"]}


@pytest.mark.parametrize("kind", [*FORMATS, "wav"])
def test_a_real_recording_is_kept_whole_with_a_safe_name(recordings, kind):
    result = validate_voice_note(upload(recordings[kind], "../../etc/my note.bin"))

    assert result.name.endswith("." + EXTENSIONS[kind])
    assert "/" not in result.name and "note" not in result.name
    assert result.read() == recordings[kind]


@pytest.mark.parametrize("appended", list(APPENDED))
@pytest.mark.parametrize("kind", [*FORMATS, "wav"])
def test_a_real_recording_with_anything_appended_is_refused(recordings, kind, appended):
    assert refusal(recordings[kind] + APPENDED[appended]).startswith(EXTRA)


@pytest.mark.parametrize("kind", [*FORMATS, "wav"])
def test_a_recording_cut_short_is_refused_as_damaged(recordings, kind):
    data = recordings[kind]

    assert refusal(data[: len(data) * 2 // 3]) == DAMAGED


def test_a_streamed_webm_cluster_of_unknown_size_is_walked_to_its_end(recordings):
    data = bytearray(recordings["webm-live"])
    cluster = data.find(bytes.fromhex("1F43B675"))
    _id, size, content = containers._element(bytes(data), cluster)
    size_length = content - cluster - 4
    data[cluster + 4:content] = bytes([0xFF >> (size_length - 1)]) + b"\xff" * (size_length - 1)  # "unknown"
    assert containers._element(bytes(data), cluster)[1] is None

    assert validate_voice_note(upload(bytes(data))).name.endswith(".webm")
    assert refusal(bytes(data) + APPENDED["a ZIP archive"]).startswith(EXTRA)


def test_a_webm_header_alone_is_refused(recordings):
    data = recordings["webm"]
    segment = data.find(bytes.fromhex("18538067"))

    assert refusal(data[:segment]) == DAMAGED


def test_an_mp3_tag_in_front_of_a_text_is_refused():
    assert refusal(b"ID3? no\n" * 50) == DAMAGED


def test_a_wav_whose_riff_size_hides_appended_bytes_is_refused():
    data = bytearray(wav_bytes())
    data[4:8] = (int.from_bytes(data[4:8], "little") + len(APPENDED["an HTML page"])).to_bytes(4, "little")

    assert refusal(bytes(data) + APPENDED["an HTML page"]) == DAMAGED  # a chunk header that is not one


def test_ogg_page_with_a_wrong_checksum_is_refused(recordings):
    data = bytearray(recordings["ogg"])
    data[-5] ^= 0xFF  # one byte of the last page's audio

    assert refusal(bytes(data)) == DAMAGED


def test_text_is_not_a_voice_note():
    assert refusal(b"hello there\n" * 50) == NOT_AUDIO


def test_a_photo_is_not_a_voice_note():
    assert refusal(jpeg_bytes()) == NOT_AUDIO


def test_a_zip_is_not_a_voice_note():
    assert refusal(APPENDED["a ZIP archive"]) == NOT_AUDIO


def test_voice_note_over_the_size_cap_is_refused(settings):
    settings.VOICE_MAX_BYTES = 4000

    assert refusal(wav_bytes(1.0)) == "The voice note is too long. Please keep it under 3.9\xa0KB (about two minutes)."


def test_empty_voice_note_is_refused():
    assert refusal(b"") == "The voice note file is empty."
