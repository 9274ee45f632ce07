"""Great-circle distance on the Earth: the one haversine of the project (gazetteer, its build script, risk zones)."""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


def haversine_km(lat1, lng1, lat2, lng2):
    """Distance in km between points in degrees. Plain numbers give a float (computed with `math`, fast in loops);
    numpy arrays, or a mix of arrays and numbers, give an array (broadcast)."""
    if all(isinstance(value, (int, float)) for value in (lat1, lng1, lat2, lng2)):
        p1, p2 = math.radians(lat1), math.radians(lat2)
        a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
        return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(a, 1.0)))
    lat1, lng1, lat2, lng2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lng1, lat2, lng2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def unit_vectors(lat, lng) -> np.ndarray:
    """Points in degrees as 3-D unit vectors (n x 3), for Euclidean trees that find great-circle neighbours."""
    lat, lng = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lng, dtype=float))
    return np.column_stack((np.cos(lat) * np.cos(lng), np.cos(lat) * np.sin(lng), np.sin(lat)))


def chord(distance_km: float) -> float:
    """The straight line through the sphere between two points `distance_km` apart on its surface. It grows with the
    great-circle distance, so a Euclidean search on unit vectors within the chord finds exactly the points within
    that great-circle distance."""
    return 2.0 * math.sin(min(distance_km / EARTH_RADIUS_KM, math.pi) / 2.0)


def arc_km(chord_length):
    """The great-circle distance (km) for a chord between unit vectors: the inverse of `chord`."""
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord_length) / 2.0, 0.0, 1.0))
