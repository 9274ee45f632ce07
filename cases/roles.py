"""Staff roles. Police run cases end to end; NGO staff follow cases, add notes, verify reports, publish sightings and
can mark a child found. Reporters' and contacts' phone numbers are shown to NGO staff masked ("show number" records
each reveal); Police hold "reveal phone numbers" and "erase personal data".

Applied by a data migration (and again by later migrations when new models arrive), so every deployment has the
same groups. Users are put in a group by a Police administrator; no account exists by default.
"""

from __future__ import annotations

POLICE = "Police"
NGO = "NGO"

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

    ngo, _ = Group.objects.get_or_create(name=NGO)
    wanted = [p.split(".", 1) for p in NGO_PERMISSIONS]
    ngo_permissions = [
        permission
        for app_label, codename in wanted
        for permission in Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    ]
    ngo.permissions.set(ngo_permissions)
