"""Which subscribers an alert at a point reaches, found on an index, never by scanning every subscription.

The rule: an alert about a child last seen at P, `hours` ago, reaches a subscriber whose point S is within
min(the subscriber's radius, reach(hours)) of P, where reach grows with the hours (SUBSCRIPTION_REACH: 5 km at first,
10 km after 24 h, 25 km after 72 h, 50 km after a week, never more than SUBSCRIPTION_MAX_RADIUS_KM).

How it is found, on PostgreSQL and SQLite alike:
1. Every subscription stores the grid cell of its point (0.1 degree, about 11 km) and the box around its own circle.
   The query asks for the cells under the box of the reach around P, one index range per row of cells (a handful),
   for subscriptions whose own box holds P.
2. In the same query, an equirectangular distance (plain arithmetic, no SQL functions) keeps those within
   min(radius, reach) with a 1 % margin, so only the matching set and a few borderline rows leave the database.
3. The exact haversine (`geocoding.distance`) decides on those, in one numpy call.
Boxes do not wrap the 180th meridian (India is far from it): a circle crossing it is cut there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.conf import settings
from django.db.models import F, FloatField, Q, Value
from django.db.models.functions import Least

from geocoding.distance import EARTH_RADIUS_KM, haversine_km

from .models import Subscription

CELL_DEGREES = 0.1
COLUMNS = 3600  # cells in one row of the grid (360 degrees of longitude)
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180  # along a meridian
MARGIN = 1.01  # the equirectangular pre-filter lets through what the exact distance then decides


def reach_km(started_at: datetime, now: datetime) -> float:
    """How far an alert reaches after the child has been missing since `started_at` (SUBSCRIPTION_REACH)."""
    hours = max(0.0, (now - started_at).total_seconds() / 3600)
    reach = [km for after, km in settings.SUBSCRIPTION_REACH_STEPS if hours >= after][-1]
    return min(reach, settings.SUBSCRIPTION_MAX_RADIUS_KM)


def cell_of(latitude: float, longitude: float) -> int:
    row = min(int((latitude + 90) // CELL_DEGREES), int(180 / CELL_DEGREES) - 1)
    column = int((longitude + 180) // CELL_DEGREES) % COLUMNS
    return row * COLUMNS + column


def box(latitude: float, longitude: float, km: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) in degrees around the circle of `km` around the point, a little generous."""
    dlat = km * MARGIN / KM_PER_DEGREE
    south, north = max(-90.0, latitude - dlat), min(90.0, latitude + dlat)
    widest = math.cos(math.radians(min(89.9, max(abs(south), abs(north)))))  # the box's edge nearest a pole
    dlng = min(180.0, km * MARGIN / (KM_PER_DEGREE * widest))
    return south, north, max(-180.0, longitude - dlng), min(180.0, longitude + dlng)


def area_fields(latitude: float, longitude: float, radius_km: float) -> dict:
    """The indexed columns of a subscription at this point with this radius."""
    south, north, west, east = box(latitude, longitude, radius_km)
    return {"cell": cell_of(latitude, longitude), "south": south, "north": north, "west": west, "east": east}


@dataclass(frozen=True)
class Match:
    id: int
    channel: str
    address: str
    distance_km: float


def matching(latitude: float, longitude: float, reach: float) -> list[Match]:
    """Active subscriptions whose circle, cut to `reach`, holds the point; nearest first."""
    south, north, west, east = box(latitude, longitude, reach)
    first_row, last_row = cell_of(south, longitude) // COLUMNS, cell_of(north, longitude) // COLUMNS
    first_column, last_column = cell_of(latitude, west) % COLUMNS, cell_of(latitude, east) % COLUMNS
    cells = Q()
    for row in range(first_row, last_row + 1):
        cells |= Q(cell__gte=row * COLUMNS + first_column, cell__lte=row * COLUMNS + last_column)
    km_per_degree_east = KM_PER_DEGREE * math.cos(math.radians(latitude))
    north_km = (F("latitude") - Value(latitude)) * Value(KM_PER_DEGREE)
    east_km = (F("longitude") - Value(longitude)) * Value(km_per_degree_east)
    within = Least(F("radius_km"), Value(reach), output_field=FloatField()) * Value(MARGIN)
    rows = list(
        Subscription.objects.filter(cells, status=Subscription.Status.ACTIVE)
        .filter(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east,
                south__lte=latitude, north__gte=latitude, west__lte=longitude, east__gte=longitude)
        .alias(square=north_km * north_km + east_km * east_km, within=within)
        .filter(square__lte=F("within") * F("within"))
        .order_by()
        .values_list("id", "channel", "address", "latitude", "longitude", "radius_km")
    )
    if not rows:
        return []
    ids, channels, addresses, lats, lngs, radii = zip(*rows)
    distances = haversine_km(latitude, longitude, np.array(lats), np.array(lngs))
    limits = np.minimum(np.array(radii, dtype=float), reach)
    order = np.argsort(distances, kind="stable")
    return [Match(ids[i], channels[i], addresses[i], float(distances[i])) for i in order if distances[i] <= limits[i]]
