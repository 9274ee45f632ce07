"""Places for text and for coordinates, remembered: the cache, then the database, then the providers.

    from geocoding import services
    place = services.geocode("Andheri West, Mumbai")          # Place(...) or None; may raise ProviderUnavailable
    place = services.reverse(18.5362, 73.8939, interactive=True)

Answers found are kept for GEOCODE_CACHE_DAYS in the database (and up to a day in the cache); "not found" for
GEOCODE_NOT_FOUND_SECONDS; a provider failure only for GEOCODE_FAILURE_SECONDS in the cache, never in the database.
A gazetteer answer given because an online provider was down is cached as briefly as a failure, so the better
answer is asked for again soon. Providers are called outside any transaction: call these from views, tasks and
commands, never from inside `transaction.atomic`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict
from datetime import timedelta
from typing import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from geocoding.models import GeocodeResult
from geocoding.providers import (
    Place,
    ProviderUnavailable,
    configured_providers,
    geocode_with_fallback,
    reverse_with_fallback,
)
from geocoding.providers.base import Provider, RetryPolicy
from geocoding.providers.gazetteer import GazetteerProvider, get_gazetteer
from geocoding.providers.google import GoogleProvider
from geocoding.providers.nominatim import NominatimProvider
from geocoding.ratelimit import shared_limiter

MAX_QUERY_LENGTH = 300  # GeocodeResult.query
MAX_CACHE_SECONDS = 24 * 3600  # the database keeps answers longer; the cache only holds the busy ones
REVERSE_DECIMALS = 3  # about 110 m: one answer for everyone standing in the same street
# India with a margin (its mainland and islands lie within about 6.7-35.7 N, 68.1-97.4 E). Points outside are
# possible (a family abroad) but more often a slip on the map, so they are flagged, never refused.
INDIA_BOUNDS = (6.0, 68.0, 37.5, 97.5)  # south, west, north, east

Kind = GeocodeResult.Kind


def in_india(lat: float, lng: float) -> bool:
    """Whether the point lies in India's bounding box (a rough check: it also holds parts of its neighbours)."""
    south, west, north, east = INDIA_BOUNDS
    return south <= lat <= north and west <= lng <= east


def query_key(query: str) -> str:
    """The form a place name is remembered under: '  Andheri (W) ,MUMBAI ' -> 'andheri (w), mumbai'."""
    text = " ".join(unicodedata.normalize("NFKC", query).casefold().split())
    text = re.sub(r"\s*,\s*", ", ", text).strip(" ,;.")
    return text[:MAX_QUERY_LENGTH]


def point_key(lat: float, lng: float) -> str:
    return f"{round(lat, REVERSE_DECIMALS):.{REVERSE_DECIMALS}f},{round(lng, REVERSE_DECIMALS):.{REVERSE_DECIMALS}f}"


def geocode(query: str, *, interactive: bool = False) -> Place | None:
    """The place a name stands for, or None when nobody knows it.

    `interactive` (a web request) asks the providers without retries and waits at most GEOCODE_API_MAX_WAIT for a
    Nominatim slot; otherwise (tasks, commands) the full retry policy applies. Raises ProviderUnavailable when no
    provider could answer and the offline gazetteer does not know the place either.
    """
    key = query_key(query)
    if not key:
        return None
    return _lookup(Kind.FORWARD, key, lambda chain: geocode_with_fallback(key, providers=chain), interactive)


def reverse(lat: float, lng: float, *, interactive: bool = False) -> Place | None:
    """The named place nearest to a point (rounded to ~100 m), or None (the sea, or beyond the data)."""
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValueError(f"({lat}, {lng}) is not on Earth")
    key = point_key(lat, lng)
    lat_r, lng_r = (float(part) for part in key.split(","))
    return _lookup(Kind.REVERSE, key, lambda chain: reverse_with_fallback(lat_r, lng_r, providers=chain), interactive)


def state_of(*, latitude: float | None = None, longitude: float | None = None, place: str = "") -> str | None:
    """The Indian state a point (or, without one, a place name) lies in, e.g. "West Bengal", from the offline
    gazetteer only: no provider is asked, so it is safe anywhere. None when it cannot tell."""
    gazetteer = get_gazetteer()
    if latitude is None or longitude is None:
        found = gazetteer.geocode(place[:MAX_QUERY_LENGTH]) if place.strip() else None
        if found is None:
            return None
        latitude, longitude = found.latitude, found.longitude
    return gazetteer.state_at(float(latitude), float(longitude))


def purge_expired_results() -> int:
    """Delete remembered answers past their expiry (a new look-up would replace them anyway); how many."""
    deleted, _ = GeocodeResult.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


# --- the layers -------------------------------------------------------------------------------------------------

_FAILED = "unavailable"


def _cache_key(kind: str, key: str) -> str:
    return f"geocoding:{kind}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def _lookup(kind: str, key: str, ask: Callable[[list[Provider]], Place | None], interactive: bool) -> Place | None:
    cache_key = _cache_key(kind, key)
    cached = cache.get(cache_key)
    if cached is not None:
        return _from_cache(cached)

    now = timezone.now()
    row = GeocodeResult.objects.filter(kind=kind, query=key, expires_at__gt=now).first()
    if row is not None:
        place = _place(row)
        _remember_in_cache(cache_key, place, seconds=(row.expires_at - now).total_seconds())
        return place

    try:
        place, degraded = _ask(ask, api_providers() if interactive else configured_providers())
    except ProviderUnavailable as error:
        cache.set(cache_key, {_FAILED: error.provider, "status": error.status}, settings.GEOCODE_FAILURE_SECONDS)
        raise

    if degraded:
        _remember_in_cache(cache_key, place, seconds=settings.GEOCODE_FAILURE_SECONDS)
        return place
    seconds = settings.GEOCODE_CACHE_DAYS * 86400 if place else settings.GEOCODE_NOT_FOUND_SECONDS
    _store(kind, key, place, now=now, seconds=seconds)
    _remember_in_cache(cache_key, place, seconds=seconds)
    return place


def _ask(ask: Callable[[list[Provider]], Place | None], providers: list[Provider]) -> tuple[Place | None, bool]:
    """The chain's answer, and whether it is a stand-in (the gazetteer, because an online provider was down)."""
    online = [p for p in providers if p.name != "gazetteer"]
    offline = [p for p in providers if p.name == "gazetteer"]
    unavailable: ProviderUnavailable | None = None
    if online:
        try:
            place = ask(online)
        except ProviderUnavailable as error:
            unavailable = error
        else:
            if place is not None:
                return place, False
    place = ask(offline) if offline else None
    if place is None and unavailable is not None:
        raise unavailable
    return place, place is not None and unavailable is not None


def _store(kind: str, key: str, place: Place | None, *, now, seconds: float) -> None:
    values = dict(found=False, latitude=None, longitude=None, display_name="", provider="", precision="")
    if place is not None:
        values = dict(found=True, latitude=place.latitude, longitude=place.longitude,
                      display_name=place.display_name[:500], provider=place.provider, precision=place.precision)
    GeocodeResult.objects.update_or_create(
        kind=kind, query=key, defaults={**values, "created_at": now, "expires_at": now + timedelta(seconds=seconds)}
    )


def _remember_in_cache(cache_key: str, place: Place | None, *, seconds: float) -> None:
    entry = asdict(place) if place is not None else {"found": False}
    cache.set(cache_key, entry, max(1, int(min(seconds, MAX_CACHE_SECONDS))))


def _from_cache(entry: dict) -> Place | None:
    if _FAILED in entry:
        raise ProviderUnavailable(f"{entry[_FAILED]} was unavailable moments ago", provider=entry[_FAILED],
                                  status=entry["status"], retry_after=settings.GEOCODE_FAILURE_SECONDS)
    if entry.get("found") is False:
        return None
    return Place(**entry)


def _place(row: GeocodeResult) -> Place | None:
    if not row.found:
        return None
    return Place(row.latitude, row.longitude, row.display_name, row.provider, row.precision)


# --- providers for a waiting person -----------------------------------------------------------------------------

def api_providers() -> list[Provider]:
    """The chain of `configured_providers()`, tuned for a person waiting on the map: one try each, a short time-out
    and a short wait for a Nominatim slot, so that a busy queue answers from the gazetteer instead of blocking.

    With Redis the slot schedule is one key whatever the wait, so the short wait shares the workers' 1-per-second
    budget. Without Redis a process limiter exists per wait setting, so the API uses the workers' own (and their
    longer wait) rather than start a second schedule that would double the rate.
    """
    once = RetryPolicy(max_retries=0)
    timeout = min(settings.GEOCODER_TIMEOUT, settings.GEOCODE_API_TIMEOUT)
    providers: list[Provider] = []
    if settings.GOOGLE_MAPS_API_KEY:
        providers.append(GoogleProvider(api_key=settings.GOOGLE_MAPS_API_KEY, domain=settings.GOOGLE_GEOCODING_DOMAIN,
                                        scheme=settings.GOOGLE_GEOCODING_SCHEME, timeout=timeout, policy=once))
    if settings.NOMINATIM_ENABLED:
        max_wait = settings.GEOCODE_API_MAX_WAIT if settings.REDIS_URL else settings.NOMINATIM_MAX_WAIT
        limiter = shared_limiter("nominatim", interval=settings.NOMINATIM_MIN_INTERVAL, max_wait=max_wait,
                                 redis_url=settings.REDIS_URL)
        providers.append(NominatimProvider(user_agent=settings.NOMINATIM_USER_AGENT, domain=settings.NOMINATIM_DOMAIN,
                                           scheme=settings.NOMINATIM_SCHEME, timeout=timeout, limiter=limiter,
                                           policy=once))
    providers.append(GazetteerProvider())
    return providers
