"""Face detection, encoding and scoring on real photographs (see conftest for the photos and the cache)."""

import math

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured
from PIL import ImageFile

from media import faces
from media.tests.conftest import PHOTOS, jpeg, landscape


def test_photo_of_one_person_reports_one_face_with_box_and_encoding(analyses):
    analysis = analyses["obama_1"]

    assert analysis.status == faces.ONE_FACE
    assert analysis.face_count == 1
    top, right, bottom, left = analysis.box
    assert 0 <= left < right <= 640 and 0 <= top < bottom <= 800  # obama_1 is stored at 640 x 800
    assert analysis.boxes == (analysis.box,)
    assert analysis.encoding.shape == (128,)


@pytest.mark.parametrize("variant", ["obama_1_resized", "obama_1_rotated", "obama_1_quality_30", "obama_1_cropped"])
def test_altered_copy_of_a_photo_scores_likely(analyses, match_settings, variant):
    match = faces.compare_analyses(analyses["obama_1"], analyses[variant])

    assert match.verdict == faces.LIKELY
    assert match.score >= 80


@pytest.mark.parametrize("first, second", [("obama_1", "obama_2"), ("biden_1", "biden_2")])
def test_two_different_photos_of_one_person_score_likely(analyses, match_settings, first, second):
    match = faces.compare_analyses(analyses[first], analyses[second])

    assert match.verdict == faces.LIKELY
    assert match.score >= 80


@pytest.mark.parametrize("first, second", [("obama_1", "biden_1"), ("obama_2", "biden_2")])
def test_two_different_people_score_unlikely_with_score_zero(analyses, match_settings, first, second):
    match = faces.compare_analyses(analyses[first], analyses[second])

    assert match.verdict == faces.UNLIKELY
    assert match.score == 0


def test_drawn_landscape_reports_no_face(analyses):
    analysis = analyses["landscape"]

    assert analysis.status == faces.NO_FACE
    assert (analysis.face_count, analysis.box, analysis.encoding, analysis.boxes, analysis.encodings) == (
        0, None, None, (), ())


def test_photo_without_face_compares_as_no_face_with_score_zero(analyses, match_settings):
    match = faces.compare_analyses(analyses["landscape"], analyses["obama_1"])

    assert match == faces.MatchScore(score=0, verdict=faces.NO_FACE, distance=None)


def test_photo_of_two_people_reports_several_faces(analyses):
    analysis = analyses["two_people"]

    assert analysis.status == faces.SEVERAL_FACES
    assert analysis.face_count == 2
    assert len(analysis.boxes) == 2


def test_every_face_is_encoded_largest_first(analyses, match_settings):
    analysis = analyses["big_and_small_face"]

    assert analysis.status == faces.SEVERAL_FACES
    assert analysis.face_count == 2
    assert [encoding.shape for encoding in analysis.encodings] == [(128,), (128,)]
    assert analysis.box == analysis.boxes[0]
    assert faces.box_area(analysis.boxes[0]) > 2 * faces.box_area(analysis.boxes[1])
    assert analysis.box[3] > analysis.boxes[1][1]  # the big face was pasted to the right of the small one


@pytest.mark.parametrize("photo, other, expected_face", [
    ("big_and_small_face", "obama_2", 0),  # Obama is the large face
    ("big_and_small_face", "biden_2", 1),  # Biden is the small one
    ("hopper_big_obama_small", "obama_1", 1),
    ("obama_big_hopper_small", "obama_1", 0),
])
def test_a_group_photo_matches_whichever_face_is_the_person(analyses, match_settings, photo, other, expected_face):
    face, other_face, distance = faces.nearest_pair(analyses[photo].encodings, analyses[other].encodings)

    assert (face, other_face) == (expected_face, 0)
    assert faces.compare_analyses(analyses[photo], analyses[other]).verdict == faces.LIKELY
    assert faces.compare_analyses(analyses[photo], analyses[other]).distance == distance


def test_a_group_photo_of_other_people_stays_unlikely(analyses, match_settings):
    assert faces.compare_analyses(analyses["hopper_big_obama_small"], analyses["biden_2"]).verdict == faces.UNLIKELY


def test_faces_smaller_than_the_minimum_are_not_kept(settings):
    settings.FACE_MIN_SIZE = 150  # Obama's face in this photo is ~230 px across, Biden's ~110 px

    analysis = faces.analyse_photo(PHOTOS["big_and_small_face"]())

    assert (analysis.status, analysis.face_count, len(analysis.encodings)) == (faces.ONE_FACE, 1, 1)


def test_at_most_the_largest_faces_are_kept(settings, analyses):
    settings.FACE_MAX_FACES = 1

    analysis = faces.analyse_photo(PHOTOS["big_and_small_face"]())

    assert (analysis.status, analysis.face_count) == (faces.SEVERAL_FACES, 2)  # both found, one kept
    assert analysis.boxes == analyses["big_and_small_face"].boxes[:1]
    assert len(analysis.encodings) == 1


def test_encodings_of_several_faces_go_to_bytes_and_back(analyses):
    encodings = analyses["big_and_small_face"].encodings

    restored = faces.encodings_from_bytes(faces.encodings_to_bytes(encodings))

    assert restored.shape == (2, 128)
    assert np.abs(restored - np.asarray(encodings)).max() < 1e-6
    with pytest.raises(ValueError):
        faces.encodings_from_bytes(b"")


def test_box_is_in_the_photos_own_pixels_when_detection_ran_on_a_smaller_copy(analyses, settings):
    # obama_1 is 640 x 800, so it is detected on a 512 x 640 copy; the 320 x 400 copy is detected as it is.
    assert settings.FACE_DETECT_MAX_SIDE == 640
    full, half = analyses["obama_1"].box, analyses["obama_1_resized"].box

    face_height = full[2] - full[0]
    # Detector boxes come from a pyramid of scales, so the two agree to a fraction of the face, not the pixel.
    assert all(abs(a - 2 * b) < face_height * 0.15 for a, b in zip(full, half))


def test_file_path_is_accepted(tmp_path):
    path = tmp_path / "landscape.jpg"
    path.write_bytes(jpeg(landscape()))

    assert faces.analyse_photo(path).status == faces.NO_FACE


def test_bytes_that_are_not_an_image_raise_unreadable_photo():
    with pytest.raises(faces.UnreadablePhoto):
        faces.analyse_photo(b"this is a voice note, not a photo")


@pytest.mark.parametrize("kept", [400, 0.5])
def test_truncated_jpeg_raises_unreadable_photo(analyses, kept):
    analyses["landscape"]  # face_recognition is imported by now, and with it its Pillow setting
    data = PHOTOS["landscape"]()
    length = kept if isinstance(kept, int) else int(len(data) * kept)

    with pytest.raises(faces.UnreadablePhoto):
        faces.analyse_photo(data[:length])


def test_loading_face_recognition_leaves_pillow_refusing_truncated_images(analyses):
    analyses["landscape"]

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


@pytest.mark.parametrize(
    "distance, score, verdict",
    [
        (0.0, 100, faces.LIKELY),
        (0.225, 90, faces.LIKELY),
        (0.45, 80, faces.LIKELY),
        (0.5, 65, faces.POSSIBLE),
        (0.55, 50, faces.POSSIBLE),
        (0.551, 49, faces.UNLIKELY),
        (0.6, 25, faces.UNLIKELY),
        (0.65, 0, faces.UNLIKELY),
        (0.9, 0, faces.UNLIKELY),
    ],
)
def test_distance_maps_to_documented_score_and_verdict(match_settings, distance, score, verdict):
    assert faces.score_distance(distance) == faces.MatchScore(score=score, verdict=verdict, distance=distance)


def test_score_never_rises_with_distance(match_settings):
    scores = [faces.score_distance(d).score for d in np.linspace(0, 1.2, 481)]

    assert all(a >= b for a, b in zip(scores, scores[1:]))


def test_thresholds_come_from_settings(match_settings):
    match_settings.FACE_MATCH_LIKELY_DISTANCE = 0.3

    assert faces.score_distance(0.4) == faces.MatchScore(score=68, verdict=faces.POSSIBLE, distance=0.4)


@pytest.mark.parametrize("distance", [-0.1, math.nan])
def test_invalid_distance_raises(match_settings, distance):
    with pytest.raises(ValueError):
        faces.score_distance(distance)


def test_thresholds_out_of_order_are_a_configuration_error(match_settings):
    match_settings.FACE_MATCH_POSSIBLE_DISTANCE = 0.4  # below the likely line

    with pytest.raises(ImproperlyConfigured):
        faces.score_distance(0.3)


def test_encoding_survives_storage_as_512_bytes():
    encoding = np.random.default_rng(7).normal(0, 0.1, 128)

    stored = faces.encoding_to_bytes(encoding)

    assert len(stored) == 512
    assert faces.face_distance(faces.encoding_from_bytes(stored), encoding) < 1e-6


def test_stored_encoding_of_wrong_length_raises():
    with pytest.raises(ValueError):
        faces.encoding_from_bytes(b"\0" * 511)


def test_the_astronaut_photo_keeps_both_faces_dlib_finds(analyses):
    analysis = analyses["astronaut"]

    assert (analysis.status, analysis.face_count, len(analysis.encodings)) == (faces.SEVERAL_FACES, 2, 2)
    top, right, bottom, left = analysis.box
    assert (175 - 20 <= left <= 175 + 20) and (76 - 20 <= top <= 76 + 20)  # her face, as NOTES.md measured


def test_different_people_in_group_photos_stay_unlikely_on_every_pair(analyses, match_settings):
    for first, second in [("astronaut", "grace_hopper"), ("astronaut", "obama_1"), ("two_people", "grace_hopper")]:
        match = faces.compare_analyses(analyses[first], analyses[second])
        assert (first, second, match.verdict) == (first, second, faces.UNLIKELY)
