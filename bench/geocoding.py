"""Geocoding benchmark: gazetteer load time and memory, look-up times, and the remembered look-ups (cache hit,
database hit).

Run from the repository root: .venv/bin/python bench/geocoding.py
The load is measured in a fresh process (its arrays already made by `python -m geocoding.gazetteer_arrays`, as the
install does): time and resident memory added by loading, by the first reverse look-up (the coordinate grid) and by a
few look-ups, and whether scikit-learn or scipy came in with it.
It uses a throwaway in-memory SQLite database and the embedded default's cache (files under var/; Redis when REDIS_URL
is set), and the offline gazetteer only: no provider is asked over the network.
"""

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sachet.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")  # settings refuse to load without one
os.environ["SACHET_IGNORE_DOTENV"] = "1"
os.environ["DATABASE_URL"] = "sqlite://:memory:"
os.environ["NOMINATIM_ENABLED"] = "false"
os.environ["GOOGLE_MAPS_API_KEY"] = ""

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402

from geocoding import services  # noqa: E402
from geocoding.providers.gazetteer import get_gazetteer  # noqa: E402

LOCALITIES = ["Koramangala, Bengaluru", "Andheri West, Mumbai", "Connaught Place, New Delhi", "Navrangpura",
              "Banjara Hills, Hyderabad", "Velachery, Chennai", "Kothrud, Pune", "Bandra (W), Bombay"]
CITY_FALLBACKS = ["Koregaon Park, Pune", "Hazratganj, Lucknow", "Salt Lake, Kolkata", "MG Road, Bengaluru"]
POINTS = [(18.5362, 73.8939), (12.9352, 77.6245), (28.6315, 77.2167), (19.0596, 72.8295)]
ROUNDS = 200


def per_call(function, items, rounds=ROUNDS) -> tuple[float, float]:
    """Median and best time per call in milliseconds, over `rounds` passes through `items`."""
    times = []
    for _ in range(rounds):
        for item in items:
            start = time.perf_counter()
            function(item)
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, min(times) * 1000


def report(label: str, median_ms: float, best_ms: float) -> None:
    print(f"{label:<52} median {median_ms:8.3f} ms   best {best_ms:8.3f} ms")


# Run in a fresh interpreter: numpy is imported first (every Sachet process has it), then the gazetteer alone.
LOAD_PROBE = """
import sys, time
sys.path.insert(0, {repo!r})

def rss_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024

import numpy
from geocoding.providers.gazetteer import get_gazetteer
base, start = rss_mb(), time.perf_counter()
gazetteer = get_gazetteer()
loaded, load_s = rss_mb(), time.perf_counter() - start
start = time.perf_counter()
gazetteer.reverse(18.5362, 73.8939)
grid, grid_s = rss_mb(), time.perf_counter() - start
for query in {queries!r}:
    gazetteer.geocode(query)
used = rss_mb()
print(load_s, loaded - base, grid_s, grid - base, used - base, "sklearn" in sys.modules, "scipy" in sys.modules)
"""


def load_in_fresh_process() -> None:
    code = LOAD_PROBE.format(repo=str(REPO), queries=LOCALITIES + CITY_FALLBACKS)
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    load_s, load_mb, grid_s, grid_mb, used_mb = (float(v) for v in output[:5])
    print(f"{'gazetteer load (fresh process)':<52} {load_s * 1000:8.1f} ms   +{load_mb:5.1f} MB resident")
    print(f"{'  + coordinate grid (first reverse)':<52} {grid_s * 1000:8.1f} ms   +{grid_mb:5.1f} MB in all")
    print(f"{'  + 12 look-ups (pages of the arrays read)':<52} {'':>11}   +{used_mb:5.1f} MB in all")
    print(f"{'  scikit-learn / scipy imported':<52} {output[5]:>8} / {output[6]}")


def main() -> None:
    load_in_fresh_process()
    call_command("migrate", "geocoding", verbosity=0)
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"cache: {backend}; database: in-memory SQLite; {os.cpu_count()} CPU(s)")
    gazetteer = get_gazetteer()

    report("gazetteer: locality found", *per_call(gazetteer.geocode, LOCALITIES))
    report("gazetteer: city fallback", *per_call(gazetteer.geocode, CITY_FALLBACKS))
    report("gazetteer: reverse", *per_call(lambda p: gazetteer.reverse(*p), POINTS))
    rng = random.Random(7)
    anywhere = [(rng.uniform(8, 30), rng.uniform(70, 88)) for _ in range(200)]  # land, sea and borders
    report("gazetteer: reverse, 200 random points in India", *per_call(lambda p: gazetteer.reverse(*p), anywhere,
                                                                       rounds=5))
    print(f"{'(target: every gazetteer look-up well under 5 ms)':<52}")

    cache.clear()
    first = per_call(services.geocode, LOCALITIES + CITY_FALLBACKS, rounds=1)
    report("services.geocode: miss (gazetteer + store)", *first)
    report("services.geocode: cache hit", *per_call(services.geocode, LOCALITIES + CITY_FALLBACKS))

    def database_hit(query):
        cache.clear()
        services.geocode(query)

    report("services.geocode: database hit (cache cleared)", *per_call(database_hit, LOCALITIES, rounds=50))
    report("services.reverse: cache hit", *per_call(lambda p: services.reverse(*p), POINTS))


if __name__ == "__main__":
    main()
