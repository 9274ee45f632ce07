"""The sighting admin: every sighting with its photo, faces found and face-match verdict."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from media import matching

from ..models import Sighting
from .columns import SightingListColumns
from .display import framed_photo
from .exports import MaskedSightingResource, SightingResource, StaffExportMixin
from .publication import SightingAdminTrustMixin
from .sighting_faces import other_cases_html, own_case_faces_html


@admin.register(Sighting)
class SightingAdmin(StaffExportMixin, SightingAdminTrustMixin, SightingListColumns, admin.ModelAdmin):
    full_resource, masked_resource = SightingResource, MaskedSightingResource
    # The columns (cases/admin/columns.py) fit 1366 px with the sidebar open; faces found are on the sighting's page.
    list_display = ("photo_thumb", "child", "seen_place", "seen", "face_match", "is_published", "reported")
    list_display_links = ("photo_thumb", "seen_place")
    list_filter = ("face_match_verdict", "seen_at", ("published_at", admin.EmptyFieldListFilter))
    actions = ["publish_sightings", "unpublish_sightings"]
    search_fields = ("case__reference", "case__name", "place", "reporter_phone")
    list_select_related = ("case",)
    readonly_fields = ("case", "photo_preview", "face_match_score", "face_match_verdict", "own_case_faces",
                       "other_cases", "created_at", "geocoding", "location_precision")

    def get_queryset(self, request):
        # The list's thumbnails are cropped around the photo's main face.
        return super().get_queryset(request).annotate(**matching.face_box_annotations("photo"))

    @admin.display(description=_("Photo (the face used for matching is framed)"))
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
