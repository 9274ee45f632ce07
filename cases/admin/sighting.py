"""The sighting admin: every sighting with its photo, faces found and face-match verdict."""

from __future__ import annotations

from django.contrib import admin

from ..faces import with_face_status
from ..models import Sighting
from .display import face_status_label, framed_photo, thumbnail
from .publication import SightingAdminTrustMixin


@admin.register(Sighting)
class SightingAdmin(SightingAdminTrustMixin, admin.ModelAdmin):
    list_display = ("photo_thumb", "case", "place", "seen_at", "faces", "face_match_verdict", "face_match_score",
                    "is_published", "created_at")
    list_filter = ("face_match_verdict", "seen_at", ("published_at", admin.EmptyFieldListFilter))
    actions = ["publish_sightings", "unpublish_sightings"]
    search_fields = ("case__reference", "case__name", "place", "reporter_phone")
    list_select_related = ("case",)
    readonly_fields = ("case", "photo_preview", "face_match_score", "face_match_verdict", "created_at", "geocoding",
                       "location_precision")

    def get_queryset(self, request):
        return with_face_status(super().get_queryset(request))

    @admin.display(description="Photo")
    def photo_thumb(self, obj):
        return thumbnail(obj.photo)

    @admin.display(description="Faces in photo")
    def faces(self, obj):
        return face_status_label(obj)

    @admin.display(description="Photo (the face used for matching is framed)")
    def photo_preview(self, obj):
        return framed_photo(obj.photo)

    def has_add_permission(self, request):
        return False
