"""media.matching, the public face-matching API: analyse, summaries, compare, search, forget. Real photographs."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from media import faces, matching
from media.models import FacePrint
from media.tests.conftest import PHOTOS
from media.tests.fixtures import cached_face_analysis, fresh_face_indexes  # noqa: F401 - fixtures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cached_face_analysis", "fresh_face_indexes",
                                                             "match_settings")]


def store(photo: str, folder: str = "cases/photos") -> str:
    return default_storage.save(f"{folder}/{uuid.uuid4().hex}.jpg", ContentFile(PHOTOS[photo]()))


def analysed(photo: str, group: str = "case") -> str:
    name = store(photo)
    matching.analyse(name=name, group=group)
    return name


def expected(first: str, second: str) -> faces.MatchScore:
    """The score of two photos from their encodings as stored (float32)."""
    stored = [faces.encoding_from_bytes(faces.encoding_to_bytes(faces.analyse_photo(PHOTOS[p]()).encoding))
              for p in (first, second)]
    return faces.score_distance(faces.face_distance(*stored))


# --- analyse and summaries ---------------------------------------------------------------------------------------


def test_analyse_gives_the_summary_with_the_face_used(analyses):
    name = store("two_people")

    summary = matching.analyse(name=name, group="sighting")

    assert (summary.photo_name, summary.status, summary.face_count) == (name, "several_faces", 2)
    assert summary.label == "Several faces (each is compared)"
    assert summary.face == matching.Face(index=0, box=analyses["two_people"].box)
    assert summary.faces == tuple(matching.Face(i, box) for i, box in enumerate(analyses["two_people"].boxes))
    assert summary.has_face is True
    assert FacePrint.objects.get().group == "sighting"


def test_analyse_keeps_the_stored_analysis_unless_refresh_is_asked():
    name = store("obama_1")
    matching.analyse(name=name, group="case")
    long_ago = timezone.now() - timedelta(days=1)
    FacePrint.objects.update(analysed_at=long_ago)

    again = matching.analyse(name=name, group="case")
    refreshed = matching.analyse(name=name, group="case", refresh=True)

    assert again.analysed_at == long_ago
    assert refreshed.analysed_at > long_ago
    assert FacePrint.objects.count() == 1


def test_analyse_of_a_missing_file_raises_photo_missing_and_stores_nothing():
    with pytest.raises(matching.PhotoMissing):
        matching.analyse(name="cases/photos/gone.jpg", group="case")

    assert FacePrint.objects.count() == 0


def test_photo_without_a_face_has_no_face_to_use():
    summary = matching.analyse(name=store("landscape"), group="sighting")

    assert (summary.status, summary.face, summary.box, summary.has_face) == ("no_face", None, None, False)
    assert summary.box_percent is None


def test_summaries_of_several_photos_take_one_query(django_assert_num_queries):
    with_face, without_face = analysed("obama_1"), analysed("landscape")

    with django_assert_num_queries(1):
        summaries = matching.face_summaries([with_face, without_face, "never/analysed.jpg", ""])

    assert {name: summary.status for name, summary in summaries.items()} == {
        with_face: "one_face", without_face: "no_face"}
    assert matching.face_summary("") is None


def test_face_status_annotations_give_a_page_its_statuses_in_one_query(django_assert_num_queries):
    from media.models import FacePrintDeletion  # any model with a photo name stands for a caller's rows

    names = [analysed("obama_1"), analysed("landscape"), "never/analysed.jpg"]
    for name in names:
        FacePrintDeletion.objects.create(photo_name=name, group="case")

    with django_assert_num_queries(1):
        rows = list(FacePrintDeletion.objects.order_by("pk").annotate(**matching.face_status_annotations("photo_name"))
                    .values_list("face_status", "face_count"))

    assert rows == [("one_face", 1), ("no_face", 0), (None, None)]
    assert [matching.status_label(status) for status, _ in rows[:2]] == ["One face", "No face found"]


# --- compare -------------------------------------------------------------------------------------------------------


def test_compare_the_same_person_is_likely_with_the_faces_used(analyses):
    first, second = analysed("obama_2", group="sighting"), analysed("obama_1")

    match = matching.compare(first, second)

    score = expected("obama_2", "obama_1")
    assert (match.photo_name, match.verdict, match.score) == (second, "likely", score.score)
    assert match.distance == pytest.approx(score.distance)
    assert match.face == matching.Face(index=0, box=analyses["obama_2"].box)
    assert match.other_face == matching.Face(index=0, box=analyses["obama_1"].box)


def test_compare_different_people_is_unlikely():
    match = matching.compare(analysed("biden_1", group="sighting"), analysed("obama_1"))

    assert (match.verdict, match.score) == ("unlikely", 0)


@pytest.mark.parametrize("other", ["landscape", None])
def test_compare_without_a_face_on_one_side_is_no_face_without_a_score(other):
    first = analysed("obama_2", group="sighting")
    second = analysed(other) if other else "cases/photos/never-analysed.jpg"

    match = matching.compare(first, second)

    assert (match.photo_name, match.verdict, match.score, match.distance) == (second, "no_face", None, None)
    assert (match.face, match.other_face) == (None, None)


# --- search ----------------------------------------------------------------------------------------------------


def test_search_finds_the_nearest_faces_of_the_group_within_the_possible_line(analyses):
    same_person = analysed("obama_1")
    analysed("biden_1")  # another person: beyond the possible line
    analysed("obama_1_resized", group="sighting")  # another group
    sighting = analysed("obama_2", group="sighting")

    found = matching.search(sighting, group="case", limit=5)

    score = expected("obama_2", "obama_1")
    assert [(m.photo_name, m.verdict, m.score) for m in found] == [(same_person, "likely", score.score)]
    assert found[0].other_face == matching.Face(index=0, box=analyses["obama_1"].box)
    assert found[0].face == matching.Face(index=0, box=analyses["obama_2"].box)


def test_search_leaves_the_photo_itself_out_and_keeps_the_limit():
    photo, resized, rotated = analysed("obama_1"), analysed("obama_1_resized"), analysed("obama_1_rotated")

    found = matching.search(photo, group="case", limit=1)
    everything = matching.search(photo, group="case")

    assert len(found) == 1 and found[0].photo_name in {resized, rotated}
    assert sorted(m.photo_name for m in everything) == sorted([resized, rotated])
    assert [m.distance for m in everything] == sorted(m.distance for m in everything)


def test_search_with_a_photo_without_a_face_or_not_analysed_finds_nothing():
    analysed("obama_1")

    assert matching.search(analysed("landscape", group="sighting"), group="case") == []
    assert matching.search("sightings/photos/never-analysed.jpg", group="case") == []


# --- forget --------------------------------------------------------------------------------------------------------


def test_forget_removes_the_faces_from_summaries_and_search():
    case_photo, sighting = analysed("obama_1"), analysed("obama_2", group="sighting")
    assert len(matching.search(sighting, group="case")) == 1

    assert matching.forget([case_photo, "never/analysed.jpg"]) == 1

    assert matching.face_summary(case_photo) is None
    assert matching.search(sighting, group="case") == []
    assert matching.compare(sighting, case_photo).verdict == "no_face"


# --- every face ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("group_photo, face", [("hopper_big_obama_small", 1), ("obama_big_hopper_small", 0)])
def test_compare_uses_the_nearest_pair_of_faces_whichever_is_larger(analyses, group_photo, face):
    sighting, case_photo = analysed(group_photo, group="sighting"), analysed("obama_1")

    match = matching.compare(sighting, case_photo)

    assert match.verdict == "likely"
    assert match.face == matching.Face(index=face, box=analyses[group_photo].boxes[face])
    assert match.other_face == matching.Face(index=0, box=analyses["obama_1"].box)


@pytest.mark.parametrize("group_photo, face", [("hopper_big_obama_small", 1), ("obama_big_hopper_small", 0)])
def test_search_finds_a_group_photo_by_its_matching_face(analyses, group_photo, face):
    sighting = analysed(group_photo, group="sighting")
    case_photo = analysed("obama_1")

    found = matching.search(case_photo, group="sighting")

    assert [(m.photo_name, m.verdict) for m in found] == [(sighting, "likely")]
    assert found[0].other_face == matching.Face(index=face, box=analyses[group_photo].boxes[face])
    assert found[0].face == matching.Face(index=0, box=analyses["obama_1"].box)


def test_search_from_a_group_photo_finds_each_person_once(analyses):
    obama, biden = analysed("obama_1"), analysed("biden_2")
    sighting = analysed("big_and_small_face", group="sighting")

    found = matching.search(sighting, group="case")

    assert {m.photo_name: m.face.index for m in found} == {obama: 0, biden: 1}


def test_search_leaves_out_the_photos_it_is_told_to():
    first, second = analysed("obama_1", group="found"), analysed("obama_1_resized", group="found")
    query = analysed("obama_2", group="found")

    assert [m.photo_name for m in matching.search(query, group="found", exclude=[first])] == [second]


def test_a_photo_about_one_face_is_compared_on_that_face_only(analyses):
    case_photo = store("big_and_small_face")
    matching.analyse(name=case_photo, group="case", face=1)  # the child is the small face (Biden here)

    assert matching.compare(analysed("obama_2", group="sighting"), case_photo).verdict == "unlikely"
    match = matching.compare(analysed("biden_2", group="sighting"), case_photo)
    assert (match.verdict, match.other_face.index) == ("likely", 1)


def test_choosing_another_face_changes_what_is_searched(django_capture_on_commit_callbacks):
    case_photo = store("big_and_small_face")
    matching.analyse(name=case_photo, group="case", face=0)
    sighting = analysed("biden_1", group="sighting")
    assert matching.search(sighting, group="case") == []

    with django_capture_on_commit_callbacks(execute=True):
        summary = matching.choose_face(case_photo, 1)

    assert summary.chosen == 1
    assert [m.photo_name for m in matching.search(sighting, group="case")] == [case_photo]


def test_analyse_with_a_face_the_photo_does_not_have_uses_the_largest():
    summary = matching.analyse(name=store("obama_1"), group="case", face=2)

    assert (summary.chosen, summary.face.index) == (0, 0)


def test_face_box_annotations_give_a_list_its_main_faces_in_one_query(django_assert_num_queries):
    from media.models import FacePrintDeletion

    group_photo = store("big_and_small_face")
    matching.analyse(name=group_photo, group="case", face=1)
    FacePrintDeletion.objects.create(photo_name=group_photo, group="case")

    with django_assert_num_queries(1):
        row = FacePrintDeletion.objects.annotate(**matching.face_box_annotations("photo_name")).get()

    face = matching.main_face(row.face_boxes, row.face_chosen)
    assert (face.index, row.face_width, row.face_height) == (1, 800, 500)
    assert face == matching.face_summary(group_photo).face
