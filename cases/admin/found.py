"""Found children in the staff admin: the list with the Child Welfare Committee deadline (overdue in red), the
record with its photos (faces framed), history and possible matches, and the Police-only appeal: publish it with a
contact, withdraw it. Everything that changes a record goes through cases.found."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from media import matching
from media.images import InvalidPhoto, normalise_photo

from .. import found
from ..models import FoundChild, FoundChildEvent, FoundChildPhoto, MatchCandidate
from ..models_found import CWC_PRODUCTION_WITHIN
from .display import framed_photo, main_face_thumbnail

CWC_OVERDUE = "overdue"


class CwcFilter(admin.SimpleListFilter):
    title = gettext_lazy("Child Welfare Committee")
    parameter_name = "cwc"

    def lookups(self, request, model_admin):
        return [(CWC_OVERDUE, _("Not produced, deadline passed")), ("waiting", _("Not produced yet")),
                ("produced", _("Produced"))]

    def queryset(self, request, queryset):
        not_produced = queryset.filter(cwc_produced_at__isnull=True).exclude(status=FoundChild.Status.REUNITED)
        if self.value() == CWC_OVERDUE:
            return not_produced.filter(found_at__lt=timezone.now() - CWC_PRODUCTION_WITHIN)
        if self.value() == "waiting":
            return not_produced
        if self.value() == "produced":
            return queryset.filter(cwc_produced_at__isnull=False)
        return queryset


class AppealFilter(admin.SimpleListFilter):
    title = gettext_lazy("appeal")
    parameter_name = "appeal"

    def lookups(self, request, model_admin):
        return [("yes", _("Published")), ("no", _("Not published"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(appeal_published_at__isnull=self.value() == "no")
        return queryset


class PhotoForm(forms.ModelForm):
    class Meta:
        model = FoundChildPhoto
        fields = ("photo",)

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if isinstance(upload, UploadedFile):  # a new upload: checked and cleaned like the public forms' photos
            try:
                return normalise_photo(upload)
            except InvalidPhoto as error:
                raise forms.ValidationError(str(error)) from None
        return upload


class PhotoInline(admin.TabularInline):
    model = FoundChildPhoto
    form = PhotoForm
    extra = 1
    can_delete = False
    fields = ("preview", "photo", "created_at", "added_by")
    readonly_fields = ("preview", "created_at", "added_by")

    @admin.display(description=gettext_lazy("Faces"))
    def preview(self, obj):
        if not obj or not obj.pk:
            return "–"
        return framed_photo(obj.photo, obj.found_child.status)

    def has_change_permission(self, request, obj=None):
        return False  # a photo is added, never replaced: the history keeps what was seen


class HistoryInline(admin.TabularInline):
    model = FoundChildEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "by", "note")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("history")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FoundChild)
class FoundChildAdmin(admin.ModelAdmin):
    list_display = ("photo_thumb", "reference", "stated_name", "apparent_age", "gender", "found_place", "found_at",
                    "status", "cwc", "appeal", "linked_case")
    list_display_links = ("reference", "stated_name")
    list_filter = ("status", CwcFilter, AppealFilter, "source", "gender", "found_at")
    search_fields = ("reference", "stated_name", "stated_parents", "stated_place", "found_place", "current_location",
                     "case__reference")
    list_select_related = ("case",)
    date_hierarchy = "found_at"
    list_per_page = 50
    readonly_fields = ("reference", "source", "cwc_deadline", "linked_case", "duplicate_link", "appeal_state",
                       "possible_matches", "created_by", "created_at", "updated_at")
    fieldsets = (
        (gettext_lazy("What the child says"), {"fields": ("stated_name", "stated_parents", "stated_place",
                                                          "language")}),
        (gettext_lazy("The child"), {"fields": ("apparent_age", "gender", "identifying_marks", "clothing",
                                                "description")}),
        (gettext_lazy("Where and when found"), {"fields": ("found_place", "latitude", "longitude", "found_at")}),
        (gettext_lazy("Care (staff only)"), {"fields": ("status", "current_location", "cwc_deadline",
                                                        "cwc_produced_at")}),
        (gettext_lazy("Reported by"), {"fields": ("source", "reporter_name", "reporter_phone")}),
        (gettext_lazy("Record"), {"fields": ("reference", "linked_case", "duplicate_link", "appeal_state",
                                             "possible_matches", "created_by", "created_at", "updated_at")}),
    )
    inlines = [PhotoInline, HistoryInline]
    change_form_template = "admin/cases/foundchild/change_form.html"

    def get_queryset(self, request):
        first_photo = FoundChildPhoto.objects.filter(found_child=OuterRef("pk")).order_by("created_at", "id")
        return super().get_queryset(request).annotate(
            first_photo=Subquery(first_photo.values("photo")[:1]),
        ).annotate(**matching.face_box_annotations("first_photo"))

    # --- list ------------------------------------------------------------------------------------------------
    @admin.display(description=gettext_lazy("Photo"))
    def photo_thumb(self, obj):
        if not getattr(obj, "first_photo", None):
            return "–"
        return main_face_thumbnail(_StoredPhoto(obj.first_photo), obj)

    @admin.display(description=gettext_lazy("Child Welfare Committee"), ordering="found_at")
    def cwc(self, obj):
        if obj.cwc_produced_at:
            return _("Produced %(when)s") % {"when": _local(obj.cwc_produced_at)}
        if obj.status == FoundChild.Status.REUNITED:
            return "–"
        deadline = _local(obj.cwc_deadline)
        if obj.cwc_overdue:
            return format_html('<span class="sachet-overdue">{}</span>',
                               _("Overdue: due %(when)s") % {"when": deadline})
        return _("Due %(when)s") % {"when": deadline}

    @admin.display(description=gettext_lazy("Appeal"), boolean=True)
    def appeal(self, obj):
        return obj.appeal_is_published

    @admin.display(description=gettext_lazy("Case"))
    def linked_case(self, obj):
        if not obj.case_id:
            return "–"
        return format_html('<a href="{}">{}</a>', reverse("admin:cases_case_change", args=[obj.case_id]),
                           obj.case.reference)

    # --- detail ----------------------------------------------------------------------------------------------
    @admin.display(description=gettext_lazy("Production deadline"))
    def cwc_deadline(self, obj):
        if not obj.pk:
            return _("24 hours after the child was found.")
        return self.cwc(obj)

    @admin.display(description=gettext_lazy("Same child as"))
    def duplicate_link(self, obj):
        if not obj.duplicate_of_id:
            return "–"
        return format_html('<a href="{}">{}</a>', reverse("admin:cases_foundchild_change",
                                                         args=[obj.duplicate_of_id]), obj.duplicate_of.reference)

    @admin.display(description=gettext_lazy("Appeal"))
    def appeal_state(self, obj):
        if not obj.appeal_is_published:
            return _("Not published: the record is seen by staff only.")
        return format_html('{} <a href="{}" target="_blank" rel="noopener">{}</a>',
                           _("Published %(when)s, contact: %(contact)s.") % {
                               "when": _local(obj.appeal_published_at), "contact": obj.appeal_contact},
                           obj.get_absolute_url(), _("Open the appeal page"))

    @admin.display(description=gettext_lazy("Possible matches"))
    def possible_matches(self, obj):
        if not obj.pk:
            return "–"
        rows = MatchCandidate.objects.filter(Q(found_child=obj) | Q(other_found_child=obj)).select_related(
            "case", "found_child", "other_found_child").order_by("-strength")[:20]
        if not rows:
            return _("None so far.")
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a>: {} ({}, {}/100)</li>', (
            (reverse("admin:cases_matchcandidate_change", args=[row.pk]), _other_record(row, obj),
             row.get_kind_display(), row.get_status_display(), row.strength) for row in rows)))

    def save_model(self, request, obj, form, change):
        if not change:
            found.register_found_child(child=obj, by=request.user)
            return
        changed = [name for name in form.changed_data if name != "status"]
        new_status = obj.status
        if "status" in form.changed_data:
            obj.status = form.initial.get("status", obj.status)
        found.update_found_child(child=obj, by=request.user, changed=changed)
        if new_status != obj.status:
            found.change_status(child=obj, to=new_status, by=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not FoundChildPhoto:
            return super().save_formset(request, form, formset, change)
        for photo in formset.save(commit=False):
            photo.added_by = request.user
            photo.save()
            found.photo_added(photo=photo, by=request.user)
        return None

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("cases.delete_foundchild")

    def delete_model(self, request, obj):
        found.delete_found_child(child=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for child in queryset:
            found.delete_found_child(child=child, by=request.user)

    # --- the appeal (Police) ----------------------------------------------------------------------------------
    def get_urls(self):
        return [
            path("<path:object_id>/appeal/", self.admin_site.admin_view(self.appeal_view),
                 name="cases_foundchild_appeal"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}),
                         "can_publish_appeal": request.user.has_perm("cases.publish_appeal")}
        return super().change_view(request, object_id, form_url, extra_context)

    def appeal_view(self, request, object_id):
        """GET: the form to publish (with a contact) or withdraw; POST does it. Police only."""
        if not request.user.has_perm("cases.publish_appeal"):
            raise PermissionDenied
        child = self.get_object(request, unquote(object_id))
        if child is None:
            raise Http404
        form = AppealForm(request.POST or None, initial={"contact": child.appeal_contact})
        if request.method == "POST":
            if request.POST.get("action") == "withdraw":
                found.withdraw_appeal(child=child, by=request.user, note=request.POST.get("note", "")[:500])
                self.log_change(request, child, "Appeal withdrawn")
                self.message_user(request, _("The appeal is withdrawn: its page and poster are gone."),
                                  messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:cases_foundchild_change", args=[child.pk]))
            if form.is_valid():
                try:
                    found.publish_appeal(child=child, by=request.user, contact=form.cleaned_data["contact"])
                except found.AppealRefused as error:
                    self.message_user(request, str(error), messages.ERROR)
                else:
                    self.log_change(request, child, f"Appeal published, contact: {form.cleaned_data['contact']}")
                    self.message_user(request, _("The appeal is published."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:cases_foundchild_change", args=[child.pk]))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "child": child, "form": form,
                   "title": _("Appeal: do you know this child?")}
        return TemplateResponse(request, "admin/cases/foundchild/appeal_form.html", context)


class AppealForm(forms.Form):
    contact = forms.CharField(
        label=gettext_lazy("Who should people call?"), max_length=255,
        help_text=gettext_lazy("Printed on the public page and the poster, e.g. “Koregaon Park Police Station, "
                               "020 2615 0000”. Never a private number."),
    )


class _StoredPhoto:
    """A stored photo known by its name (an annotation), with the URL a template needs."""

    def __init__(self, name: str):
        self.name = name

    @property
    def url(self) -> str:
        return default_storage.url(self.name)

    def __bool__(self) -> bool:
        return bool(self.name)


def _other_record(candidate: MatchCandidate, child: FoundChild) -> str:
    if candidate.case_id:
        return _("case %(reference)s") % {"reference": candidate.case.reference}
    other = candidate.other_found_child if candidate.found_child_id == child.pk else candidate.found_child
    return _("found child %(reference)s") % {"reference": other.reference}


def _local(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
