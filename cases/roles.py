"""Staff roles. Police run cases end to end; NGO staff follow cases, add notes, verify reports, publish sightings and
can mark a child found. Reporters' and contacts' phone numbers are shown to NGO staff masked ("show number" records
each reveal); Police hold "reveal phone numbers" and "erase personal data". Staff of a child care institution (CCI)
keep the records of the found children in their care.

Applied by a data migration (and again by later migrations when new models arrive), so every deployment has the
same groups. Users are put in a group by a Police administrator; no account exists by default.
"""

from __future__ import annotations

POLICE = "Police"
NGO = "NGO"
CCI = "CCI"

# Police: every permission of these apps, including delete, user management and partner API keys.
POLICE_APPS = ("cases", "media", "notifications", "geocoding", "analytics", "partners", "auth", "axes")

NGO_PERMISSIONS = (
    "cases.view_case",
    "cases.view_sighting",
    "cases.view_statuschange",
    "cases.view_matchcandidate",
    "cases.view_casenote",
    "cases.add_casenote",
    "cases.mark_case_found",
    "cases.verify_case",
    "cases.publish_sighting",
    "cases.view_caseevent",
    "notifications.view_delivery",
    "notifications.view_subscription",
    "notifications.view_areaalert",
    "analytics.view_analyticssnapshot",
    "analytics.view_riskzone",
    # Found children and the review queue: record them, confirm or reject possible matches (not merge, not undo).
    "cases.view_foundchild",
    "cases.add_foundchild",
    "cases.change_foundchild",
    "cases.view_foundchildphoto",
    "cases.add_foundchildphoto",
    "cases.view_foundchildevent",
    "cases.decide_matchcandidate",
)

# Child care institution staff: the found children in their care, and what may match them (to look, not decide).
CCI_PERMISSIONS = (
    "cases.view_foundchild",
    "cases.add_foundchild",
    "cases.change_foundchild",
    "cases.view_foundchildphoto",
    "cases.add_foundchildphoto",
    "cases.view_foundchildevent",
    "cases.view_matchcandidate",
    "cases.view_case",
)


def sync_roles(apps) -> None:
    """Create or update the Police and NGO groups from the permissions that exist now."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; create them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    police, _ = Group.objects.get_or_create(name=POLICE)
    police.permissions.set(Permission.objects.filter(content_type__app_label__in=POLICE_APPS))

    for name, names in ((NGO, NGO_PERMISSIONS), (CCI, CCI_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [p.split(".", 1) for p in names]
        group.permissions.set([
            permission
            for app_label, codename in wanted
            for permission in Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        ])
