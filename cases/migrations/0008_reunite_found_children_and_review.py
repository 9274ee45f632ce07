"""Found children, the review queue and merges; the name key and the chosen face on cases.

Existing candidates (a sighting resembling another open case) become pending case_sighting rows of the queue, with
their face score as their strength; existing cases get their name key.
"""

import cases.models_found
import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def existing_rows(apps, schema_editor):
    from cases.names import name_key

    Case = apps.get_model("cases", "Case")
    for case in Case.objects.only("id", "name").iterator(chunk_size=2000):
        Case.objects.filter(pk=case.pk).update(name_key=name_key(case.name))
    MatchCandidate = apps.get_model("cases", "MatchCandidate")
    for row in MatchCandidate.objects.only("id", "case_id", "sighting_id", "score").iterator(chunk_size=2000):
        MatchCandidate.objects.filter(pk=row.pk).update(
            kind="case_sighting", status="pending", strength=row.score or 0,
            pair_key=f"case_sighting:{row.case_id}:{row.sighting_id}",
        )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_trust_constraints_and_roles'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseMerge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('previous_status', models.CharField(choices=[('missing', 'Missing'), ('found', 'Found'), ('closed', 'Closed')], max_length=10)),
                ('moved', models.JSONField(default=dict)),
                ('merged_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('reversed_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'verbose_name': 'case merge',
                'verbose_name_plural': 'case merges',
                'ordering': ['-merged_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='FoundChild',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reference', models.CharField(default=cases.models_found.new_found_reference, editable=False, max_length=18, unique=True, verbose_name='reference')),
                ('status', models.CharField(choices=[('reported', 'Reported by the public, not yet in care'), ('in_care', 'In care'), ('reunited', 'Reunited with family'), ('transferred', 'Transferred')], db_index=True, default='in_care', max_length=12, verbose_name='status')),
                ('source', models.CharField(choices=[('public', 'A member of the public'), ('staff', 'Staff')], default='staff', editable=False, max_length=8, verbose_name='reported by')),
                ('stated_name', models.CharField(blank=True, max_length=120, verbose_name='name the child gives')),
                ('name_key', models.CharField(blank=True, db_index=True, editable=False, max_length=255)),
                ('stated_parents', models.CharField(blank=True, max_length=255, verbose_name="parents' names the child gives")),
                ('stated_place', models.CharField(blank=True, max_length=255, verbose_name='home or place the child names')),
                ('language', models.CharField(blank=True, max_length=80, verbose_name='language the child speaks')),
                ('apparent_age', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(17)], verbose_name='apparent age (years)')),
                ('gender', models.CharField(blank=True, choices=[('female', 'Girl'), ('male', 'Boy'), ('other', 'Other / prefer not to say')], max_length=10, verbose_name='gender')),
                ('identifying_marks', models.TextField(blank=True, verbose_name='identifying marks')),
                ('clothing', models.TextField(blank=True, verbose_name='clothing')),
                ('description', models.TextField(blank=True, verbose_name='what happened')),
                ('found_place', models.CharField(max_length=255, verbose_name='where found')),
                ('latitude', models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True)),
                ('longitude', models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True)),
                ('geocoding', models.CharField(choices=[('pending', 'Looking up the place'), ('found', 'Placed from the address'), ('not_found', 'Place not found'), ('manual', 'Picked on the map')], default='pending', editable=False, max_length=10)),
                ('location_precision', models.CharField(blank=True, editable=False, max_length=10)),
                ('found_at', models.DateTimeField(verbose_name='when found')),
                ('current_location', models.CharField(blank=True, help_text='Institution or police station. Staff only.', max_length=255, verbose_name='where the child is now')),
                ('cwc_produced_at', models.DateTimeField(blank=True, null=True, verbose_name='produced before the Child Welfare Committee')),
                ('reporter_name', models.CharField(blank=True, max_length=120, verbose_name="reporter's name")),
                ('reporter_phone', models.CharField(blank=True, max_length=20, verbose_name="reporter's phone")),
                ('appeal_published_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('appeal_contact', models.CharField(blank=True, help_text="Printed on the appeal page and poster, e.g. a police station's name and number.", max_length=255, verbose_name='who to call about the appeal')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'found child',
                'verbose_name_plural': 'found children',
                'ordering': ['-found_at', '-id'],
                'permissions': [('publish_appeal', "Can publish and withdraw a found child's appeal")],
            },
        ),
        migrations.CreateModel(
            name='FoundChildEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('registered', 'Registered'), ('updated', 'Details changed'), ('photo_added', 'Photo added'), ('status', 'Status changed'), ('appeal_published', 'Appeal published'), ('appeal_withdrawn', 'Appeal withdrawn'), ('linked', 'Linked to a case'), ('unlinked', 'Link to a case undone'), ('same_child', 'Marked as the same child as another record'), ('not_same_child', 'No longer marked as the same child')], max_length=20)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('note', models.TextField(blank=True)),
            ],
            options={
                'verbose_name': 'history entry',
                'verbose_name_plural': 'history',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='FoundChildPhoto',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('photo', models.FileField(upload_to=cases.models_found.found_photo_path, verbose_name='photo')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
            ],
            options={
                'verbose_name': 'photo',
                'verbose_name_plural': 'photos',
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ReviewDecision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('confirmed', 'Confirmed'), ('rejected', 'Rejected'), ('undone', 'Decision undone')], max_length=10)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('note', models.TextField(blank=True)),
            ],
            options={
                'ordering': ['at', 'id'],
            },
        ),
        migrations.AlterModelOptions(
            name='matchcandidate',
            options={'ordering': ['-strength', '-created_at', '-id'], 'permissions': [('decide_matchcandidate', 'Can confirm or reject a possible match'), ('undo_matchcandidate', 'Can undo a decision on a possible match'), ('merge_cases', 'Can merge a case reported twice into the earlier case')], 'verbose_name': 'possible match', 'verbose_name_plural': 'review matches'},
        ),
        migrations.RemoveConstraint(
            model_name='matchcandidate',
            name='one_candidate_per_sighting_case',
        ),
        migrations.AddField(
            model_name='case',
            name='merged_into',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='merged_cases', to='cases.case'),
        ),
        migrations.AddField(
            model_name='case',
            name='name_key',
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=255),
        ),
        migrations.AddField(
            model_name='case',
            name='photo_face',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='matchcandidate',
            name='age_gap',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='matchcandidate',
            name='days_apart',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='matchcandidate',
            name='decided_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='matchcandidate',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='matchcandidate',
            name='distance_km',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='matchcandidate',
            name='faces',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='matchcandidate',
            name='kind',
            field=models.CharField(choices=[('case_sighting', "Case and another case's sighting"), ('case_found', 'Case and found child'), ('case_case', 'Case reported twice'), ('found_found', 'Found child registered twice')], default='case_sighting', max_length=16, verbose_name='kind'),
        ),
        migrations.AddField(
            model_name='matchcandidate',
            name='name_similarity',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='matchcandidate',
            name='other_case',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='duplicate_candidates', to='cases.case'),
        ),
        migrations.AddField(
            model_name='matchcandidate',
            name='pair_key',
            field=models.CharField(editable=False, max_length=80, null=True, unique=True),
        ),
        migrations.AddField(
            model_name='matchcandidate',
            name='same_phone',
            field=models.BooleanField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='matchcandidate',
            name='status',
            field=models.CharField(choices=[('pending', 'To review'), ('confirmed', 'Confirmed'), ('rejected', 'Rejected')], db_index=True, default='pending', max_length=10, verbose_name='status'),
        ),
        migrations.AddField(
            model_name='matchcandidate',
            name='strength',
            field=models.PositiveSmallIntegerField(db_index=True, default=0, validators=[django.core.validators.MaxValueValidator(100)]),
        ),
        migrations.AddField(
            model_name='matchcandidate',
            name='updated_at',
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AlterField(
            model_name='matchcandidate',
            name='case',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='match_candidates', to='cases.case'),
        ),
        migrations.AlterField(
            model_name='matchcandidate',
            name='distance',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='matchcandidate',
            name='score',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(100)]),
        ),
        migrations.AlterField(
            model_name='matchcandidate',
            name='sighting',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='candidates', to='cases.sighting'),
        ),
        migrations.AlterField(
            model_name='matchcandidate',
            name='verdict',
            field=models.CharField(blank=True, choices=[('likely', 'Likely the same child'), ('possible', 'Possibly the same child'), ('unlikely', 'Unlikely'), ('no_face', 'No face to compare')], max_length=10),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['contact_phone'], name='case_contact_phone'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['reporter_phone'], name='case_reporter_phone'),
        ),
        migrations.AddField(
            model_name='casemerge',
            name='candidate',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='merges', to='cases.matchcandidate'),
        ),
        migrations.AddField(
            model_name='casemerge',
            name='duplicate',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='merges_out', to='cases.case'),
        ),
        migrations.AddField(
            model_name='casemerge',
            name='kept',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='merges_in', to='cases.case'),
        ),
        migrations.AddField(
            model_name='casemerge',
            name='merged_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='casemerge',
            name='reversed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='foundchild',
            name='case',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='found_records', to='cases.case', verbose_name='missing-child case'),
        ),
        migrations.AddField(
            model_name='foundchild',
            name='created_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='foundchild',
            name='duplicate_of',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='duplicates', to='cases.foundchild', verbose_name='same child as'),
        ),
        migrations.AddField(
            model_name='matchcandidate',
            name='found_child',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='candidates', to='cases.foundchild'),
        ),
        migrations.AddField(
            model_name='matchcandidate',
            name='other_found_child',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='duplicate_candidates', to='cases.foundchild'),
        ),
        migrations.RunPython(existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='matchcandidate',
            name='pair_key',
            field=models.CharField(editable=False, max_length=80, unique=True),
        ),
        migrations.AddConstraint(
            model_name='matchcandidate',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'confirmed', 'rejected'])), name='matchcandidate_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='matchcandidate',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('case__isnull', False), ('found_child__isnull', True), ('kind', 'case_sighting'), ('other_case__isnull', True), ('other_found_child__isnull', True), ('sighting__isnull', False)), models.Q(('case__isnull', False), ('found_child__isnull', False), ('kind', 'case_found'), ('other_case__isnull', True), ('other_found_child__isnull', True), ('sighting__isnull', True)), models.Q(('case__isnull', False), ('found_child__isnull', True), ('kind', 'case_case'), ('other_case__isnull', False), ('other_found_child__isnull', True), ('sighting__isnull', True)), models.Q(('case__isnull', True), ('found_child__isnull', False), ('kind', 'found_found'), ('other_case__isnull', True), ('other_found_child__isnull', False), ('sighting__isnull', True)), _connector='OR'), name='matchcandidate_records_fit_the_kind'),
        ),
        migrations.AddConstraint(
            model_name='matchcandidate',
            constraint=models.CheckConstraint(condition=models.Q(('score__isnull', True), ('score__lte', 100), _connector='OR'), name='matchcandidate_score_0_100'),
        ),
        migrations.AddField(
            model_name='foundchildevent',
            name='by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='foundchildevent',
            name='found_child',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='history', to='cases.foundchild'),
        ),
        migrations.AddField(
            model_name='foundchildphoto',
            name='added_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='foundchildphoto',
            name='found_child',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='photos', to='cases.foundchild'),
        ),
        migrations.AddField(
            model_name='reviewdecision',
            name='by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='reviewdecision',
            name='candidate',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='decisions', to='cases.matchcandidate'),
        ),
        migrations.AddConstraint(
            model_name='casemerge',
            constraint=models.UniqueConstraint(condition=models.Q(('reversed_at__isnull', True)), fields=('duplicate',), name='one_standing_merge_per_case'),
        ),
        migrations.AddConstraint(
            model_name='casemerge',
            constraint=models.CheckConstraint(condition=models.Q(('kept', models.F('duplicate')), _negated=True), name='casemerge_two_cases'),
        ),
        migrations.AddConstraint(
            model_name='foundchild',
            constraint=models.CheckConstraint(condition=models.Q(('apparent_age__isnull', True), ('apparent_age__lte', 17), _connector='OR'), name='foundchild_age_is_a_child'),
        ),
        migrations.AddConstraint(
            model_name='foundchild',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['reported', 'in_care', 'reunited', 'transferred'])), name='foundchild_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='foundchild',
            constraint=models.CheckConstraint(condition=models.Q(('appeal_published_at__isnull', True), models.Q(('appeal_contact', ''), _negated=True), _connector='OR'), name='foundchild_appeal_has_a_contact'),
        ),
        migrations.AddConstraint(
            model_name='foundchild',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('latitude__isnull', True), ('longitude__isnull', True)), models.Q(('latitude__isnull', False), ('longitude__isnull', False)), _connector='OR'), name='foundchild_coordinates_both_or_neither'),
        ),
        migrations.AddConstraint(
            model_name='foundchild',
            constraint=models.CheckConstraint(condition=models.Q(('latitude__isnull', True), models.Q(('latitude__gte', -90), ('latitude__lte', 90)), _connector='OR'), name='foundchild_latitude_on_earth'),
        ),
        migrations.AddConstraint(
            model_name='foundchild',
            constraint=models.CheckConstraint(condition=models.Q(('longitude__isnull', True), models.Q(('longitude__gte', -180), ('longitude__lte', 180)), _connector='OR'), name='foundchild_longitude_on_earth'),
        ),
        migrations.AddConstraint(
            model_name='foundchild',
            constraint=models.CheckConstraint(condition=models.Q(('latitude', 0), ('longitude', 0), _negated=True), name='foundchild_coordinates_not_zero_zero'),
        ),
    ]
