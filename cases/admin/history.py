"""The case page's trust history: verification, sightings published, phone numbers shown, personal data erased."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy

from ..models import CaseEvent


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    verbose_name = gettext_lazy("history entry")
    verbose_name_plural = gettext_lazy("verification, publication and privacy history")
    fields = ("at", "kind", "by_whom", "note", "what")
    readonly_fields = fields
    ordering = ("at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")

    @admin.display(description=gettext_lazy("By"))
    def by_whom(self, obj):
        return obj.by or gettext_lazy("Sachet (automatic)")

    @admin.display(description=gettext_lazy("Details"))
    def what(self, obj):
        details = obj.details or {}
        if obj.kind == CaseEvent.Kind.ERASED:
            return ", ".join(details.get("kinds", []))
        if "sighting" in details:
            return f"sighting {details['sighting']}"
        return details.get("field") or details.get("method") or ""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
