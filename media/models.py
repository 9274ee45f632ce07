"""What face analysis found in one stored photo. Media knows photos by their storage name, never by case."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

ENCODING_BYTES = 512  # 128 little-endian float32 values (media.faces.encoding_to_bytes)


class FacePrint(models.Model):
    """One analysed photo: how many faces, the box of the largest, and its encoding for matching."""

    class Status(models.TextChoices):
        ONE_FACE = "one_face", "One face"
        SEVERAL_FACES = "several_faces", "Several faces (the largest is used)"
        NO_FACE = "no_face", "No face found"
        UNREADABLE = "unreadable", "Not readable as an image"

    # The file's name in its storage (FieldFile.name): unique, so analysing a photo again updates its row.
    photo_name = models.CharField(max_length=255, unique=True)
    # Given by the caller ("case", "sighting"): searches look at one group only.
    group = models.CharField(max_length=20)
    status = models.CharField(max_length=16, choices=Status.choices)
    face_count = models.PositiveSmallIntegerField(default=0)
    # The chosen (largest) face as [top, right, bottom, left] in the photo's pixels; the photo's size beside it
    # lets a page draw the box over a scaled copy.
    box = models.JSONField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    encoding = models.BinaryField(max_length=ENCODING_BYTES, null=True, blank=True, editable=False)
    analysed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["group", "status"], name="faceprint_group_status"),
            models.Index(fields=["group", "analysed_at"], name="faceprint_group_analysed"),
        ]
        constraints = [
            # A face was found exactly when there is an encoding and a box: searches never meet a half row.
            models.CheckConstraint(
                condition=(
                    Q(status__in=["one_face", "several_faces"], encoding__isnull=False, box__isnull=False,
                      face_count__gte=1)
                    | Q(status__in=["no_face", "unreadable"], encoding__isnull=True, box__isnull=True, face_count=0)
                ),
                name="faceprint_encoding_iff_face",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.photo_name}: {self.get_status_display()}"

    @property
    def has_face(self) -> bool:
        return self.status in (self.Status.ONE_FACE, self.Status.SEVERAL_FACES)


class FacePrintDeletion(models.Model):
    """A face print deleted recently: a name and a time, no face data. Every process's in-memory search index
    reads these to drop the print, instead of comparing every name it holds with the table. Kept for a day."""

    photo_name = models.CharField(max_length=255)
    group = models.CharField(max_length=20)
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["group", "deleted_at"], name="faceprintdeletion_group_time")]

    def __str__(self) -> str:
        return f"{self.photo_name} deleted {self.deleted_at:%Y-%m-%d %H:%M}"
