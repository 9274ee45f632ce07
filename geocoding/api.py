"""/api/v1/geocode, /api/v1/geocode/batch and /api/v1/reverse for partner keys: the same look-ups, answers and
limits as the site's map API (geocoding.views); each place in a batch counts as one request against the key's rate."""

from __future__ import annotations

import math

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from sachet.partners.schema import Problem
from sachet import ratelimits

from . import services
from .providers import ProviderUnavailable
from .views import GeocodeQuery, ReverseQuery, _place_json


class PlaceOut(serializers.Serializer):
    found = serializers.BooleanField()
    latitude = serializers.FloatField(required=False)
    longitude = serializers.FloatField(required=False)
    display_name = serializers.CharField(required=False)
    provider = serializers.CharField(required=False)
    precision = serializers.CharField(required=False)


class ReverseOut(PlaceOut):
    in_india = serializers.BooleanField()


class BatchIn(serializers.Serializer):
    queries = serializers.ListField(child=serializers.CharField(min_length=1, max_length=200), min_length=1,
                                    max_length=settings.GEOCODE_BATCH_MAX)


class BatchPlace(PlaceOut):
    query = serializers.CharField()
    error = serializers.CharField(required=False)


class BatchOut(serializers.Serializer):
    results = BatchPlace(many=True)


ERRORS = {400: Problem, 401: Problem, 403: Problem, 429: Problem, 503: Problem}


def _form_error(form) -> str:
    return " ".join(error for errors in form.errors.values() for error in errors)


def _unavailable(error: ProviderUnavailable) -> Response:
    retry = math.ceil(error.retry_after or settings.GEOCODE_FAILURE_SECONDS)
    return Response({"error": "Place look-up is unavailable right now. Try again later.", "retry_after": retry},
                    status=503, headers={"Retry-After": str(retry)})


class Geocode(APIView):
    scopes = {"GET": "read"}

    @extend_schema(summary="Look up a place",
                   parameters=[OpenApiParameter("q", {"type": "string", "minLength": 1, "maxLength": 200,
                                                      "pattern": "[0-9A-Za-z]"}, required=True)],
                   responses={200: PlaceOut, **ERRORS})
    def get(self, request):
        form = GeocodeQuery(request.query_params)
        if not form.is_valid():
            return Response({"error": _form_error(form)}, status=400)
        try:
            place = services.geocode(form.cleaned_data["q"], interactive=True)
        except ProviderUnavailable as error:
            return _unavailable(error)
        return Response(_place_json(place))


class GeocodeBatch(APIView):
    scopes = {"POST": "read"}

    @extend_schema(summary="Look up several places", request=BatchIn, responses={200: BatchOut, **ERRORS})
    def post(self, request):
        batch = BatchIn(data=request.data)
        if not batch.is_valid():
            return Response({"detail": "The batch is not valid.", "errors": batch.errors}, status=400)
        queries = batch.validated_data["queries"]
        key = request.auth
        for _extra in queries[1:]:  # the request itself was counted once already
            ratelimits.check(request._request, "partner", key=str(key.pk), rate=key.rate or None)
        results = []
        for query in queries:
            form = GeocodeQuery({"q": query})
            if not form.is_valid():
                results.append({"query": query, "found": False, "error": _form_error(form)})
                continue
            try:
                place = services.geocode(form.cleaned_data["q"], interactive=True)
            except ProviderUnavailable as error:
                return _unavailable(error)
            results.append({"query": query, **_place_json(place)})
        return Response({"results": results})


class Reverse(APIView):
    scopes = {"GET": "read"}

    @extend_schema(summary="Name a point", parameters=[
        OpenApiParameter("lat", {"type": "number", "minimum": -90, "maximum": 90}, required=True),
        OpenApiParameter("lng", {"type": "number", "minimum": -180, "maximum": 180}, required=True)],
                   responses={200: ReverseOut, **ERRORS})
    def get(self, request):
        form = ReverseQuery(request.query_params)
        if not form.is_valid():
            return Response({"error": _form_error(form)}, status=400)
        lat, lng = form.cleaned_data["lat"], form.cleaned_data["lng"]
        try:
            place = services.reverse(lat, lng, interactive=True)
        except ProviderUnavailable as error:
            return _unavailable(error)
        return Response({**_place_json(place), "in_india": services.in_india(lat, lng)})
