"""Children found without a known family: a record kept by police, NGO and child-care-institution staff (or started
by a member of the public with the child), its photos and its history. Never public, unless a Police user
publishes a "do you know this child?" appeal."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Case, Geocoding, _coordinates_constraints, _random_name

FOUND_REFERENCE_REGEX = r"FC[0-9]{8}[0-9A-F]{8}"
# The Juvenile Justice Act asks that a child in need of care be produced before the Child Welfare Committee within
# 24 hours (travel time aside).
CWC_PRODUCTION_WITHIN = timedelta(hours=24)


def new_found_reference() -> str:
    """FC + YYYYMMDD (UTC) + 8 upper-case hex characters, the same shape as a case reference."""
    return f"FC{timezone.now():%Y%m%d}{secrets.token_hex(4).upper()}"


def found_photo_path(instance, filename: str) -> str:
    return _random_name("found/photos", filename)


class FoundChild(models.Model):
    """A child found without a known family. Staff only; its appeal page exists only while a Police user keeps the
    appeal published."""

    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported by the public, not yet in care")
        IN_CARE = "in_care", _("In care")
        REUNITED = "reunited", _("Reunited with family")
        TRANSFERRED = "transferred", _("Transferred")

    class Source(models.TextChoices):
        PUBLIC = "public", _("A member of the public")
        STAFF = "staff", _("Staff")

    reference = models.CharField(_("reference"), max_length=18, unique=True, default=new_found_reference,
                                 editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IN_CARE,
                              db_index=True)
    source = models.CharField(_("reported by"), max_length=8, choices=Source.choices, default=Source.STAFF,
                              editable=False)
    # What the child says: kept as said, in any script.
    stated_name = models.CharField(_("name the child gives"), max_length=120, blank=True)
    name_key = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    stated_parents = models.CharField(_("parents' names the child gives"), max_length=255, blank=True)
    stated_place = models.CharField(_("home or place the child names"), max_length=255, blank=True)
    language = models.CharField(_("language the child speaks"), max_length=80, blank=True)
    apparent_age = models.PositiveSmallIntegerField(_("apparent age (years)"), null=True, blank=True,
                                                    validators=[MaxValueValidator(17)])
    gender = models.CharField(_("gender"), max_length=10, choices=Case.Gender.choices, blank=True)
    identifying_marks = models.TextField(_("identifying marks"), blank=True)
    clothing = models.TextField(_("clothing"), blank=True)
    description = models.TextField(_("what happened"), blank=True)
    found_place = models.CharField(_("where found"), max_length=255)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    geocoding = models.CharField(max_length=10, choices=Geocoding.choices, default=Geocoding.PENDING,
                                 editable=False)
    location_precision = models.CharField(max_length=10, blank=True, editable=False)
    found_at = models.DateTimeField(_("when found"))
    # Staff only, never on a public page or an appeal.
    current_location = models.CharField(_("where the child is now"), max_length=255, blank=True,
                                        help_text=_("Institution or police station. Staff only."))
    cwc_produced_at = models.DateTimeField(_("produced before the Child Welfare Committee"), null=True, blank=True)
    reporter_name = models.CharField(_("reporter's name"), max_length=120, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="found_records",
                             editable=False, verbose_name=_("missing-child case"))
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="duplicates", editable=False, verbose_name=_("same child as"))
    appeal_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    appeal_contact = models.CharField(_("who to call about the appeal"), max_length=255, blank=True,
                                      help_text=_("Printed on the appeal page and poster, e.g. a police station's "
                                                  "name and number."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("found child")
        verbose_name_plural = _("found children")
        ordering = ["-found_at", "-id"]
        permissions = [("publish_appeal", "Can publish and withdraw a found child's appeal")]
        constraints = [
            models.CheckConstraint(condition=Q(apparent_age__isnull=True) | Q(apparent_age__lte=17),
                                   name="foundchild_age_is_a_child"),
            models.CheckConstraint(condition=Q(status__in=["reported", "in_care", "reunited", "transferred"]),
                                   name="foundchild_status_valid"),
            models.CheckConstraint(condition=Q(appeal_published_at__isnull=True) | ~Q(appeal_contact=""),
                                   name="foundchild_appeal_has_a_contact"),
            *_coordinates_constraints("foundchild"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.stated_name or '?'}"

    def get_absolute_url(self) -> str:
        return reverse("cases:appeal", args=[self.reference])

    @property
    def is_open(self) -> bool:
        """Still without a family: searched against missing children."""
        return self.status != self.Status.REUNITED and self.duplicate_of_id is None

    @property
    def appeal_is_published(self) -> bool:
        return self.appeal_published_at is not None

    @property
    def cwc_deadline(self):
        return self.found_at + CWC_PRODUCTION_WITHIN

    @property
    def cwc_overdue(self) -> bool:
        return self.cwc_produced_at is None and self.is_open and timezone.now() > self.cwc_deadline

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class FoundChildPhoto(models.Model):
    found_child = models.ForeignKey(FoundChild, on_delete=models.CASCADE, related_name="photos")
    photo = models.FileField(_("photo"), upload_to=found_photo_path)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Photo of {self.found_child_id}"


class FoundChildEvent(models.Model):
    """The record of what was done with a found child's record, by whom and when: appended, never edited."""

    class Action(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        UPDATED = "updated", _("Details changed")
        PHOTO_ADDED = "photo_added", _("Photo added")
        STATUS = "status", _("Status changed")
        APPEAL_PUBLISHED = "appeal_published", _("Appeal published")
        APPEAL_WITHDRAWN = "appeal_withdrawn", _("Appeal withdrawn")
        LINKED = "linked", _("Linked to a case")
        UNLINKED = "unlinked", _("Link to a case undone")
        SAME_CHILD = "same_child", _("Marked as the same child as another record")
        NOT_SAME_CHILD = "not_same_child", _("No longer marked as the same child")

    found_child = models.ForeignKey(FoundChild, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(max_length=20, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.found_child_id}: {self.action}"
