"""The analytics dashboard inside the staff admin: the latest snapshot's insights, charts and risk-zone map.

The model admin of AnalyticsSnapshot has two pages only: the dashboard (in place of the change list) and the
recalculate button's POST target. Snapshots are made by the recalculation, never edited by hand.
"""

from __future__ import annotations

from datetime import timedelta
import logging

from celery.result import EagerResult
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as BrokerUnavailable

from analytics.demographics import AGE_GROUPS
from analytics.insights import PLACE_KIND_NAMES, sentence
from analytics.models import AnalyticsSnapshot, RiskZone
from analytics.scoring import HIGH_RISK_SCORE, risk_score
from analytics.services import last_queued, latest_snapshot, map_sightings, queue_recalculation, snapshot_zones
from cases.models import Case

logger = logging.getLogger(__name__)

TABLE_ZONES = 25  # zones listed under the map; the map shows all of them
STALLED_AFTER = timedelta(minutes=30)  # a queued run not done by then means no worker is taking tasks


@admin.register(AnalyticsSnapshot)
class AnalyticsDashboardAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_recalculate_permission(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.recalculate_analytics")

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("", self.admin_site.admin_view(self.dashboard_view), name="%s_%s_changelist" % info),
            path("recalculate/", self.admin_site.admin_view(self.recalculate_view), name="%s_%s_recalculate" % info),
        ]

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        snapshot = latest_snapshot()
        zones = snapshot_zones(snapshot=snapshot) if snapshot else []
        queued = last_queued()
        pending = queued if queued and (snapshot is None or queued.action_time > snapshot.computed_at) else None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Analytics"),
            "opts": self.opts,
            "snapshot": snapshot,
            "insights": [sentence(finding) for finding in snapshot.insights] if snapshot else [],
            "zones": zones[:TABLE_ZONES],
            "high_risk_score": HIGH_RISK_SCORE,
            "pending": pending,
            "stalled": bool(pending and timezone.now() - pending.action_time > STALLED_AFTER),
            "can_recalculate": self.has_recalculate_permission(request),
            "map_tiles": settings.MAP_TILE_URL,
            "data": _dashboard_data(snapshot, zones, map_sightings()) if snapshot else None,
        }
        return TemplateResponse(request, "analytics/dashboard.html", context)

    def recalculate_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_recalculate_permission(request):
            raise PermissionDenied
        try:
            result = queue_recalculation(user=request.user)
        except BrokerUnavailable:
            logger.warning("analytics recalculation not queued: broker unreachable")
            self.message_user(request, _("The recalculation could not be queued: the task queue is not reachable. "
                                         "Try again in a few minutes."), messages.ERROR)
        else:
            level, text = _outcome(result)
            self.message_user(request, text, level)
        return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))


def _outcome(result) -> tuple[int, str]:
    """What to tell staff after queueing: without a broker the task has already run in this request."""
    if not isinstance(result, EagerResult):
        return messages.SUCCESS, _("Recalculation queued. The figures below are replaced when it has run, "
                                   "usually within a few minutes.")
    if not result.successful():
        return messages.ERROR, _("The recalculation failed; the figures below are unchanged. The error is in the log.")
    if result.result is None:
        return messages.WARNING, _("Another recalculation is already running; its figures will appear when it ends.")
    return messages.SUCCESS, _("Analytics recalculated: the figures below are new.")


def _dashboard_data(snapshot: AnalyticsSnapshot, zones: list[RiskZone], sightings: list[dict]) -> dict:
    """Everything the page's script draws, as one JSON document (rendered with json_script)."""
    counts = snapshot.demographics
    genders = dict(Case.Gender.choices)
    min_cases = settings.ANALYTICS_ZONE_MIN_CASES
    return {
        "timeZone": snapshot.time_zone,
        "ageGroups": counts["age_groups"],
        "genders": {str(genders.get(key, key.capitalize())): n for key, n in counts["genders"].items()},
        "hours": counts["hours"],
        "placeKinds": {str(PLACE_KIND_NAMES.get(kind, kind)): n for kind, n in counts["place_kinds"].items()},
        "recovery": {
            "overall": counts["recovery_rate"],
            "byAgeGroup": {g: counts["recovery_by_age_group"].get(g) for g in AGE_GROUPS},
        },
        "casesOverTime": snapshot.cases_over_time,
        "zones": [
            {"name": z.name, "lat": z.centre_lat, "lng": z.centre_lng, "radiusKm": z.radius_km,
             "cases": z.incident_count, "missing": z.missing_count, "recent": z.recent_count, "score": z.risk_score}
            for z in zones
        ],
        "sightings": sightings,
        # Colours run from the lowest score a zone can have (its fewest cases, long ago, oldest children) to the
        # highest the formula reaches.
        "scoreScale": {
            "low": risk_score([10_000] * min_cases, [17] * min_cases),
            "high": risk_score([0] * 5, [0] * 5),
            "highRisk": HIGH_RISK_SCORE,
        },
    }
