from django.db import migrations


def apply_roles(apps, schema_editor):
    # The roles live with the cases app, which made the groups; they are synced again for the new models.
    from cases.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    """Police may see and remove area subscribers; NGO staff may see them (masked) and the area alerts."""

    dependencies = [
        ("notifications", "0003_subscriptions"),
        ("cases", "0005_roles_phone_codes"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
