"""The public site: recent cases, reporting a missing child, confirming the report with a code, the case page,
reporting a sighting and the poster.

What each page shows depends on the case's public state (cases.public, docs/public-states.md). The forms count
each request against the rate limits (sachet.ratelimits) before anything is read or saved.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from redis.exceptions import RedisError

from media.storage import absolute_url
from notifications import codes
from notifications.channels import ChannelNotConfigured
from sachet import ratelimits
from sachet.phones import InvalidPhone, mask

from . import consent, events, maps, pagecache, posters, public, selectors, submissions, verification
from .forms import CaseReportForm, CodeForm, SearchForm, SightingForm
from .merging import follow_merges
from .models import Case, Verification
from .text import mask_contact_details

logger = logging.getLogger(__name__)


@pagecache.public_page
def home(request):
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    page = selectors.case_page(selectors.active_cases(query=query), page=request.GET.get("page"),
                               per_page=settings.CASES_PER_PAGE)
    return render(request, "cases/home.html", {"page": page, "search": search, "query": query})


@require_http_methods(["GET", "POST"])
def report_case(request):
    if request.method == "POST":
        ratelimits.check(request, "report", phone=request.POST.get("contact_phone") or None)
        form = CaseReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            case, repeated = submissions.submit_report(
                name=data["name"], age=data["age"], gender=data["gender"], description=data["description"],
                last_seen_place=data["last_seen_place"], last_seen_specific=data["last_seen_specific"],
                latitude=data["latitude"], longitude=data["longitude"], last_seen_at=data["last_seen_at"],
                contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                reporter_name=data["reporter_name"], reporter_phone=data["reporter_phone"],
                photo=data["photo"], voice_note=data["voice_note"], consent_version=consent.CURRENT_VERSION,
                language=request.LANGUAGE_CODE,
            )
            return _after_report(request, case, repeated=repeated)
    else:
        form = CaseReportForm()
    return render(request, "cases/report.html", {"form": form}, status=400 if form.errors else 200)


def _after_report(request, case: Case, *, repeated: bool):
    """Where the family lands after sending the form, with what happens next in plain words."""
    waiting = case.verification == Verification.UNVERIFIED and verification.code_waiting(case)
    if repeated:
        messages.info(request, _("You sent this report a few minutes ago. It is saved once, as %(reference)s: "
                                 "here it is.") % {"reference": case.reference})
    elif waiting:
        messages.success(request, _("Your report is saved as %(reference)s. We sent a code to %(phone)s: enter it "
                                    "below to confirm the report, and it is shared with the public at once. The "
                                    "police and volunteers have already been told.")
                         % {"reference": case.reference, "phone": mask(case.contact_phone)})
    elif case.is_verified:
        messages.success(request, _("Your report is saved as %(reference)s. Alerts to volunteers and the police are "
                                    "queued and will go out in the next few minutes. Keep this page: share its link "
                                    "and print the poster.") % {"reference": case.reference})
        if verification.mode() == verification.NONE:
            messages.info(request, _("This Sachet sends no confirmation codes: reports are shared with the public "
                                     "at once, without a check by the team."))
    else:
        messages.success(request, _("Your report is saved as %(reference)s. The police and volunteers have already "
                                    "been told. It is shared with the public once the team has confirmed it; they "
                                    "may call you on %(phone)s. Keep this page: its link and poster work now.")
                         % {"reference": case.reference, "phone": mask(case.contact_phone)})
    if waiting:
        return redirect("cases:confirm", case.reference)
    return redirect(case)


@require_http_methods(["GET", "POST"])
def confirm_report(request, reference: str):
    """The family confirms their report with the code sent to their phone, or asks for a new one."""
    case = _get_case(reference)
    if public.public_state(case) != public.UNVERIFIED:
        return redirect(case)
    possible = verification.codes_possible(case)
    form = CodeForm()
    status = 200
    if request.method == "POST" and possible:
        ratelimits.check(request, "code", phone=case.contact_phone)
        if request.POST.get("action") == "resend":
            status = _resend(request, case)
        else:
            form = CodeForm(request.POST)
            if form.is_valid():
                result = verification.confirm_with_code(case, form.cleaned_data["code"])
                if result.ok:
                    messages.success(request, _("Thank you: your report is confirmed and is now shared with the "
                                                "public."))
                    return redirect(case)
                form.add_error("code", result.message)
            status = 400
    context = {"case": case, "form": form, "possible": possible, "phone": mask(case.contact_phone),
               "waiting": possible and verification.code_waiting(case)}
    return render(request, "cases/confirm.html", context, status=status)


def _resend(request, case: Case) -> int:
    try:
        verification.send_code(case, language=request.LANGUAGE_CODE)
    except codes.CodeNotSent as error:
        messages.error(request, _("A new code cannot be sent yet. Please try again in %(wait)s.")
                       % {"wait": ratelimits.wait_in_words(error.retry_after)})
        return 429
    except (InvalidPhone, ChannelNotConfigured):
        messages.error(request, _("We cannot send a code to this number. The team will confirm your report."))
        return 400
    messages.success(request, _("We sent a new code to %(phone)s.") % {"phone": mask(case.contact_phone)})
    return 200


@pagecache.public_page
@follow_merges
def case_detail(request, reference: str):
    case = _get_case(reference)
    return _case_page(request, case, public.public_view(case))


def _case_page(request, case: Case, view: public.PublicView, *, status: int | None = None):
    sightings = selectors.published_sightings(case=case) if view.sightings else []
    points = _public_points(case, sightings) if view.map else []
    context = {"case": case, "view": view, "sightings": sightings[: settings.SIGHTINGS_PER_PAGE],
               "map_points": points, "outcome": public.erased_outcome(case),
               # The photo in link previews only while the appeal may be shared.
               "og_image": absolute_url(case.photo) if view.share and case.photo else ""}
    response = render(request, "cases/case_detail.html", context, status=status or view.status)
    # A found child's page must change at once everywhere: caches ask again every time.
    response["Cache-Control"] = "no-cache"
    if not view.indexable:
        response["X-Robots-Tag"] = "noindex"
    return response


def _public_points(case: Case, sightings) -> list[dict]:
    points = maps.map_points(case, sightings)  # it keeps the sightings that have a place on the map
    for point in points:
        point["label"] = mask_contact_details(point["label"])
    return points


@follow_merges
@require_http_methods(["GET", "POST"])
def report_sighting(request, reference: str):
    """The sighting form. A browser that wrote the sighting offline (static/js/sightings_offline.js) sends it later
    with its submission key and `Accept: application/json`, and gets JSON back; sending it again is answered as
    the first time, without counting against the rate limit (nothing new is stored)."""
    case = _get_case(reference)
    view = public.public_view(case)
    wants_json = _wants_json(request)
    if not view.sighting_form:
        # Found, closed, rejected or erased: the page says so, and a sent form is not stored.
        if request.method == "POST" and wants_json:
            return JsonResponse({"outcome": "closed", "case_url": case.get_absolute_url(),
                                 "message": _("This appeal has ended: the sighting was not needed.")}, status=410)
        return _case_page(request, case, view, status=410 if request.method == "POST" else None)
    if request.method == "POST":
        key = _submission_key(request.POST.get("submission_key"))
        stored = submissions.stored_sighting(case=case, submission_key=key)
        if stored is None:
            ratelimits.check(request, "sighting", phone=request.POST.get("reporter_phone") or None)
        form = SightingForm(request.POST, request.FILES)
        if stored is not None or form.is_valid():
            if stored is None:
                data = form.cleaned_data
                stored, repeated = submissions.submit_sighting(
                    case=case, place=data["place"], seen_at=data["seen_at"], description=data["description"],
                    latitude=data["latitude"], longitude=data["longitude"], photo=data["photo"],
                    reporter_phone=data["reporter_phone"], submission_key=key,
                )
            else:
                repeated = True
            return _after_sighting(request, case, repeated=repeated, wants_json=wants_json)
        if wants_json:
            return JsonResponse({"outcome": "invalid", "errors": {
                field: [str(error) for error in errors] for field, errors in form.errors.items()}}, status=400)
    else:
        form = SightingForm()
    return render(request, "cases/sighting_form.html", {"case": case, "form": form},
                  status=400 if form.errors else 200)


def _after_sighting(request, case: Case, *, repeated: bool, wants_json: bool):
    if wants_json:
        return JsonResponse({"outcome": "repeated" if repeated else "saved", "case_url": case.get_absolute_url()},
                            status=200 if repeated else 201)
    if repeated:
        messages.info(request, _("Thank you. You sent this sighting a few minutes ago: it is saved once and "
                                 "the team has it."))
    else:
        messages.success(request, _("Thank you. Your sighting is saved and the team following this case will "
                                    "be told. It appears on this page once the team has checked it. If the "
                                    "child is in danger right now, call 112."))
    return redirect(case)


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").split(",")[0].strip() == "application/json"


def _submission_key(value: str | None) -> uuid.UUID | None:
    """The browser's key for a sighting; anything that is not a UUID is ignored (the form still works)."""
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None
POSTER_RETRY_AFTER_SECONDS = 15


@follow_merges
@require_safe
def poster(request, reference: str):
    """The A4 poster as an inline PDF, as the worker stored it. The request never renders nor writes one: when the
    stored poster does not show the case as it is now (or is missing), the worker is asked for a new one and the
    page says it is being prepared (503 with Retry-After). A case whose public state has no poster (closed,
    rejected, found past the photo period, erased) answers its short page with 410 Gone."""
    case = Case.objects.filter(reference=reference).first()
    if case is None:
        raise Http404(_("No case with this reference."))
    view = public.public_view(case)
    if not view.poster:
        return render(request, "cases/poster_withdrawn.html",
                      {"case": case, "view": view, "outcome": public.erased_outcome(case)}, status=410)
    force = False
    if posters.is_fresh(case):
        try:
            return _pdf_response(case.poster.storage.open(case.poster.name, "rb"), case)
        except FileNotFoundError:
            logger.warning("stored poster missing, asking for a new one ref=%s", case.reference)
            force = True
        except OSError as error:
            # Unreachable, or refusing to serve PDFs (a Cloudinary setting): making it again would not help.
            logger.warning("stored poster unreadable ref=%s: %s", case.reference, error)
            return _poster_not_ready(request, case)
    if _first_to_ask(case):  # one request asks the worker; the others arriving meanwhile wait with it
        events.ask_for_poster(case, force=force)
        case = Case.objects.filter(pk=case.pk).first() or case
        if posters.is_fresh(case):  # tasks in-process (the tests): it is there already
            return _pdf_response(case.poster.storage.open(case.poster.name, "rb"), case)
    return _poster_not_ready(request, case)


def _first_to_ask(case: Case) -> bool:
    try:
        return cache.add(f"cases:poster:asked:{case.pk}", 1, timeout=60)
    except (RedisError, OSError):
        return True


def _poster_not_ready(request, case: Case):
    response = render(request, "cases/poster_preparing.html", {"case": case}, status=503)
    response["Retry-After"] = str(POSTER_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _get_case(reference: str) -> Case:
    try:
        return selectors.public_case(reference=reference)
    except Case.DoesNotExist:
        raise Http404(_("No case with this reference.")) from None


def _pdf_response(file, case: Case) -> FileResponse:
    response = FileResponse(file, content_type="application/pdf", filename=f"sachet-{case.reference}.pdf")
    response["Content-Disposition"] = f'inline; filename="sachet-{case.reference}.pdf"'
    # A found child's poster must replace the missing one at once: browsers ask again every time.
    response["Cache-Control"] = "no-cache"
    return response
