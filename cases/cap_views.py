"""/alerts/cap.atom and /alerts/cap/<identifier>.xml: public, like the alerts they carry (cases/cap.py)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from . import cap
from .models import CapMessage


@require_safe
def feed(request):
    response = HttpResponse(cap.feed_atom(), content_type="application/atom+xml; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # a Cancel must reach hubs at once
    return response


@require_safe
def message(request, identifier: str):
    found = CapMessage.objects.select_related("case").filter(identifier=identifier).first()
    if found is None:
        raise Http404("No CAP message with this identifier.")
    if not cap.shown(found):
        return HttpResponse(status=410)
    response = HttpResponse(cap.message_xml(found), content_type="application/cap+xml; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
