"""The offline gazetteer: Indian cities, towns and localities, answering without any network.

It is the last provider in the chain, so it must always give the best it can: a locality when the data set knows
it, else the city named in the query, with precision "city" and a display name that says the locality was not found.
The data file is built by scripts/build_gazetteer.py (sources and licences in docs/gazetteer.md) and loaded lazily,
once per process.
"""

from __future__ import annotations

import difflib
import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from geocoding import gazetteer_arrays
from geocoding.distance import haversine_km
from geocoding.normalize import normalize, skeleton, without_directions
from geocoding.providers.base import Place

DATA_PATH = gazetteer_arrays.SOURCE
COLUMNS = gazetteer_arrays.COLUMNS
MIN_CONTEXT_KM = 25.0  # a locality this close to the city named with it belongs to that city, however small
MAX_REVERSE_KM = 25.0  # further than this from every locality, the point is outside what the data set covers
FUZZY_CUTOFF = 0.88
MIN_CITY_WITHOUT_COMMA = 100_000  # "xyz nagar" must not read as a locality of the village of Nagar
PINCODE = re.compile(r"\b\d{3}\s?\d{3}\b")
IGNORED_PARTS = frozenset({"india", "bharat", "in"})


def city_radius_km(population: int) -> float:
    """How far a city reaches from its centre, roughly: 8 km for a town, 40 km for Mumbai or Delhi."""
    return max(8.0, min(40.0, 4.0 * math.sqrt(population / 100_000)))


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str  # "city" (GeoNames) or "office" (an India Post office, standing for its locality)
    name: str
    city: str
    district: str
    state: str
    pincode: str
    lat: float
    lng: float
    population: int  # the city's own, or for an office the population of the city it belongs to
    rank: int  # offices: 0 head office, 1 sub office, 2 branch office (a village); cities 0
    index: int = -1  # its number in the gazetteer

    @property
    def is_locality(self) -> bool:
        return self.kind == "office" or self.city != self.name


class Entries:
    """The gazetteer's rows as Entry objects, made on access from the memory-mapped columns."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self._a = arrays
        self.tables = {column: [v.decode() for v in arrays[f"{column}_table"]]
                        for column in ("city", "district", "state")}

    def __len__(self) -> int:
        return len(self._a["kind"])

    def __getitem__(self, i) -> Entry:
        a, i = self._a, int(i)
        return Entry(
            gazetteer_arrays.KINDS[a["kind"][i]], a["name"][i].decode(), self.tables["city"][a["city_code"][i]],
            self.tables["district"][a["district_code"][i]], self.tables["state"][a["state_code"][i]],
            a["pincode"][i].decode(), float(a["lat"][i]), float(a["lng"][i]), int(a["population"][i]),
            int(a["rank"][i]), i,
        )


def _distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    return haversine_km(lat1, lng1, lat2, lng2)


def _display(*parts: str) -> str:
    shown: list[str] = []
    for part in parts:
        if part and normalize(part) not in {normalize(p) for p in shown}:
            shown.append(part)
    return ", ".join(shown)


@dataclass
class _Context:
    """What the query says around the locality: the city, district and state it is in."""

    city: Entry | None = None
    district: str | None = None
    state: str | None = None

    def allows(self, entry: Entry) -> bool:
        if self.state and normalize(entry.state) != self.state:
            return False
        if self.district and normalize(entry.district) != self.district and normalize(entry.city) != self.district:
            return False
        if self.city:
            if entry.index == self.city.index:
                return False
            near = _distance_km(entry.lat, entry.lng, self.city.lat, self.city.lng) <= self.reach_km
            return near or normalize(entry.city) == normalize(self.city.name)
        return True

    @property
    def reach_km(self) -> float:
        return max(city_radius_km(self.city.population), MIN_CONTEXT_KM)

    @property
    def empty(self) -> bool:
        return not (self.city or self.district or self.state)


class Gazetteer:
    """Name and coordinate indexes over the entries; geocode() and reverse() answer in microseconds."""

    name = "gazetteer"

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        """`arrays` as made by geocoding.gazetteer_arrays (memory-mapped files, or in memory)."""
        self._arrays = arrays
        self.entries = Entries(arrays)
        self._keys = arrays["key"]
        indexes = {name: gazetteer_arrays.Index(*(arrays[f"{name}_{part}"] for part in ("keys", "offsets", "entries")))
                   for name in gazetteer_arrays.INDEXES}
        self.names = indexes["names"]
        self.alternates = indexes["alternates"]
        self.skeletons = indexes["skeletons"]
        self.cities = indexes["cities"]
        self.city_skeletons = indexes["city_skeletons"]
        self.pincodes = indexes["pincodes"]
        self.districts = frozenset(d.decode() for d in arrays["districts"])
        self.states = {k.decode(): v.decode() for k, v in zip(arrays["state_keys"], arrays["state_names"])}
        self._offices = np.flatnonzero(np.asarray(arrays["kind"]) == gazetteer_arrays.KINDS.index("office"))
        # Normalised names of each city, district and state code, for checking many entries at once.
        self._normalised = {column: np.array([normalize(v) for v in self.entries.tables[column]], dtype=object)
                            for column in ("city", "district", "state")}
        self._grid: OfficeGrid | None = None
        self._grid_lock = threading.Lock()

    # --- forward -----------------------------------------------------------------------------------------------
    def geocode(self, query: str) -> Place | None:
        """A Place for "locality", "locality, city" or "locality, city, state" (with or without commas or PIN)."""
        pincodes = [p.replace(" ", "") for p in PINCODE.findall(query)]
        parts = [normalize(p) for p in re.split(r"[,;\n]+", PINCODE.sub(" ", query))]
        parts = [p for p in parts if p and p not in IGNORED_PARTS]
        context = self._peel_context(parts)
        if not parts:
            return self._city_place(context.city) if context.city else self._pincode_place(pincodes)
        if len(parts) == 1 and context.city is None:
            cities = self._find_cities(parts[0], context.state)
            if cities:
                return self._city_place(cities[0])
        for part in reversed(parts):
            entry = self._find_locality(part, context)
            if entry is not None:
                return self._locality_place(entry, context)
        if context.empty and len(parts) == 1:
            found = self._split_trailing_context(parts[0])
            if found is not None:
                return found
        return self._pincode_place(pincodes) or self._fallback(context, parts[-1])

    def _peel_context(self, parts: list[str]) -> _Context:
        """Take the state, then a city or district, off the end of the comma-separated parts."""
        context = _Context()
        if len(parts) > 1 and parts[-1] in self.states:
            context.state = parts.pop()
        if len(parts) > 1:
            cities = self._find_cities(parts[-1], context.state)
            if cities:
                context.city = cities[0]
                parts.pop()
            elif parts[-1] in self.districts:
                context.district = parts.pop()
        return context

    def _split_trailing_context(self, key: str) -> Place | None:
        """'koramangala bengaluru' without a comma: the last one to three words may name a city or a state."""
        words = key.split()
        for size in (1, 2, 3):
            if len(words) <= size:
                break
            head, tail = " ".join(words[:-size]), " ".join(words[-size:])
            context = _Context()
            cities = [c for c in self._find_cities(tail, None) if c.population >= MIN_CITY_WITHOUT_COMMA]
            if cities:
                context.city = cities[0]
            elif tail in self.states:
                context.state = tail
            else:
                continue
            entry = self._find_locality(head, context)
            if entry is not None:
                return self._locality_place(entry, context)
            return self._fallback(context, head)
        return None

    def _find_cities(self, key: str, state: str | None) -> list[Entry]:
        indexes = self.cities.get(key) or self.city_skeletons.get(skeleton(key)) or []
        found = [self.entries[i] for i in indexes if state is None or normalize(self.entries[i].state) == state]
        return sorted(found, key=lambda e: -e.population)

    def _find_locality(self, key: str, context: _Context) -> Entry | None:
        for variant in dict.fromkeys((key, without_directions(key))):
            if not variant:
                continue
            exact, alternate = self.names.get(variant), self.alternates.get(variant)
            for indexes in (exact, alternate, self.skeletons.get(skeleton(variant))):
                candidates = [self.entries[i] for i in indexes or () if context.allows(self.entries[i])]
                if candidates:
                    return self._best(candidates, context)
        return self._near_context(key, context)

    def _best(self, candidates: list[Entry], context: _Context) -> Entry:
        if context.city:
            city = context.city
            return min(candidates, key=lambda e: (e.rank, _distance_km(e.lat, e.lng, city.lat, city.lng)))
        return min(candidates, key=lambda e: (-e.population, e.rank, e.kind != "city"))

    def _near_context(self, key: str, context: _Context) -> Entry | None:
        """Among the places of the city the query names: a longer name that starts with the query ('Dwarka' ->
        'Dwarka Sector 6'), else a close spelling ('Koramangla')."""
        if context.city is None or len(key) < 4:
            return None
        by_key: dict[str, list[int]] = {}
        for i in self._allowed(self._within(context.city.lat, context.city.lng, context.reach_km), context):
            by_key.setdefault(self._keys[i].decode(), []).append(int(i))
        longer = [self.entries[i] for k, members in by_key.items() if k.startswith(key + " ") for i in members]
        if longer:
            return self._best(longer, context)
        match = difflib.get_close_matches(key, list(by_key), n=1, cutoff=FUZZY_CUTOFF) if len(key) >= 5 else []
        return self._best([self.entries[i] for i in by_key[match[0]]], context) if match else None

    def _allowed(self, indexes: np.ndarray, context: _Context) -> np.ndarray:
        """The entries among `indexes` that `context.allows`, checked all at once."""
        a, normalised = self._arrays, self._normalised
        keep = np.ones(len(indexes), dtype=bool)
        if context.state:
            keep &= normalised["state"][a["state_code"][indexes]] == context.state
        if context.district:
            keep &= ((normalised["district"][a["district_code"][indexes]] == context.district)
                     | (normalised["city"][a["city_code"][indexes]] == context.district))
        if context.city:
            city = context.city
            near = haversine_km(a["lat"][indexes], a["lng"][indexes], city.lat, city.lng) <= context.reach_km
            keep &= (near | (normalised["city"][a["city_code"][indexes]] == normalize(city.name)))
            keep &= indexes != city.index
        return indexes[keep]

    # --- answers -----------------------------------------------------------------------------------------------
    def _locality_place(self, entry: Entry, context: _Context | None = None) -> Place:
        city = context.city.name if context and context.city and not entry.is_locality else entry.city
        precision = "locality" if entry.is_locality or city != entry.name else "city"
        return Place(entry.lat, entry.lng, _display(entry.name, city, entry.state), "gazetteer", precision)

    def _city_place(self, entry: Entry) -> Place:
        if entry.is_locality:
            return self._locality_place(entry)
        return Place(entry.lat, entry.lng, _display(entry.name, entry.state), "gazetteer", "city")

    def _fallback(self, context: _Context, locality: str) -> Place | None:
        """The city the query named, when its locality is unknown; a state's namesake city (Delhi) will do."""
        city = context.city
        if city is None and context.state:
            namesakes = self._find_cities(context.state, context.state)
            city = namesakes[0] if namesakes else None
        if city is None:
            return None
        note = f"city centre; '{locality.title()}' is not in the offline gazetteer"
        return Place(city.lat, city.lng, f"{_display(city.name, city.state)} ({note})", "gazetteer", "city")

    def _pincode_place(self, pincodes: list[str]) -> Place | None:
        for pincode in pincodes:
            members = [self.entries[i] for i in self.pincodes.get(pincode, ())]
            if members:
                lat = sum(e.lat for e in members) / len(members)
                lng = sum(e.lng for e in members) / len(members)
                first = min(members, key=lambda e: e.rank)
                return Place(lat, lng, _display(f"PIN {pincode}", first.city, first.state), "gazetteer", "locality")
        return None

    # --- reverse ---------------------------------------------------------------------------------------------
    def reverse(self, lat: float, lng: float) -> Place | None:
        """The nearest locality (post office) to the point, if one lies within MAX_REVERSE_KM. Offices at the same
        spot (India Post placed some groups of villages at one point) go by their order in the data: PIN code,
        then head, sub and branch office, then name."""
        offices, distances = self._office_grid().near(lat, lng, MAX_REVERSE_KM)
        if not len(offices):
            return None
        nearest = offices[distances == distances.min()].min()
        return self._locality_place(self.entries[nearest])

    def state_at(self, lat: float, lng: float) -> str | None:
        """The state of the nearest locality to the point (within MAX_REVERSE_KM), or None."""
        offices, distances = self._office_grid().near(lat, lng, MAX_REVERSE_KM)
        if not len(offices):
            return None
        return self.entries[offices[distances == distances.min()].min()].state

    def _within(self, lat: float, lng: float, radius_km: float) -> np.ndarray:
        """The entry numbers of the offices within `radius_km` of the point, ascending."""
        return np.sort(self._office_grid().near(lat, lng, radius_km)[0])

    def _office_grid(self) -> OfficeGrid:
        if self._grid is None:
            with self._grid_lock:
                if self._grid is None:
                    a = self._arrays
                    self._grid = OfficeGrid(self._offices, a["lat"][self._offices], a["lng"][self._offices])
        return self._grid


class OfficeGrid:
    """The offices sorted by squares of CELL_DEGREES: those near a point are a few contiguous slices, measured with
    the haversine. Plain numpy: no tree library to import (scipy alone adds ~40 MB and 0.3 s to a process)."""

    CELL_DEGREES = 0.5
    _COLUMNS = 1024  # cells per row in the sort key: more than 360 / CELL_DEGREES

    def __init__(self, entries: np.ndarray, lat: np.ndarray, lng: np.ndarray) -> None:
        cells = self._cell(np.asarray(lat), np.asarray(lng))
        order = np.argsort(cells, kind="stable")
        self._cells = cells[order]
        self._entries = np.asarray(entries)[order]
        self._lat = np.asarray(lat, dtype=float)[order]
        self._lng = np.asarray(lng, dtype=float)[order]

    def _cell(self, lat, lng):
        row = np.floor((np.asarray(lat) + 90.0) / self.CELL_DEGREES).astype(np.int64)
        column = np.floor((np.asarray(lng) + 180.0) / self.CELL_DEGREES).astype(np.int64)
        return row * self._COLUMNS + column

    def near(self, lat: float, lng: float, radius_km: float) -> tuple[np.ndarray, np.ndarray]:
        """(entry numbers, distances in km) of the offices within `radius_km` of the point."""
        lat_span = radius_km / 110.5  # km per degree of latitude is 110.6-111.7: this errs wide
        widest = min(89.9, abs(lat) + lat_span)  # the band's edge nearest a pole has the shortest degree of longitude
        lng_span = min(180.0, lat_span / math.cos(math.radians(widest)))
        first_row, last_row = (int(math.floor((lat + d + 90.0) / self.CELL_DEGREES)) for d in (-lat_span, lat_span))
        first_col, last_col = (int(math.floor((lng + d + 180.0) / self.CELL_DEGREES)) for d in (-lng_span, lng_span))
        slices = []
        for row in range(first_row, last_row + 1):
            start, end = np.searchsorted(self._cells, [row * self._COLUMNS + first_col,
                                                       row * self._COLUMNS + last_col + 1])
            if end > start:
                slices.append(np.arange(start, end))
        if not slices:
            return np.empty(0, dtype=np.int64), np.empty(0)
        candidates = np.concatenate(slices)
        distances = haversine_km(self._lat[candidates], self._lng[candidates], lat, lng)
        close = distances <= radius_km
        return self._entries[candidates[close]], distances[close]


def load_gazetteer(path: Path = DATA_PATH, arrays_dir: Path = gazetteer_arrays.ARRAYS) -> Gazetteer:
    """The gazetteer over the arrays in `arrays_dir` (made from `path` when missing or stale)."""
    return Gazetteer(gazetteer_arrays.load(arrays_dir, path))


_loaded: Gazetteer | None = None
_load_lock = threading.Lock()


def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer, loaded on first use (milliseconds: memory-mapped arrays), shared by all threads."""
    global _loaded
    if _loaded is None:
        with _load_lock:
            if _loaded is None:
                _loaded = load_gazetteer()
    return _loaded


class GazetteerProvider:
    """The provider interface over the shared gazetteer."""

    name = "gazetteer"

    def geocode(self, query: str) -> Place | None:
        return get_gazetteer().geocode(query)

    def reverse(self, lat: float, lng: float) -> Place | None:
        return get_gazetteer().reverse(lat, lng)
