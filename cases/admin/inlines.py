"""The lists shown inside a case's admin page: its sightings, possible matches from other cases, notes, history."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from ..faces import with_face_status
from ..models import CaseNote, MatchCandidate, Sighting, StatusChange
from .display import face_status_label, thumbnail


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
        return thumbnail(obj.photo, 80)

    @admin.display(description="Face match")
    def verdict(self, obj):
        return obj.get_face_match_verdict_display() or "pending"

    def has_add_permission(self, request, obj=None):
        return False


class CandidateInline(admin.TabularInline):
    """Sightings of other cases whose photo resembles this child: for review, never automatic."""

    model = MatchCandidate
    fk_name = "case"
    extra = 0
    can_delete = False
    verbose_name = "possible match from another case's sighting"
    verbose_name_plural = "possible matches from other cases' sightings"
    fields = ("sighting_link", "sighting_photo", "score", "verdict", "distance", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sighting", "sighting__case")

    @admin.display(description="Sighting")
    def sighting_link(self, obj):
        url = reverse("admin:cases_case_change", args=[obj.sighting.case_id])
        return format_html('<a href="{}">{} – {}</a>', url, obj.sighting.case.reference, obj.sighting.place)

    @admin.display(description="Photo")
    def sighting_photo(self, obj):
        return thumbnail(obj.sighting.photo, 80)

    def has_add_permission(self, request, obj=None):
        return False


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
