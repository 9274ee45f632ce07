"""A report entered by police or NGO staff in the admin ("Enter a report"): the same checks as the public form, a
legal basis instead of the family's consent, and verified at once by the user who entered it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from .. import services
from ..forms import StaffReportForm

REPORT_PERMISSION = "cases.add_case"


class StaffReportMixin:
    """For CaseAdmin: the "Enter a report" page (the admin's own add form stays off: it would skip the checks)."""

    def get_urls(self):
        own = [path("report/", self.admin_site.admin_view(self.staff_report_view), name="cases_case_report")]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_enter_report": request.user.has_perm(REPORT_PERMISSION)}
        return super().changelist_view(request, extra_context)

    def staff_report_view(self, request):
        if not request.user.has_perm(REPORT_PERMISSION):
            raise PermissionDenied
        form = StaffReportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            case = services.report_case(
                name=data["name"], age=data["age"], gender=data["gender"], description=data["description"],
                last_seen_place=data["last_seen_place"], last_seen_specific=data["last_seen_specific"],
                latitude=data["latitude"], longitude=data["longitude"], last_seen_at=data["last_seen_at"],
                contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                reporter_name=data["reporter_name"], reporter_phone=data["reporter_phone"],
                photo=data["photo"], voice_note=data["voice_note"], legal_basis=data["legal_basis"],
                entered_by=request.user,
            )
            self.log_addition(request, case, f"Entered a report (legal basis: {case.legal_basis})")
            self.message_user(request, _("%(reference)s is saved and published; its alerts are queued.")
                              % {"reference": case.reference}, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case.pk]))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": _("Enter a report")}
        return TemplateResponse(request, "admin/cases/case/staff_report.html", context,
                                status=400 if form.errors else 200)
