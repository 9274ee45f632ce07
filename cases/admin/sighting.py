"""The sighting admin: every sighting with its photo, faces found and face-match verdict."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy

from ..faces import with_face_status
from ..models import Sighting
from .display import face_status_label, framed_photo, main_face_thumbnail
from .sighting_faces import other_cases_html, own_case_faces_html


@admin.register(Sighting)
class SightingAdmin(admin.ModelAdmin):
    list_display = ("photo_thumb", "case", "place", "seen_at", "faces", "face_match_verdict", "face_match_score",
                    "created_at")
    list_filter = ("face_match_verdict", "seen_at")
    search_fields = ("case__reference", "case__name", "place", "reporter_phone")
    list_select_related = ("case",)
    readonly_fields = ("case", "photo_preview", "face_match_score", "face_match_verdict", "own_case_faces",
                       "other_cases", "created_at", "geocoding", "location_precision")

    def get_queryset(self, request):
        return with_face_status(super().get_queryset(request))

    @admin.display(description="Photo")
    def photo_thumb(self, obj):
        return main_face_thumbnail(obj.photo, obj)

    @admin.display(description="Faces in photo")
    def faces(self, obj):
        return face_status_label(obj)

    @admin.display(description="Photo (the face used for matching is framed)")
    def photo_preview(self, obj):
        return framed_photo(obj.photo, obj.case.status)

    @admin.display(description=gettext_lazy("Own case: the faces compared"))
    def own_case_faces(self, obj):
        return own_case_faces_html(obj)

    @admin.display(description=gettext_lazy("Possible matches with other cases"))
    def other_cases(self, obj):
        return other_cases_html(obj)

    def has_add_permission(self, request):
        return False
