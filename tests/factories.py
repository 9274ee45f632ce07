"""Small builders of test inputs."""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image


def jpeg_bytes(width: int = 640, height: int = 480, *, color=(200, 120, 60), exif=None, fmt: str = "JPEG") -> bytes:
    image = Image.new("RGB", (width, height), color)
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def form_datetime(moment) -> str:
    """A time as a datetime-local form field sends it: local time, to the minute."""
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# The MIT-licensed example photos of the face_recognition project, kept beside the repository (see their LICENSE).
DEFAULT_FACES_DIR = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "faces"


def faces_dir() -> Path:
    """The folder of real face photographs; without it the tests that need it skip locally and fail on CI."""
    import pytest

    folder = Path(os.environ.get("SACHET_FACES_DIR") or DEFAULT_FACES_DIR)
    if not (folder / "obama_1.jpg").is_file():
        message = f"face test photos not found in {folder} (set SACHET_FACES_DIR)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return folder
