"""Printable appeal posters: one A4 PDF page per case, to print, paste up and share.

Every block of text has a fixed box on the page; text that does not fit is set smaller and then cut with an
ellipsis, so a poster is always exactly one page. All text is set in Noto Sans Devanagari (it also covers Latin),
embedded and shaped with HarfBuzz so that Hindi conjuncts and vowel signs print correctly.
"""

from __future__ import annotations

import functools
import io
import re
import unicodedata
from xml.sax.saxutils import escape

import fontpkg
import qrcode
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from reportlab import rl_config
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from .images import strip_jpeg_metadata

# Binary streams instead of ASCII85: reportlab's pure-Python ASCII85 encoder was most of the render time.
rl_config.useA85 = 0

FONT_FAMILY = "Noto Sans Devanagari"
_FONT = "SachetNotoSansDevanagari"

MISSING = "missing"
FOUND = "found"
APPEAL = "appeal"  # a found child whose family is not known: "do you know this child?"
_BANNERS = {
    MISSING: ("MISSING", "लापता", HexColor("#C62828"), "Seen this child? Please call"),
    FOUND: ("FOUND", "मिल गया", HexColor("#2E7D32"), "This child has been found. Thank you for sharing. Contact"),
    APPEAL: ("DO YOU KNOW THIS CHILD?", "क्या आप इस बच्चे को जानते हैं?", HexColor("#1565C0"),
             "Do you know this child or the family? Please call"),
}
# The labels beside the photo: where and when the child was last seen, or (an appeal) found.
_PLACE_LABELS = {MISSING: ("LAST SEEN AT", "LAST SEEN ON"), FOUND: ("LAST SEEN AT", "LAST SEEN ON"),
                 APPEAL: ("FOUND AT", "FOUND ON")}
_INK = HexColor("#1A1A1A")
_MUTED = HexColor("#5F6368")
_NOT_KNOWN = "Not known"

_PAGE_WIDTH, _PAGE_HEIGHT = A4
_MARGIN = 36
_LEFT, _TOP, _WIDTH = _MARGIN, _PAGE_HEIGHT - _MARGIN, _PAGE_WIDTH - 2 * _MARGIN
_QR_SIZE = 136
_FOOTER_TOP = _MARGIN + _QR_SIZE + 24  # footer text: 36 + 64 + 6 + 20 + 24 = 150 fits above the bottom margin
_ELLIPSIS = "…"


class PosterError(ValueError):
    """The poster cannot be made from these values (unknown status, unreadable photo, no case URL)."""


def render_poster(
    *,
    status: str,
    name: str,
    age: int | str | None,
    gender: str,
    last_seen_place: str,
    last_seen_at_text: str,
    description: str,
    contact: str,
    reference: str,
    case_url: str,
    photo: bytes | None,
) -> bytes:
    """A one-page A4 PDF: status banner, photo, details, description, contact, case reference and a QR code
    that opens case_url. `photo` is image bytes (JPEG from the upload pipeline) or None. An APPEAL poster is for a
    found child: `last_seen_place`/`last_seen_at_text` are where and when the child was found."""
    if status not in _BANNERS:
        raise PosterError(f"poster status must be {MISSING!r}, {FOUND!r} or {APPEAL!r}, got {status!r}")
    if not case_url:
        raise PosterError("a poster needs the case URL for its QR code")
    banner, banner_hindi, colour, call_to_action = _BANNERS[status]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=_font())
    canvas.setTitle(f"{banner}: {name} ({reference})")
    canvas.setAuthor("Sachet")
    # From the top: banner, photo beside the details, description, then the footer with contact and QR code.
    canvas.setFillColor(colour)
    canvas.rect(_LEFT, _TOP - 118, _WIDTH, 118, stroke=0, fill=1)
    _text(canvas, banner, _style(66, white, centred=True), _LEFT, _TOP - 4, _WIDTH, 84, bold=True, min_size=30)
    _text(canvas, banner_hindi, _style(20, white, centred=True), _LEFT, _TOP - 84, _WIDTH, 28, bold=True)
    photo_top, photo_width, photo_height = _TOP - 136, 240, 300
    _photo(canvas, photo, _LEFT, photo_top - photo_height, photo_width, photo_height)
    age_text = f"{age} years" if isinstance(age, int) else age
    place_label, time_label = _PLACE_LABELS[status]
    details = (
        ("APPARENT AGE" if status == APPEAL else "AGE", age_text),
        ("GENDER", gender),
        (place_label, last_seen_place),
        (time_label, last_seen_at_text),
    )
    _details(canvas, name, details, _LEFT + photo_width + 20, photo_top)
    y = photo_top - photo_height - 16
    y -= _text(canvas, "DESCRIPTION", _style(9, _MUTED), _LEFT, y, _WIDTH, 12)
    _text(canvas, description or _NOT_KNOWN, _style(13, _INK), _LEFT, y, _WIDTH, y - _FOOTER_TOP - 20, min_size=9)
    _footer(canvas, colour, call_to_action, contact, reference, case_url,
            reference_label="Reference" if status == APPEAL else "Case reference")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _details(canvas, name: str, details, left: float, top: float) -> None:
    """Name and labelled details in the column beside the photo: name 70 + 8, then four fields of
    12 + 33 + 6, 282 in all, within the photo's 300."""
    width = _LEFT + _WIDTH - left
    top -= _text(canvas, name or _NOT_KNOWN, _style(28, _INK), left, top, width, 70, bold=True, min_size=14) + 8
    for label, value in details:
        top -= _text(canvas, label, _style(9, _MUTED), left, top, width, 12)
        top -= _text(canvas, value or _NOT_KNOWN, _style(15, _INK), left, top, width, 33, min_size=10) + 6


def _footer(canvas, colour: Color, call_to_action: str, contact: str, reference: str, case_url: str, *,
            reference_label: str = "Case reference") -> None:
    """Who to call and the case reference on the left, the QR code to the case page on the right."""
    canvas.setStrokeColor(colour)
    canvas.setLineWidth(2)
    canvas.line(_LEFT, _FOOTER_TOP + 8, _LEFT + _WIDTH, _FOOTER_TOP + 8)
    width = _WIDTH - _QR_SIZE - 20
    y = _FOOTER_TOP
    y -= _text(canvas, call_to_action, _style(13, _INK), _LEFT, y, width, 36, min_size=10)
    y -= _text(canvas, contact, _style(26, colour), _LEFT, y, width, 64, bold=True, min_size=14) + 6
    reference_style = _style(13, _INK, break_anywhere=True)  # a long reference wraps rather than vanishing
    y -= _text(canvas, f"{reference_label}: {reference}", reference_style, _LEFT, y, width, 20, min_size=9)
    _text(canvas, case_url, _style(9, _MUTED, break_anywhere=True), _LEFT, y, width, 24, min_size=7)
    qr_left = _LEFT + _WIDTH - _QR_SIZE
    _qr_code(canvas, case_url, qr_left, _MARGIN + 14, _QR_SIZE)
    _text(canvas, "Scan for updates", _style(9, _MUTED, centred=True), qr_left, _MARGIN + 12, _QR_SIZE, 12)


def _text(canvas, text, style, x, top, width, height, *, bold=False, min_size=None) -> float:
    """Set text in the box (x, top, width, height), shrinking down to min_size and then cutting it with an
    ellipsis so that it always fits; returns the height used. The logical text rides along as /ActualText,
    because shaped Devanagari glyphs alone do not map back to the characters for search and copy."""
    paragraph, shown = _fit(text, style, width, height, min_size or style.fontSize)
    used = paragraph.wrap(width, height)[1]
    canvas.saveState()
    canvas.addLiteral(f"/Span <</ActualText <FEFF{shown.encode('utf-16-be').hex().upper()}>>> BDC")
    if bold:
        # The font file is variable and reportlab draws its regular instance: stroke the outlines to embolden.
        canvas.setStrokeColor(style.textColor)
        canvas.setLineWidth(paragraph.style.fontSize * 0.035)
        canvas.addLiteral("2 Tr")
    paragraph.drawOn(canvas, x, top - used)
    canvas.addLiteral("EMC")
    canvas.restoreState()
    return used


def _fit(text: str, style: ParagraphStyle, width: float, height: float, min_size: float) -> tuple[Paragraph, str]:
    full = text.strip()
    # No longer text can fit even at min_size, as this font's glyphs average well over 0.3 em: go straight to
    # cutting, and never shape more text than the box could show.
    most = int((height / (min_size * 1.25) + 1) * width / (min_size * 0.3))
    size = style.fontSize if len(full) <= most else min_size
    text = full[: most + 1]
    while True:
        sized = ParagraphStyle(f"{style.name}-{size}", parent=style, fontSize=size, leading=size * 1.25)
        paragraph = _paragraph(text, sized)
        needed = paragraph.wrap(width, height)[1]
        if needed <= height and text == full:
            return paragraph, text
        if size <= min_size:
            break
        size = max(min_size, size - 2)
    # Binary search for the longest prefix (whole words, else characters) that fits with an ellipsis. Height grows
    # about linearly with text, so the share that fits (plus a margin) bounds the search and keeps each wrap short.
    pieces = re.split(r"(?<=\s)", text) if re.search(r"\s", text) else list(text)
    low, high = 0, min(len(pieces), int(len(pieces) * height / max(needed, 1) * 1.2) + 8)
    while low < high:
        middle = (low + high + 1) // 2
        if _paragraph(_cut(pieces, middle), sized).wrap(width, height)[1] <= height:
            low = middle
        else:
            high = middle - 1
    shown = _cut(pieces, low)
    return _paragraph(shown, sized), shown


def _cut(pieces: list[str], count: int) -> str:
    # Cutting inside a word (one piece per character) must not split a syllable: never stop before a vowel
    # sign or other mark, nor right after a virama or joiner, or the page shows a dangling sign.
    while 0 < count < len(pieces) and len(pieces[count]) == 1 and (
        unicodedata.category(pieces[count]).startswith("M") or pieces[count - 1] in "\u094d\u200d\u200c"
    ):
        count -= 1
    return "".join(pieces[:count]).rstrip(" \n\t,;:.-") + _ELLIPSIS


def _paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _style(size: float, colour: Color, *, centred: bool = False, break_anywhere: bool = False) -> ParagraphStyle:
    return ParagraphStyle(
        f"poster-{size}",
        fontName=_font(),
        fontSize=size,
        leading=size * 1.25,
        textColor=colour,
        alignment=TA_CENTER if centred else 0,
        wordWrap="CJK" if break_anywhere else None,
        shaping=1,
    )


@functools.cache
def _font() -> str:
    pdfmetrics.registerFont(TTFont(_FONT, str(fontpkg.path(FONT_FAMILY))))
    return _FONT


def _photo(canvas, photo: bytes | None, x: float, y: float, width: float, height: float) -> None:
    """The photo scaled to fit the box without distortion, centred; a labelled empty box without one."""
    canvas.setStrokeColor(_MUTED)
    canvas.setLineWidth(0.75)
    if photo is None:
        canvas.setFillColor(HexColor("#EEEEEE"))
        canvas.rect(x, y, width, height, stroke=1, fill=1)
        _text(canvas, "No photo", _style(14, _MUTED, centred=True), x, y + height / 2 + 9, width, 20)
        return
    reader, (image_width, image_height) = _photo_reader(photo)
    scale = min(width / image_width, height / image_height)
    shown_width, shown_height = image_width * scale, image_height * scale
    left, bottom = x + (width - shown_width) / 2, y + (height - shown_height) / 2
    canvas.drawImage(reader, left, bottom, shown_width, shown_height)
    canvas.rect(left, bottom, shown_width, shown_height, stroke=1, fill=0)


def _photo_reader(photo: bytes) -> tuple[ImageReader, tuple[int, int]]:
    try:
        with Image.open(io.BytesIO(photo)) as image:
            upright = image.format == "JPEG" and image.getexif().get(ExifTags.Base.Orientation, 1) == 1
            if upright and image.mode in ("RGB", "L"):
                # Embedded without re-encoding, but never with metadata (a photo stored before uploads were
                # cleaned may still hold EXIF or a comment).
                return ImageReader(io.BytesIO(strip_jpeg_metadata(photo))), image.size
            converted = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise PosterError(f"the poster photo is not a readable image: {exc}") from exc
    converted.info = {}  # Pillow would copy a comment into the JPEG it saves
    output = io.BytesIO()
    converted.save(output, "JPEG", quality=90)
    return ImageReader(io.BytesIO(output.getvalue())), converted.size


def _qr_code(canvas, data: str, x: float, y: float, size: float) -> None:
    """Vector QR code: one filled path of module runs, sharp at any print size."""
    # A fixed mask: any of the eight is valid for scanners, and choosing the "best" one costs ~40 ms in Python.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=0)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = size / len(matrix)
    path = canvas.beginPath()
    for row_number, row in enumerate(matrix):
        top = y + size - (row_number + 1) * module
        column = 0
        while column < len(row):
            if row[column]:
                start = column
                while column < len(row) and row[column]:
                    column += 1
                path.rect(x + start * module, top, (column - start) * module, module)
            else:
                column += 1
    canvas.setFillColor(HexColor("#000000"))
    canvas.drawPath(path, stroke=0, fill=1)
