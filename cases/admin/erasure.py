"""Erasing one case's personal data now, from its admin page (Police: "erase personal data"), with a note; recorded
in the case's history and the admin log. The retention job does the same on its own (cases.retention)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import retention

ERASE_PERMISSION = "cases.erase_case_data"


class ErasureForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Why"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
                           help_text=gettext_lazy("E.g. “the family asked for erasure by phone on 3 March”."))


class ErasureAdminMixin:
    """For CaseAdmin: the "Erase personal data" button and page; an erased case is read-only."""

    def get_urls(self):
        own = [path("<path:object_id>/erase/", self.admin_site.admin_view(self.erase_view), name="cases_case_erase")]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, unquote(object_id))
        extra_context = extra_context or {}
        extra_context["can_erase"] = bool(case is not None and case.erased_at is None
                                          and request.user.has_perm(ERASE_PERMISSION))
        return super().change_view(request, object_id, form_url, extra_context)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.erased_at is not None:
            return False  # nothing is left to edit, and nothing erased may be typed back in
        return super().has_change_permission(request, obj)

    def erase_view(self, request, object_id):
        if not request.user.has_perm(ERASE_PERMISSION):
            raise PermissionDenied
        case = self.get_object(request, unquote(object_id))
        if case is None:
            raise Http404
        form = ErasureForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            reference = case.reference
            try:
                event = retention.erase_personal_data(case=case, by=request.user, note=form.cleaned_data["note"])
            except retention.CannotErase:
                self.message_user(request, _("%(reference)s is still missing: close it or mark it found first.")
                                  % {"reference": reference}, messages.ERROR)
            else:
                if event is not None:
                    self.log_change(request, case, "Erased the case's personal data")
                    self.message_user(request, _("The personal data of %(reference)s is erased: photos, voice note, "
                                                 "poster, face prints, names, phones and descriptions.")
                                      % {"reference": reference}, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case.pk]))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "case": case, "form": form,
                   "title": _("Erase personal data: %(reference)s") % {"reference": case.reference}}
        return TemplateResponse(request, "admin/cases/case/erase_form.html", context)
