"""Risk zones: compact, disjoint, densest first; noise stays out."""

import math

import numpy as np
import pytest
from sklearn.neighbors import BallTree

from analytics import clustering
from geocoding.distance import chord, unit_vectors
from analytics.clustering import (
    EARTH_RADIUS_KM,
    InvalidPointsError,
    _Neighbourhoods,
    _neighbours,
    find_zones,
    haversine_km,
    name_zone,
)

PUNE = (18.5204, 73.8567)
KM_LAT = 1 / 111.195  # degrees of latitude per km on a sphere of EARTH_RADIUS_KM


def offset(origin, north_km, east_km):
    """A point north_km/east_km from origin (small distances)."""
    lat = origin[0] + north_km * KM_LAT
    return (lat, origin[1] + east_km * KM_LAT / math.cos(math.radians(origin[0])))


def great_circle_km(a, b):
    """Independent pure-Python haversine, to check the vectorised one."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def disc(rng, centre, radius_km, n):
    r = radius_km * np.sqrt(rng.random(n))
    theta = 2 * np.pi * rng.random(n)
    return np.array([offset(centre, y, x) for x, y in zip(r * np.cos(theta), r * np.sin(theta))])


@pytest.fixture
def two_clusters_and_noise():
    a = [offset(PUNE, 0, 0), offset(PUNE, 0.3, 0.1), offset(PUNE, -0.2, 0.4), offset(PUNE, 0.1, -0.3)]
    b = [offset(PUNE, 20, 20), offset(PUNE, 20.5, 20), offset(PUNE, 20, 19.6)]
    noise = [offset(PUNE, -30, 0), offset(PUNE, 0, 45)]
    # interleave so that indices, not input order, decide membership
    points = [a[0], noise[0], b[0], a[1], b[1], a[2], noise[1], b[2], a[3]]
    return np.array(points)


def test_two_clusters_become_two_zones(two_clusters_and_noise):
    zones = find_zones(two_clusters_and_noise)
    assert [z.members for z in zones] == [(0, 3, 5, 8), (2, 4, 7)]


def test_noise_points_belong_to_no_zone(two_clusters_and_noise):
    zones = find_zones(two_clusters_and_noise)
    assigned = {m for z in zones for m in z.members}
    assert 1 not in assigned and 6 not in assigned


def test_zone_count_and_radius_are_real_extent(two_clusters_and_noise):
    zone = find_zones(two_clusters_and_noise)[1]
    centre = (zone.centre_lat, zone.centre_lng)
    farthest = max(great_circle_km(centre, two_clusters_and_noise[m]) for m in zone.members)
    assert zone.count == 3
    assert zone.radius_km == pytest.approx(farthest, abs=1e-9)


def test_fewer_than_min_cases_is_not_a_zone(two_clusters_and_noise):
    zones = find_zones(two_clusters_and_noise, min_cases=4)
    assert [z.members for z in zones] == [(0, 3, 5, 8)]


def test_scattered_cases_make_no_zone():
    points = np.array([offset(PUNE, 12 * i, 11 * (i % 3)) for i in range(10)])
    assert find_zones(points) == []


def test_dense_city_splits_into_many_compact_zones():
    rng = np.random.default_rng(7)
    points = disc(rng, PUNE, 10.0, 3000)  # a 20 km wide city
    zones = find_zones(points)
    assert len(zones) >= 30
    assert max(z.radius_km for z in zones) <= 2.0
    assert max(z.count for z in zones) < 300


def test_dense_city_zones_are_disjoint_and_members_within_radius():
    rng = np.random.default_rng(7)
    points = disc(rng, PUNE, 10.0, 3000)
    zones = find_zones(points)
    members = [m for z in zones for m in z.members]
    assert len(members) == len(set(members))
    for z in zones:
        centre = (z.centre_lat, z.centre_lng)
        assert max(great_circle_km(centre, points[m]) for m in z.members) <= 2.0 + 1e-9


def test_densest_zone_comes_first():
    rng = np.random.default_rng(3)
    sparse = disc(rng, PUNE, 0.5, 5)
    dense = disc(rng, offset(PUNE, 30, 0), 0.5, 9)
    zones = find_zones(np.vstack([sparse, dense]))
    assert [z.count for z in zones] == [9, 5]
    assert zones[0].members == tuple(range(5, 14))


def test_zone_takes_cases_just_inside_the_radius_and_not_just_outside():
    ring = [(math.cos(a), math.sin(a)) for a in np.radians(np.arange(0, 360, 45))]
    inside = [offset(PUNE, 1.99 * n, 1.99 * e) for n, e in ring]
    outside = [offset(PUNE, 2.01 * n, 2.01 * e) for n, e in ring]
    zones = find_zones(np.array([PUNE, *inside, *outside]), min_cases=9)
    assert [z.members for z in zones] == [tuple(range(9))]


def test_neighbour_search_in_chunks_matches_balltree_haversine(monkeypatch):
    monkeypatch.setattr(clustering, "_QUERY_CHUNK", 64)  # many chunks over two threads
    rng = np.random.default_rng(11)
    points = disc(rng, PUNE, 4.0, 500)
    neighbours = _neighbours(unit_vectors(points[:, 0], points[:, 1]), chord(2.0), n_jobs=2)
    expected = BallTree(np.radians(points), metric="haversine").query_radius(np.radians(points), 2.0 / EARTH_RADIUS_KM)
    got = [sorted(neighbours.of(i).tolist()) for i in range(len(points))]
    assert got == [sorted(e.tolist()) for e in expected]
    rows = np.array([0, 1, 63, 64, 200, 499])  # within and across chunks
    assert neighbours.of_rows(rows).tolist() == [j for i in rows for j in neighbours.of(i).tolist()]


def test_every_point_in_its_own_zone_when_min_cases_is_one():
    points = np.array([offset(PUNE, 10 * i, 0) for i in range(4)])
    zones = find_zones(points, min_cases=1)
    assert sorted(z.members for z in zones) == [(0,), (1,), (2,), (3,)]
    assert [z.radius_km for z in zones] == [0.0, 0.0, 0.0, 0.0]


def test_cases_at_the_same_spot_count_one_by_one():
    spot, other = offset(PUNE, 0, 0), offset(PUNE, 30, 0)
    zones = find_zones(np.array([spot, other, spot, other, spot]))
    assert [(z.members, z.radius_km) for z in zones] == [((0, 2, 4), 0.0)]


def test_empty_input_gives_no_zones():
    assert find_zones(np.empty((0, 2))) == []


def test_nan_coordinates_are_rejected():
    with pytest.raises(InvalidPointsError):
        find_zones(np.array([[18.5, 73.8], [float("nan"), 73.9]]))


def test_out_of_range_latitude_is_rejected():
    with pytest.raises(InvalidPointsError):
        find_zones(np.array([[95.0, 73.8]]))


def test_wrong_shape_is_rejected():
    with pytest.raises(InvalidPointsError):
        find_zones(np.array([18.5, 73.8, 18.6]))


def test_haversine_of_one_degree_of_latitude():
    assert float(haversine_km(18.0, 73.0, 19.0, 73.0)) == pytest.approx(EARTH_RADIUS_KM * math.pi / 180, rel=1e-12)


def test_zone_named_by_most_common_place_ignoring_case_and_spacing():
    places = ["Pune Station", "Koregaon Park", "koregaon  park ", "Pune station", "KOREGAON PARK"]
    assert name_zone(places) == "Koregaon Park"


def test_zone_name_tie_goes_to_first_seen():
    assert name_zone(["Hadapsar", "Swargate", "swargate", "hadapsar"]) == "Hadapsar"


def test_zone_without_place_text_gets_default_name():
    assert name_zone(["", "  ", None]) == "Unnamed area"


def test_weighted_counts_over_chunks_match_one_sum():
    indptr = np.array([0, 3, 4, 9, 11, 12])
    indices = np.array([0, 1, 2, 1, 0, 1, 2, 3, 4, 3, 4, 4], dtype=np.int32)
    chunks = [indices[0:4], indices[4:11], indices[11:12]]  # rows 0-1, 2-3, 4
    weights = np.array([2, 1, 3, 1, 5])

    counts = _Neighbourhoods(indptr, chunks, chunk_rows=2).weighted_counts(weights)

    assert counts.tolist() == np.add.reduceat(weights[indices], indptr[:-1]).tolist()
    assert counts.tolist() == [6, 1, 12, 6, 5]
