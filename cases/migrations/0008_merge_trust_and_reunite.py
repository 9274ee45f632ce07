"""Joins the two lines of migrations (verification and consent; found children and the review queue) and gives the
staff groups the permissions of both."""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from cases.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_reunite_roles"),
        ("cases", "0007_trust_constraints_and_roles"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
