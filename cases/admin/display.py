"""How photos and faces are shown in the staff admin: thumbnails cropped around the face that matters, face status
in words that never contradict each other, and photos with their faces framed (the one used for matching, or the
pair that matched, in yellow; the others in grey, numbered)."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from media import matching

CHOSEN_COLOUR = "#f5b400"
OTHER_COLOUR = "#9e9e9e"


def thumbnail(field, size: int = 60):
    if not field:
        return "–"
    return format_html('<img src="{}" alt="" width="{}" height="{}" class="sachet-thumb">', field.url, size, size)


def face_thumbnail(field, box, photo_size, size: int = 60):
    """A square thumbnail cropped around a face (SVG viewBox: the browser crops, no copy is made); the plain
    thumbnail when the face or the photo's size is not known."""
    if not field:
        return "–"
    if not box or not photo_size or not all(photo_size):
        return thumbnail(field, size)
    width, height = photo_size
    top, right, bottom, left = box
    side = min(max(right - left, bottom - top) * 1.8, width, height)
    x = min(max(0, (left + right) / 2 - side / 2), width - side)
    y = min(max(0, (top + bottom) / 2 - side / 2), height - side)
    return format_html(
        '<svg class="sachet-thumb" viewBox="{} {} {} {}" width="{}" height="{}" role="img" aria-label="">'
        '<image href="{}" width="{}" height="{}"/></svg>',
        round(x), round(y), round(side), round(side), size, size, field.url, width, height,
    )


def main_face_thumbnail(field, obj, size: int = 60):
    """A list's thumbnail cropped around the photo's main face, from `matching.face_box_annotations` on `obj`."""
    face = matching.main_face(getattr(obj, "face_boxes", None), getattr(obj, "face_chosen", None))
    return face_thumbnail(field, face.box if face else None,
                          (getattr(obj, "face_width", None), getattr(obj, "face_height", None)), size)


def not_kept_label(record_status: str | None) -> str | None:
    """Why a photo has no face print although it has a photo: its record is no longer open (the faces of a found
    child, a closed case or a reunited child are deleted, not waiting to be analysed). None when it is open."""
    return {
        "found": _("Faces not kept: the child was found"),
        "closed": _("Faces not kept: the case is closed"),
        "reunited": _("Faces not kept: the child is reunited"),
    }.get(record_status or "")


def face_status_label(obj, record_status: str | None = None) -> str:
    """What face analysis found in a photo (annotated by cases.faces.with_face_status); `record_status` (or the
    annotated `case_status`) says whether faces are kept for it at all."""
    if not obj.photo:
        return _("No photo")
    record_status = record_status or getattr(obj, "case_status", None)
    if obj.face_status is None:
        return not_kept_label(record_status) or _("Not analysed yet")
    label = matching.status_label(obj.face_status)
    return f"{label} ({obj.face_count})" if obj.face_count and obj.face_count > 1 else label


def photo_with_faces(field, summary: matching.FaceSummary | None, *, highlight: tuple[int, ...] | None = None,
                     width: int = 240, label: str | None = None) -> str:
    """The photo with its faces framed as inline SVG (attributes, no inline style, so the site's CSP allows it):
    `highlight` (default: the faces used for matching) in yellow, the others in grey, each numbered from 1 when
    there are several. The plain photo when no face was found."""
    if not field:
        return ""
    label = label or (summary.label if summary else _("Not analysed yet"))
    if not summary or not summary.faces or not summary.width or not summary.height:
        return format_html('<img src="{}" width="{}" alt="{}" title="{}">', field.url, width, label, label)
    if highlight is None:
        highlight = tuple(face.index for face in summary.matched_faces)
    stroke = max(2, summary.width // 120)
    numbered = len(summary.faces) > 1
    frames = format_html_join("", "{}", (
        (_frame(face, face.index in highlight, stroke, numbered),) for face in summary.faces
    ))
    return format_html(
        '<svg viewBox="0 0 {} {}" width="{}" role="img" aria-label="{}"><title>{}</title>'
        '<image href="{}" width="{}" height="{}"/>{}</svg>',
        summary.width, summary.height, width, label, label, field.url, summary.width, summary.height, frames,
    )


def _frame(face: matching.Face, chosen: bool, stroke: int, numbered: bool) -> str:
    top, right, bottom, left = face.box
    colour = CHOSEN_COLOUR if chosen else OTHER_COLOUR
    rect = format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{}" stroke-width="{}"/>',
                       left, top, right - left, bottom - top, colour, stroke)
    if not numbered:
        return rect
    return rect + format_html('<text x="{}" y="{}" fill="{}" font-size="{}" font-weight="bold">{}</text>',
                              left + stroke, top - stroke, colour, max(12, 8 * stroke), face.index + 1)


def photo_with_face_box(field, summary: matching.FaceSummary | None, width: int = 240) -> str:
    """The photo with the face used for matching framed (the largest one when every face is matched)."""
    highlight = (summary.face.index,) if summary and summary.face else ()
    if summary and summary.chosen is None and len(summary.faces) == 1:
        highlight = (0,)
    return photo_with_faces(field, summary, highlight=highlight, width=width)


def framed_photo(field, record_status: str | None = None) -> str:
    """A stored photo for its admin page: its faces framed (the ones used for matching in yellow), and what analysis
    found, or why its faces are not kept."""
    if not field:
        return "–"
    summary = matching.face_summary(field.name)
    label = summary.label if summary else (not_kept_label(record_status) or _("Not analysed yet"))
    return format_html("{}<br>{}", photo_with_faces(field, summary, label=label), label)
