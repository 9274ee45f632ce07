"""Geocoding providers and the chain that asks them in turn: Google (with a key), Nominatim (when enabled), then
the offline gazetteer, which always answers for a known Indian place.

    from geocoding.providers import geocode_with_fallback
    place = geocode_with_fallback("Andheri West, Mumbai")   # Place(..., provider="gazetteer", precision="locality")
"""

from __future__ import annotations

import logging

from django.conf import settings

from geocoding.providers.base import Place, Provider, ProviderError, ProviderRejected, ProviderUnavailable, RetryPolicy
from geocoding.providers.gazetteer import GazetteerProvider
from geocoding.providers.google import GoogleProvider
from geocoding.providers.nominatim import NominatimProvider
from geocoding.ratelimit import shared_limiter

__all__ = [
    "Place",
    "ProviderRejected",
    "ProviderUnavailable",
    "configured_providers",
    "geocode_with_fallback",
    "reverse_with_fallback",
]

logger = logging.getLogger(__name__)


def retry_policy() -> RetryPolicy:
    return RetryPolicy(max_retries=settings.GEOCODER_MAX_RETRIES, backoff=settings.GEOCODER_BACKOFF)


def configured_providers() -> list[Provider]:
    """The chain as the settings describe it, in the order it is asked."""
    providers: list[Provider] = []
    if settings.GOOGLE_MAPS_API_KEY:
        providers.append(GoogleProvider(api_key=settings.GOOGLE_MAPS_API_KEY, domain=settings.GOOGLE_GEOCODING_DOMAIN,
                                        scheme=settings.GOOGLE_GEOCODING_SCHEME, timeout=settings.GEOCODER_TIMEOUT,
                                        policy=retry_policy()))
    if settings.NOMINATIM_ENABLED:
        limiter = shared_limiter("nominatim", interval=settings.NOMINATIM_MIN_INTERVAL,
                                 max_wait=settings.NOMINATIM_MAX_WAIT, redis_url=settings.REDIS_URL)
        providers.append(NominatimProvider(user_agent=settings.NOMINATIM_USER_AGENT, domain=settings.NOMINATIM_DOMAIN,
                                           scheme=settings.NOMINATIM_SCHEME, timeout=settings.GEOCODER_TIMEOUT,
                                           limiter=limiter, policy=retry_policy()))
    providers.append(GazetteerProvider())
    return providers


def geocode_with_fallback(query: str, providers: list[Provider] | None = None) -> Place | None:
    """The first answer in chain order. A provider that fails or finds nothing hands over to the next one.

    Returns None when nobody knows the place. Raises ProviderUnavailable when nobody answered and at least one
    provider was unavailable, so that a task can retry later instead of recording "not found".
    """
    return _first_answer(lambda p: p.geocode(query), providers, query)


def reverse_with_fallback(lat: float, lng: float, providers: list[Provider] | None = None) -> Place | None:
    """Like geocode_with_fallback, for a point: the place (locality or address) at those coordinates."""
    return _first_answer(lambda p: p.reverse(lat, lng), providers, f"{lat:.5f},{lng:.5f}")


def _first_answer(ask, providers: list[Provider] | None, what: str) -> Place | None:
    unavailable: ProviderUnavailable | None = None
    for provider in configured_providers() if providers is None else providers:
        try:
            place = ask(provider)
        except ProviderUnavailable as error:
            logger.warning("geocoding %r: %s unavailable: %s", what, provider.name, error)
            unavailable = error
            continue
        except ProviderError as error:
            logger.error("geocoding %r: %s rejected the request: %s", what, provider.name, error)
            continue
        if place is not None:
            return place
    if unavailable is not None:
        raise unavailable
    return None
