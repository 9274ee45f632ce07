"""Publishing sightings from the admin: a column and a button on the case page's sightings, and two actions in the
sighting list; each is recorded in the case's history (CaseEvent) and the admin log. The sightings' reporters'
phones are masked for staff without "reveal phone numbers"."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Sighting
from ..publication import publish_sighting, unpublish_sighting
from .inlines import SightingInline
from .phones import masked_with_button, sees_phone_numbers, sighting_phone_cell

PUBLISH_PERMISSION = "cases.publish_sighting"


def log_publication(user, sighting: Sighting, published: bool) -> None:
    """The admin log entry for a publication, on the case (where staff read the history)."""
    LogEntry.objects.log_actions(
        user_id=user.pk, queryset=[sighting.case], action_flag=CHANGE, single_object=True,
        change_message=f"{'Published' if published else 'Withdrew'} sighting {sighting.pk}",
    )


class PublishingSightingInline(SightingInline):
    """The case page's sightings, with whether each is public and a button to publish or withdraw it."""

    fields = tuple(f if f != "reporter_phone" else "reporter_phone_cell" for f in SightingInline.fields) + (
        "publication",)
    readonly_fields = fields
    user = None  # set per request by the case admin (SightingPublicationMixin.get_inline_instances)

    @admin.display(description=gettext_lazy("Reporter phone"))
    def reporter_phone_cell(self, obj):
        return sighting_phone_cell(self.user, obj)

    @admin.display(description=gettext_lazy("On the public page"))
    def publication(self, obj):
        state = _("Published") if obj.published_at else _("Staff only")
        if self.user is None or not self.user.has_perm(PUBLISH_PERMISSION):
            return state
        url = reverse("admin:cases_case_publish_sighting", args=[obj.case_id, obj.pk])
        label = _("Withdraw") if obj.published_at else _("Publish")
        return format_html('{} <button type="submit" class="button" formaction="{}" formmethod="post" '
                           'formnovalidate name="publish" value="{}">{}</button>', state, url,
                           "0" if obj.published_at else "1", label)


class SightingPublicationMixin:
    """For CaseAdmin: the publishing inline in place of the plain one, and the view its buttons post to."""

    def get_inlines(self, request, obj):
        return [PublishingSightingInline if inline is SightingInline else inline
                for inline in super().get_inlines(request, obj)]

    def get_inline_instances(self, request, obj=None):
        instances = super().get_inline_instances(request, obj)
        for inline in instances:
            if isinstance(inline, PublishingSightingInline):
                inline.user = request.user
        return instances

    def get_urls(self):
        own = [path("<path:object_id>/sighting/<int:sighting_id>/publish/",
                    self.admin_site.admin_view(self.publish_sighting_view), name="cases_case_publish_sighting")]
        return own + super().get_urls()

    def publish_sighting_view(self, request, object_id, sighting_id):
        if request.method != "POST":
            raise Http404
        if not request.user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied
        case = self.get_object(request, unquote(object_id))
        sighting = Sighting.objects.filter(pk=sighting_id, case=case).select_related("case").first()
        if case is None or sighting is None:
            raise Http404
        publish = request.POST.get("publish") == "1"
        changed = (publish_sighting if publish else unpublish_sighting)(sighting=sighting, by=request.user)
        if changed:
            log_publication(request.user, sighting, publish)
            self.message_user(request, _("The sighting is on the public page now, with phone numbers, e-mail "
                                         "addresses and links masked.") if publish
                              else _("The sighting is no longer on the public page."), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case.pk]) + "#sightings-group")


class SightingAdminTrustMixin:
    """For SightingAdmin: masked reporter phones, the publication column and the two actions."""

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if not sees_phone_numbers(request.user) and "reporter_phone" in fields:
            fields[fields.index("reporter_phone")] = "reporter_phone_masked"
        return fields

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj)) + ["published_at", "published_by"]
        if not sees_phone_numbers(request.user):
            fields.append("reporter_phone_masked")
        return fields

    @admin.display(description=gettext_lazy("Reporter phone"))
    def reporter_phone_masked(self, obj):
        return masked_with_button(obj.reporter_phone, reverse("admin:cases_case_reveal", args=[obj.case_id]),
                                  f"sighting-{obj.pk}")

    @admin.display(description=gettext_lazy("Public"), boolean=True, ordering="published_at")
    def is_published(self, obj):
        return obj.published_at is not None

    def _publish(self, request, queryset, publish: bool) -> None:
        count = 0
        for sighting in queryset.select_related("case"):
            if (publish_sighting if publish else unpublish_sighting)(sighting=sighting, by=request.user):
                log_publication(request.user, sighting, publish)
                count += 1
        self.message_user(request, (_("%(count)d sighting(s) published.") if publish
                                    else _("%(count)d sighting(s) withdrawn from the public page."))
                          % {"count": count}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Publish the selected sightings on their case pages"),
                  permissions=["publish"])
    def publish_sightings(self, request, queryset):
        self._publish(request, queryset, True)

    @admin.action(description=gettext_lazy("Withdraw the selected sightings from the public pages"),
                  permissions=["publish"])
    def unpublish_sightings(self, request, queryset):
        self._publish(request, queryset, False)

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)
