"""JSON look-ups for the report and sighting forms' map: /api/geocode?q= and /api/reverse?lat=&lng=.

The browser asks these, never Nominatim: the server keeps the providers' rate limits, caches the answers and falls
back to the offline gazetteer. Like every /api/ request, they are counted against RATE_API per client address by
`sachet.ratelimits.RateLimitMiddleware`, which answers 429 with Retry-After past the limit.
"""

from __future__ import annotations

import math

from django import forms
from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_GET
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import services
from .providers import Place, ProviderUnavailable

MAX_QUERY = 200


class GeocodeQuery(forms.Form):
    q = forms.CharField(max_length=MAX_QUERY, error_messages={
        "required": _("Say which place to look up: /api/geocode?q=Koregaon Park, Pune"),
        "max_length": format_lazy(_("The place name is too long: at most {count} characters."), count=MAX_QUERY),
    })

    def clean_q(self):
        value = self.cleaned_data["q"]
        if not any(ch.isalnum() for ch in value):
            raise forms.ValidationError(_("The place name needs letters or a PIN code."))
        return value


class ReverseQuery(forms.Form):
    lat = forms.FloatField(min_value=-90, max_value=90, error_messages={
        "required": _("Give the latitude: /api/reverse?lat=18.5362&lng=73.8939"),
        "invalid": _("The latitude must be a number of degrees, e.g. 18.5362."),
        "min_value": _("The latitude must be between -90 and 90."),
        "max_value": _("The latitude must be between -90 and 90."),
    })
    lng = forms.FloatField(min_value=-180, max_value=180, error_messages={
        "required": _("Give the longitude: /api/reverse?lat=18.5362&lng=73.8939"),
        "invalid": _("The longitude must be a number of degrees, e.g. 73.8939."),
        "min_value": _("The longitude must be between -180 and 180."),
        "max_value": _("The longitude must be between -180 and 180."),
    })


@require_GET
def geocode(request):
    form = GeocodeQuery(request.GET)
    return _answer(request, form, lambda data: services.geocode(data["q"], interactive=True))


@require_GET
def reverse(request):
    form = ReverseQuery(request.GET)

    def look_up(data):
        return services.reverse(data["lat"], data["lng"], interactive=True)

    def in_india(data):
        return {"in_india": services.in_india(data["lat"], data["lng"])}

    return _answer(request, form, look_up, extra=in_india)


def _answer(request, form: forms.Form, look_up, extra=lambda data: {}) -> JsonResponse:
    if not form.is_valid():
        message = " ".join(error for errors in form.errors.values() for error in errors)
        return JsonResponse({"error": message}, status=400)
    data = form.cleaned_data
    try:
        place = look_up(data)
    except ProviderUnavailable as error:
        retry = math.ceil(error.retry_after or settings.GEOCODE_FAILURE_SECONDS)
        return JsonResponse({"error": _("Place look-up is unavailable right now. You can still mark the spot on "
                                        "the map, or just send the form: the place will be looked up later."),
                             "retry_after": retry}, status=503, headers={"Retry-After": str(retry)})
    return JsonResponse({**_place_json(place), **extra(data)})


def _place_json(place: Place | None) -> dict:
    if place is None:
        return {"found": False}
    return {"found": True, "latitude": round(place.latitude, 6), "longitude": round(place.longitude, 6),
            "display_name": place.display_name, "provider": place.provider, "precision": place.precision}
