"""Voice notes: a family may record a short description. Checked by content, not by name: the container is
recognised from its first bytes, read by mutagen (a real audio parser, which must find a recording with a
length), and walked from its first byte to its last (`media.containers`), so that a valid header followed by
anything else (garbage, a ZIP, an HTML page) is refused."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable

import filetype
import mutagen
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from mutagen.aac import AAC
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.ogg import OggFileType
from mutagen.wave import WAVE

from . import containers

# What phones and browsers record into: MediaRecorder gives WebM (Chrome, Android) or Ogg (Firefox), iPhones and
# Safari M4A; voice-recorder apps MP3, M4A, 3GP, WAV, AAC. Each: (extension, mutagen reader, container walker);
# WebM has no mutagen reader, its walk is the whole check.
KINDS: dict[str, tuple[str, Callable | None, Callable[[bytes], None]]] = {
    "audio/mpeg": ("mp3", MP3, containers.walk_mp3),
    "audio/ogg": ("ogg", mutagen.File, containers.walk_ogg),
    "audio/x-wav": ("wav", WAVE, containers.walk_wav),
    "audio/wav": ("wav", WAVE, containers.walk_wav),
    "audio/aac": ("aac", AAC, containers.walk_adts),
    "audio/mp4": ("m4a", MP4, containers.walk_mp4),
    "audio/x-m4a": ("m4a", MP4, containers.walk_mp4),
    "audio/m4a": ("m4a", MP4, containers.walk_mp4),
    "video/mp4": ("m4a", MP4, containers.walk_mp4),
    "video/3gpp": ("3gp", MP4, containers.walk_mp4),
    "video/webm": ("webm", None, containers.walk_webm),
}


class InvalidVoiceNote(ValueError):
    """The upload is not a usable recording; the message is meant for the person who uploaded it."""


def _not_audio() -> InvalidVoiceNote:
    return InvalidVoiceNote(_("This file is not a sound recording we can play. Please send MP3, M4A, OGG, WAV or "
                              "WebM audio."))


def validate_voice_note(upload) -> ContentFile:
    """Return the voice note as a file with a safe random name, or raise InvalidVoiceNote."""
    max_bytes = settings.VOICE_MAX_BYTES
    too_long = _("The voice note is too long. Please keep it under %(size)s (about two minutes).") % {
        "size": filesizeformat(max_bytes)}
    if (getattr(upload, "size", None) or 0) > max_bytes:
        raise InvalidVoiceNote(too_long)
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidVoiceNote(too_long)
    if not data:
        raise InvalidVoiceNote(_("The voice note file is empty."))
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in KINDS:
        raise _not_audio()
    extension, reader, walk = KINDS[kind.mime]
    if reader is not None and not _has_length(reader, data):
        raise InvalidVoiceNote(_("This recording seems to be damaged. Please record it again."))
    try:
        walk(data)
    except containers.ExtraData:
        raise InvalidVoiceNote(_("This file holds something else after the recording, so we cannot accept it. "
                                 "Please record the voice note again and send it as it is.")) from None
    except containers.Broken:
        raise InvalidVoiceNote(_("This recording seems to be damaged. Please record it again.")) from None
    return ContentFile(data, name=f"{uuid.uuid4().hex}.{extension}")


def _has_length(reader, data: bytes) -> bool:
    try:
        parsed = reader(io.BytesIO(data))
    except (mutagen.MutagenError, ValueError, EOFError):
        return False
    if reader is mutagen.File and not isinstance(parsed, OggFileType):
        return False  # sniffed as Ogg, read as something else
    return parsed is not None and getattr(parsed.info, "length", 0) > 0
