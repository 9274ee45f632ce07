"""The case admin: the list with its annotations and filters, the case page, status changes, notes and actions.

Everything that changes a case goes through cases.services, and every staff action leaves a LogEntry (and a
StatusChange for status changes), so the record of who did what stays complete.
"""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from media import matching

from .. import cap, services
from ..alerts import deliveries_for_case, resend_failed
from ..events import schedule_poster, schedule_rematch
from ..maps import map_points
from ..models import Case
from ..names import name_key
from .case_faces import CaseFaceMixin
from .columns import CaseListColumns
from .display import framed_photo
from .exports import CaseResource, MaskedCaseResource, StaffExportMixin
from .filters import AgeGroupFilter, CityFilter, HasLikelyMatchFilter, HasSightingsFilter
from .inlines import CandidateInline, CaseNoteInline, EarlierReportInline, SightingInline, StatusChangeInline
from .trust import CaseTrustMixin

STATUS_ACTIONS = {
    "found": _("Mark found"),
    "missing": _("Mark missing again"),
    "closed": _("Close the case"),
}


def can_change_status(user, to: str) -> bool:
    """Police may set any status; NGO staff may only mark a case found."""
    if user.has_perm("cases.change_case_status"):
        return True
    return to == Case.Status.FOUND and user.has_perm("cases.mark_case_found")


class StatusForm(forms.Form):
    to = forms.ChoiceField(choices=Case.Status.choices, widget=forms.HiddenInput)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), required=False,
                           help_text=_("Where and how the child was found, or why the case is reopened or closed."))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("to") == Case.Status.FOUND and not cleaned.get("note", "").strip():
            self.add_error("note", _("Please say where and how the child was found."))
        return cleaned


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Add a note"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), max_length=4000)


@admin.register(Case)
class CaseAdmin(StaffExportMixin, CaseTrustMixin, CaseFaceMixin, CaseListColumns, admin.ModelAdmin):
    full_resource, masked_resource = CaseResource, MaskedCaseResource
    change_list_template = "admin/cases/case/change_list.html"  # the export button is added around it
    # The columns (cases/admin/columns.py) fit 1366 px with the sidebar open; the rest is on the case page.
    list_display = ("photo_thumb", "child", "age", "state", "last_seen", "reported", "days_missing",
                    "sightings_count", "best_match")
    list_display_links = ("photo_thumb", "child")
    list_filter = ("status", AgeGroupFilter, "gender", CityFilter, "created_at", HasSightingsFilter,
                   HasLikelyMatchFilter)
    search_fields = ("reference", "name", "last_seen_place", "last_seen_specific", "contact_phone", "contact_name")
    list_per_page = 50
    date_hierarchy = "created_at"
    actions = ["mark_found", "mark_missing", "mark_closed", "regenerate_posters", "rerun_face_matching",
               "resend_alerts", "delete_with_files", "verify_reports", "reject_reports"]
    readonly_fields = ("reference", "status", "photo_preview", "location_map", "geocoding", "location_precision",
                       "created_at", "updated_at", "poster_link")
    fieldsets = (
        (_("Child"), {"fields": ("reference", "status", "photo_preview", "photo", "name", "age", "gender",
                              "description", "voice_note")}),
        (_("Last seen"), {"fields": ("last_seen_place", "last_seen_specific", "last_seen_at", "latitude",
                                     "longitude", "geocoding", "location_precision", "location_map")}),
        (_("Contacts"), {"fields": ("contact_name", "contact_phone", "reporter_name", "reporter_phone")}),
        (_("Record"), {"fields": ("poster_link", "poster_language", "created_at", "updated_at")}),
    )
    inlines = [SightingInline, CandidateInline, EarlierReportInline, CaseNoteInline, StatusChangeInline]
    change_form_template = "admin/cases/case/change_form.html"

    # --- list ------------------------------------------------------------------------------------------------
    def get_queryset(self, request):
        # Annotated so that a page of any size costs a constant number of queries.
        return super().get_queryset(request).annotate(
            sightings_total=Count("sightings", distinct=True),
            best_sighting_score=Max("sightings__face_match_score"),
            **matching.face_box_annotations("photo"),
        )

    # --- detail ----------------------------------------------------------------------------------------------
    @admin.display(description=_("Photo (the face used for matching is framed)"))
    def photo_preview(self, obj):
        return framed_photo(obj.photo, obj.status)

    @admin.display(description=_("Map"))
    def location_map(self, obj):
        if not obj.has_location:
            return _("Not on the map yet.")
        points = map_points(obj, obj.sightings.all())
        return format_html('<div class="sachet-map" data-points="{}"></div>', json.dumps(points))

    @admin.display(description=_("Poster"))
    def poster_link(self, obj):
        return format_html('<a href="/poster/{}" target="_blank" rel="noopener">{}</a>', obj.reference,
                           _("Open the poster (PDF)"))

    def has_add_permission(self, request):
        return False  # cases come in through the public report form, which validates photos and writes history

    def save_model(self, request, obj, form, change):
        previous_photo = form.initial.get("photo")
        obj.name_key = name_key(obj.name)
        if "photo" in form.changed_data:
            obj.photo_face = 0  # a new photo: its largest face until staff choose another
        super().save_model(request, obj, form, change)
        if "photo" in form.changed_data:
            if previous_photo:
                matching.forget([getattr(previous_photo, "name", str(previous_photo))])
            schedule_rematch(obj)
        schedule_poster(obj, force=True)
        cap.update(obj, key=f"edit:{obj.updated_at:%Y%m%dT%H%M%S%f}")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, unquote(object_id))
        extra_context = extra_context or {}
        if case is not None:
            extra_context.update(
                status_choices=[(to, label) for to, label in STATUS_ACTIONS.items()
                                if to != case.status and can_change_status(request.user, to)],
                can_add_note=request.user.has_perm("cases.add_casenote"),
                note_form=NoteForm(),
                status_form=StatusForm(),
                deliveries=self.deliveries(case),
                map_tile_url=settings.MAP_TILE_URL,
                face_choice=self.face_choice(request, case),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def deliveries(self, case):
        return deliveries_for_case(case)

    def get_urls(self):
        urls = super().get_urls()
        custom = [
            path("<path:object_id>/status/", self.admin_site.admin_view(self.status_view),
                 name="cases_case_status"),
            path("<path:object_id>/note/", self.admin_site.admin_view(self.note_view), name="cases_case_note"),
            *self.face_urls(),
        ]
        return custom + urls

    def status_view(self, request, object_id):
        """GET shows the form with a note; only a POST changes anything."""
        case = self.get_object(request, unquote(object_id))
        if case is None:
            raise Http404
        form = StatusForm(request.POST or None, initial={"to": request.GET.get("to")})
        to = request.POST.get("to") or request.GET.get("to")
        if to not in STATUS_ACTIONS or not can_change_status(request.user, to):
            raise PermissionDenied
        if request.method == "POST" and form.is_valid():
            try:
                services.change_status(case=case, to=to, by=request.user, note=form.cleaned_data["note"])
            except services.InvalidStatusChange as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                self.log_change(request, case, f"Status changed to {to}: {form.cleaned_data['note']}")
                self.message_user(request, _("%(reference)s is now %(status)s. The alert is queued.") % {
                    "reference": case.reference, "status": case.get_status_display().lower()}, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case.pk]))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "case": case, "form": form,
                   "to": to, "label": STATUS_ACTIONS[to],
                   "title": _("%(action)s: %(case)s") % {"action": STATUS_ACTIONS[to], "case": case}}
        return TemplateResponse(request, "admin/cases/case/status_form.html", context)

    def note_view(self, request, object_id):
        if request.method != "POST":
            raise Http404
        if not request.user.has_perm("cases.add_casenote"):
            raise PermissionDenied
        case = self.get_object(request, unquote(object_id))
        if case is None:
            raise Http404
        form = NoteForm(request.POST)
        if form.is_valid():
            services.add_note(case=case, by=request.user, text=form.cleaned_data["text"])
            self.log_change(request, case, "Added a note")
            self.message_user(request, _("Note added."), messages.SUCCESS)
        else:
            self.message_user(request, _("The note was empty or too long; nothing was added."), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case.pk]))

    # --- actions (POST from the change list; each records who did it) ---------------------------------------
    def _change_status_action(self, request, queryset, to):
        if "apply" not in request.POST:
            context = {**self.admin_site.each_context(request), "opts": self.model._meta, "cases": queryset,
                       "action": request.POST.get("action"), "label": STATUS_ACTIONS[to], "form": StatusForm(),
                       "to": to, "title": STATUS_ACTIONS[to],
                       "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
            return TemplateResponse(request, "admin/cases/case/status_action.html", context)
        form = StatusForm({"to": to, "note": request.POST.get("note", "")})
        if not form.is_valid():
            self.message_user(request, "; ".join(e for errors in form.errors.values() for e in errors),
                              messages.ERROR)
            return None
        changed = skipped = 0
        for case in queryset:
            try:
                services.change_status(case=case, to=to, by=request.user, note=form.cleaned_data["note"])
            except services.InvalidStatusChange:
                skipped += 1
                continue
            self.log_change(request, case, f"Status changed to {to}: {form.cleaned_data['note']}")
            changed += 1
        self.message_user(request, f"{changed} case(s) changed; alerts are queued."
                          + (f" {skipped} already had that status." if skipped else ""), messages.SUCCESS)
        return None

    @admin.action(description=_("Mark selected cases found"), permissions=["mark_found"])
    def mark_found(self, request, queryset):
        return self._change_status_action(request, queryset, Case.Status.FOUND)

    @admin.action(description=_("Mark selected cases missing again"), permissions=["change_status"])
    def mark_missing(self, request, queryset):
        return self._change_status_action(request, queryset, Case.Status.MISSING)

    @admin.action(description=_("Close selected cases"), permissions=["change_status"])
    def mark_closed(self, request, queryset):
        return self._change_status_action(request, queryset, Case.Status.CLOSED)

    @admin.action(description=_("Regenerate posters"), permissions=["change"])
    def regenerate_posters(self, request, queryset):
        for case in queryset:
            schedule_poster(case, force=True)
            self.log_change(request, case, "Queued poster regeneration")
        self.message_user(request, ngettext("Poster regeneration queued for %(count)d case.",
                                            "Poster regeneration queued for %(count)d cases.", len(queryset))
                          % {"count": len(queryset)}, messages.SUCCESS)

    @admin.action(description=_("Re-run face matching"), permissions=["change"])
    def rerun_face_matching(self, request, queryset):
        for case in queryset:
            schedule_rematch(case)
            self.log_change(request, case, "Queued face matching")
        self.message_user(request, ngettext("Face matching queued for %(count)d case.",
                                            "Face matching queued for %(count)d cases.", len(queryset))
                          % {"count": len(queryset)}, messages.SUCCESS)

    @admin.action(description=_("Resend failed alerts"), permissions=["change"])
    def resend_alerts(self, request, queryset):
        total = 0
        for case in queryset:
            count = resend_failed(case)
            total += count
            if count:
                self.log_change(request, case, f"Queued {count} failed alert(s) to be sent again")
        self.message_user(request, ngettext("%(count)d failed alert queued again.",
                                            "%(count)d failed alerts queued again.", total) % {"count": total},
                          messages.SUCCESS)

    @admin.action(description=_("Delete selected cases and their files"), permissions=["delete"])
    def delete_with_files(self, request, queryset):
        if "apply" not in request.POST:
            context = {**self.admin_site.each_context(request), "opts": self.model._meta, "cases": queryset,
                       "action": request.POST.get("action"), "title": _("Delete cases"),
                       "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
            return TemplateResponse(request, "admin/cases/case/delete_action.html", context)
        cases = list(queryset)
        self.log_deletions(request, cases)
        for case in cases:
            services.delete_case(case=case, by=request.user)
        count = len(cases)
        self.message_user(request, ngettext("%(count)d case deleted with its photos, voice notes and posters.",
                                            "%(count)d cases deleted with their photos, voice notes and posters.",
                                            count) % {"count": count}, messages.SUCCESS)
        return None

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # replaced by delete_with_files, which also removes stored files
        return actions

    def has_mark_found_permission(self, request):
        return can_change_status(request.user, Case.Status.FOUND)

    def has_change_status_permission(self, request):
        return request.user.has_perm("cases.change_case_status")

    def delete_model(self, request, obj):
        services.delete_case(case=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for case in queryset:
            services.delete_case(case=case, by=request.user)
