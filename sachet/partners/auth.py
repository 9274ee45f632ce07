"""Django REST framework wiring for partner keys: authentication, scopes, the per-key rate limit and JSON errors.

Every /api/v1/ resource view says which scope each method needs (`scopes = {"GET": "read", "POST": "write"}`).
A key goes in `Authorization: Bearer sk_...` (or `X-API-Key`). A request with a right, usable key is counted against
the key's rate (sachet.ratelimits, group "partner"); a wrong, expired or revoked key against the client address's
RATE_API, like any /api/ request without a key.
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission

from sachet import ratelimits

from .keys import find_key
from .models import PartnerKey

logger = logging.getLogger(__name__)


def key_from_headers(request) -> str | None:
    """The key a request carries (`Authorization: Bearer <key>` or `X-API-Key: <key>`), else None."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.META.get("HTTP_X_API_KEY", "").strip() or None


class KeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        raw = key_from_headers(request)
        if raw is None:
            return None
        django_request = request._request
        key = find_key(raw)
        now = timezone.now()
        if key is None or not key.usable(now):
            # A wrong key costs like a request without one, so guessing is limited per address.
            ratelimits.check(django_request, "api")
            reason = ("This API key is not valid." if key is None else
                      "This API key has been revoked." if key.revoked_at else "This API key has expired.")
            logger.info("partner key refused prefix=%s reason=%s", key.prefix if key else "-", reason)
            raise exceptions.AuthenticationFailed(reason)
        django_request.partner_key = key  # for the access log (sachet.partners.middleware), even when over the rate
        ratelimits.check(django_request, "partner", key=str(key.pk), rate=key.rate or None)
        return AnonymousUser(), key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def partner_key(request) -> PartnerKey | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, PartnerKey) else None


class HasScope(BasePermission):
    """The key holds the scope the view names for the request's method (`view.scopes`)."""

    message = "This API key does not have the scope this request needs."

    def has_permission(self, request, view) -> bool:
        key = partner_key(request)
        if key is None:
            return False
        needed = getattr(view, "scopes", {}).get(request.method)
        if needed is None and request.method in ("HEAD", "OPTIONS"):
            needed = getattr(view, "scopes", {}).get("GET")
        if needed is None:
            return False
        if not key.has_scope(needed):
            self.message = f"This API key does not have the “{needed}” scope this request needs."
            return False
        return True

