"""Verifying reports in the admin: the "to verify" filter at the top of the case list, and one action each to verify
or reject a report (on the case page and for selected cases), recorded with the user in the admin log and the case's
history (CaseEvent). Verifying releases the public alert; a rejected report leaves every public page."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import verification
from ..models import Case, Verification

VERIFY, REJECT = "verified", "rejected"


def decision_label(to: str) -> str:
    return _("Verify the report") if to == VERIFY else _("Reject the report as abuse")


class VerificationFilter(admin.SimpleListFilter):
    """First in the list's filters: reports waiting for staff (listed oldest first: CaseAdmin.get_ordering)."""

    title = gettext_lazy("verification")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        counts = dict(Case.objects.values_list("verification").annotate(n=Count("id")))
        waiting = counts.get(Verification.UNVERIFIED, 0)
        return [
            (Verification.UNVERIFIED, _("To verify (%(count)d)") % {"count": waiting}),
            (Verification.VERIFIED, _("Verified")),
            (Verification.REJECTED, _("Rejected")),
        ]

    def queryset(self, request, queryset):
        if self.value() in (Verification.UNVERIFIED, Verification.VERIFIED, Verification.REJECTED):
            return queryset.filter(verification=self.value())
        return queryset


class DecisionForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))

    def __init__(self, *args, to: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.to = to
        if to == REJECT:
            self.fields["note"].required = True
            self.fields["note"].help_text = _("Why: what makes this report abuse (kept for the audit, never public).")
        else:
            self.fields["note"].help_text = _("How you checked it, e.g. “called the family”, “FIR seen”.")


class VerificationAdminMixin:
    """For CaseAdmin: the filter, the page's buttons and the two list actions (the list's status column shows the
    verification too)."""

    def get_list_filter(self, request):
        return [VerificationFilter, *super().get_list_filter(request)]

    def get_ordering(self, request):
        if request.GET.get(VerificationFilter.parameter_name) == Verification.UNVERIFIED:
            return ["created_at", "id"]  # the report waiting longest first
        return super().get_ordering(request)

    def get_urls(self):
        own = [path("<path:object_id>/verification/", self.admin_site.admin_view(self.verification_view),
                    name="cases_case_verification")]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, unquote(object_id))
        extra_context = extra_context or {}
        if case is not None and request.user.has_perm("cases.verify_case"):
            extra_context["verification_choices"] = [
                (to, decision_label(to)) for to in (VERIFY, REJECT) if case.verification != to]
        return super().change_view(request, object_id, form_url, extra_context)

    def verification_view(self, request, object_id):
        """GET shows the form with a note; a POST verifies or rejects."""
        if not request.user.has_perm("cases.verify_case"):
            raise PermissionDenied
        case = self.get_object(request, unquote(object_id))
        if case is None:
            raise Http404
        to = request.POST.get("to") or request.GET.get("to")
        if to not in (VERIFY, REJECT):
            raise Http404
        form = DecisionForm(request.POST or None, to=to)
        if request.method == "POST" and form.is_valid():
            self._decide(request, case, to, form.cleaned_data["note"])
            return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case.pk]))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "case": case, "form": form,
                   "to": to, "label": decision_label(to),
                   "title": _("%(action)s: %(case)s") % {"action": decision_label(to), "case": case.reference}}
        return TemplateResponse(request, "admin/cases/case/verification_form.html", context)

    def _decide(self, request, case, to: str, note: str) -> bool:
        try:
            if to == VERIFY:
                changed = verification.verify(case=case, by=request.user, note=note)
            else:
                changed = verification.reject(case=case, by=request.user, note=note)
        except verification.CannotVerify:
            self.message_user(request, _("%(reference)s has no consent or legal basis recorded: add a legal basis "
                                         "first.") % {"reference": case.reference}, messages.ERROR)
            return False
        if not changed:
            self.message_user(request, _("%(reference)s was already %(state)s.")
                              % {"reference": case.reference, "state": case.get_verification_display().lower()},
                              messages.WARNING)
            return False
        self.log_change(request, case, "Verified the report" if to == VERIFY else "Rejected the report as abuse")
        if to == VERIFY:
            self.message_user(request, _("%(reference)s is verified. The public alert is queued.")
                              % {"reference": case.reference}, messages.SUCCESS)
        else:
            self.message_user(request, _("%(reference)s is rejected: hidden from the public, never alerted, kept for "
                                         "the audit.") % {"reference": case.reference}, messages.SUCCESS)
        return True

    # --- list actions ------------------------------------------------------------------------------------------
    def _decision_action(self, request, queryset, to: str):
        form = DecisionForm({"note": request.POST.get("note", "")} if "apply" in request.POST else None, to=to)
        if "apply" not in request.POST or not form.is_valid():
            context = {**self.admin_site.each_context(request), "opts": self.model._meta, "cases": queryset,
                       "action": request.POST.get("action"), "label": decision_label(to), "form": form, "to": to,
                       "title": decision_label(to), "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
            return TemplateResponse(request, "admin/cases/case/verification_action.html", context)
        for case in queryset:
            self._decide(request, case, to, form.cleaned_data["note"])
        return None

    @admin.action(description=gettext_lazy("Verify the selected reports"), permissions=["verify"])
    def verify_reports(self, request, queryset):
        return self._decision_action(request, queryset, VERIFY)

    @admin.action(description=gettext_lazy("Reject the selected reports as abuse"), permissions=["verify"])
    def reject_reports(self, request, queryset):
        return self._decision_action(request, queryset, REJECT)

    def has_verify_permission(self, request):
        return request.user.has_perm("cases.verify_case")


def waiting_reports() -> int:
    """How many reports wait for staff (shown above the case list)."""
    return Case.objects.filter(Q(verification=Verification.UNVERIFIED)).count()
