from django.db import migrations, models


def apply_roles(apps, schema_editor):
    from cases.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    """No consent, no publication (a database rule), and the roles: Police get every new permission (verify, reveal
    phone numbers, erase, publish sightings); NGO staff may verify reports and publish sightings."""

    dependencies = [
        ("cases", "0006_trust_verification_consent_erasure"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(verification__in=["unverified", "verified", "rejected"]),
                name="case_verification_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=~models.Q(verification="verified") | models.Q(consent_at__isnull=False)
                | ~models.Q(legal_basis=""),
                name="case_verified_has_consent_or_basis",
            ),
        ),
        migrations.RunPython(apply_roles, migrations.RunPython.noop),
    ]
