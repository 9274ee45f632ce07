"""How photos and faces are shown in the staff admin: thumbnails, face status, the face used for matching framed."""

from __future__ import annotations

from django.utils.html import format_html

from media import matching


def thumbnail(field, size: int = 60):
    if not field:
        return "–"
    return format_html('<img src="{}" alt="" width="{}" height="{}" class="sachet-thumb">', field.url, size, size)


def face_status_label(obj) -> str:
    """What face analysis found in a sighting's photo (annotated by cases.faces.with_face_status)."""
    if not obj.photo:
        return "no photo"
    if obj.face_status is None:
        return "not analysed yet"
    label = matching.status_label(obj.face_status)
    return f"{label} ({obj.face_count})" if obj.face_count and obj.face_count > 1 else label


def photo_with_face_box(field, summary: matching.FaceSummary | None, width: int = 240) -> str:
    """The photo with the chosen face framed, as inline SVG (attributes, no inline style, so the site's CSP allows
    it); the plain photo when no face was found. `summary` is media.matching.face_summary()'s."""
    if not field:
        return ""
    label = summary.label if summary else "Not analysed yet"
    if not summary or not summary.box or not summary.width or not summary.height:
        return format_html('<img src="{}" width="{}" alt="{}" title="{}">', field.url, width, label, label)
    top, right, bottom, left = summary.box
    photo_width, photo_height = summary.width, summary.height
    return format_html(
        '<svg viewBox="0 0 {} {}" width="{}" role="img" aria-label="{}"><title>{}</title>'
        '<image href="{}" width="{}" height="{}"/>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#f5b400" stroke-width="{}"/></svg>',
        photo_width, photo_height, width, label, label, field.url, photo_width, photo_height,
        left, top, right - left, bottom - top, max(2, photo_width // 120),
    )


def framed_photo(field) -> str:
    """A stored photo for its admin page: the face used for matching framed, and what analysis found."""
    if not field:
        return "–"
    summary = matching.face_summary(field.name)
    label = summary.label if summary else "Not analysed yet"
    return format_html("{}<br>{}", photo_with_face_box(field, summary), label)
