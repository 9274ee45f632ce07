"""Uploaded photos: checked by content with Pillow, rotated upright, stripped of all metadata, stored as JPEG.

A phone photo carries GPS coordinates and the camera owner's details in its EXIF data, and any photo can carry
text in comments (JPEG COM, PNG tEXt/iTXt/zTXt, GIF comment extensions), XMP, IPTC and an ICC profile. None of it
may reach a public page or a poster, so the stored file is encoded afresh from pixels alone: colours are first
converted to sRGB when the photo has its own profile, and the image's `info` (which Pillow would otherwise copy
into the JPEG, a comment included) is emptied before it is saved. The result holds only JFIF, quantisation and
Huffman tables and the scan.

A JPEG much larger than the output is decoded straight at 1/2, 1/4 or 1/8 scale (Pillow's draft mode, done by
libjpeg): one decode at about the size needed, one resize, one encode.
"""

from __future__ import annotations

import io
import struct
import uuid
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO", "HEIF"}
JPEG_QUALITY = 85
DRAFT_GAP = 2
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class InvalidPhoto(ValueError):
    """The upload is not a usable photo; the message is meant for the person who uploaded it."""


def normalise_photo(upload, *, max_side: int | None = None) -> ContentFile:
    """Validate an uploaded photo and return a clean JPEG (fitting max_side x max_side) ready to be stored."""
    max_bytes = settings.PHOTO_MAX_BYTES
    max_pixels = settings.PHOTO_MAX_PIXELS
    max_side = max_side or settings.PHOTO_MAX_SIDE
    not_a_photo = _("This file is not a photo we can read. Please send a JPEG or PNG picture.")

    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size == 0:
        raise InvalidPhoto(_("The photo file is empty."))
    if size > max_bytes:
        raise InvalidPhoto(_("The photo is too large (%(size).1f MB). Please send one under %(max)d MB.")
                           % {"size": size / 1048576, "max": max_bytes // 1048576})
    upload.seek(0)
    data = upload.read()

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ACCEPTED_FORMATS:
                raise InvalidPhoto(not_a_photo)
            width, height = probe.size
            # The header is read before any pixels: a decompression bomb is refused without being decoded.
            if width * height > max_pixels:
                raise InvalidPhoto(_("This picture has too many pixels. Please send an ordinary phone photo."))
            probe.verify()
            image = Image.open(io.BytesIO(data))
            if image.format in ("JPEG", "MPO"):
                # At least twice the output size (Pillow's own reducing gap), so the resize below keeps the
                # quality of a full decode: a 12-megapixel photo is decoded as 3.
                width, height = _fitted(image.size, max_side)
                image.draft(None, (width * DRAFT_GAP, height * DRAFT_GAP))
            image.load()
    except InvalidPhoto:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidPhoto(not_a_photo) from None
    except (OSError, SyntaxError, ValueError):
        raise InvalidPhoto(_("This photo seems to be damaged or incomplete. Please try another one.")) from None

    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
    image = ImageOps.exif_transpose(image)
    image = _to_srgb(image)
    image = _to_rgb(image)
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    image.info = {}  # Pillow writes info["comment"] (from a JPEG COM or a GIF comment) into the JPEG it saves

    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def _fitted(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """The size `size` takes when fitted into max_side x max_side (never enlarged)."""
    width, height = size
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _to_srgb(image: Image.Image) -> Image.Image:
    """The pixels in sRGB when the photo brings its own colour profile (wide-gamut phone photos, CMYK scans).

    A profile that cannot be read is ignored: the pixels are then taken as sRGB, as browsers do."""
    profile = image.info.get("icc_profile")
    if not profile:
        return image
    alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if image.mode in ("P", "PA", "LA", "1", "I;16", "I", "F"):
        image = image.convert("RGBA" if alpha else "RGB")
    try:
        return ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(profile)), _SRGB,
                                         outputMode="RGBA" if alpha else "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    if image.mode != "RGB":
        return image.convert("RGB")
    return image.copy()


# JPEG markers without a length (TEM, RSTn) and the ones that carry metadata (APP1..APP15, COM). APP0 (JFIF) and
# the tables, frame and scans are what a decoder needs.
_STANDALONE = {0x01, *range(0xD0, 0xD8)}
_METADATA = {*range(0xE1, 0xF0), 0xFE}
_SOS, _EOI = 0xDA, 0xD9


def strip_jpeg_metadata(data: bytes) -> bytes:
    """The same JPEG, losslessly, without APP1-APP15 (EXIF, XMP, ICC, IPTC, ...), COM segments and anything after
    its end; for photos stored before every upload was cleaned. Raises ValueError for bytes that are not a JPEG."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    out = bytearray(data[:2])
    position = 2
    while position + 1 < len(data):
        if data[position] != 0xFF:
            raise ValueError(f"no JPEG marker at byte {position}")
        marker = data[position + 1]
        if marker == 0xFF:  # a fill byte before a marker
            position += 1
        elif marker == _EOI:
            return bytes(out + data[position:position + 2])
        elif marker in _STANDALONE:
            out += data[position:position + 2]
            position += 2
        else:
            (length,) = struct.unpack(">H", data[position + 2:position + 4])
            end = position + 2 + length
            if marker not in _METADATA:
                out += data[position:end]
            position = end
            if marker == _SOS:
                scan_end = _end_of_scan(data, position)
                out += data[position:scan_end]
                position = scan_end
    raise ValueError("the JPEG has no end")


def _end_of_scan(data: bytes, position: int) -> int:
    """Where a scan's entropy-coded data ends: at the first 0xFF that is not a stuffed 0xFF00 or a restart."""
    while True:
        position = data.find(b"\xff", position)
        if position == -1 or position + 1 >= len(data):
            raise ValueError("the JPEG scan has no end")
        following = data[position + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            position += 2
        else:
            return position
