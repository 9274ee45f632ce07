"""Phone numbers in the admin: shown masked ("+91 ******45") to staff without the "reveal phone numbers" permission
(NGO users; Police hold it), with a "Show number" button that records each reveal (who, which case, when) in the
case's history and the admin log before showing the number."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sachet.phones import mask

from ..models import CaseEvent, Sighting

REVEAL_PERMISSION = "cases.reveal_phone_numbers"
# What a reveal may show: the field of the case, or a sighting's reporter ("sighting-<id>").
CASE_PHONES = {"contact_phone": "contact", "reporter_phone": "reporter"}


def sees_phone_numbers(user) -> bool:
    return user.has_perm(REVEAL_PERMISSION)


def masked_with_button(value: str, url: str, target: str) -> str:
    """The masked number and a button that posts the page's own form (with its CSRF token) to the reveal URL."""
    if not value:
        return "–"
    return format_html('{} <button type="submit" class="button sachet-reveal" formaction="{}" formmethod="post" '
                       'formnovalidate name="phone" value="{}">{}</button>', mask(value), url, target,
                       _("Show number"))


class PhoneMaskingMixin:
    """For CaseAdmin: masked contact and reporter phones, and the reveal view."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if sees_phone_numbers(request.user):
            return fieldsets
        masked = {"contact_phone": "contact_phone_masked", "reporter_phone": "reporter_phone_masked"}
        return [(name, {**options, "fields": [masked.get(f, f) for f in options["fields"]]})
                for name, options in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not sees_phone_numbers(request.user):
            fields += ["contact_phone_masked", "reporter_phone_masked"]
        return fields

    @admin.display(description=gettext_lazy("Contact phone"))
    def contact_phone_masked(self, obj):
        return masked_with_button(obj.contact_phone, _reveal_url(obj), "contact_phone")

    @admin.display(description=gettext_lazy("Reporter phone"))
    def reporter_phone_masked(self, obj):
        return masked_with_button(obj.reporter_phone, _reveal_url(obj), "reporter_phone")

    def get_urls(self):
        own = [path("<path:object_id>/reveal/", self.admin_site.admin_view(self.reveal_view),
                    name="cases_case_reveal")]
        return own + super().get_urls()

    def reveal_view(self, request, object_id):
        """POST only: record who asked for which number of which case, then show it."""
        if request.method != "POST":
            raise Http404
        case = self.get_object(request, unquote(object_id))
        if case is None:
            raise Http404
        if not self.has_view_permission(request, case):
            raise PermissionDenied
        target = request.POST.get("phone", "")
        if target in CASE_PHONES:
            number, whose, details = getattr(case, target), CASE_PHONES[target], {"field": target}
        elif target.startswith("sighting-") and target[9:].isdigit():
            sighting = Sighting.objects.filter(pk=int(target[9:]), case=case).first()
            if sighting is None:
                raise Http404
            number, whose, details = sighting.reporter_phone, "sighting", {"field": "reporter_phone",
                                                                             "sighting": sighting.pk}
        else:
            raise Http404
        if not number:
            raise Http404
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.PHONE_REVEALED, by=request.user, details=details)
        self.log_change(request, case, f"Showed the {whose} phone number" +
                        (f" of sighting {details['sighting']}" if "sighting" in details else ""))
        labels = {"contact": _("the family contact"), "reporter": _("the person who reported the case"),
                  "sighting": _("the person who reported the sighting")}
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "case": case,
                   "number": number, "whose": labels[whose], "title": _("Phone number")}
        return TemplateResponse(request, "admin/cases/case/phone_revealed.html", context)


def _reveal_url(case) -> str:
    return reverse("admin:cases_case_reveal", args=[case.pk])


def sighting_phone_cell(user, sighting) -> str:
    """A sighting reporter's phone for the case page's sightings: plain for those allowed, else masked with a
    button."""
    if sees_phone_numbers(user):
        return sighting.reporter_phone or "–"
    return masked_with_button(sighting.reporter_phone, _reveal_url(sighting.case), f"sighting-{sighting.pk}")
