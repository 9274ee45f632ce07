"""The lists shown inside a case's admin page: its sightings, possible matches from other cases, notes, history."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..faces import with_face_status
from ..models import CaseNote, MatchCandidate, Sighting, StatusChange
from .display import face_status_label, main_face_thumbnail


class SightingInline(admin.TabularInline):
    model = Sighting
    extra = 0
    can_delete = False
    fields = ("photo_thumb", "seen_at", "place", "description", "reporter_phone", "faces", "verdict",
              "face_match_score")
    readonly_fields = fields
    ordering = ("-seen_at",)

    def get_queryset(self, request):
        return with_face_status(super().get_queryset(request))

    @admin.display(description="Faces in photo")
    def faces(self, obj):
        return face_status_label(obj)

    @admin.display(description="Photo")
    def photo_thumb(self, obj):
        return main_face_thumbnail(obj.photo, obj, 80)

    @admin.display(description="Face match")
    def verdict(self, obj):
        return obj.get_face_match_verdict_display() or "pending"

    def has_add_permission(self, request, obj=None):
        return False


class CandidateInline(admin.TabularInline):
    """Records that may be this child (a sighting of another case, a found child, a later report of the same child),
    each with its verdict and review status: for review, never automatic."""

    model = MatchCandidate
    fk_name = "case"
    extra = 0
    can_delete = False
    verbose_name = gettext_lazy("possible match")
    verbose_name_plural = gettext_lazy("possible matches (review queue)")
    fields = ("other_record", "kind", "verdict", "score", "strength", "status", "review_link")
    readonly_fields = fields
    ordering = ("-strength",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sighting", "sighting__case", "found_child",
                                                            "other_case")

    @admin.display(description=gettext_lazy("Record"))
    def other_record(self, obj):
        if obj.sighting_id:
            url = reverse("admin:cases_sighting_change", args=[obj.sighting_id])
            label = f"{obj.sighting.case.reference} – {obj.sighting.place}"
        elif obj.found_child_id:
            url = reverse("admin:cases_foundchild_change", args=[obj.found_child_id])
            label = obj.found_child.reference
        else:
            url = reverse("admin:cases_case_change", args=[obj.other_case_id])
            label = f"{obj.other_case.reference} – {obj.other_case.name}"
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=gettext_lazy("Review"))
    def review_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:cases_matchcandidate_change", args=[obj.pk]),
                           _("Review"))

    def has_add_permission(self, request, obj=None):
        return False


class EarlierReportInline(CandidateInline):
    """An earlier case that may be this child reported before (this case is the later report)."""

    fk_name = "other_case"
    verbose_name = gettext_lazy("earlier report of the same child?")
    verbose_name_plural = gettext_lazy("earlier reports of the same child?")

    def get_queryset(self, request):
        return admin.TabularInline.get_queryset(self, request).select_related("case")

    @admin.display(description=gettext_lazy("Record"))
    def other_record(self, obj):
        return format_html('<a href="{}">{} – {}</a>', reverse("admin:cases_case_change", args=[obj.case_id]),
                           obj.case.reference, obj.case.name)


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    verbose_name_plural = "status history"
    fields = ("changed_at", "from_status", "to_status", "changed_by", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CaseNoteInline(admin.TabularInline):
    model = CaseNote
    extra = 0
    can_delete = False
    fields = ("created_at", "author", "text")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # notes are added with the form on the case page, which records the author
