"""Who is asking: the client address used for login lockouts and rate limits.

X-Forwarded-For is written by the client as much as by proxies. It is read only when a trusted proxy is configured
(TRUSTED_PROXY), and then only the entry that our own proxies appended (counted from the right), so a client cannot
pick its own address by sending the header.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    # None when there is no address at all (a request built in code); callers treat it as "unknown".
    remote = request.META.get("REMOTE_ADDR") or None
    if not settings.TRUSTED_PROXY:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    hops = settings.TRUSTED_PROXY_COUNT
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
