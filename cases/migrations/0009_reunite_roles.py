from django.db import migrations


def apply_roles(apps, schema_editor):
    from cases.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    """Found children and the review queue in the Police and NGO groups, and the CCI group (child care institution
    staff) for the found children in their care."""

    dependencies = [
        ("cases", "0008_reunite_found_children_and_review"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
