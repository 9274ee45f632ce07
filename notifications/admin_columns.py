"""The columns of the deliveries and phone-code lists: what staff scan for (what, where, to whom masked, how it
went), each in a compact cell so that the lists fit a 1366 px screen with the sidebar open. The rest is on each
row's own page."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sachet.admin_columns import breakable, clamped, short_datetime

from .models import Delivery, PhoneCode


class DeliveryListColumns:
    """Columns of DeliveryAdmin.list_display (the masked recipient is DeliveryAdmin's own, shared with its page)."""

    @admin.display(description=_("Alert"), ordering="event_key")
    def event(self, obj: Delivery):
        return breakable(obj.event_key)

    @admin.display(description=_("Last error"))
    def error(self, obj: Delivery):
        return clamped(obj.last_error) if obj.last_error else ""

    @admin.display(description=_("Queued"), ordering="created_at")
    def queued(self, obj: Delivery):
        return short_datetime(obj.created_at)

    @admin.display(description=_("Sent"), ordering="sent_at")
    def sent(self, obj: Delivery):
        return short_datetime(obj.sent_at)


class PhoneCodeListColumns:
    """Columns of PhoneCodeAdmin.list_display."""

    @admin.display(description=_("Sent"), ordering="created_at")
    def sent(self, obj: PhoneCode):
        return short_datetime(obj.created_at)
