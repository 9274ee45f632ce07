"""Trust: verification of reports, consent, sightings published by staff, erasure, and the trust history.

Cases recorded before this migration were public the moment they were reported, through a form that asked the family
to confirm they could publish the appeal: they stay public, marked verified by "import", with that confirmation
recorded as consent version 2026-11 at their report time. A found or closed case's `resolved_at` is the time of its
last status change. The rule is written out here so that this migration keeps doing what it did when the code moves on.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


LEGACY_CONSENT_VERSION = "2026-11"
BATCH = 500


def mark_existing_cases(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    StatusChange = apps.get_model("cases", "StatusChange")
    cases = Case.objects.order_by("pk").only("pk", "created_at", "contact_name", "status")
    changed = []
    for case in cases.iterator(chunk_size=BATCH):
        case.verification = "verified"
        case.verification_method = "import"
        case.verification_at = case.created_at
        case.consent_at = case.created_at
        case.consent_given_by = case.contact_name
        case.consent_version = LEGACY_CONSENT_VERSION
        if case.status in ("found", "closed"):
            last = (StatusChange.objects.filter(case_id=case.pk, to_status=case.status)
                    .order_by("-changed_at", "-id").values_list("changed_at", flat=True).first())
            case.resolved_at = last or case.created_at
        changed.append(case)
        if len(changed) >= BATCH:
            _save(Case, changed)
    _save(Case, changed)


def _save(Case, changed):
    Case.objects.bulk_update(changed, ["verification", "verification_method", "verification_at", "consent_at",
                                       "consent_given_by", "consent_version", "resolved_at"])
    changed.clear()


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_roles_phone_codes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('verified', 'Report confirmed'), ('rejected', 'Report rejected'), ('sighting_published', 'Sighting published'), ('sighting_unpublished', 'Sighting withdrawn from the public page'), ('phone_revealed', 'Phone number shown'), ('erased', 'Personal data erased')], max_length=24)),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('note', models.TextField(blank=True)),
                ('details', models.JSONField(blank=True, default=dict)),
            ],
            options={
                'ordering': ['at', 'id'],
            },
        ),
        migrations.AlterModelOptions(
            name='case',
            options={'ordering': ['-created_at'], 'permissions': [('change_case_status', "Can change a case's status (found, missing again, closed)"), ('mark_case_found', 'Can mark a case found'), ('verify_case', 'Can verify or reject a report'), ('reveal_phone_numbers', "Can see reporters' and contacts' phone numbers"), ('erase_case_data', "Can erase a case's personal data")]},
        ),
        migrations.AlterModelOptions(
            name='sighting',
            options={'ordering': ['-seen_at'], 'permissions': [('publish_sighting', "Can publish a sighting on the case's public page")]},
        ),
        migrations.AddField(
            model_name='case',
            name='consent_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='case',
            name='consent_given_by',
            field=models.CharField(blank=True, editable=False, help_text='The contact who agreed to publication on the report form.', max_length=120),
        ),
        migrations.AddField(
            model_name='case',
            name='consent_version',
            field=models.CharField(blank=True, editable=False, help_text='The consent wording agreed to (cases/consent.py).', max_length=20),
        ),
        migrations.AddField(
            model_name='case',
            name='erased_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='personal data erased at'),
        ),
        migrations.AddField(
            model_name='case',
            name='legal_basis',
            field=models.CharField(blank=True, choices=[('police_report', 'Police report (FIR / DD entry)'), ('cwc_order', 'Child Welfare Committee order'), ('written_consent', "Guardian's written consent"), ('court_order', 'Court order')], help_text='For a report entered by staff: why it may be published.', max_length=20),
        ),
        migrations.AddField(
            model_name='case',
            name='resolved_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='found or closed at'),
        ),
        migrations.AddField(
            model_name='case',
            name='verification',
            field=models.CharField(choices=[('unverified', 'Waiting for confirmation'), ('verified', 'Confirmed'), ('rejected', 'Rejected')], db_index=True, default='unverified', editable=False, max_length=10),
        ),
        migrations.AddField(
            model_name='case',
            name='verification_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='verified or rejected at'),
        ),
        migrations.AddField(
            model_name='case',
            name='verification_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='verified or rejected by'),
        ),
        migrations.AddField(
            model_name='case',
            name='verification_method',
            field=models.CharField(blank=True, choices=[('sms', "Code sent to the family's phone"), ('staff', 'Staff'), ('none', 'No confirmation (REPORT_VERIFICATION=none)'), ('import', 'Recorded before verification existed')], editable=False, max_length=10),
        ),
        migrations.AddField(
            model_name='sighting',
            name='published_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='sighting',
            name='published_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='caseevent',
            name='by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='caseevent',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='cases.case'),
        ),
        migrations.AddIndex(
            model_name='caseevent',
            index=models.Index(fields=['case', 'kind'], name='case_event_kind'),
        ),
            migrations.RunPython(mark_existing_cases, migrations.RunPython.noop),
    ]
