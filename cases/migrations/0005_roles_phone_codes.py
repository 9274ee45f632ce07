from django.db import migrations


def apply_roles(apps, schema_editor):
    from cases.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    """The Police group gets the permissions of the one-time phone codes (view only: the admin is read-only)."""

    dependencies = [
        ("cases", "0004_phone_numbers_e164"),
        ("notifications", "0002_phone_codes_and_secret_deliveries"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
