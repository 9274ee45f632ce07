"""Rate limits for what the public can send: one policy on django-ratelimit and the "default" cache (Redis in
production, so every process counts together; per process on the embedded default).

A view calls `check(request, "report", phone=...)` before doing anything, and `RateLimitMiddleware` turns the
`RateLimited` it raises into a friendly 429 page, or 429 JSON under /api/, both with `Retry-After`. Every request
under /api/ is counted against RATE_API by the middleware itself.

Each group has one rate (settings RATE_<GROUP>, e.g. "5/h"), counted separately per client address
(`sachet.security.client_ip`; IPv6 per /64, which one subscriber usually holds; no address at all is one shared
bucket) and per phone number (E.164, only ever an HMAC of it in a cache key). Windows are django-ratelimit's fixed
windows, so `retry_after` is the seconds until the current one ends; requests over the limit are counted too.
"""

from __future__ import annotations

import ipaddress
import logging
import math

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

from .phones import InvalidPhone, normalise
from .security import client_ip

logger = logging.getLogger(__name__)

# group -> the setting that holds its rate
GROUPS = {"report": "RATE_REPORT", "sighting": "RATE_SIGHTING", "code": "RATE_CODE", "api": "RATE_API",
          "subscribe": "RATE_SUBSCRIBE", "partner": "RATE_PARTNER_API"}
UNKNOWN_ADDRESS = "unknown"
API_PREFIX = "/api/"


class RateLimited(Exception):
    """Over the limit for `group`; the same request may be sent again in `retry_after` seconds."""

    def __init__(self, retry_after: int, group: str = "") -> None:
        super().__init__(f"rate limit {group or '?'}: retry in {retry_after} s")
        self.retry_after = retry_after
        self.group = group


def check(request, group: str, *, phone: str | None = None, key: str | None = None, rate: str | None = None) -> None:
    """Count this request for the client's address (and the phone, when one is given) in `group`; raise
    RateLimited with the longest wait when either is over the group's rate. A partner API key (`key`, its id) is
    counted instead of the address, at the key's own `rate` when it has one."""
    if group not in GROUPS:
        raise ValueError(f"unknown rate-limit group {group!r}; known: {', '.join(GROUPS)}")
    rate = rate or getattr(settings, GROUPS[group])
    keys = [("key", key)] if key else [("address", address_key(request))]
    phone_value = phone_key(phone) if phone else None
    if phone_value:
        keys.append(("phone", phone_value))
    waits = [wait for kind, value in keys if (wait := _count(request, f"{group}:{kind}", value, rate))]
    if waits:
        raise RateLimited(max(waits), group)


def _count(request, group: str, value: str, rate: str) -> int:
    """Count one request; the seconds to wait when over the limit, else 0."""
    try:
        usage = get_usage(request, group=f"sachet:{group}", key=lambda _group, _request: value, rate=rate,
                          increment=True)
    except (RedisError, OSError) as error:
        # The cache is down: let people through rather than turn a family away; say so in the log.
        logger.warning("rate limit %s not checked: cache unavailable (%s)", group, type(error).__name__)
        return 0
    if usage is None or not usage["should_limit"]:
        return 0
    if usage["count"] == 0:  # the cache refused the count (django-ratelimit reports that as "limited")
        logger.warning("rate limit %s not checked: the cache did not count", group)
        return 0
    # django-ratelimit's window includes its last whole second (`time_left` is 0 during it): it frees a second later.
    return usage["time_left"] + 1


def address_key(request) -> str:
    """The client's address as counted: IPv4 whole, IPv6 by its /64, "unknown" for no address."""
    _warn_once_about_an_untrusted_proxy(request)
    address = client_ip(request)
    if not address:
        return UNKNOWN_ADDRESS
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return UNKNOWN_ADDRESS
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address) + "/64"
    return str(parsed)


_warned_about_proxy = False


def _warn_once_about_an_untrusted_proxy(request) -> None:
    # Behind a proxy with TRUSTED_PROXY off, every visitor has the proxy's address and shares one count: the first
    # few reports of the day would lock everyone else out. Say so once per process.
    global _warned_about_proxy
    if not _warned_about_proxy and not settings.TRUSTED_PROXY and request.META.get("HTTP_X_FORWARDED_FOR"):
        _warned_about_proxy = True
        logger.warning("requests carry X-Forwarded-For but TRUSTED_PROXY is off: rate limits count the proxy's "
                       "address for every visitor; turn TRUSTED_PROXY on if this site runs behind a proxy")


def phone_key(phone: str) -> str | None:
    """An HMAC of the number in E.164, so "98220 12345" and "+919822012345" count together and no number is
    readable in the cache; None for something that is not a phone number (the form refuses it anyway)."""
    try:
        e164 = normalise(phone)
    except InvalidPhone:
        return None
    return salted_hmac("sachet.ratelimits.phone", e164, algorithm="sha256").hexdigest()


def wait_in_words(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def too_many_requests(request, exception: RateLimited):
    """The 429 answer: JSON under /api/ (and to a script that asks for JSON), the friendly page elsewhere; both say
    when to try again."""
    retry_after = exception.retry_after
    headers = {"Retry-After": str(retry_after)}
    wait = wait_in_words(retry_after)
    if request.path_info.startswith(API_PREFIX) or request.headers.get("Accept", "").startswith("application/json"):
        message = _("Too many requests from your connection. Please wait %(wait)s and try again.") % {"wait": wait}
        return JsonResponse({"error": message, "retry_after": retry_after}, status=429, headers=headers)
    response = render(request, "429.html", {"wait": wait, "retry_after": retry_after}, status=429)
    for name, value in headers.items():
        response[name] = value
    return response


def carries_api_key(request) -> bool:
    """A partner API request with a key: counted per key (sachet.partners.auth), not here."""
    return (request.META.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer "
            or bool(request.META.get("HTTP_X_API_KEY")))


class RateLimitMiddleware:
    """Counts every /api/ request without a partner key against RATE_API, and answers RateLimited from any view with
    a 429."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX) and not carries_api_key(request):
            try:
                check(request, "api")
            except RateLimited as limited:
                return too_many_requests(request, limited)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RateLimited):
            return too_many_requests(request, exception)
        return None
