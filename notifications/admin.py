"""Deliveries in the staff admin: what went out where, what failed and why, a resend, and a test alert per channel.

The outbox is a record: rows are never added, edited or deleted here, only sent again through the service.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sachet.phones import InvalidPhone, normalise

from . import selectors, services, subscriptions
from .admin_columns import DeliveryListColumns, PhoneCodeListColumns
from .channels import ChannelNotConfigured, enabled_channels
from .models import AreaAlert, Delivery, PhoneCode, Subscription


NOT_CONFIGURED = _("That channel is not configured (any more).")


class TestAlertForm(forms.Form):
    channel = forms.ChoiceField(error_messages={"invalid_choice": NOT_CONFIGURED})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(channel.name, channel.name) for channel in enabled_channels()]


@admin.register(Delivery)
class DeliveryAdmin(DeliveryListColumns, admin.ModelAdmin):
    change_list_template = "admin/notifications/delivery/change_list.html"
    # The columns (admin_columns.py) fit 1366 px with the sidebar open; the rest is on each delivery's page.
    list_display = ("event", "channel", "masked_recipient", "status", "attempts", "error", "queued", "sent")
    list_filter = ("status", "channel", "kind", "audience", "bulk")
    search_fields = ("event_key",)  # never the recipient: those are phone numbers
    date_hierarchy = "created_at"
    actions = ["resend_failed"]
    fields = ("event_key", "channel", "masked_recipient", "status", "attempts", "last_error", "provider_message_id",
              "kind", "audience", "title", "shown_body", "link", "photo_url", "created_at", "next_attempt_at",
              "expires_at", "claimed_until", "sent_at")
    readonly_fields = fields

    @admin.display(description=_("Recipient"))
    def masked_recipient(self, obj: Delivery) -> str:
        return obj.masked_recipient

    @admin.display(description=_("Body"))
    def shown_body(self, obj: Delivery) -> str:
        # A one-time code's text is never shown, not even while it waits to be sent.
        return obj.shown_body

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("notifications.resend_delivery")

    @admin.action(description=_("Send the selected failed alerts again"), permissions=["resend"])
    def resend_failed(self, request, queryset) -> None:
        failed = list(queryset.filter(status=Delivery.Status.FAILED, redacted_body=""))
        count = services.resend(Delivery.objects.filter(pk__in=[d.pk for d in failed]))
        for delivery in failed:
            self.log_change(request, delivery, "Queued to be sent again")
        skipped = len(queryset) - count
        text = ngettext("%(count)d failed alert queued again.", "%(count)d failed alerts queued again.", count) % {
            "count": count}
        if skipped:
            text += " " + ngettext(
                "%(count)d selected alert had not failed, or held a one-time code, and was left alone.",
                "%(count)d selected alerts had not failed, or held a one-time code, and were left alone.", skipped,
            ) % {"count": skipped}
        self.message_user(request, text, messages.SUCCESS)

    def changelist_view(self, request, extra_context=None):
        stalled_after = timedelta(seconds=settings.ALERT_STALLED_AFTER)
        backlog = selectors.overdue_deliveries(older_than=stalled_after)
        if backlog.count:
            # The sweep logs this too, but a dead worker cannot log: staff must see it here.
            self.message_user(
                request,
                ngettext("%(count)d alert has waited more than %(minutes)d minutes to be sent. Check that the "
                         "worker and the broker are running.",
                         "%(count)d alerts have waited more than %(minutes)d minutes to be sent. Check that the "
                         "worker and the broker are running.", backlog.count)
                % {"count": backlog.count, "minutes": settings.ALERT_STALLED_AFTER // 60},
                messages.WARNING,
            )
        extra_context = {**(extra_context or {}), "can_send_test_alert": self._can_send_test_alert(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path("test-alert/", self.admin_site.admin_view(self.test_alert_view),
                 name="notifications_delivery_test_alert"),
            *super().get_urls(),
        ]

    def _can_send_test_alert(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and request.user.has_perm(
            "notifications.send_test_alert")

    def test_alert_view(self, request):
        """GET lists the enabled channels; a POST naming one queues a test alert to each of its recipients."""
        if not self._can_send_test_alert(request):
            raise PermissionDenied
        form = TestAlertForm(request.POST or None)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                channel_name = form.cleaned_data["channel"]
                try:
                    deliveries = services.queue_test_alert(channel_name=channel_name,
                                                           requested_by=request.user.get_username())
                except ChannelNotConfigured:
                    form.add_error("channel", NOT_CONFIGURED)
                else:
                    for delivery in deliveries:
                        self.log_addition(request, delivery, f"Test alert queued on {channel_name}")
                    self.message_user(request, ngettext(
                        "Test alert queued on %(channel)s for %(count)d recipient; its status is below.",
                        "Test alert queued on %(channel)s for %(count)d recipients; its status is below.",
                        len(deliveries)) % {"channel": channel_name, "count": len(deliveries)}, messages.SUCCESS)
                    event_key = deliveries[0].event_key if deliveries else ""
                    changelist = reverse("admin:notifications_delivery_changelist")
                    return HttpResponseRedirect(f"{changelist}?{urlencode({'q': event_key})}")
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Send a test alert"),
            "form": form,
            "channels": [
                {"name": c.name, "audiences": ", ".join(sorted(c.audiences)), "recipients": len(c.recipients())}
                for c in enabled_channels()
            ],
        }
        return TemplateResponse(request, "admin/notifications/delivery/test_alert.html", context, status=status)


@admin.register(PhoneCode)
class PhoneCodeAdmin(PhoneCodeListColumns, admin.ModelAdmin):
    """One-time codes, read-only, for answering "I never got the code": never the code, never the full number."""

    # Expiry and verification times are on each code's page.
    list_display = ("sent", "purpose", "subject", "masked_phone", "state", "tries", "sms_status")
    list_filter = ("purpose", "status")
    search_fields = ("subject",)  # never the phone
    list_select_related = ("delivery",)
    date_hierarchy = "created_at"
    fields = ("purpose", "subject", "masked_phone", "state", "tries", "created_at", "expires_at", "verified_at",
              "sms_status", "sms_error")
    readonly_fields = fields

    @admin.display(description=_("Phone"))
    def masked_phone(self, obj: PhoneCode) -> str:
        return obj.masked_phone

    @admin.display(description=_("State"))
    def state(self, obj: PhoneCode) -> str:
        if obj.status == PhoneCode.Status.ACTIVE and obj.is_expired():
            return _("Expired")
        return obj.get_status_display()

    @admin.display(description=_("SMS"))
    def sms_status(self, obj: PhoneCode) -> str:
        return obj.delivery.get_status_display() if obj.delivery else "-"

    @admin.display(description=_("SMS error"))
    def sms_error(self, obj: PhoneCode) -> str:
        return obj.delivery.last_error if obj.delivery else ""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Area subscribers, for answering "stop sending to my number" and for seeing the reach: never a full number,
    the point only to about a kilometre. Removing one deletes it (and, for its address's last, the address in past
    deliveries); Django's admin log keeps who removed which."""

    list_display = ("__str__", "channel", "status", "radius_km", "language", "area", "created_at", "confirmed_at")
    list_filter = ("channel", "status", "language")
    search_fields = ("address",)  # an exact number or chat id only, see get_search_results
    date_hierarchy = "created_at"
    actions = ["delete_selected"]
    fields = ("channel", "masked_address", "status", "radius_km", "language", "area", "consent_at",
              "consent_version", "created_at", "confirmed_at")
    readonly_fields = fields

    @admin.display(description=_("Address"))
    def masked_address(self, obj: Subscription) -> str:
        return obj.masked_address

    @admin.display(description=_("Around (about 1 km)"))
    def area(self, obj: Subscription) -> str:
        return f"{obj.latitude:.2f}, {obj.longitude:.2f}"

    def get_search_results(self, request, queryset, search_term):
        """Search finds a subscriber by their whole number (any way it is written) or chat id, never by a part."""
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            address = normalise(term)
        except InvalidPhone:
            address = term
        return queryset.filter(address=address), False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj: Subscription) -> None:
        subscriptions.remove(obj, why=f"removed by staff user {request.user.pk}")

    def delete_queryset(self, request, queryset) -> None:
        for subscription in queryset:
            subscriptions.remove(subscription, why=f"removed by staff user {request.user.pk}")


@admin.register(AreaAlert)
class AreaAlertAdmin(admin.ModelAdmin):
    """Each event told to area subscribers: how far it reached, how many were told, whether the fan-out finished."""

    list_display = ("event_key", "kind", "reach_km", "matched", "queued", "over_limit", "status", "created_at",
                    "finished_at")
    list_filter = ("kind", "status")
    search_fields = ("event_key",)
    date_hierarchy = "created_at"
    fields = ("event_key", "topic", "kind", "reach_km", "started_at", "matched", "queued", "over_limit", "status",
              "created_at", "finished_at")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
