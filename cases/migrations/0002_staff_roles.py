from django.db import migrations


def apply_roles(apps, schema_editor):
    from cases.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    """The Police and NGO groups, with the permissions of every app's models."""

    dependencies = [
        ("cases", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("axes", "0009_add_session_hash"),
        ("notifications", "0001_initial"),
        ("media", "0001_initial"),
        ("geocoding", "0001_initial"),
        ("analytics", "0001_initial"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
