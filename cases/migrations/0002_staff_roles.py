from django.db import migrations


def apply_roles(apps, schema_editor):
    from cases.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("axes", "0009_add_session_hash"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
