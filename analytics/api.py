"""/api/v1/analytics/: the latest stored snapshot's risk zones, demographics and insights (keys with "analytics").
Nothing is recomputed per request; 404 until the first snapshot exists."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from sachet.partners.schema import Problem

from .insights import sentence
from .services import latest_snapshot, snapshot_zones


class Zone(serializers.Serializer):
    name = serializers.CharField()
    centre_lat = serializers.FloatField()
    centre_lng = serializers.FloatField()
    radius_km = serializers.FloatField()
    incident_count = serializers.IntegerField()
    missing_count = serializers.IntegerField()
    recent_count = serializers.IntegerField()
    risk_score = serializers.FloatField()


class Zones(serializers.Serializer):
    computed_at = serializers.DateTimeField()
    case_count = serializers.IntegerField()
    zones = Zone(many=True)


class Demographics(serializers.Serializer):
    computed_at = serializers.DateTimeField()
    case_count = serializers.IntegerField()
    time_zone = serializers.CharField()
    demographics = serializers.DictField()
    cases_over_time = serializers.DictField()


class Insights(serializers.Serializer):
    computed_at = serializers.DateTimeField()
    insights = serializers.ListField(child=serializers.CharField(), help_text="In the request's language.")
    findings = serializers.ListField(child=serializers.JSONField())


ERRORS = {401: Problem, 403: Problem, 404: Problem, 429: Problem}


def _snapshot():
    snapshot = latest_snapshot()
    if snapshot is None:
        raise NotFound("No analytics have been computed yet.")
    return snapshot


class RiskZones(APIView):
    scopes = {"GET": "analytics"}

    @extend_schema(summary="Risk zones (latest snapshot)", responses={200: Zones, **ERRORS})
    def get(self, request):
        snapshot = _snapshot()
        zones = [{field: getattr(zone, field) for field in Zone().fields} for zone in snapshot_zones(snapshot=snapshot)]
        return Response({"computed_at": snapshot.computed_at, "case_count": snapshot.case_count, "zones": zones})


class DemographicsView(APIView):
    scopes = {"GET": "analytics"}

    @extend_schema(summary="Demographics (latest snapshot)", responses={200: Demographics, **ERRORS})
    def get(self, request):
        snapshot = _snapshot()
        return Response({"computed_at": snapshot.computed_at, "case_count": snapshot.case_count,
                         "time_zone": snapshot.time_zone, "demographics": snapshot.demographics,
                         "cases_over_time": snapshot.cases_over_time})


class InsightsView(APIView):
    scopes = {"GET": "analytics"}

    @extend_schema(summary="Insights (latest snapshot)", responses={200: Insights, **ERRORS})
    def get(self, request):
        snapshot = _snapshot()
        findings = [finding for finding in snapshot.insights if isinstance(finding, dict)]
        return Response({"computed_at": snapshot.computed_at,
                         "insights": [str(sentence(finding)) for finding in snapshot.insights],
                         "findings": findings})
