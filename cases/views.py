"""The public site: recent cases, reporting a missing child, the case page and reporting a sighting."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .forms import CaseReportForm, SearchForm, SightingForm
from .models import Case


def home(request):
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    page = Paginator(selectors.active_cases(query=query), settings.CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "cases/home.html", {"page": page, "search": search, "query": query})


@require_http_methods(["GET", "POST"])
def report_case(request):
    if request.method == "POST":
        form = CaseReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            case = services.report_case(
                name=data["name"], age=data["age"], gender=data["gender"], description=data["description"],
                last_seen_place=data["last_seen_place"], last_seen_specific=data["last_seen_specific"],
                latitude=data["latitude"], longitude=data["longitude"], last_seen_at=data["last_seen_at"],
                contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                reporter_name=data["reporter_name"], reporter_phone=data["reporter_phone"],
                photo=data["photo"], voice_note=data["voice_note"],
            )
            messages.success(
                request,
                f"Your report is saved as {case.reference}. Alerts to volunteers and the police are queued and "
                "will go out in the next few minutes. Keep this page: share its link and print the poster.",
            )
            return redirect(case)
    else:
        form = CaseReportForm()
    return render(request, "cases/report.html", {"form": form}, status=400 if form.errors else 200)


def case_detail(request, reference: str):
    case = _get_case(reference)
    sightings = selectors.public_sightings(case=case)
    return render(request, "cases/case_detail.html", {"case": case, "sightings": sightings,
                                                      "map_points": _map_points(case, sightings)})


@require_http_methods(["GET", "POST"])
def report_sighting(request, reference: str):
    case = _get_case(reference)
    if request.method == "POST":
        form = SightingForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            services.record_sighting(
                case=case, place=data["place"], seen_at=data["seen_at"], description=data["description"],
                latitude=data["latitude"], longitude=data["longitude"], photo=data["photo"],
                reporter_phone=data["reporter_phone"],
            )
            messages.success(request, "Thank you. Your sighting is saved and the team following this case will "
                                      "be told. If the child is in danger right now, call 112.")
            return redirect(case)
    else:
        form = SightingForm()
    return render(request, "cases/sighting_form.html", {"case": case, "form": form},
                  status=400 if form.errors else 200)


def _get_case(reference: str) -> Case:
    try:
        return selectors.public_case(reference=reference)
    except Case.DoesNotExist:
        raise Http404("No case with this reference.") from None


def _map_points(case: Case, sightings) -> list[dict]:
    points = []
    if case.has_location:
        points.append({"lat": float(case.latitude), "lng": float(case.longitude), "kind": "last_seen",
                       "label": f"Last seen: {case.last_seen_place}"})
    for sighting in sightings:
        if sighting.has_location:
            points.append({"lat": float(sighting.latitude), "lng": float(sighting.longitude), "kind": "sighting",
                           "label": f"Sighting: {sighting.place}"})
    return points
