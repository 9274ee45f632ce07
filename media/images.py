"""Uploaded photos: checked by content with Pillow, rotated upright, stripped of all metadata, stored as JPEG.

A phone photo carries GPS coordinates and the camera owner's details in its EXIF data; none of it may reach a
public page, so the stored file is re-encoded from pixels only.
"""

from __future__ import annotations

import io
import uuid
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO", "HEIF"}


class InvalidPhoto(ValueError):
    """The upload is not a usable photo; the message is meant for the person who uploaded it."""


def normalise_photo(upload, *, max_side: int | None = None) -> ContentFile:
    """Validate an uploaded photo and return a clean JPEG (fitting max_side x max_side) ready to be stored."""
    max_bytes = settings.PHOTO_MAX_BYTES
    max_pixels = settings.PHOTO_MAX_PIXELS
    max_side = max_side or settings.PHOTO_MAX_SIDE

    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size == 0:
        raise InvalidPhoto("The photo file is empty.")
    if size > max_bytes:
        raise InvalidPhoto(f"The photo is too large ({size / 1048576:.1f} MB). Please send one under "
                           f"{max_bytes // 1048576} MB.")
    upload.seek(0)
    data = upload.read()

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ACCEPTED_FORMATS:
                raise InvalidPhoto("This file is not a photo we can read. Please send a JPEG or PNG picture.")
            width, height = probe.size
            # The header is read before any pixels: a decompression bomb is refused without being decoded.
            if width * height > max_pixels:
                raise InvalidPhoto("This picture has too many pixels. Please send an ordinary phone photo.")
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except InvalidPhoto:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidPhoto("This file is not a photo we can read. Please send a JPEG or PNG picture.") from None
    except (OSError, SyntaxError, ValueError):
        raise InvalidPhoto("This photo seems to be damaged or incomplete. Please try another one.") from None

    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
    image = ImageOps.exif_transpose(image)
    image = _to_rgb(image)
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)

    out = io.BytesIO()
    # Pixels only: no exif=, no icc_profile=, no comment, so nothing of the original's metadata survives.
    image.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    if image.mode != "RGB":
        return image.convert("RGB")
    return image.copy()
