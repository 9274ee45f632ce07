"""1:N search over encodings: ordering, limits, filtering, removal and growth."""

import numpy as np
import pytest

from media.face_index import FaceIndex


def at(distance: float, axis: int = 0) -> np.ndarray:
    """An encoding exactly `distance` from the origin encoding, along one axis."""
    encoding = np.zeros(128)
    encoding[axis] = distance
    return encoding


ORIGIN = np.zeros(128)


@pytest.fixture
def index():
    return FaceIndex([("case-b", at(0.3, 1)), (17, at(0.1, 2)), ("case-c", at(0.2, 3)), ("case-d", at(0.7, 4))])


def test_search_returns_nearest_first_with_distances(index):
    result = index.search(ORIGIN, max_distance=None, limit=None)

    assert [key for key, _ in result] == [17, "case-c", "case-b", "case-d"]
    assert [round(distance, 6) for _, distance in result] == [0.1, 0.2, 0.3, 0.7]


def test_search_stops_at_limit(index):
    assert [key for key, _ in index.search(ORIGIN, limit=2)] == [17, "case-c"]


def test_search_leaves_out_faces_beyond_max_distance(index):
    assert [key for key, _ in index.search(ORIGIN, max_distance=0.25)] == [17, "case-c"]


def test_face_exactly_at_max_distance_is_kept():
    index = FaceIndex([("near", at(0.5)), ("far", at(0.75))])

    assert [key for key, _ in index.search(ORIGIN, max_distance=0.5)] == ["near"]


def test_removed_face_is_not_found_and_the_others_still_are(index):
    index.remove(17)

    assert 17 not in index
    assert len(index) == 3
    assert [key for key, _ in index.search(ORIGIN, limit=None)] == ["case-c", "case-b", "case-d"]


def test_removing_the_last_face_leaves_the_others(index):
    index.remove("case-d")

    assert [key for key, _ in index.search(ORIGIN, limit=None)] == [17, "case-c", "case-b"]


def test_removing_an_unknown_key_raises_and_changes_nothing(index):
    with pytest.raises(KeyError):
        index.remove("no-such-case")

    assert len(index) == 4


def test_adding_an_existing_key_replaces_its_encoding(index):
    index.add("case-d", at(0.05, 4))

    assert len(index) == 4
    assert index.search(ORIGIN, limit=1)[0][0] == "case-d"


def test_empty_index_finds_nothing():
    assert FaceIndex().search(ORIGIN, max_distance=None, limit=None) == []


def test_index_emptied_by_removal_finds_nothing():
    index = FaceIndex([(1, at(0.1))])
    index.remove(1)

    assert index.search(ORIGIN) == []


def test_limit_zero_finds_nothing(index):
    assert index.search(ORIGIN, limit=0) == []


def test_index_grows_past_its_first_allocation():
    index = FaceIndex()
    for key in range(100):
        index.add(key, at(0.01 * (key + 1), key % 128))

    assert len(index) == 100
    assert [key for key, _ in index.search(ORIGIN, limit=3)] == [0, 1, 2]
    assert index.search(at(1.0, 99 % 128), limit=1)[0][0] == 99


def test_order_matches_brute_force_on_random_encodings():
    rng = np.random.default_rng(3)
    encodings = rng.normal(0, 0.09, (2000, 128))
    query = rng.normal(0, 0.09, 128)
    index = FaceIndex(enumerate(encodings))

    result = index.search(query, max_distance=1.2, limit=25)

    stored = encodings.astype(np.float32).astype(np.float64)
    distances = np.linalg.norm(stored - query.astype(np.float32), axis=1)
    expected = [int(i) for i in np.argsort(distances) if distances[i] <= 1.2][:25]
    assert [key for key, _ in result] == expected


def test_real_photo_finds_the_same_person_among_others(analyses):
    index = FaceIndex((name, analyses[name].encoding) for name in ("obama_1", "biden_1", "biden_2"))

    result = index.search(analyses["obama_2"].encoding, max_distance=0.45, limit=5)

    assert [key for key, _ in result] == ["obama_1"]


@pytest.mark.parametrize("encoding", [np.zeros(127), np.zeros((2, 128)), np.full(128, np.nan)])
def test_malformed_encoding_is_refused(encoding):
    index = FaceIndex()

    with pytest.raises(ValueError):
        index.add("case", encoding)

    assert len(index) == 0


def test_index_built_with_a_repeated_key_keeps_the_last_encoding():
    index = FaceIndex([("case", at(0.9)), ("other", at(0.5, 1)), ("case", at(0.1))])

    assert len(index) == 2
    assert index.search(ORIGIN, limit=None) == [("case", pytest.approx(0.1, abs=1e-6)), ("other", 0.5)]


def test_building_from_a_malformed_encoding_is_refused():
    with pytest.raises(ValueError):
        FaceIndex([("case", at(0.1)), ("bad", np.zeros(64))])
