"""Smaller copies of case photos for pages that show them small (the home page's cards, the case page's frame), so a
phone downloads a 240-pixel square instead of an 800-pixel photo.

On Cloudinary the copy is a URL transformation (Cloudinary makes and caches it). On the local disk (the embedded
default) it is made on its first request by `serve` and kept under MEDIA_ROOT/thumbs/<spec>/<photo's name>; the
photo's random name never changes, so browsers keep both for a year. A copy is served only while its photo exists,
and is deleted with it (`forget`, called by media.services.delete_files).

Specs: "square<W>" crops the middle to W x W (what a card shows); "fit<W>" fits the photo within W x W, whole.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from PIL import Image, ImageOps

SQUARES = (240, 480, 720)
FITS = (400, 600)
SPECS = {f"square{side}" for side in SQUARES} | {f"fit{side}" for side in FITS}
SERVED_FOLDERS = ("cases/photos/",)
ONE_YEAR = 365 * 24 * 3600
JPEG_QUALITY = 82
_CLOUDINARY_UPLOAD = "/image/upload/"


def url(file, spec: str) -> str:
    """The address of the `spec` copy of a stored photo (a FieldFile)."""
    if spec not in SPECS:
        raise ValueError(f"unknown thumbnail spec {spec!r}")
    original = file.url
    if _CLOUDINARY_UPLOAD in original:
        return original.replace(_CLOUDINARY_UPLOAD, f"{_CLOUDINARY_UPLOAD}{_cloudinary_transformation(spec)}/", 1)
    return f"{settings.MEDIA_URL}thumbs/{spec}/{file.name}"


def _cloudinary_transformation(spec: str) -> str:
    side = int(re.sub(r"\D", "", spec))
    if spec.startswith("square"):
        return f"c_fill,g_face,w_{side},h_{side},f_auto,q_auto"
    return f"c_limit,w_{side},h_{side},f_auto,q_auto"


def srcset(file, kind: str) -> str:
    """A srcset of the photo's copies: squares 240w, 480w, 720w; or the 400- and 600-pixel fits and the photo itself
    (800w: stored photos fit within PHOTO_MAX_SIDE)."""
    if kind == "square":
        return ", ".join(f"{url(file, f'square{side}')} {side}w" for side in SQUARES)
    fits = ", ".join(f"{url(file, f'fit{side}')} {side}w" for side in FITS)
    return f"{fits}, {file.url} {settings.PHOTO_MAX_SIDE}w"


def _path(spec: str, name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "thumbs" / spec / name


def serve(request, spec: str, name: str):
    """/media/thumbs/<spec>/<name> on the local disk: made on first request, then served from the file."""
    if spec not in SPECS or not name.startswith(SERVED_FOLDERS) or ".." in name.split("/"):
        raise Http404("No such photo.")
    target = _path(spec, name)
    if not default_storage.exists(name):
        forget(name)  # the photo was deleted (erased, found): its copies go too
        raise Http404("No such photo.")
    if not target.exists():
        with default_storage.open(name, "rb") as original:
            _write(target, make(original.read(), spec))
    response = FileResponse(open(target, "rb"), content_type="image/jpeg")
    patch_cache_control(response, public=True, max_age=ONE_YEAR, immutable=True)
    return response


def make(data: bytes, spec: str) -> bytes:
    """The JPEG of the `spec` copy of a stored photo (already upright and without metadata)."""
    side = int(re.sub(r"\D", "", spec))
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (side, side))  # a JPEG decodes straight at a reduced scale when it can
        image = image.convert("RGB")
        if spec.startswith("square"):
            image = ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS)
        else:
            image.thumbnail((side, side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _write(target: Path, data: bytes) -> None:
    # Written beside and renamed: two requests making the same copy never serve half a file.
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    os.replace(temporary, target)


def forget(name: str) -> int:
    """Delete the local copies of a photo; how many."""
    deleted = 0
    for spec in SPECS:
        try:
            _path(spec, name).unlink()
            deleted += 1
        except FileNotFoundError:
            pass
    return deleted
