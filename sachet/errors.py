"""Friendly error pages: not found, refused (in the admin's style for staff, naming what their role cannot do), an
expired form, and a server error."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponseServerError, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext

from .denied import refusal
from .ratelimits import API_PREFIX

# Admin pages that answer strangers too (the rest of the admin is a 404 to them: sachet/admin_site.py).
_OPEN_ADMIN_PAGES = {"index", "login"}


def not_found(request, exception=None):
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    """A 403 that says what was refused: in the admin, the action and the person's role, with a way back."""
    if _staff_page(request):
        context = {**admin.site.each_context(request), "title": gettext("Not allowed"), "refused": refusal(request),
                   "detail": str(exception or "")}
        return render(request, "admin/403.html", context, status=403)
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"error": str(exception or "") or gettext("This is not open to you.")}, status=403)
    return render(request, "403.html", {"detail": str(exception or "")}, status=403)


def csrf_failure(request, reason=""):
    """A form sent from a page kept open too long (common on phones), or without the CSRF cookie: nothing was done;
    offer the same page afresh. Under the admin, strangers get the admin's usual 404 (it stays invisible)."""
    # Django has already logged the refusal and its reason (django.security.csrf).
    context = {"again": request.get_full_path(), "no_cookie": reason == REASON_NO_CSRF_COOKIE}
    if _staff_page(request) or _admin_page(request) in _OPEN_ADMIN_PAGES:
        return render(request, "admin/403_csrf.html", {**admin.site.each_context(request), **context}, status=403)
    if _admin_page(request) is not None:
        return not_found(request)
    return render(request, "403_csrf.html", context, status=403)


def server_error(request):
    # Rendered without a request context: the error may have come from a context processor or the database.
    return HttpResponseServerError(loader.get_template("500.html").render())


def _admin_page(request) -> str | None:
    """The admin URL's name when the request is for the staff admin, else None."""
    if not request.path.startswith(f"/{settings.ADMIN_URL}"):
        return None
    match = request.resolver_match
    return (match.url_name or "") if match else ""


def _staff_page(request) -> bool:
    user = getattr(request, "user", None)
    return _admin_page(request) is not None and user is not None and user.is_active and user.is_staff
