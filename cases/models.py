"""Cases (missing children), sightings reported by the public, and the history of every status change."""

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from media.storage import audio_storage, document_storage

REFERENCE_REGEX = r"MC[0-9]{8}[0-9A-F]{8}"


def new_reference() -> str:
    """The public reference, in the old system's format: MC + YYYYMMDD (UTC) + 8 upper-case hex characters."""
    return f"MC{timezone.now():%Y%m%d}{secrets.token_hex(4).upper()}"


def _random_name(folder: str, filename: str) -> str:
    """Random file names, so a stored file's URL says nothing about the child and cannot be guessed."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{folder}/{uuid.uuid4().hex}.{extension}"


def case_photo_path(instance, filename: str) -> str:
    return _random_name("cases/photos", filename)


def voice_note_path(instance, filename: str) -> str:
    return _random_name("cases/voice", filename)


def sighting_photo_path(instance, filename: str) -> str:
    return _random_name("sightings/photos", filename)


def poster_path(instance, filename: str) -> str:
    return _random_name("posters", filename)


class Geocoding(models.TextChoices):
    """Where a place's coordinates came from: given by the person on the map, or looked up afterwards."""

    PENDING = "pending", _("Looking up the place")
    FOUND = "found", _("Placed from the address")
    NOT_FOUND = "not_found", _("Place not found")
    MANUAL = "manual", _("Picked on the map")


class Verification(models.TextChoices):
    """Whether a report may reach the public: confirmed by the family's phone or by staff, or rejected as abuse."""

    UNVERIFIED = "unverified", _("Waiting for confirmation")
    VERIFIED = "verified", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class VerificationMethod(models.TextChoices):
    SMS = "sms", _("Code sent to the family's phone")
    STAFF = "staff", _("Staff")
    NONE = "none", _("No confirmation (REPORT_VERIFICATION=none)")
    IMPORT = "import", _("Recorded before verification existed")


class LegalBasis(models.TextChoices):
    """Why staff may publish a report they entered themselves (a public report records the guardian's consent)."""

    POLICE_REPORT = "police_report", _("Police report (FIR / DD entry)")
    CWC_ORDER = "cwc_order", _("Child Welfare Committee order")
    WRITTEN_CONSENT = "written_consent", _("Guardian's written consent")
    COURT_ORDER = "court_order", _("Court order")


class PosterLanguage(models.TextChoices):
    """The language a poster adds to English and Hindi; "" follows the state where the child was last seen."""

    FROM_THE_STATE = "", _("From the state where the child was last seen")
    HINDI_ONLY = "hi", _("English and Hindi only")
    BENGALI = "bn", _("Bengali as well")
    MARATHI = "mr", _("Marathi as well")


class Verdict(models.TextChoices):
    LIKELY = "likely", _("Likely the same child")
    POSSIBLE = "possible", _("Possibly the same child")
    UNLIKELY = "unlikely", _("Unlikely")
    NO_FACE = "no_face", _("No face to compare")


def _coordinates_constraints(prefix: str) -> list[models.CheckConstraint]:
    """Both coordinates or neither, on Earth, and never 0/0 as a stand-in for 'unknown'."""
    return [
        models.CheckConstraint(
            condition=Q(latitude__isnull=True, longitude__isnull=True)
            | Q(latitude__isnull=False, longitude__isnull=False),
            name=f"{prefix}_coordinates_both_or_neither",
        ),
        models.CheckConstraint(
            condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
            name=f"{prefix}_latitude_on_earth",
        ),
        models.CheckConstraint(
            condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
            name=f"{prefix}_longitude_on_earth",
        ),
        models.CheckConstraint(condition=~Q(latitude=0, longitude=0), name=f"{prefix}_coordinates_not_zero_zero"),
    ]


class Case(models.Model):
    class Status(models.TextChoices):
        MISSING = "missing", pgettext_lazy("case status", "Missing")
        FOUND = "found", pgettext_lazy("case status", "Found")
        CLOSED = "closed", pgettext_lazy("case status", "Closed")

    class Gender(models.TextChoices):
        GIRL = "female", _("Girl")
        BOY = "male", _("Boy")
        OTHER = "other", _("Other / prefer not to say")

    reference = models.CharField(max_length=18, unique=True, default=new_reference, editable=False)
    name = models.CharField(_("child's name"), max_length=120)
    # Unknown only for a case brought from another system (PFIF, the old Sachet) without a child's age; the report
    # forms always ask for it.
    age = models.PositiveSmallIntegerField(null=True, blank=True,
                                           validators=[MinValueValidator(0), MaxValueValidator(17)])
    gender = models.CharField(max_length=10, choices=Gender.choices)
    description = models.TextField(help_text=_("What the child looks like and was wearing."))
    last_seen_place = models.CharField(max_length=255)
    last_seen_specific = models.CharField(_("specific place"), max_length=255, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    geocoding = models.CharField(max_length=10, choices=Geocoding.choices, default=Geocoding.PENDING)
    location_precision = models.CharField(max_length=10, blank=True, help_text=_("exact, locality or city"))
    last_seen_at = models.DateTimeField(_("last seen"))
    photo = models.FileField(upload_to=case_photo_path, blank=True)
    voice_note = models.FileField(upload_to=voice_note_path, storage=audio_storage, blank=True)
    # The family's contact is public: it is printed on the case page and the poster so that people can call.
    contact_name = models.CharField(max_length=120)
    contact_phone = models.CharField(max_length=20)
    # Who filled in the report: for staff only, never on public pages.
    reporter_name = models.CharField(max_length=120, blank=True)
    reporter_phone = models.CharField(max_length=20, blank=True)
    # The name as a Latin key across scripts and spellings (cases.names.name_key), kept by the services: finds a
    # child reported twice.
    name_key = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    # Which face in the photo is the child (0 the largest): staff pick another when the photo shows others too.
    photo_face = models.PositiveSmallIntegerField(default=0, editable=False)
    # Set when staff merged this case, reported twice, into the earlier report: its pages redirect there.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged_cases", editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.MISSING, db_index=True)
    poster = models.FileField(upload_to=poster_path, storage=document_storage, blank=True, editable=False)
    # English and Hindi always; this adds the language of the place the child was last seen (cases.posters).
    poster_language = models.CharField(
        _("poster language"), max_length=8, blank=True, default="", choices=PosterLanguage.choices,
        help_text=_("The poster is in English and Hindi, and in Bengali or Marathi when the child was last seen in "
                    "West Bengal or Maharashtra. Choose another language here if that suits the area better."),
    )
    # The case's updated_at that the stored poster shows; a newer case means the poster is stale.
    poster_of = models.DateTimeField(null=True, blank=True, editable=False)
    # Trust (docs/public-states.md): a report reaches public lists and alerts only once verified, with consent.
    verification = models.CharField(max_length=10, choices=Verification.choices, default=Verification.UNVERIFIED,
                                    db_index=True, editable=False)
    verification_method = models.CharField(max_length=10, choices=VerificationMethod.choices, blank=True,
                                           editable=False)
    verification_at = models.DateTimeField(_("verified or rejected at"), null=True, blank=True, editable=False)
    verification_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", editable=False, verbose_name=_("verified or rejected by"))
    consent_given_by = models.CharField(max_length=120, blank=True, editable=False,
                                        help_text=_("The contact who agreed to publication on the report form."))
    consent_at = models.DateTimeField(null=True, blank=True, editable=False)
    consent_version = models.CharField(max_length=20, blank=True, editable=False,
                                       help_text=_("The consent wording agreed to (cases/consent.py)."))
    legal_basis = models.CharField(max_length=20, choices=LegalBasis.choices, blank=True,
                                   help_text=_("For a report entered by staff: why it may be published."))
    resolved_at = models.DateTimeField(_("found or closed at"), null=True, blank=True, editable=False)
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True, editable=False)
    # Where the record came from when it was not this site's form: a partner key's domain ("childline.example.org"),
    # "sachet-v1" for the old app, with the record's id there (a PFIF person_record_id), so a re-import updates it.
    source_domain = models.CharField(max_length=253, blank=True, editable=False, db_index=True)
    source_record = models.CharField(max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("change_case_status", "Can change a case's status (found, missing again, closed)"),
            ("mark_case_found", "Can mark a case found"),
            ("verify_case", "Can verify or reject a report"),
            ("reveal_phone_numbers", "Can see reporters' and contacts' phone numbers"),
            ("erase_case_data", "Can erase a case's personal data"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(age__isnull=True) | Q(age__gte=0, age__lte=17),
                                   name="case_age_is_a_child"),
            models.UniqueConstraint(fields=["source_domain", "source_record"], condition=~Q(source_record=""),
                                    name="case_one_row_per_source_record"),
            models.CheckConstraint(
                condition=Q(status__in=["missing", "found", "closed"]), name="case_status_valid"
            ),
            *_coordinates_constraints("case"),
            models.CheckConstraint(
                condition=Q(verification__in=["unverified", "verified", "rejected"]), name="case_verification_valid"
            ),
            # No consent, no publication: a verified case has the guardian's consent or a legal basis.
            models.CheckConstraint(
                condition=~Q(verification="verified") | Q(consent_at__isnull=False) | ~Q(legal_basis=""),
                name="case_verified_has_consent_or_basis",
            ),
        ]
        indexes = [models.Index(fields=["contact_phone"], name="case_contact_phone"),
                   models.Index(fields=["reporter_phone"], name="case_reporter_phone"),
                   # The public lists (newest first) read only these rows: pages stay fast as found and closed
                   # cases pile up. Search uses trigram indexes on PostgreSQL (migration 0010).
                   models.Index(fields=["-created_at", "-id"], name="case_listed_newest",
                                condition=Q(status="missing", verification="verified", erased_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.reference])

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.MISSING

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def is_verified(self) -> bool:
        return self.verification == Verification.VERIFIED

    @property
    def has_consent(self) -> bool:
        return self.consent_at is not None or bool(self.legal_basis)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class Sighting(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sightings")
    place = models.CharField(max_length=255)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    geocoding = models.CharField(max_length=10, choices=Geocoding.choices, default=Geocoding.PENDING)
    location_precision = models.CharField(max_length=10, blank=True)
    seen_at = models.DateTimeField("seen")
    description = models.TextField()
    photo = models.FileField(upload_to=sighting_photo_path, blank=True)
    # Staff only: never shown on public pages, never broadcast.
    reporter_phone = models.CharField(max_length=20, blank=True)
    face_match_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    face_match_verdict = models.CharField(max_length=10, choices=Verdict.choices, blank=True)
    # Staff information until a staff user publishes it on the case page (place, time, masked description).
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", editable=False)
    # A sighting sent by a partner (its key's domain) or imported (a PFIF note_record_id), like Case.source_*.
    source_domain = models.CharField(max_length=253, blank=True, editable=False)
    source_record = models.CharField(max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Made by the browser for each sighting written (static/js/sightings_offline.js): the same sighting sent again,
    # e.g. from the offline queue after a lost answer, is stored once.
    submission_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-seen_at"]
        permissions = [("publish_sighting", "Can publish a sighting on the case's public page")]
        constraints = [
            models.UniqueConstraint(fields=["case", "submission_key"], name="sighting_submission_once"),
            models.CheckConstraint(
                condition=Q(face_match_score__isnull=True) | Q(face_match_score__lte=100),
                name="sighting_score_0_100",
            ),
            *_coordinates_constraints("sighting"),
            models.UniqueConstraint(fields=["source_domain", "source_record"], condition=~Q(source_record=""),
                                    name="sighting_one_row_per_source_record"),
        ]

    def __str__(self) -> str:
        return f"Sighting of {self.case.reference} at {self.place}"

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class StatusChange(models.Model):
    """One row for every change of a case's status, including the first report: the audit trail."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=Case.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Case.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status or 'new'} -> {self.to_status}"


class CaseNote(models.Model):
    """A staff note on a case: added, never edited, so the record of who said what stays true. Never public."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note on {self.case_id} by {self.author_id}"


class CaseEvent(models.Model):
    """The trust history of a case, appended to and never edited: verification, sightings published, phone numbers
    revealed to staff, personal data erased. `by` is None for what Sachet did on its own (a code, the retention job)."""

    class Kind(models.TextChoices):
        VERIFIED = "verified", _("Report confirmed")
        REJECTED = "rejected", _("Report rejected")
        SIGHTING_PUBLISHED = "sighting_published", _("Sighting published")
        SIGHTING_UNPUBLISHED = "sighting_unpublished", _("Sighting withdrawn from the public page")
        PHONE_REVEALED = "phone_revealed", _("Phone number shown")
        ERASED = "erased", _("Personal data erased")
        PARTNER_READ = "partner_read", _("Private details read by a partner")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "kind"], name="case_event_kind")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind} at {self.at:%Y-%m-%d %H:%M}"


class CapMessage(models.Model):
    """One CAP 1.2 message about a public case (cases/cap.py): an Alert when the public is told, an Update when a
    sighting is published or details change, a Cancel when the child is found or the case closed. Written in the
    transaction of the event; the XML is made from the case when it is asked for, so it never outlives an erasure."""

    class Type(models.TextChoices):
        ALERT = "Alert"
        UPDATE = "Update"
        CANCEL = "Cancel"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="cap_messages")
    event_key = models.CharField(max_length=120, unique=True)
    identifier = models.CharField(max_length=80, unique=True)
    msg_type = models.CharField(max_length=6, choices=Type.choices)
    sent = models.DateTimeField(default=timezone.now, db_index=True)
    expires = models.DateTimeField()
    radius_km = models.FloatField(null=True, blank=True, help_text="The area circle's radius when sent.")

    class Meta:
        ordering = ["-sent", "-id"]
        verbose_name = "CAP message"

    def __str__(self) -> str:
        return f"{self.identifier} {self.msg_type}"


# Found children and the review queue live in their own modules; imported here so that Django registers them.
from .models_found import FoundChild, FoundChildEvent, FoundChildPhoto  # noqa: E402, F401
from .models_review import CaseMerge, MatchCandidate, ReviewDecision  # noqa: E402, F401
