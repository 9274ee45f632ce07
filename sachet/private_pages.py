"""Answers that no cache may keep: everything a signed-in user (staff) is shown, and a page showing a one-time
message ("your sighting is saved", a masked phone number). The service worker keeps public pages for reading offline
(sachet/pwa.py) and skips what says `Cache-Control: private` or `no-store`; so do proxies and shared caches."""

from django.conf import settings
from django.utils.cache import patch_cache_control


class PrivatePagesMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _signed_in(request) or _showed_messages(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _signed_in(request) -> bool:
    # Only a request with a session cookie can be signed in; the others never load a session here.
    return settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated


def _showed_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return bool(storage is not None and storage.used)
