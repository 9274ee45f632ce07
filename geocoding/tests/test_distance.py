"""The one haversine: the same distance from plain numbers and from numpy arrays."""

import math

import numpy as np
import pytest

from geocoding.distance import EARTH_RADIUS_KM, arc_km, chord, haversine_km, unit_vectors

PUNE, MUMBAI = (18.5204, 73.8567), (19.0760, 72.8777)


def test_one_degree_of_latitude_is_the_radius_times_pi_over_180():
    assert haversine_km(18.0, 73.0, 19.0, 73.0) == pytest.approx(EARTH_RADIUS_KM * math.pi / 180, rel=1e-12)


def test_plain_numbers_give_a_float():
    distance = haversine_km(*PUNE, *MUMBAI)
    assert type(distance) is float
    assert distance == pytest.approx(120.15, abs=0.01)


def test_arrays_give_the_same_distances_as_numbers_one_by_one():
    lats, lngs = np.array([PUNE[0], MUMBAI[0], 28.6139]), np.array([PUNE[1], MUMBAI[1], 77.2090])
    together = haversine_km(lats, lngs, *PUNE)
    assert isinstance(together, np.ndarray)
    assert together.tolist() == pytest.approx([haversine_km(a, b, *PUNE) for a, b in zip(lats, lngs)], rel=1e-12)


def test_antipodes_are_half_the_circumference():
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * EARTH_RADIUS_KM, rel=1e-12)


def test_chord_between_unit_vectors_turns_back_into_the_distance():
    a, b = unit_vectors([PUNE[0], MUMBAI[0]], [PUNE[1], MUMBAI[1]])
    assert float(arc_km(np.linalg.norm(a - b))) == pytest.approx(haversine_km(*PUNE, *MUMBAI), rel=1e-9)
    assert chord(haversine_km(*PUNE, *MUMBAI)) == pytest.approx(float(np.linalg.norm(a - b)), rel=1e-9)
