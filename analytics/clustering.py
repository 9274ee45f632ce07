"""Risk zones: compact groups of last-seen points, found by greedy seeding from the densest points.

Plain DBSCAN chains a dense city into one city-wide cluster (every point is density-reachable from every other), which
tells staff nothing. Here every zone is bounded: it is the unassigned cases within ``radius_km`` of one seed case, so
no zone is ever wider than the radius around its seed. See docs/risk-zones.md.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
import math
import re

import numpy as np

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
_QUERY_CHUNK = 8192  # points per neighbour query: bounds the memory of sklearn's per-point result lists


class InvalidPointsError(ValueError):
    """The points are not an (n, 2) array of finite latitudes and longitudes in degrees."""


@dataclass(frozen=True)
class Zone:
    """One risk zone: which cases (indices into the input points) and where it is on the map."""

    members: tuple[int, ...]
    centre_lat: float
    centre_lng: float
    radius_km: float  # real extent: the farthest member from the centre

    @property
    def count(self) -> int:
        return len(self.members)


def haversine_km(lat1, lng1, lat2, lng2):
    """Great-circle distance in km between points in degrees; works on scalars and numpy arrays."""
    lat1, lng1, lat2, lng2 = (np.radians(v) for v in (lat1, lng1, lat2, lng2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def find_zones(points: np.ndarray, radius_km: float = 2.0, min_cases: int = 3, *, n_jobs: int = 2) -> list[Zone]:
    """Group last-seen points (n x [lat, lng] in degrees) into compact zones, densest first.

    Repeatedly take the unassigned case with the most unassigned cases within ``radius_km`` (itself included) and make
    a zone of those cases; stop when no case has ``min_cases`` around it. Cases left over are noise.
    ``n_jobs`` threads run the neighbour search.
    """
    coords = _validated(points)
    if radius_km <= 0:
        raise ValueError("radius_km must be positive")
    if min_cases < 1:
        raise ValueError("min_cases must be at least 1")
    if len(coords) == 0:
        return []
    # Cases geocoded to the same spot (a locality's centre) are searched once and weigh as many cases.
    spots, spot_of_case, cases_at_spot = np.unique(coords, axis=0, return_inverse=True, return_counts=True)
    indptr, indices = _neighbours(_unit_vectors(spots), _chord(radius_km), n_jobs)
    zone_of_spot = np.full(len(spots), -1)
    seeds = []
    for number, (seed, members) in enumerate(_greedy_seeds(indptr, indices, cases_at_spot, min_cases)):
        zone_of_spot[members] = number
        seeds.append(seed)
    zone_of_case = zone_of_spot[spot_of_case.reshape(-1)]
    by_zone = np.argsort(zone_of_case, kind="stable")  # case indices grouped by zone, ascending within each
    bounds = np.searchsorted(zone_of_case[by_zone], np.arange(-1, len(seeds)) + 0.5)
    xyz = _unit_vectors(coords)
    return [
        _make_zone(coords, xyz, spots[seed], by_zone[bounds[number] : bounds[number + 1]])
        for number, seed in enumerate(seeds)
    ]


def name_zone(places: list[str], *, default: str = "Unnamed area") -> str:
    """The zone's most common place text, compared case- and spacing-insensitively; ties go to the first seen."""
    counts: Counter[str] = Counter()
    first_form: dict[str, str] = {}
    for place in places:
        text = re.sub(r"\s+", " ", place or "").strip(" \t,.;:-")
        if not text:
            continue
        key = text.casefold()
        counts[key] += 1
        first_form.setdefault(key, text)
    if not counts:
        return default
    best = max(counts.values())
    return next(first_form[key] for key in first_form if counts[key] == best)


def _validated(points: np.ndarray) -> np.ndarray:
    coords = np.asarray(points, dtype=float)
    if coords.size == 0:
        return coords.reshape(0, 2)
    if coords.ndim != 2 or coords.shape[1] != 2:
        raise InvalidPointsError(f"expected an (n, 2) array of [lat, lng], got shape {coords.shape}")
    if not np.isfinite(coords).all():
        raise InvalidPointsError("points contain NaN or infinite coordinates")
    if (np.abs(coords[:, 0]) > 90).any() or (np.abs(coords[:, 1]) > 180).any():
        raise InvalidPointsError("latitude must be within ±90 and longitude within ±180 degrees")
    return coords


def _unit_vectors(coords: np.ndarray) -> np.ndarray:
    lat, lng = np.radians(coords[:, 0]), np.radians(coords[:, 1])
    return np.column_stack((np.cos(lat) * np.cos(lng), np.cos(lat) * np.sin(lng), np.sin(lat)))


def _chord(radius_km: float) -> float:
    # Straight-line distance through the sphere between two points radius_km apart on its surface. It grows with
    # the great-circle (haversine) distance, so a Euclidean search on unit vectors finds exactly the haversine
    # neighbourhood, about five times faster than sklearn's BallTree with metric="haversine".
    return 2.0 * math.sin(min(radius_km / EARTH_RADIUS_KM, math.pi) / 2.0)


def _neighbours(xyz: np.ndarray, chord: float, n_jobs: int) -> tuple[np.ndarray, np.ndarray]:
    """Each point's neighbours within ``chord`` (itself included) as CSR arrays (indptr, int32 indices)."""
    from sklearn.neighbors import KDTree  # imported here: it adds ~2 s to every process that loads the admin

    tree = KDTree(xyz)

    def query(start: int) -> tuple[np.ndarray, np.ndarray]:
        found = tree.query_radius(xyz[start : start + _QUERY_CHUNK], chord)
        lengths = np.fromiter((len(f) for f in found), dtype=np.int64, count=len(found))
        return lengths, np.concatenate(found).astype(np.int32, copy=False)

    starts = range(0, len(xyz), _QUERY_CHUNK)
    with ThreadPoolExecutor(max_workers=max(1, n_jobs)) as pool:  # the tree search releases the GIL
        parts = list(pool.map(query, starts))
    indptr = np.zeros(len(xyz) + 1, dtype=np.int64)
    np.cumsum(np.concatenate([lengths for lengths, _ in parts]), out=indptr[1:])
    return indptr, np.concatenate([found for _, found in parts])


def _greedy_seeds(indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray, min_cases: int):
    """Yield (seed, members) per zone: the seed has the most unassigned cases around it; members are its neighbours.

    ``weights`` is the number of cases at each point.
    """
    live = np.add.reduceat(weights[indices], indptr[:-1])  # unassigned cases near each point, its own included
    assigned = np.zeros(len(live), dtype=bool)
    while True:
        seed = int(np.argmax(live))
        if live[seed] < min_cases:
            return
        neighbours = indices[indptr[seed] : indptr[seed + 1]]
        members = np.sort(neighbours[~assigned[neighbours]])
        assigned[members] = True
        live[members] = -1  # assigned points only sink further below zero from here on
        lengths = indptr[members + 1] - indptr[members]
        np.subtract.at(live, _gather(indptr, indices, members), np.repeat(weights[members], lengths))
        yield seed, members


def _gather(indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """All neighbours of ``rows`` concatenated, without a Python loop over rows."""
    starts, ends = indptr[rows], indptr[rows + 1]
    lengths = ends - starts
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return indices[offsets + np.arange(lengths.sum())]


def _make_zone(coords: np.ndarray, xyz: np.ndarray, seed: np.ndarray, members: np.ndarray) -> Zone:
    """Centre the zone on the members' mean or on its seed, whichever gives the smaller extent.

    The mean looks natural on a map but a lopsided zone (seeded beside an earlier one) can reach past radius_km
    from it; from the seed every member is within radius_km by construction.
    """
    lat, lng = coords[members, 0], coords[members, 1]
    mean = xyz[members].mean(axis=0)
    norm = np.linalg.norm(mean)
    candidates = [(float(seed[0]), float(seed[1]))]
    if norm > 0:
        mean /= norm
        mean_lat = math.degrees(math.asin(min(1.0, max(-1.0, float(mean[2])))))
        candidates.insert(0, (mean_lat, math.degrees(math.atan2(mean[1], mean[0]))))
    centre, extent = min(
        ((c, float(haversine_km(c[0], c[1], lat, lng).max())) for c in candidates), key=lambda pair: pair[1]
    )
    return Zone(
        members=tuple(int(m) for m in members), centre_lat=centre[0], centre_lng=centre[1], radius_km=extent
    )
