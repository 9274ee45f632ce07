"""What face analysis found in one stored photo. Media knows photos by their storage name, never by case."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ENCODING_BYTES = 512  # 128 little-endian float32 values per face (media.faces.encoding_to_bytes)


class FacePrint(models.Model):
    """One analysed photo: every usable face (largest first) with its box and encoding, for matching."""

    class Status(models.TextChoices):
        ONE_FACE = "one_face", _("One face")
        SEVERAL_FACES = "several_faces", _("Several faces (each is compared)")
        NO_FACE = "no_face", _("No face found")
        UNREADABLE = "unreadable", _("Not readable as an image")

    # The file's name in its storage (FieldFile.name): unique, so analysing a photo again updates its row.
    photo_name = models.CharField(max_length=255, unique=True)
    # Given by the caller ("case", "sighting", "found"): searches look at one group only.
    group = models.CharField(max_length=20)
    status = models.CharField(max_length=16, choices=Status.choices)
    # Usable faces found; the FACE_MAX_FACES largest are kept below.
    face_count = models.PositiveSmallIntegerField(default=0)
    # One [top, right, bottom, left] per face kept, in the photo's pixels, largest first; the photo's size beside
    # them lets a page draw the boxes over a scaled copy.
    boxes = models.JSONField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    # The faces' encodings one after the other, in the order of `boxes` (ENCODING_BYTES each).
    encodings = models.BinaryField(null=True, blank=True, editable=False)
    # Set when the caller says which face the photo is about (a missing child's photo with others in it): then only
    # that face is compared and searched. None: every face is.
    chosen_face = models.PositiveSmallIntegerField(null=True, blank=True)
    # When the faces or the chosen one last changed: every process's search index reads rows changed since its last
    # look.
    analysed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["group", "status"], name="faceprint_group_status"),
            models.Index(fields=["group", "analysed_at"], name="faceprint_group_analysed"),
        ]
        constraints = [
            # A face was found exactly when there are encodings and boxes: searches never meet a half row.
            models.CheckConstraint(
                condition=(
                    Q(status__in=["one_face", "several_faces"], encodings__isnull=False, boxes__isnull=False,
                      face_count__gte=1)
                    | Q(status__in=["no_face", "unreadable"], encodings__isnull=True, boxes__isnull=True,
                        face_count=0, chosen_face__isnull=True)
                ),
                name="faceprint_encodings_iff_faces",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.photo_name}: {self.get_status_display()}"

    @property
    def has_face(self) -> bool:
        return self.status in (self.Status.ONE_FACE, self.Status.SEVERAL_FACES)

    @property
    def kept_faces(self) -> int:
        """How many faces have a box and an encoding."""
        return len(self.boxes or ())

    @property
    def matched_faces(self) -> list[int]:
        """The indexes of the faces compared and searched: the chosen one, or all."""
        if not self.has_face:
            return []
        if self.chosen_face is not None and self.chosen_face < self.kept_faces:
            return [self.chosen_face]
        return list(range(self.kept_faces))


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


class StoredUpload(models.Model):
    """A file stored before the row that will point to it is committed (uploads are written outside the database
    transaction: Cloudinary can take seconds). The service that writes the row deletes this one in the same
    transaction; one still here after UPLOAD_GRACE_MINUTES belongs to no row (the transaction failed, or the
    process died) and its file is deleted by media.uploads.sweep."""

    name = models.CharField(max_length=255)
    storage = models.CharField(max_length=8, help_text="media.storage kind: image, raw or video")
    stored_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["name"], name="storedupload_name")]

    def __str__(self) -> str:
        return f"{self.name} stored {self.stored_at:%Y-%m-%d %H:%M}"
