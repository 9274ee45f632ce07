"""The partner API's errors: DRF's JSON, and the site's 429 (with Retry-After) for a rate limit. Kept apart from
sachet.partners.auth, which DRF imports while it is still loading its views."""

from __future__ import annotations

from rest_framework.views import exception_handler as drf_exception_handler

from sachet import ratelimits


def exception_handler(exc, context):
    if isinstance(exc, ratelimits.RateLimited):
        return ratelimits.too_many_requests(context["request"]._request, exc)
    return drf_exception_handler(exc, context)
