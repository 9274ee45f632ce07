"""media.services: face prints of stored photos, forgetting them, and the 1:N search kept in sync with the table."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from media import faces, matching, services
from media.models import FacePrint
from media.tests.fixtures import cached_face_analysis, fresh_face_indexes  # noqa: F401 - fixtures
from media.tests.conftest import PHOTOS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_face_indexes")]


def store(photo: str, folder: str = "cases/photos") -> str:
    return default_storage.save(f"{folder}/{uuid.uuid4().hex}.jpg", ContentFile(PHOTOS[photo]()))


def add_print(analyses, photo: str, group: str = "case") -> FacePrint:
    """A face print row straight from a cached analysis (no storage, no new analysis)."""
    analysis = analyses[photo]
    return FacePrint.objects.create(
        photo_name=f"{group}/{photo}-{uuid.uuid4().hex}.jpg", group=group, status=analysis.status,
        face_count=analysis.face_count, boxes=[list(box) for box in analysis.boxes] or None,
        encodings=faces.encodings_to_bytes(analysis.encodings) if analysis.encodings else None,
    )


# --- analyse_stored_photo ----------------------------------------------------------------------------------


def test_stored_photo_gets_a_face_print_with_box_encoding_and_size(analyses, cached_face_analysis):
    name = store("obama_1")

    face_print = services.analyse_stored_photo(name=name, group="case")

    expected = analyses["obama_1"]
    assert (face_print.photo_name, face_print.group) == (name, "case")
    assert (face_print.status, face_print.face_count, face_print.chosen_face) == (FacePrint.Status.ONE_FACE, 1, None)
    assert face_print.boxes == [list(expected.box)]
    assert (face_print.width, face_print.height) == (640, 800)
    assert bytes(FacePrint.objects.get().encodings) == faces.encoding_to_bytes(expected.encoding)


def test_analysing_a_photo_twice_updates_its_one_print(cached_face_analysis):
    name = store("obama_1")
    first = services.analyse_stored_photo(name=name, group="case")

    second = services.analyse_stored_photo(name=name, group="case")

    assert FacePrint.objects.count() == 1
    assert second.pk == first.pk
    assert FacePrint.objects.get().analysed_at == second.analysed_at >= first.analysed_at


def test_photo_without_a_face_is_recorded_as_no_face(cached_face_analysis):
    face_print = services.analyse_stored_photo(name=store("landscape"), group="sighting")

    assert (face_print.status, face_print.face_count, face_print.boxes) == (FacePrint.Status.NO_FACE, 0, None)
    assert FacePrint.objects.get().encodings is None


def test_photo_with_two_people_is_recorded_with_both_faces(analyses, cached_face_analysis):
    face_print = services.analyse_stored_photo(name=store("two_people"), group="sighting")

    assert (face_print.status, face_print.face_count) == (FacePrint.Status.SEVERAL_FACES, 2)
    assert face_print.boxes == [list(box) for box in analyses["two_people"].boxes]
    assert bytes(face_print.encodings) == faces.encodings_to_bytes(analyses["two_people"].encodings)


def test_a_chosen_face_is_kept_when_the_photo_is_analysed_again(cached_face_analysis):
    name = store("big_and_small_face")
    services.analyse_stored_photo(name=name, group="case", chosen_face=1)

    again = services.analyse_stored_photo(name=name, group="case")

    assert again.chosen_face == 1
    assert again.matched_faces == [1]


def test_a_chosen_face_the_photo_does_not_have_falls_back_to_the_largest(cached_face_analysis):
    face_print = services.analyse_stored_photo(name=store("obama_1"), group="case", chosen_face=3)

    assert face_print.chosen_face == 0


def test_choosing_a_face_that_is_not_there_is_refused(analyses):
    face_print = add_print(analyses, "obama_1")

    with pytest.raises(ValueError):
        services.choose_face(name=face_print.photo_name, face=1)

    assert FacePrint.objects.get().chosen_face is None


def test_file_that_is_not_an_image_is_recorded_as_unreadable():
    name = default_storage.save("sightings/photos/broken.jpg", ContentFile(b"\xff\xd8 not really a JPEG"))

    face_print = services.analyse_stored_photo(name=name, group="sighting")

    assert (face_print.status, face_print.face_count, face_print.boxes) == (FacePrint.Status.UNREADABLE, 0, None)


def test_missing_file_raises_photo_missing_and_stores_nothing():
    with pytest.raises(services.PhotoMissing):
        services.analyse_stored_photo(name="cases/photos/gone.jpg", group="case")

    assert FacePrint.objects.count() == 0


def test_analysed_photo_reuses_the_stored_print_without_reading_the_file(analyses):
    existing = add_print(analyses, "obama_1")

    assert services.analysed_photo(name=existing.photo_name, group="case") == existing  # the file does not exist


def test_face_task_run_twice_keeps_one_print(cached_face_analysis):
    from media.tasks import analyse_photo

    name = store("biden_1")
    analyse_photo.delay(name, "case")
    analyse_photo.delay(name, "case")

    assert list(FacePrint.objects.values_list("photo_name", "status")) == [(name, "one_face")]


def test_face_task_for_a_deleted_file_stores_nothing():
    from media.tasks import analyse_photo

    assert analyse_photo.delay("cases/photos/deleted.jpg", "case").get() is None
    assert FacePrint.objects.count() == 0


# --- forgetting and deleting ---------------------------------------------------------------------------------


def test_forget_photos_deletes_only_their_prints(analyses):
    kept, gone = add_print(analyses, "obama_1"), add_print(analyses, "biden_1")

    assert services.forget_photos([gone.photo_name, "never/analysed.jpg", ""]) == 1

    assert list(FacePrint.objects.values_list("pk", flat=True)) == [kept.pk]


def test_delete_files_removes_the_files_and_their_prints(cached_face_analysis):
    name = store("obama_1")
    services.analyse_stored_photo(name=name, group="case")

    assert services.delete_files([(default_storage, name)]) == 1

    assert not default_storage.exists(name)
    assert FacePrint.objects.count() == 0


# --- summaries for staff ----------------------------------------------------------------------------------------


def test_face_summary_gives_the_status_and_the_box_as_percentages_of_the_photo():
    FacePrint.objects.create(photo_name="p.jpg", group="case", status="several_faces", face_count=2,
                             boxes=[[100, 300, 300, 100], [500, 200, 560, 140]], width=400, height=800,
                             encodings=bytes(1024))

    summary = matching.face_summary("p.jpg")

    assert summary.status == "several_faces"
    assert summary.label == "Several faces (each is compared)"
    assert summary.face_count == 2
    assert summary.faces == (matching.Face(0, (100, 300, 300, 100)), matching.Face(1, (500, 200, 560, 140)))
    assert summary.box == (100, 300, 300, 100)
    assert summary.box_percent == {"left": 25.0, "top": 12.5, "width": 50.0, "height": 25.0}


def test_face_summary_of_a_photo_about_one_face_names_that_face():
    FacePrint.objects.create(photo_name="p.jpg", group="case", status="several_faces", face_count=2,
                             boxes=[[100, 300, 300, 100], [500, 200, 560, 140]], width=400, height=800,
                             encodings=bytes(1024), chosen_face=1)

    summary = matching.face_summary("p.jpg")

    assert (summary.chosen, summary.face, summary.matched_faces) == (
        1, matching.Face(1, (500, 200, 560, 140)), (matching.Face(1, (500, 200, 560, 140)),))


def test_face_summary_of_an_unanalysed_photo_is_none():
    assert matching.face_summary("never/analysed.jpg") is None


# --- search_group ------------------------------------------------------------------------------------------------


def test_search_finds_the_same_person_within_the_group_only(analyses):
    same_person = add_print(analyses, "obama_1", group="case")
    add_print(analyses, "biden_1", group="case")
    add_print(analyses, "obama_1_resized", group="sighting")

    found = services.search_group(analyses["obama_2"].encoding, "case", max_distance=0.55, limit=5)

    distance = faces.face_distance(analyses["obama_1"].encoding, analyses["obama_2"].encoding)
    assert [key for key, _ in found] == [(same_person.photo_name, 0)]
    assert found[0][1] == pytest.approx(distance, abs=1e-5)


def test_search_finds_every_face_of_a_group_photo(analyses):
    group_photo = add_print(analyses, "big_and_small_face", group="sighting")

    obama = services.search_group(analyses["obama_2"].encoding, "sighting", max_distance=0.55, limit=5)
    biden = services.search_group(analyses["biden_2"].encoding, "sighting", max_distance=0.55, limit=5)

    assert [key for key, _ in obama] == [(group_photo.photo_name, 0)]
    assert [key for key, _ in biden] == [(group_photo.photo_name, 1)]


def test_search_of_a_photo_about_one_face_finds_that_face_only(analyses, django_capture_on_commit_callbacks):
    group_photo = add_print(analyses, "big_and_small_face", group="case")
    assert len(services.search_group(analyses["biden_2"].encoding, "case", max_distance=0.55, limit=5)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.choose_face(name=group_photo.photo_name, face=0)  # the photo is about Obama

    assert services.search_group(analyses["biden_2"].encoding, "case", max_distance=0.55, limit=5) == []
    assert [key for key, _ in services.search_group(analyses["obama_2"].encoding, "case", max_distance=0.55,
                                                    limit=5)] == [(group_photo.photo_name, 0)]


def test_search_sees_a_print_added_after_the_first_search(analyses):
    add_print(analyses, "biden_1")
    assert services.search_group(analyses["obama_2"].encoding, "case", max_distance=0.55, limit=5) == []

    added = add_print(analyses, "obama_1")

    found = services.search_group(analyses["obama_2"].encoding, "case", max_distance=0.55, limit=5)
    assert [key for key, _ in found] == [(added.photo_name, 0)]


def test_search_no_longer_finds_a_forgotten_print(analyses):
    face_print = add_print(analyses, "obama_1")
    assert len(services.search_group(analyses["obama_2"].encoding, "case", max_distance=0.55, limit=5)) == 1

    services.forget_photos([face_print.photo_name])

    assert services.search_group(analyses["obama_2"].encoding, "case", max_distance=0.55, limit=5) == []


def test_search_drops_a_print_that_lost_its_face_on_a_new_analysis(analyses):
    face_print = add_print(analyses, "obama_1")
    assert len(services.search_group(analyses["obama_2"].encoding, "case", max_distance=0.55, limit=5)) == 1

    FacePrint.objects.filter(pk=face_print.pk).update(status="no_face", face_count=0, boxes=None, encodings=None,
                                                      analysed_at=face_print.analysed_at)

    assert services.search_group(analyses["obama_2"].encoding, "case", max_distance=0.55, limit=5) == []


def test_search_after_a_committed_change_token_needs_no_query_while_nothing_changes(
    analyses, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        services.forget_photos([add_print(analyses, "biden_1").photo_name])  # sets the group's change token
    services.search_group(analyses["obama_2"].encoding, "case", max_distance=0.55, limit=5)

    with django_assert_num_queries(0):
        found = services.search_group(analyses["obama_2"].encoding, "case", max_distance=0.55, limit=5)

    assert found == []


def test_search_forgets_a_deleted_print_from_the_deletion_log_without_reading_every_name(
    analyses, django_assert_num_queries
):
    face_print = add_print(analyses, "obama_1")
    services.search_group(analyses["obama_2"].encoding, "case", max_distance=0.55, limit=5)
    services.forget_photos([face_print.photo_name])

    with django_assert_num_queries(2):  # the deletions logged and the rows analysed since the last search
        found = services.search_group(analyses["obama_2"].encoding, "case", max_distance=0.55, limit=5)

    assert found == []


def test_search_checks_the_table_periodically_even_without_a_change_token(analyses, monkeypatch):
    # A process whose cache is its own (no Redis) never sees other processes' tokens: the periodic check covers it.
    monkeypatch.setattr(services, "_CHECK_AFTER", 0.0)
    cache.set(services._version_key("case"), "token-of-the-last-change")
    services.search_group(analyses["obama_2"].encoding, "case", max_distance=0.55, limit=5)
    added = add_print(analyses, "obama_1")  # no new token: written as another process would

    found = services.search_group(analyses["obama_2"].encoding, "case", max_distance=0.55, limit=5)

    assert [key for key, _ in found] == [(added.photo_name, 0)]


def test_forgetting_logs_the_deletion_and_purges_entries_older_than_a_day(analyses):
    from media.models import FacePrintDeletion

    old = FacePrintDeletion.objects.create(photo_name="old.jpg", group="case",
                                           deleted_at=timezone.now() - timedelta(days=2))
    face_print = add_print(analyses, "obama_1")

    services.forget_photos([face_print.photo_name])

    assert list(FacePrintDeletion.objects.values_list("photo_name", "group")) == [(face_print.photo_name, "case")]
    assert not FacePrintDeletion.objects.filter(pk=old.pk).exists()
