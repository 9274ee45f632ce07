"""Google's Geocoding API through geopy's GoogleV3: the first choice when a key is configured."""

from __future__ import annotations

import time
from typing import Callable

from geopy.geocoders import GoogleV3

from geocoding.providers.base import Place, Precision, RetryPolicy, call_with_retries, single_try_adapter

EXACT_LOCATION_TYPES = frozenset({"ROOFTOP", "RANGE_INTERPOLATED"})
CITY_RESULT_TYPES = frozenset({"locality", "postal_town", "colloquial_area", "administrative_area_level_1",
                               "administrative_area_level_2", "administrative_area_level_3", "country"})


def google_precision(raw: dict) -> Precision:
    """ROOFTOP/RANGE_INTERPOLATED are addresses; otherwise the result's types say a city or something inside one."""
    if raw.get("geometry", {}).get("location_type") in EXACT_LOCATION_TYPES:
        return "exact"
    if CITY_RESULT_TYPES.intersection(raw.get("types", ())):
        return "city"
    return "locality"


class GoogleProvider:
    name = "google"

    def __init__(self, *, api_key: str, domain: str, scheme: str, timeout: float, policy: RetryPolicy,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._client = GoogleV3(api_key=api_key, domain=domain, scheme=scheme, timeout=timeout,
                                adapter_factory=single_try_adapter)
        self._policy = policy
        self._sleep = sleep

    def geocode(self, query: str) -> Place | None:
        return self._place(self._request(lambda: self._client.geocode(query, exactly_one=True)))

    def reverse(self, lat: float, lng: float) -> Place | None:
        return self._place(self._request(lambda: self._client.reverse((lat, lng), exactly_one=True)))

    def _request(self, send):
        return call_with_retries(send, provider=self.name, policy=self._policy, sleep=self._sleep)

    def _place(self, location) -> Place | None:
        if location is None:
            return None
        return Place(location.latitude, location.longitude, location.address, self.name, google_precision(location.raw))
