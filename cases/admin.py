"""Staff case management. The full police/NGO admin builds on these registrations."""

from django.contrib import admin

from .models import Case, Sighting, StatusChange


class SightingInline(admin.TabularInline):
    model = Sighting
    extra = 0
    fields = ("seen_at", "place", "description", "photo", "reporter_phone", "face_match_score")
    readonly_fields = ("face_match_score",)


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = ("changed_at", "from_status", "to_status", "changed_by", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("reference", "name", "age", "status", "last_seen_place", "created_at")
    list_filter = ("status", "gender")
    search_fields = ("reference", "name", "last_seen_place", "contact_phone")
    readonly_fields = ("reference", "status", "created_at", "updated_at")
    inlines = [SightingInline, StatusChangeInline]
