"""The public side of found children: the form "I am with a child who is lost" (rate-limited like the sighting
form; it goes to staff at once and publishes nothing), and a published appeal's page and poster. An appeal that is
not published (the default) does not exist for the public: 404, and its poster 410 once withdrawn."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from media import posters
from media.storage import StorageUnavailable
from sachet import ratelimits

from . import found
from .found_forms import FoundChildForm
from .models import FoundChild


@require_http_methods(["GET", "POST"])
def report_found_child(request):
    if request.method == "POST":
        ratelimits.check(request, "sighting", phone=request.POST.get("reporter_phone") or None)
        form = FoundChildForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            found.report_found_child(
                found_place=data["found_place"], found_at=data["found_at"], latitude=data["latitude"],
                longitude=data["longitude"], photo=data["photo"], apparent_age=data["apparent_age"],
                gender=data["gender"], stated_name=data["stated_name"], stated_parents=data["stated_parents"],
                stated_place=data["stated_place"], language=data["language"], clothing=data["clothing"],
                description=data["description"], reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
            )
            messages.success(request, _("Thank you. The police and child-protection staff have your message and "
                                        "will call you soon."))
            return redirect("cases:found_child_sent")
    else:
        form = FoundChildForm()
    return render(request, "cases/found_child_form.html", {"form": form}, status=400 if form.errors else 200)


@require_safe
def found_child_sent(request):
    return render(request, "cases/found_child_sent.html")


@require_safe
def appeal(request, reference: str):
    child = _published(reference)
    photos = list(child.photos.all()[:3])
    return render(request, "cases/found_child_appeal.html", {"child": child, "photos": photos})


@require_safe
def appeal_poster(request, reference: str):
    child = FoundChild.objects.filter(reference=reference).first()
    if child is None:
        raise Http404
    if not child.appeal_is_published:
        return HttpResponse(_("This appeal has been withdrawn. Please take down printed copies."), status=410,
                            content_type="text/plain; charset=utf-8")
    pdf = posters.render_poster(**_poster_values(child), photo=_first_photo(child))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sachet-{child.reference}.pdf"'
    response["Cache-Control"] = "no-cache"  # a withdrawn appeal must not live on in caches
    return response


def _published(reference: str) -> FoundChild:
    child = FoundChild.objects.filter(reference=reference, appeal_published_at__isnull=False).first()
    if child is None:
        raise Http404("No published appeal with this reference.")
    return child


def _poster_values(child: FoundChild) -> dict:
    return {
        "status": posters.APPEAL,
        "name": child.stated_name or "Name not known",
        "age": child.apparent_age if child.apparent_age is not None else "Not known",
        "gender": child.get_gender_display() if child.gender else "",
        "last_seen_place": child.found_place,
        "last_seen_at_text": dateformat.format(timezone.localtime(child.found_at), "j M Y, g:i A T"),
        "description": ". ".join(part.strip().rstrip(".") for part in (child.clothing, child.identifying_marks)
                                 if part.strip()),
        "contact": child.appeal_contact,
        "reference": child.reference,
        "case_url": settings.SITE_URL + child.get_absolute_url(),
    }


def _first_photo(child: FoundChild) -> bytes | None:
    photo = child.photos.first()
    if photo is None:
        return None
    try:
        with photo.photo.storage.open(photo.photo.name, "rb") as file:
            return file.read()
    except (FileNotFoundError, StorageUnavailable):
        return None
