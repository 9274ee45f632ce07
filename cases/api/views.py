"""/api/v1/cases/: list (filters, cursor pages), detail, report; a case's sightings (list, report) and history."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status as http
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from sachet.partners.auth import partner_key
from sachet.partners.models import READ, WRITE

from .. import consent, public, submissions
from ..forms import CaseReportForm, SightingForm
from ..models import REFERENCE_REGEX, Case, Sighting
from ..places import city_of
from . import serializers as s
from .visibility import full, record_private_read, visible_cases

ERRORS = {400: s.Problem, 401: s.Problem, 403: s.Problem, 404: s.Problem, 429: s.Problem}
REFERENCE = OpenApiParameter("reference", {"type": "string", "pattern": f"^{REFERENCE_REGEX}$"},
                             OpenApiParameter.PATH, description="The case reference, e.g. MC20261130A1B2C3D4.")


class CasePages(CursorPagination):
    ordering = ("-updated_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _bbox(value: str) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(part) for part in value.split(","))
    except ValueError:
        raise ValidationError({"bbox": ["Give bbox as west,south,east,north in degrees, e.g. 72.8,18.4,74.0,18.7."]})
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise ValidationError({"bbox": ["The box must have west <= east within ±180 and south <= north within ±90."]})
    return west, south, east, north


def _since(value: str) -> datetime:
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError({"updated_since": ["Give an ISO 8601 time, e.g. 2026-11-30T08:00:00Z."]})
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, timezone.utc)


def _with_counts(cases):
    return cases.select_related("merged_into").annotate(sighting_total=Count("sightings"),
                          published_total=Count("sightings", filter=Q(sightings__published_at__isnull=False)))


def find_case(key, reference: str) -> Case:
    case = _with_counts(visible_cases(key)).filter(reference=reference).first()
    if case is None:
        raise NotFound("No case with this reference for this key.")
    return case


class CaseList(APIView):
    scopes = {"GET": READ, "POST": WRITE}

    @extend_schema(
        summary="Cases", operation_id="cases_list",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Case.Status.values),
            OpenApiParameter("updated_since", OpenApiTypes.DATETIME, description="Changed at or after this time."),
            OpenApiParameter("city", OpenApiTypes.STR, description="Last seen in this city (as written)."),
            OpenApiParameter("bbox", OpenApiTypes.STR, description="west,south,east,north (degrees)."),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="From a page's next or previous link."),
            OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": 200}),
        ],
        responses={200: s.CasePage, **ERRORS},
    )
    def get(self, request):
        key = partner_key(request)
        cases = visible_cases(key)
        params = request.query_params
        if params.get("status"):
            if params["status"] not in Case.Status.values:
                raise ValidationError({"status": [f"Use one of {', '.join(Case.Status.values)}."]})
            cases = cases.filter(status=params["status"])
        if params.get("updated_since"):
            cases = cases.filter(updated_at__gte=_since(params["updated_since"]))
        # A found or closed child's place is not public: place filters only find missing children for read keys.
        placed = Q() if full(key) else Q(status=Case.Status.MISSING, erased_at__isnull=True)
        if params.get("city"):
            city = city_of(params["city"])[:120]
            cases = cases.filter(placed, Q(last_seen_place__iendswith=f", {city}") | Q(last_seen_place__iexact=city))
        if params.get("bbox"):
            west, south, east, north = _bbox(params["bbox"])
            cases = cases.filter(placed, latitude__gte=south, latitude__lte=north, longitude__gte=west,
                                 longitude__lte=east)
        paginator = CasePages()
        page = paginator.paginate_queryset(_with_counts(cases), request, view=self)
        if full(key):
            record_private_read(key, page, what="case list")
        return paginator.get_paginated_response([s.case_json(case, key) for case in page])

    @extend_schema(summary="Report a missing child (write)", operation_id="cases_create",
                   request={"multipart/form-data": s.CaseIn},
                   responses={201: s.CaseCreated, 200: s.CaseCreated, **ERRORS})
    def post(self, request):
        key = partner_key(request)
        form = CaseReportForm(_form_data(request.data), request.FILES)
        if not form.is_valid():
            return Response({"detail": "The report is not valid.", "errors": form.errors},
                            status=http.HTTP_400_BAD_REQUEST)
        data = form.cleaned_data
        case, repeated = submissions.submit_report(
            name=data["name"], age=data["age"], gender=data["gender"], description=data["description"],
            last_seen_place=data["last_seen_place"], last_seen_specific=data["last_seen_specific"],
            latitude=data["latitude"], longitude=data["longitude"], last_seen_at=data["last_seen_at"],
            contact_name=data["contact_name"], contact_phone=data["contact_phone"],
            reporter_name=data["reporter_name"], reporter_phone=data["reporter_phone"], photo=data["photo"],
            voice_note=data["voice_note"], consent_version=consent.CURRENT_VERSION, source_domain=key.domain,
        )
        body = {**s.case_json(find_case(key, case.reference), key), "repeated": repeated}
        return Response(body, status=http.HTTP_200_OK if repeated else http.HTTP_201_CREATED)


class CaseDetail(APIView):
    scopes = {"GET": READ}

    @extend_schema(summary="A case", parameters=[REFERENCE], responses={200: s.CaseOut, **ERRORS})
    def get(self, request, reference: str):
        key = partner_key(request)
        case = find_case(key, reference)
        if full(key):
            record_private_read(key, [case], what="case")
        return Response(s.case_json(case, key))


class SightingList(APIView):
    scopes = {"GET": READ, "POST": WRITE}

    @extend_schema(summary="A case's sightings", parameters=[REFERENCE],
                   responses={200: s.SightingOut(many=True), **ERRORS})
    def get(self, request, reference: str):
        key = partner_key(request)
        case = find_case(key, reference)
        sightings = Sighting.objects.filter(case=case).order_by("-seen_at", "-id")
        if full(key):
            record_private_read(key, [case], what="sightings")
        elif public.public_view(case).sightings:
            sightings = sightings.filter(published_at__isnull=False)[:200]
        else:
            sightings = sightings.none()
        return Response([s.sighting_json(sighting, key, reference=case.reference) for sighting in sightings])

    @extend_schema(summary="Report a sighting (write)", parameters=[REFERENCE],
                   request={"multipart/form-data": s.SightingIn, "application/json": s.SightingIn},
                   responses={201: s.SightingCreated, 200: s.SightingCreated, 409: s.Problem, **ERRORS})
    def post(self, request, reference: str):
        key = partner_key(request)
        case = find_case(key, reference)
        if not public.public_view(case).sighting_form:
            return Response({"detail": "This case takes no sightings: the child is no longer missing."},
                            status=http.HTTP_409_CONFLICT)
        form = SightingForm(_form_data(request.data), request.FILES)
        if not form.is_valid():
            return Response({"detail": "The sighting is not valid.", "errors": form.errors},
                            status=http.HTTP_400_BAD_REQUEST)
        data = form.cleaned_data
        sighting, repeated = submissions.submit_sighting(
            case=case, place=data["place"], seen_at=data["seen_at"], description=data["description"],
            latitude=data["latitude"], longitude=data["longitude"], photo=data["photo"],
            reporter_phone=data["reporter_phone"], source_domain=key.domain,
        )
        body = {**s.sighting_json(sighting, key, reference=case.reference), "repeated": repeated}
        return Response(body, status=http.HTTP_200_OK if repeated else http.HTTP_201_CREATED)


class StatusHistory(APIView):
    scopes = {"GET": READ}

    @extend_schema(summary="A case's status history", parameters=[REFERENCE],
                   responses={200: s.StatusChangeOut(many=True), **ERRORS})
    def get(self, request, reference: str):
        key = partner_key(request)
        case = find_case(key, reference)
        if not (full(key) or public.public_view(case).details):
            return Response([])  # a stub: its outcome is in the case's status
        return Response([s.status_json(change, key) for change in case.status_changes.all()])


def _form_data(data):
    """The request's fields for a Django form: a QueryDict as it is, JSON values as strings where forms expect."""
    if hasattr(data, "getlist"):
        return data
    if not isinstance(data, dict):
        raise ValidationError({"detail": ["Send an object of fields."]})
    return {name: value for name, value in data.items() if isinstance(value, (str, int, float, bool)) or value is None}
