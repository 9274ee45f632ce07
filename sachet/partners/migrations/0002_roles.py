from django.db import migrations


def apply_roles(apps, schema_editor):
    # The roles live with the cases app, which made the groups; they are synced again for the new models.
    from cases.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    """Police make and revoke partner API keys; NGO staff do not see them."""

    dependencies = [
        ("partners", "0001_initial"),
        ("cases", "0012_partner_sources_cap"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
