"""Remembered answers of the geocoding providers, so that a place is asked for once, not once per report."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class GeocodeResult(models.Model):
    """One provider answer for a normalised query (a place name, or rounded coordinates for a reverse look-up).

    Places found are kept long; "not found" only briefly, since providers and the gazetteer improve. Provider
    failures are never stored here (only for seconds in the cache).
    """

    class Kind(models.TextChoices):
        FORWARD = "forward", _("Place name to coordinates")
        REVERSE = "reverse", _("Coordinates to place name")

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.FORWARD)
    query = models.CharField(max_length=300, help_text=_("Normalised place name, or 'lat,lng' rounded for reverse."))
    found = models.BooleanField()
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    display_name = models.CharField(max_length=500, blank=True)
    provider = models.CharField(max_length=20, blank=True)
    precision = models.CharField(max_length=10, blank=True, help_text=_("exact, locality or city"))
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "query"], name="geocode_result_one_per_query"),
            models.CheckConstraint(
                condition=Q(found=True, latitude__isnull=False, longitude__isnull=False)
                | Q(found=False, latitude__isnull=True, longitude__isnull=True),
                name="geocode_result_found_has_coordinates",
            ),
        ]

    def __str__(self) -> str:
        answer = f"{self.latitude:.5f},{self.longitude:.5f} ({self.provider})" if self.found else "not found"
        return f"{self.query} -> {answer}"
