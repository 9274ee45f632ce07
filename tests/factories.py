"""Small builders of test inputs."""

from __future__ import annotations

import io
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


# Real face photographs: the MIT-licensed example photos of the face_recognition project (licence beside them).
FACES_DIR = Path(__file__).resolve().parent / "data" / "faces"


def staff_group(name: str):
    """The Police or NGO group. A data migration creates them; a transactional test that ran before (browser tests)
    flushes every table, so they are made again from the migrations' final state when missing."""
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from cases.roles import sync_roles

    group = Group.objects.filter(name=name).first()
    if group is None:
        sync_roles(MigrationLoader(connection).project_state().apps)
        group = Group.objects.get(name=name)
    return group
