"""/api/v1/pfif/: export (a PFIF 1.4 document), the Atom feeds `feeds/person` and `feeds/note` (with
`min_entry_date` and `max_results`, like Person Finder's), and import for write keys."""

from __future__ import annotations

from datetime import datetime, timezone as dt_timezone

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from sachet.partners.auth import partner_key
from sachet.partners.models import READ, WRITE
from sachet.partners.schema import Problem

from ..api.visibility import full, record_private_read
from . import export, importing

PARAMS = [
    OpenApiParameter("min_entry_date", {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"},
                     description="Only records stored at or after this UTC time, e.g. 2026-11-30T08:00:00Z."),
    OpenApiParameter("max_results", {"type": "integer", "minimum": 1, "maximum": 200},
                     description="At most this many records (1-200; 200)."),
]
ERRORS = {400: Problem, 401: Problem, 403: Problem, 429: Problem}
XML = OpenApiResponse(OpenApiTypes.STR, description="PFIF 1.4 XML")


def _params(request) -> tuple[datetime | None, int]:
    since = None
    value = request.query_params.get("min_entry_date")
    if value:
        try:
            since = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt_timezone.utc)
        except ValueError:
            raise ValidationError({"min_entry_date": ["Give a UTC time like 2026-11-30T08:00:00Z."]}) from None
    try:
        limit = int(request.query_params.get("max_results", export.FEED_MAX))
    except ValueError:
        raise ValidationError({"max_results": ["Give a whole number from 1 to 200."]}) from None
    if not 1 <= limit <= export.FEED_MAX:
        raise ValidationError({"max_results": ["Give a whole number from 1 to 200."]})
    return since, limit


def _xml(body: bytes, content_type: str) -> HttpResponse:
    return HttpResponse(body, content_type=f"{content_type}; charset=utf-8")


class Export(APIView):
    scopes = {"GET": READ}

    @extend_schema(summary="PFIF 1.4 export: persons with their notes", parameters=PARAMS,
                   responses={(200, "application/xml"): XML, **ERRORS})
    def get(self, request):
        key = partner_key(request)
        since, limit = _params(request)
        cases = list(export.with_notes(export.cases_for(key, since=since))[:limit])
        if full(key):
            record_private_read(key, [c for c in cases if not export.is_placeholder(c)], what="pfif")
        return _xml(export.document(cases, key), "application/xml")


class PersonFeed(APIView):
    scopes = {"GET": READ}

    @extend_schema(summary="PFIF person feed (Atom)", parameters=PARAMS,
                   responses={(200, "application/atom+xml"): XML, **ERRORS})
    def get(self, request):
        key = partner_key(request)
        since, limit = _params(request)
        cases = list(export.cases_for(key, since=since)[:limit])
        if full(key):
            record_private_read(key, [c for c in cases if not export.is_placeholder(c)], what="pfif")
        return _xml(export.person_feed(key, cases, feed_url=request.build_absolute_uri()), "application/atom+xml")


class NoteFeed(APIView):
    scopes = {"GET": READ}

    @extend_schema(summary="PFIF note feed (Atom)", parameters=PARAMS,
                   responses={(200, "application/atom+xml"): XML, **ERRORS})
    def get(self, request):
        key = partner_key(request)
        since, limit = _params(request)
        return _xml(export.note_feed(key, since=since, limit=limit, feed_url=request.build_absolute_uri()),
                    "application/atom+xml")


class XMLBody(BaseParser):
    media_type = "application/xml"

    def parse(self, stream, media_type=None, parser_context=None):
        data = stream.read(importing.MAX_BYTES + 1) if stream is not None else b""
        if len(data) > importing.MAX_BYTES:
            raise ValidationError({"detail": ["The document is larger than 10 MB: send it in parts."]})
        return data


class ImportResult(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    sightings = serializers.IntegerField()
    status_changes = serializers.IntegerField()
    notes_unchanged = serializers.IntegerField()
    skipped = serializers.ListField(child=serializers.DictField())


class Import(APIView):
    scopes = {"POST": WRITE}
    parser_classes = [XMLBody]

    @extend_schema(summary="PFIF 1.4 import (write): persons become cases of the key's domain",
                   request={"application/xml": OpenApiTypes.STR}, responses={200: ImportResult, **ERRORS})
    def post(self, request):
        key = partner_key(request)
        data = request.data
        if not isinstance(data, bytes) or not data:
            return Response({"detail": "Send a PFIF 1.4 XML document as the body (Content-Type: application/xml)."},
                            status=400)
        try:
            result = importing.import_pfif(data, domain=key.domain)
        except importing.InvalidPfif as error:
            return Response({"detail": str(error)}, status=400)
        return Response(result.as_dict())
