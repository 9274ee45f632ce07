"""Voice notes: a family may record a short description. Checked by content (magic bytes) and size."""

from __future__ import annotations

import uuid

import io

import filetype
import mutagen
from django.conf import settings
from django.core.files.base import ContentFile

# Containers that phones and browsers record into (MediaRecorder gives WebM or Ogg; iPhones give M4A).
ACCEPTED = {
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/x-wav": "wav",
    "audio/wav": "wav",
    "audio/x-flac": "flac",
    "audio/aac": "aac",
    "audio/amr": "amr",
    "audio/mp4": "m4a",
    "audio/x-m4a": "m4a",
    "audio/m4a": "m4a",
    "video/mp4": "m4a",
    "video/webm": "webm",
    "video/3gpp": "3gp",
}


class InvalidVoiceNote(ValueError):
    """The upload is not a usable recording; the message is meant for the person who uploaded it."""


def validate_voice_note(upload) -> ContentFile:
    """Return the voice note as a file with a safe random name, or raise InvalidVoiceNote."""
    max_bytes = settings.VOICE_MAX_BYTES
    size = getattr(upload, "size", None) or 0
    if size > max_bytes:
        raise InvalidVoiceNote(f"The voice note is too long. Please keep it under {max_bytes // 1048576} MB "
                               "(about two minutes).")
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidVoiceNote(f"The voice note is too long. Please keep it under {max_bytes // 1048576} MB.")
    if not data:
        raise InvalidVoiceNote("The voice note file is empty.")
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in ACCEPTED:
        raise InvalidVoiceNote("This file is not a sound recording we can play. Please send MP3, M4A, OGG, WAV "
                               "or WebM audio.")
    extension = ACCEPTED[kind.mime]
    # Magic bytes alone accept any file that starts with "ID3" or "RIFF"; parsing the stream proves it is audio.
    # mutagen does not read WebM, whose EBML header filetype has already checked.
    if extension != "webm" and not _parses_as_audio(data):
        raise InvalidVoiceNote("This recording seems to be damaged. Please record it again.")
    return ContentFile(data, name=f"{uuid.uuid4().hex}.{extension}")


def _parses_as_audio(data: bytes) -> bool:
    try:
        parsed = mutagen.File(io.BytesIO(data))
    except mutagen.MutagenError:
        return False
    return parsed is not None and getattr(parsed.info, "length", 0) > 0
