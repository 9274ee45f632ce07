"""The columns of the case and sighting lists: the facts staff scan a list for, each in a compact cell so that the
key columns fit a 1366 px screen with the sidebar open. Everything else is on the case or sighting page."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sachet.admin_columns import EMPTY, clamped, short_date, short_datetime, stacked

from ..models import Case, Verdict
from .display import main_face_thumbnail

LIST_THUMB_PX = 48

SHORT_VERDICTS = {
    Verdict.LIKELY: _("Likely"),
    Verdict.POSSIBLE: _("Possible"),
    Verdict.UNLIKELY: _("Unlikely"),
    Verdict.NO_FACE: _("No face"),
}


class CaseListColumns:
    """Columns of the case list (CaseAdmin.list_display); the counts come from CaseAdmin.get_queryset's annotations."""

    @admin.display(description=_("Photo"))
    def photo_thumb(self, obj):
        return main_face_thumbnail(obj.photo, obj, LIST_THUMB_PX)

    @admin.display(description=_("Child"), ordering="name")
    def child(self, obj):
        return stacked(obj.name, obj.reference)

    @admin.display(description=_("Status"), ordering="status")
    def state(self, obj):
        """The status over the report's verification, so a report still to verify shows in the same column."""
        return stacked(obj.get_status_display(), obj.get_verification_display())

    @admin.display(description=_("Last seen"), ordering="last_seen_place")
    def last_seen(self, obj):
        return clamped(obj.last_seen_place)

    @admin.display(description=_("Reported"), ordering="created_at")
    def reported(self, obj):
        return short_date(obj.created_at)

    @admin.display(description=_("Days missing"))
    def days_missing(self, obj):
        if obj.status != Case.Status.MISSING:
            return EMPTY
        return (timezone.now() - obj.last_seen_at).days

    @admin.display(description=_("Sightings"), ordering="sightings_total")
    def sightings_count(self, obj):
        return obj.sightings_total

    @admin.display(description=_("Best match"), ordering="best_sighting_score")
    def best_match(self, obj):
        return EMPTY if obj.best_sighting_score is None else obj.best_sighting_score


class SightingListColumns:
    """Columns of the sighting list (SightingAdmin.list_display)."""

    @admin.display(description=_("Photo"))
    def photo_thumb(self, obj):
        return main_face_thumbnail(obj.photo, obj, LIST_THUMB_PX)

    @admin.display(description=_("Child"), ordering="case__name")
    def child(self, obj):
        return stacked(obj.case.name, obj.case.reference)

    @admin.display(description=_("Place"), ordering="place")
    def seen_place(self, obj):
        return clamped(obj.place)

    @admin.display(description=_("Seen"), ordering="seen_at")
    def seen(self, obj):
        return short_datetime(obj.seen_at)

    @admin.display(description=_("Face match"), ordering="face_match_score")
    def face_match(self, obj):
        if not obj.face_match_verdict:
            return _("Not compared yet") if obj.photo else EMPTY
        verdict = SHORT_VERDICTS.get(obj.face_match_verdict, obj.get_face_match_verdict_display())
        return verdict if obj.face_match_score is None else stacked(verdict, obj.face_match_score)

    @admin.display(description=_("Reported"), ordering="created_at")
    def reported(self, obj):
        return short_date(obj.created_at)
