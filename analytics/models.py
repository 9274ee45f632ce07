"""Analytics results, stored as snapshots: pages read the latest one and never recompute."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AnalyticsSnapshot(models.Model):
    """One run of the analytics over every case, as of ``computed_at``; its risk zones hang off it."""

    computed_at = models.DateTimeField(default=timezone.now, db_index=True, help_text=_("the data is as of this time"))
    case_count = models.PositiveIntegerField()
    located_count = models.PositiveIntegerField(help_text=_("cases with a place precise enough for risk zones"))
    zone_count = models.PositiveIntegerField()
    duration_ms = models.PositiveIntegerField()
    time_zone = models.CharField(max_length=64, help_text=_("local time zone of the hour-of-day counts"))
    # Demographics: age_groups, genders, hours (24 local hours), place_kinds, found, recovery_rate,
    # recovery_by_age_group, total. See analytics.demographics.Demographics.
    demographics = models.JSONField(default=dict)
    # Findings, most important first: {"kind": ..., numbers} dicts put into words by analytics.insights.sentence
    # in the reader's language (snapshots from before hold English sentences).
    insights = models.JSONField(default=list)
    # {"period": "day" or "week", "points": [["2025-03-10", 4], ...]}: cases reported per local day or ISO week.
    cases_over_time = models.JSONField(default=dict)

    class Meta:
        ordering = ["-computed_at", "-id"]
        get_latest_by = ["computed_at", "id"]
        verbose_name = "analytics snapshot"
        verbose_name_plural = "dashboard"
        permissions = [("recalculate_analytics", "Can queue a recalculation of the analytics")]

    def __str__(self) -> str:
        return f"Analytics as of {self.computed_at:%Y-%m-%d %H:%M} UTC ({self.case_count} cases)"


class RiskZone(models.Model):
    """A compact area where several children were last seen, scored 0-100 (analytics.scoring.risk_score)."""

    snapshot = models.ForeignKey(AnalyticsSnapshot, on_delete=models.CASCADE, related_name="zones")
    name = models.CharField(max_length=255)
    centre_lat = models.FloatField()
    centre_lng = models.FloatField()
    radius_km = models.FloatField(help_text=_("distance from the centre to the farthest case in the zone"))
    incident_count = models.PositiveIntegerField()
    missing_count = models.PositiveIntegerField(help_text=_("cases in the zone still missing"))
    recent_count = models.PositiveIntegerField(help_text=_("cases in the zone last seen in the 30 days before"))
    risk_score = models.FloatField()

    class Meta:
        ordering = ["-risk_score", "-incident_count", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(risk_score__gte=0, risk_score__lte=100), name="risk_zone_score_0_100"),
            models.CheckConstraint(condition=Q(radius_km__gte=0), name="risk_zone_radius_not_negative"),
            models.CheckConstraint(condition=Q(incident_count__gte=1), name="risk_zone_has_cases"),
            models.CheckConstraint(
                condition=Q(missing_count__lte=models.F("incident_count"))
                & Q(recent_count__lte=models.F("incident_count")),
                name="risk_zone_counts_within_incidents",
            ),
            models.CheckConstraint(
                condition=Q(centre_lat__gte=-90, centre_lat__lte=90, centre_lng__gte=-180, centre_lng__lte=180),
                name="risk_zone_centre_on_earth",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.incident_count} cases, score {self.risk_score:.1f})"
