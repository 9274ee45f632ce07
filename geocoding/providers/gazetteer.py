"""The offline gazetteer: Indian cities, towns and localities, answering without any network.

It is the last provider in the chain, so it must always give the best it can: a locality when the data set knows
it, else the city named in the query, with precision "city" and a display name that says the locality was not found.
The data file is built by scripts/build_gazetteer.py (sources and licences in docs/gazetteer.md) and loaded lazily,
once per process.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from geocoding.normalize import normalize, skeleton, without_directions
from geocoding.providers.base import Place

DATA_PATH = Path(__file__).resolve().parent.parent / "data" / "gazetteer_in.tsv.gz"
COLUMNS = (
    "kind", "name", "key", "skeleton", "alt", "city", "district", "state", "pincode", "lat", "lng", "population", "rank"
)
EARTH_KM = 6371.0
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

    @property
    def is_locality(self) -> bool:
        return self.kind == "office" or self.city != self.name


def _distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(a))


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
            if entry is self.city:
                return False
            reach = max(city_radius_km(self.city.population), MIN_CONTEXT_KM)
            near = _distance_km(entry.lat, entry.lng, self.city.lat, self.city.lng) <= reach
            return near or normalize(entry.city) == normalize(self.city.name)
        return True

    @property
    def empty(self) -> bool:
        return not (self.city or self.district or self.state)


class Gazetteer:
    """Name and coordinate indexes over the entries; geocode() and reverse() answer in microseconds."""

    name = "gazetteer"

    def __init__(self, entries: list[Entry], keys: list[tuple[str, str]], alternates: dict[int, list[str]]) -> None:
        """`keys[i]` is (normalize(name), skeleton(normalize(name))) of entry i, computed by the build script."""
        self.entries = entries
        self._keys = [key for key, _ in keys]
        self.names: dict[str, list[int]] = {}
        self.alternates: dict[str, list[int]] = {}
        self.skeletons: dict[str, list[int]] = {}
        self.cities: dict[str, list[int]] = {}
        self.city_skeletons: dict[str, list[int]] = {}
        self.districts: set[str] = set()
        self.states: dict[str, str] = {}
        self.pincodes: dict[str, list[int]] = {}
        memo: dict[str, str] = {}  # districts and states repeat thousands of times

        def norm(text: str) -> str:
            if text not in memo:
                memo[text] = normalize(text)
            return memo[text]

        offices, lats, lngs = [], [], []
        for i, (entry, (key, name_skeleton)) in enumerate(zip(entries, keys)):
            alt_keys = [normalize(a) for a in alternates.get(i, ())]
            self.names.setdefault(key, []).append(i)
            for k in alt_keys:
                self.alternates.setdefault(k, []).append(i)
            skeletons = {name_skeleton, *(skeleton(a) for a in alt_keys)}
            for k in skeletons:
                self.skeletons.setdefault(k, []).append(i)
            if entry.kind == "city":
                for k in (key, *alt_keys):
                    self.cities.setdefault(k, []).append(i)
                for k in skeletons:
                    self.city_skeletons.setdefault(k, []).append(i)
            else:
                self.pincodes.setdefault(entry.pincode, []).append(i)
                self.districts.add(norm(entry.district))
                offices.append(i)
                lats.append(entry.lat)
                lngs.append(entry.lng)
            self.states.setdefault(norm(entry.state), entry.state)
        self._offices = np.array(offices, dtype=np.int64)
        self._office_points = np.radians(np.column_stack([lats, lngs]))
        self._tree = None
        self._tree_lock = threading.Lock()

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
        radius = max(city_radius_km(context.city.population), MIN_CONTEXT_KM)
        by_key: dict[str, list[Entry]] = {}
        for i in self._within(context.city.lat, context.city.lng, radius):
            entry = self.entries[i]
            if context.allows(entry):
                by_key.setdefault(self._keys[i], []).append(entry)
        longer = [e for k, members in by_key.items() if k.startswith(key + " ") for e in members]
        if longer:
            return self._best(longer, context)
        match = difflib.get_close_matches(key, list(by_key), n=1, cutoff=FUZZY_CUTOFF) if len(key) >= 5 else []
        return self._best(by_key[match[0]], context) if match else None

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

    # --- reverse -----------------------------------------------------------------------------------------------
    def reverse(self, lat: float, lng: float) -> Place | None:
        """The nearest locality (post office) to the point, if one lies within MAX_REVERSE_KM."""
        distance, index = self._ball_tree().query(np.radians([[lat, lng]]), k=1)
        if distance[0][0] * EARTH_KM > MAX_REVERSE_KM:
            return None
        return self._locality_place(self.entries[self._offices[index[0][0]]])

    def _within(self, lat: float, lng: float, radius_km: float) -> list[int]:
        found = self._ball_tree().query_radius(np.radians([[lat, lng]]), r=radius_km / EARTH_KM)[0]
        return [int(self._offices[i]) for i in found]

    def _ball_tree(self):
        if self._tree is None:
            with self._tree_lock:
                if self._tree is None:
                    from sklearn.neighbors import BallTree

                    self._tree = BallTree(self._office_points, metric="haversine")
        return self._tree


def load_gazetteer(path: Path = DATA_PATH) -> Gazetteer:
    entries: list[Entry] = []
    keys: list[tuple[str, str]] = []
    alternates: dict[int, list[str]] = {}
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        if tuple(next(reader)) != COLUMNS:
            raise ValueError(f"{path} does not have the columns {COLUMNS}; rebuild it with scripts/build_gazetteer.py")
        for kind, name, key, name_skeleton, alt, city, district, state, pincode, lat, lng, population, rank in reader:
            if alt:
                alternates[len(entries)] = alt.split("|")
            keys.append((key, name_skeleton))
            entries.append(Entry(kind, name, city, district, state, pincode, float(lat), float(lng), int(population),
                                 int(rank)))
    return Gazetteer(entries, keys, alternates)


_loaded: Gazetteer | None = None
_load_lock = threading.Lock()


def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer, loaded on first use (about a second), shared by all threads."""
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
