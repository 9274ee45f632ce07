"""The public site: recent cases, reporting a missing child, the case page, reporting a sighting and the poster."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from media.storage import StorageUnavailable

from . import maps, posters, selectors, services
from .forms import CaseReportForm, SearchForm, SightingForm
from .merging import follow_merges
from .models import Case

logger = logging.getLogger(__name__)


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


@follow_merges
def case_detail(request, reference: str):
    case = _get_case(reference)
    sightings = selectors.public_sightings(case=case)
    return render(request, "cases/case_detail.html", {"case": case, "sightings": sightings,
                                                      "map_points": maps.map_points(case, sightings)})


@follow_merges
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


@follow_merges
@require_safe
def poster(request, reference: str):
    """The A4 poster as an inline PDF: the stored file when fresh, otherwise made (and stored) on the spot."""
    case = Case.objects.filter(reference=reference).first()
    if case is None:
        raise Http404("No case with this reference.")
    if case.status == Case.Status.CLOSED:
        return HttpResponse(
            f"Case {case.reference} is closed and its poster has been withdrawn. Please take down printed copies.",
            status=410, content_type="text/plain; charset=utf-8",
        )
    store = True
    if posters.is_fresh(case):
        try:
            return _pdf_response(case.poster.storage.open(case.poster.name, "rb"), case)
        except FileNotFoundError:
            logger.warning("stored poster missing, making it again ref=%s", case.reference)
        except OSError as error:
            # Unreachable, or refusing to serve PDFs (a Cloudinary setting): storing again would not help.
            logger.warning("stored poster unreadable, serving a new copy ref=%s: %s", case.reference, error)
            store = False
    photo = posters.case_photo(case, strict=False)
    pdf = posters.render_case_poster(case, photo)
    # One request stores the new poster; others arriving meanwhile only serve theirs. A poster made without its
    # photo (storage unreachable) is served but not stored.
    store = store and (photo is not None or not case.photo)
    if store and cache.add(f"cases:poster:storing:{case.pk}", 1, timeout=60):
        try:
            posters.store_poster(case, pdf)
        except StorageUnavailable as error:
            logger.warning("poster not stored ref=%s: %s", case.reference, error)
        finally:
            cache.delete(f"cases:poster:storing:{case.pk}")
    return _pdf_response(ContentFile(pdf), case)


def _get_case(reference: str) -> Case:
    try:
        return selectors.public_case(reference=reference)
    except Case.DoesNotExist:
        raise Http404("No case with this reference.") from None


def _pdf_response(file, case: Case) -> FileResponse:
    response = FileResponse(file, content_type="application/pdf", filename=f"sachet-{case.reference}.pdf")
    response["Content-Disposition"] = f'inline; filename="sachet-{case.reference}.pdf"'
    # A found child's poster must replace the missing one at once: browsers ask again every time.
    response["Cache-Control"] = "no-cache"
    return response
