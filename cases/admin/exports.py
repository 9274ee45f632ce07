"""Staff exports of the filtered case list and of sightings, as CSV and XLSX (django-import-export).

The admin's "Export" button exports what the list shows with its filters and search. Phone numbers are in full
only for users who may see them (Police: "reveal phone numbers"); NGO users get them masked ("+91 ******45").
Staff notes are never exported. Every export is written to the admin's log: who, how many rows, which format,
and whether the phones were in full.
"""

from __future__ import annotations

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from import_export import fields, resources
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ExportForm

from sachet.phones import mask

from ..models import Case, Sighting
from .phones import sees_phone_numbers

CASE_FIELDS = ("reference", "name", "age", "gender", "status", "verification", "description", "last_seen_place",
               "last_seen_specific", "last_seen_at", "latitude", "longitude", "contact_name", "contact_phone",
               "reporter_name", "reporter_phone", "source_domain", "created_at", "resolved_at", "erased_at")
SIGHTING_FIELDS = ("id", "case_reference", "place", "latitude", "longitude", "seen_at", "description",
                   "reporter_phone", "face_match_score", "face_match_verdict", "published_at", "source_domain",
                   "created_at")


class CaseResource(resources.ModelResource):
    class Meta:
        model = Case
        fields = CASE_FIELDS
        export_order = CASE_FIELDS


class MaskedCaseResource(CaseResource):
    def dehydrate_contact_phone(self, case):
        return mask(case.contact_phone) if case.contact_phone else ""

    def dehydrate_reporter_phone(self, case):
        return mask(case.reporter_phone) if case.reporter_phone else ""


class SightingResource(resources.ModelResource):
    case_reference = fields.Field(attribute="case__reference", column_name="case")

    class Meta:
        model = Sighting
        fields = SIGHTING_FIELDS
        export_order = SIGHTING_FIELDS


class MaskedSightingResource(SightingResource):
    def dehydrate_reporter_phone(self, sighting):
        return mask(sighting.reporter_phone) if sighting.reporter_phone else ""


class StaffExportMixin(ExportMixin):
    export_formats = [CSV, XLSX]
    export_form_class = ExportForm  # format only: the columns are the role's
    # import-export's own list template shows the object tools only with the admin's add form, which stays off for
    # cases and sightings: this one adds the Export button to the list's own tools ("Enter a report").
    import_export_change_list_template = "admin/cases/export_change_list.html"
    full_resource: type[resources.ModelResource]
    masked_resource: type[resources.ModelResource]

    def get_export_resource_classes(self, request):
        return [self.full_resource if sees_phone_numbers(request.user) else self.masked_resource]

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).order_by("pk")

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        phones = "in full" if sees_phone_numbers(request.user) else "masked"
        LogEntry.objects.create(
            user=request.user, content_type=ContentType.objects.get_for_model(self.model),
            object_repr=f"Export of {self.model._meta.verbose_name_plural}", action_flag=CHANGE,
            change_message=f"Exported {queryset.count()} {self.model._meta.verbose_name_plural} as "
                           f"{file_format.get_title()} (phone numbers {phones})",
        )
        return data
