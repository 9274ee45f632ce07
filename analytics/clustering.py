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

from geocoding.distance import EARTH_RADIUS_KM, chord, haversine_km, unit_vectors

__all__ = ["EARTH_RADIUS_KM", "InvalidPointsError", "Zone", "find_zones", "haversine_km", "name_zone"]

# Points per neighbour query: bounds the memory of sklearn's per-point result lists (about 4096 x 400 neighbours x
# 8 bytes, twice, per thread at 100,000 cases).
_QUERY_CHUNK = 4096


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
    neighbours = _neighbours(unit_vectors(spots[:, 0], spots[:, 1]), chord(radius_km), n_jobs)
    zone_of_spot = np.full(len(spots), -1)
    seeds = []
    for number, (seed, members) in enumerate(_greedy_seeds(neighbours, cases_at_spot, min_cases)):
        zone_of_spot[members] = number
        seeds.append(seed)
    zone_of_case = zone_of_spot[spot_of_case.reshape(-1)]
    by_zone = np.argsort(zone_of_case, kind="stable")  # case indices grouped by zone, ascending within each
    bounds = np.searchsorted(zone_of_case[by_zone], np.arange(-1, len(seeds)) + 0.5)
    xyz = unit_vectors(coords[:, 0], coords[:, 1])
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


class _Neighbourhoods:
    """Each point's neighbours (itself included): CSR offsets over all rows (``indptr``), and the neighbour indices
    (int32) kept in the chunks of ``chunk_rows`` rows that the search produced. At 100,000 cases the indices are
    most of the memory (about 40 million pairs, 160 MB); joining the chunks into one array would hold them twice."""

    def __init__(self, indptr: np.ndarray, chunks: list[np.ndarray], chunk_rows: int) -> None:
        self.indptr, self.chunks, self.chunk_rows = indptr, chunks, chunk_rows

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def of(self, row: int) -> np.ndarray:
        chunk, base = self._chunk_of(row)
        return chunk[self.indptr[row] - base : self.indptr[row + 1] - base]

    def of_rows(self, rows: np.ndarray) -> np.ndarray:
        """All neighbours of ``rows`` (ascending) concatenated, one numpy step per chunk they fall in."""
        parts = []
        for group in np.split(rows, np.flatnonzero(np.diff(rows // self.chunk_rows)) + 1):
            chunk, base = self._chunk_of(group[0])
            starts = self.indptr[group] - base
            lengths = self.indptr[group + 1] - self.indptr[group]
            offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
            parts.append(chunk[offsets + np.arange(lengths.sum())])
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)

    def weighted_counts(self, weights: np.ndarray) -> np.ndarray:
        """The sum of ``weights`` over each point's neighbours."""
        counts = np.empty(len(self), dtype=np.int64)
        for number, chunk in enumerate(self.chunks):
            first = number * self.chunk_rows
            rows = slice(first, min(first + self.chunk_rows, len(self)))
            counts[rows] = np.add.reduceat(weights[chunk], self.indptr[rows] - self.indptr[first])
        return counts

    def _chunk_of(self, row: int) -> tuple[np.ndarray, int]:
        number = int(row) // self.chunk_rows
        return self.chunks[number], int(self.indptr[number * self.chunk_rows])


def _neighbours(xyz: np.ndarray, chord_length: float, n_jobs: int) -> _Neighbourhoods:
    """Each point's neighbours within ``chord_length``, itself included.

    A Euclidean search on unit vectors within the chord finds exactly the great-circle neighbourhood, about five
    times faster than sklearn's BallTree with metric="haversine".
    """
    from sklearn.neighbors import KDTree  # imported here: only the analytics worker pays for scikit-learn

    tree = KDTree(xyz)

    def query(start: int) -> tuple[np.ndarray, np.ndarray]:
        found = tree.query_radius(xyz[start : start + _QUERY_CHUNK], chord_length)
        lengths = np.fromiter((len(f) for f in found), dtype=np.int64, count=len(found))
        return lengths, np.concatenate(found).astype(np.int32)

    with ThreadPoolExecutor(max_workers=max(1, n_jobs)) as pool:  # the tree search releases the GIL
        parts = list(pool.map(query, range(0, len(xyz), _QUERY_CHUNK)))
    indptr = np.zeros(len(xyz) + 1, dtype=np.int64)
    np.cumsum(np.concatenate([lengths for lengths, _ in parts]), out=indptr[1:])
    return _Neighbourhoods(indptr, [found for _, found in parts], _QUERY_CHUNK)


def _greedy_seeds(neighbours: _Neighbourhoods, weights: np.ndarray, min_cases: int):
    """Yield (seed, members) per zone: the seed has the most unassigned cases around it; members are its neighbours.

    ``weights`` is the number of cases at each point.
    """
    live = neighbours.weighted_counts(weights)  # unassigned cases near each point, its own included
    assigned = np.zeros(len(live), dtype=bool)
    while True:
        seed = int(np.argmax(live))
        if live[seed] < min_cases:
            return
        around = neighbours.of(seed)
        members = np.sort(around[~assigned[around]])
        assigned[members] = True
        live[members] = -1  # assigned points only sink further below zero from here on
        lengths = neighbours.indptr[members + 1] - neighbours.indptr[members]
        np.subtract.at(live, neighbours.of_rows(members), np.repeat(weights[members], lengths))
        yield seed, members


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
