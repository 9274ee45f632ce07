"""Every usable face of a photo is kept: `box`/`encoding` (the largest face) become `boxes`/`encodings` (one per
face, largest first), and a photo may name the one face it is about (`chosen_face`).

Prints made before keep their one face; analysing the photo again (re-run face matching) adds the others.
"""

from django.db import migrations, models


def one_face_to_lists(apps, schema_editor):
    FacePrint = apps.get_model("media", "FacePrint")
    for row in FacePrint.objects.filter(encoding__isnull=False).only("id", "box", "encoding").iterator(chunk_size=2000):
        FacePrint.objects.filter(pk=row.pk).update(boxes=[row.box], encodings=bytes(row.encoding))


def lists_to_one_face(apps, schema_editor):
    FacePrint = apps.get_model("media", "FacePrint")
    for row in FacePrint.objects.filter(encodings__isnull=False).only("id", "boxes", "encodings").iterator(
        chunk_size=2000
    ):
        index = row.chosen_face if row.chosen_face is not None and row.chosen_face < len(row.boxes) else 0
        encodings = bytes(row.encodings)
        FacePrint.objects.filter(pk=row.pk).update(box=row.boxes[index],
                                                    encoding=encodings[index * 512:(index + 1) * 512])


class Migration(migrations.Migration):

    dependencies = [
        ("media", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="faceprint", name="faceprint_encoding_iff_face"),
        migrations.AddField(model_name="faceprint", name="boxes", field=models.JSONField(blank=True, null=True)),
        migrations.AddField(model_name="faceprint", name="encodings",
                            field=models.BinaryField(blank=True, editable=False, null=True)),
        migrations.AddField(model_name="faceprint", name="chosen_face",
                            field=models.PositiveSmallIntegerField(blank=True, null=True)),
        migrations.RunPython(one_face_to_lists, lists_to_one_face),
        migrations.RemoveField(model_name="faceprint", name="box"),
        migrations.RemoveField(model_name="faceprint", name="encoding"),
        migrations.AlterField(
            model_name="faceprint",
            name="status",
            field=models.CharField(choices=[("one_face", "One face"),
                                            ("several_faces", "Several faces (each is compared)"),
                                            ("no_face", "No face found"), ("unreadable", "Not readable as an image")],
                                   max_length=16),
        ),
        migrations.AddConstraint(
            model_name="faceprint",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("boxes__isnull", False), ("encodings__isnull", False), ("face_count__gte", 1),
                             ("status__in", ["one_face", "several_faces"])),
                    models.Q(("boxes__isnull", True), ("chosen_face__isnull", True), ("encodings__isnull", True),
                             ("face_count", 0), ("status__in", ["no_face", "unreadable"])),
                    _connector="OR",
                ),
                name="faceprint_encodings_iff_faces",
            ),
        ),
    ]
