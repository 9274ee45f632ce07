"""OpenStreetMap Nominatim through geopy, kept inside its usage policy.

Policy (operations.osmfoundation.org/policies/nominatim): at most one request per second in total, an identifying
User-Agent. Every attempt, retries included, first takes a slot from the shared rate limiter.
"""

from __future__ import annotations

import time
from typing import Callable

from geopy.geocoders import Nominatim

from geocoding.providers.base import (
    Place,
    Precision,
    ProviderUnavailable,
    RetryPolicy,
    call_with_retries,
    single_try_adapter,
)
from geocoding.ratelimit import RateLimiter, RateLimitError

# Nominatim's addresstype (or type) -> how precise the point is. Anything not listed (house, building, amenity,
# shop, ...) names a single feature and counts as exact.
CITY_TYPES = frozenset({"city", "town", "municipality", "county", "state_district", "district", "state", "region",
                        "province", "country", "administrative"})
LOCALITY_TYPES = frozenset({"road", "street", "neighbourhood", "suburb", "quarter", "city_district", "borough",
                            "village", "hamlet", "isolated_dwelling", "locality", "residential", "postcode",
                            "square", "farm", "allotments", "croft", "city_block"})


def nominatim_precision(raw: dict) -> Precision:
    kind = raw.get("addresstype") or raw.get("type") or ""
    if kind in CITY_TYPES:
        return "city"
    if kind in LOCALITY_TYPES:
        return "locality"
    return "exact"


class NominatimProvider:
    name = "nominatim"

    def __init__(self, *, user_agent: str, domain: str, scheme: str, timeout: float, limiter: RateLimiter,
                 policy: RetryPolicy, sleep: Callable[[float], None] = time.sleep) -> None:
        self._client = Nominatim(user_agent=user_agent, domain=domain, scheme=scheme, timeout=timeout,
                                 adapter_factory=single_try_adapter)
        self._limiter = limiter
        self._policy = policy
        self._sleep = sleep

    def geocode(self, query: str) -> Place | None:
        return self._place(self._request(lambda: self._client.geocode(query, exactly_one=True)))

    def reverse(self, lat: float, lng: float) -> Place | None:
        return self._place(self._request(lambda: self._client.reverse((lat, lng), exactly_one=True)))

    def _request(self, send):
        def attempt():
            try:
                self._limiter.acquire()
            except RateLimitError as error:
                raise ProviderUnavailable(f"nominatim: {error}", provider=self.name, retryable=False) from error
            return send()

        return call_with_retries(attempt, provider=self.name, policy=self._policy, sleep=self._sleep)

    def _place(self, location) -> Place | None:
        if location is None:
            return None
        return Place(location.latitude, location.longitude, location.address, self.name,
                     nominatim_precision(location.raw))
