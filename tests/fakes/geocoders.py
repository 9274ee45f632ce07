"""Fake Nominatim and Google Geocoding servers, answering in the providers' own JSON shapes.

Each holds a small list of `FakePlace`s and answers searches by case-insensitive substring of the place's name and
reverse look-ups with the nearest place. Errors are scripted with the helpers below, e.g.
`fake.script(server_error(), slow(2.0))` for a 500, then a time-out, then normal answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tests.fakes.server import FakeServer, Request, Response


@dataclass(frozen=True)
class FakePlace:
    name: str
    lat: float
    lng: float
    display_name: str
    nominatim_type: str = "suburb"  # Nominatim's addresstype
    google_location_type: str = "APPROXIMATE"
    google_types: tuple[str, ...] = ("sublocality_level_1", "sublocality", "political")


def server_error() -> Response:
    return Response(500, "Internal Server Error", {"Content-Type": "text/plain"})


def slow(delay: float) -> Response:
    """An answer that comes too late: the client's time-out fires first."""
    return Response(200, [], delay=delay)


def too_many_requests(retry_after: int) -> Response:
    return Response(429, "Too Many Requests", {"Content-Type": "text/plain", "Retry-After": str(retry_after)})


def forbidden() -> Response:
    return Response(403, "Forbidden: bad User-Agent", {"Content-Type": "text/plain"})


def google_status(status: str, message: str = "") -> Response:
    """Google answers errors with HTTP 200 and a status field: REQUEST_DENIED, OVER_QUERY_LIMIT, ..."""
    body = {"status": status, "results": []}
    if message:
        body["error_message"] = message
    return Response(200, body)


def _nearest(places: list[FakePlace], lat: float, lng: float) -> FakePlace | None:
    return min(places, key=lambda p: math.hypot(p.lat - lat, p.lng - lng), default=None)


def _matching(places: list[FakePlace], text: str) -> list[FakePlace]:
    text = text.lower()
    return [p for p in places if p.name.lower() in text or text in p.name.lower()]


class FakeNominatim(FakeServer):
    """GET /search?q=&format=json -> list of results; GET /reverse?lat=&lon=&format=json -> one result."""

    def __init__(self, places: list[FakePlace]) -> None:
        super().__init__()
        self.places = places

    def handle(self, request: Request) -> Response:
        if request.path == "/search":
            query = request.query.get("q", [""])[0]
            return Response(200, [self._result(p) for p in _matching(self.places, query)])
        if request.path == "/reverse":
            place = _nearest(self.places, float(request.query["lat"][0]), float(request.query["lon"][0]))
            return Response(200, self._result(place) if place else {"error": "Unable to geocode"})
        return super().handle(request)

    @staticmethod
    def _result(place: FakePlace) -> dict:
        return {
            "place_id": abs(hash(place.name)) % 10**9,
            "licence": "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
            "osm_type": "relation",
            "osm_id": abs(hash(place.display_name)) % 10**9,
            "lat": f"{place.lat:.7f}",
            "lon": f"{place.lng:.7f}",
            "class": "place",
            "type": place.nominatim_type,
            "place_rank": 18,
            "importance": 0.5,
            "addresstype": place.nominatim_type,
            "name": place.name,
            "display_name": place.display_name,
            "boundingbox": [f"{place.lat - 0.01:.7f}", f"{place.lat + 0.01:.7f}", f"{place.lng - 0.01:.7f}",
                            f"{place.lng + 0.01:.7f}"],
        }


class FakeGoogle(FakeServer):
    """GET /maps/api/geocode/json?address=&key= (or latlng=) -> {"status": ..., "results": [...]}."""

    def __init__(self, places: list[FakePlace], api_key: str = "test-key") -> None:
        super().__init__()
        self.places = places
        self.api_key = api_key

    def handle(self, request: Request) -> Response:
        if request.path != "/maps/api/geocode/json":
            return super().handle(request)
        if request.query.get("key", [""])[0] != self.api_key:
            return google_status("REQUEST_DENIED", "The provided API key is invalid.")
        if "latlng" in request.query:
            lat, lng = (float(v) for v in request.query["latlng"][0].split(","))
            found = [p for p in [_nearest(self.places, lat, lng)] if p]
        else:
            found = _matching(self.places, request.query.get("address", [""])[0])
        if not found:
            return google_status("ZERO_RESULTS")
        return Response(200, {"status": "OK", "results": [self._result(p) for p in found]})

    @staticmethod
    def _result(place: FakePlace) -> dict:
        return {
            "formatted_address": place.display_name,
            "geometry": {
                "location": {"lat": place.lat, "lng": place.lng},
                "location_type": place.google_location_type,
                "viewport": {
                    "northeast": {"lat": place.lat + 0.01, "lng": place.lng + 0.01},
                    "southwest": {"lat": place.lat - 0.01, "lng": place.lng - 0.01},
                },
            },
            "place_id": f"fake-{abs(hash(place.name)) % 10**9}",
            "types": list(place.google_types),
            "address_components": [
                {"long_name": place.name, "short_name": place.name, "types": list(place.google_types)}
            ],
        }
