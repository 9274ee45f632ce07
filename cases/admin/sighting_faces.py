"""What a sighting's admin page says about faces: its own case's verdict with the two faces that gave it framed side
by side, and the other cases it may show, with the same verdicts the review queue and the case pages show."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from media import matching

from ..faces import own_case_faces
from ..models import MatchCandidate
from .display import not_kept_label


def own_case_faces_html(sighting) -> str:
    """The sighting's face and its case photo's face that gave the stored verdict, both framed; or why not shown."""
    if not sighting.photo or not sighting.case.photo:
        return "–"
    match = own_case_faces(sighting)
    if match is None:
        return not_kept_label(sighting.case.status) or _("No face to compare in one of the photos.")
    summaries = matching.face_summaries([sighting.photo.name, sighting.case.photo.name])
    pictures = [_framed(field, summaries.get(field.name), face) for field, face in (
        (sighting.photo, match.face), (sighting.case.photo, match.other_face))]
    return format_html('{} {}<br>{}', pictures[0], pictures[1], _(
        "Sighting's face %(face)d and the case photo's face %(other)d (1 is the largest in each photo).") % {
        "face": match.face.index + 1, "other": match.other_face.index + 1})


def other_cases_html(sighting) -> str:
    rows = MatchCandidate.objects.filter(sighting=sighting).select_related("case").order_by("-strength")
    if not rows:
        return _("None.")
    return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{} – {}</a>: {} ({})</li>', (
        (reverse("admin:cases_matchcandidate_change", args=[row.pk]), row.case.reference, row.case.name,
         row.get_verdict_display() or "–", row.get_status_display()) for row in rows)))


def _framed(field, summary, face: matching.Face) -> str:
    if summary is None or not summary.width:
        return format_html('<img src="{}" width="200" alt="">', field.url)
    top, right, bottom, left = face.box
    return format_html(
        '<svg viewBox="0 0 {} {}" width="200" role="img" aria-label=""><image href="{}" width="{}" height="{}"/>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#f5b400" stroke-width="{}"/></svg>',
        summary.width, summary.height, field.url, summary.width, summary.height, left, top, right - left,
        bottom - top, max(2, summary.width // 120))
