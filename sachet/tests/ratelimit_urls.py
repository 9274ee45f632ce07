"""The site's URLs plus two views that use the rate-limit policy, as /report and /found will."""

from django.http import HttpResponse
from django.urls import path

from sachet import ratelimits
from sachet.urls import handler404, handler500, urlpatterns as site_urlpatterns  # noqa: F401

SAVED = []


def limited_form(request):
    ratelimits.check(request, "report", phone=request.POST.get("phone") or None)
    SAVED.append(request.POST.get("name", ""))
    return HttpResponse("saved")


urlpatterns = [
    path("test/report", limited_form),
    *site_urlpatterns,
]
