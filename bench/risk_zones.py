"""Time risk-zone clustering on synthetic cases around ten Indian cities, against the original algorithm.

Run from the repo root: .venv/bin/python bench/risk_zones.py [--sizes 1000,10000,100000] [--dbscan]
Prints, per size: seconds, zones, cases in zones, largest zone (cases), widest zone (km from its centre) and the
peak memory of the clustering: each size runs in a fresh process, which reports its peak resident memory
(ru_maxrss, what the operating system had to give it) and, before the run, its resident memory with numpy and
scikit-learn loaded.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
import resource
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.clustering import EARTH_RADIUS_KM, find_zones, haversine_km  # noqa: E402

CITIES = {  # city centres, degrees
    "Delhi": (28.6139, 77.2090),
    "Mumbai": (19.0760, 72.8777),
    "Bengaluru": (12.9716, 77.5946),
    "Kolkata": (22.5726, 88.3639),
    "Chennai": (13.0827, 80.2707),
    "Hyderabad": (17.3850, 78.4867),
    "Pune": (18.5204, 73.8567),
    "Ahmedabad": (23.0225, 72.5714),
    "Jaipur": (26.9124, 75.7873),
    "Lucknow": (26.8467, 80.9462),
}
SPREAD_KM = 5.0  # standard deviation of cases around a city centre
RADIUS_KM = 2.0
MIN_CASES = 3
BASELINE_BUDGET_S = 60.0


def synthetic_cases(n: int, seed: int = 42) -> np.ndarray:
    """n last-seen points, each near a random city centre with a normal spread of SPREAD_KM."""
    rng = np.random.default_rng(seed)
    centres = np.array(list(CITIES.values()))[rng.integers(0, len(CITIES), n)]
    km_per_deg = EARTH_RADIUS_KM * math.pi / 180
    lat = centres[:, 0] + rng.normal(0, SPREAD_KM / km_per_deg, n)
    lng = centres[:, 1] + rng.normal(0, SPREAD_KM / km_per_deg, n) / np.cos(np.radians(centres[:, 0]))
    return np.column_stack((lat, lng))


def original_greedy(points: list[tuple[float, float]], radius_km: float = RADIUS_KM, min_cases: int = MIN_CASES):
    """The original algorithm, as it was: each unassigned case in order takes every later unassigned case within
    radius_km of it. Returns (seed, members) per zone."""

    def haversine(lat1, lng1, lat2, lng2):
        p1, p2 = math.radians(lat1), math.radians(lat2)
        dp, dl = p2 - p1, math.radians(lng2 - lng1)
        a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))

    assigned = [False] * len(points)
    zones = []
    for i, (lat, lng) in enumerate(points):
        if assigned[i]:
            continue
        members = [i]
        for j in range(i + 1, len(points)):
            if not assigned[j] and haversine(lat, lng, *points[j]) <= radius_km:
                members.append(j)
        if len(members) >= min_cases:
            for m in members:
                assigned[m] = True
            zones.append((i, members))
    return zones


def dbscan_zones(points: np.ndarray) -> list[np.ndarray]:
    """Plain DBSCAN with eps = RADIUS_KM, for comparison: member indices per cluster."""
    from sklearn.cluster import DBSCAN

    labels = DBSCAN(eps=RADIUS_KM / EARTH_RADIUS_KM, min_samples=MIN_CASES, metric="haversine",
                    algorithm="ball_tree", n_jobs=2).fit_predict(np.radians(points))
    return [np.flatnonzero(labels == k) for k in range(labels.max() + 1)]


def extent_km(points: np.ndarray, centre: tuple[float, float], members) -> float:
    members = np.asarray(members)
    return float(haversine_km(centre[0], centre[1], points[members, 0], points[members, 1]).max())


def row(name: str, n: int, seconds: float, sizes: list[int], widest: float) -> str:
    return (f"{name:<16}{n:>8}{seconds:>10.2f}{len(sizes):>8}{sum(sizes):>10}"
            f"{max(sizes, default=0):>9}{widest:>10.2f}")


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def measure_one(n: int) -> None:
    """In this (fresh) process: cluster n synthetic cases and print the figures as JSON."""
    import sklearn.neighbors  # noqa: F401 - loaded before the baseline, as in a worker that has clustered before

    points = synthetic_cases(n)
    before = rss_mb()
    started = time.perf_counter()
    zones = find_zones(points, RADIUS_KM, MIN_CASES)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "sizes": [z.count for z in zones],
                      "widest": max((z.radius_km for z in zones), default=0.0), "before_mb": before,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def measure(n: int) -> dict:
    result = subprocess.run([sys.executable, __file__, "--measure-one", str(n)], capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--dbscan", action="store_true", help="also run plain DBSCAN (eps 2 km) to show chaining")
    parser.add_argument("--original", action="store_true", help="also run the original O(n^2) algorithm")
    parser.add_argument("--measure-one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_one:
        measure_one(args.measure_one)
        return
    sizes = [int(s) for s in args.sizes.split(",")]

    print(f"{len(CITIES)} cities, spread {SPREAD_KM} km, radius {RADIUS_KM} km, min {MIN_CASES} cases")
    print(f"{'method':<16}{'cases':>8}{'seconds':>10}{'zones':>8}{'in zones':>10}{'largest':>9}{'widest km':>10}"
          f"{'peak MB':>9}{'before MB':>10}")
    baseline_rate = None  # seconds per n^2, to predict whether the baseline finishes within budget
    for n in sizes:
        figures = measure(n)
        fast = figures["seconds"]
        print(row("greedy-densest", n, fast, figures["sizes"], figures["widest"])
              + f"{figures['peak_mb']:>9.0f}{figures['before_mb']:>10.0f}")
        if not (args.original or args.dbscan):
            continue
        points = synthetic_cases(n)

        # Unknown rate: a small run first; a large one would take minutes (O(n^2)).
        predicted = baseline_rate * n * n if baseline_rate else (0.0 if n <= 20_000 else math.inf)
        if not args.original:
            pass
        elif predicted > BASELINE_BUDGET_S:
            print(f"{'original':<16}{n:>8}  skipped: predicted {predicted:.0f} s (O(n^2)) > {BASELINE_BUDGET_S:.0f} s")
        else:
            as_list = [tuple(p) for p in points.tolist()]
            started = time.perf_counter()
            old = original_greedy(as_list)
            slow = time.perf_counter() - started
            baseline_rate = slow / (n * n)
            widest = max((extent_km(points, as_list[seed], m) for seed, m in old), default=0.0)
            print(row("original", n, slow, [len(m) for _, m in old], widest) + f"   (x{slow / fast:.0f} slower)")

        if args.dbscan:
            started = time.perf_counter()
            clusters = dbscan_zones(points)
            took = time.perf_counter() - started
            widest = max((extent_km(points, tuple(points[c].mean(axis=0)), c) for c in clusters), default=0.0)
            print(row("plain DBSCAN", n, took, [len(c) for c in clusters], widest))


if __name__ == "__main__":
    main()
