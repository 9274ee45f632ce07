"""Reuniting, end to end with in-process tasks and real photographs: every face of a photo is matched, records are
searched in both directions (cases, sightings of other cases, found children), a child reported twice is found by
name and phone, and every pair lands once in the review queue."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cases import candidates, events, found, tasks
from cases import faces as case_faces
from cases.models import Case, FoundChild, MatchCandidate, Verdict
from cases.tests.reunite_fixtures import (  # noqa: F401 - fixtures
    match_settings,
    register_found,
    report,
    run_after_commit,
    set_status,
    sight,
)
from media.models import FacePrint
from media.tests.conftest import PHOTOS  # noqa: F401 - the photos the fixtures use
from media.tests.fixtures import cached_face_analysis, fresh_face_indexes  # noqa: F401 - fixtures
from notifications.models import Delivery

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("cached_face_analysis", "fresh_face_indexes", "match_settings"),
]

Kind = MatchCandidate.Kind


def queue() -> list[tuple]:
    return list(MatchCandidate.objects.order_by("pk").values_list("kind", "status", "verdict"))


# --- Every face --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("photo", ["hopper_big_obama_small", "obama_big_hopper_small"])
def test_sighting_of_the_child_beside_an_adult_is_likely_whichever_face_is_larger(report, sight, photo):
    case = report("obama_1")

    sighting = sight(case, photo)

    assert sighting.face_match_verdict == Verdict.LIKELY
    assert Delivery.objects.filter(event_key=f"case:{case.reference}:match:{sighting.pk}").count() == 1


def test_group_photo_of_other_people_stays_unlikely(report, sight):
    case = report("biden_1")

    assert sight(case, "hopper_big_obama_small").face_match_verdict == Verdict.UNLIKELY


def test_sighting_on_another_case_is_a_candidate_with_the_smaller_face_framed(report, sight):
    child = report("obama_1", name="Vihaan Rao", phone="+919822000202")
    other = report("biden_1", phone="+919822000303")

    sighting = sight(other, "hopper_big_obama_small")

    candidate = MatchCandidate.objects.get()
    assert (candidate.kind, candidate.case, candidate.sighting, candidate.verdict) == (
        Kind.CASE_SIGHTING, child, sighting, Verdict.LIKELY)
    assert (candidate.faces["photo"], candidate.faces["face"]) == (child.photo.name, 0)
    assert (candidate.faces["other_photo"], candidate.faces["other_face"]) == (sighting.photo.name, 1)
    assert candidate.faces["other_size"] == [800, 500]


def test_case_photo_about_the_smaller_face_is_matched_on_it(report, sight, run_after_commit):
    case = report("big_and_small_face")  # Obama large, Biden small
    run_after_commit(case_faces.choose_case_face, case=case, face=1, by=None)  # the child is the small face

    biden = sight(case, "biden_2")
    obama = sight(case, "obama_2")

    assert (biden.face_match_verdict, obama.face_match_verdict) == (Verdict.LIKELY, Verdict.UNLIKELY)


# --- Both directions ---------------------------------------------------------------------------------------------


def test_a_new_case_finds_an_earlier_sighting_filed_on_another_case(report, sight):
    other = report("biden_1", name="Kabir Das", phone="+919822000303")
    sighting = sight(other, "hopper_big_obama_small")
    assert MatchCandidate.objects.count() == 0

    case = report("obama_1", name="Vihaan Rao", phone="+919822000202")

    candidate = MatchCandidate.objects.get()
    assert (candidate.kind, candidate.case, candidate.sighting, candidate.verdict, candidate.status) == (
        Kind.CASE_SIGHTING, case, sighting, Verdict.LIKELY, "pending")
    assert (candidate.faces["face"], candidate.faces["other_face"]) == (0, 1)
    assert Delivery.objects.filter(event_key=f"case:{case.reference}:candidate:{candidate.pk}").count() == 1


def test_a_new_case_finds_an_open_found_child(report, register_found):
    child = register_found("obama_2")

    case = report("obama_1")

    candidate = MatchCandidate.objects.get()
    assert (candidate.kind, candidate.case, candidate.found_child, candidate.verdict) == (
        Kind.CASE_FOUND, case, child, Verdict.LIKELY)
    assert candidate.distance_km == pytest.approx(1.5, abs=0.2)  # Koregaon Park to Kalyani Nagar
    assert candidate.age_gap == 0


def test_a_found_child_finds_an_open_case(report, register_found):
    case = report("obama_1")

    child = register_found("obama_2")

    assert list(MatchCandidate.objects.values_list("kind", "case", "found_child", "verdict")) == [
        (Kind.CASE_FOUND, case.pk, child.pk, Verdict.LIKELY)]


def test_a_reunited_found_child_is_not_searched_and_keeps_no_faces(report, register_found, run_after_commit):
    child = register_found("obama_2")
    run_after_commit(found.change_status, child=child, to=FoundChild.Status.REUNITED)

    report("obama_1")

    assert MatchCandidate.objects.count() == 0
    assert not FacePrint.objects.filter(group="found").exists()


def test_a_found_child_registered_twice_is_a_candidate(register_found):
    first = register_found("obama_2")

    second = register_found("obama_1")

    candidate = MatchCandidate.objects.get()
    assert (candidate.kind, candidate.found_child, candidate.other_found_child, candidate.verdict) == (
        Kind.FOUND_FOUND, first, second, Verdict.LIKELY)


def test_a_found_child_giving_the_same_name_as_a_case_is_a_candidate_without_a_face(report, register_found):
    case = report(None, name="Aarav Sharma")

    child = register_found(stated_name="आरव", age=8)

    candidate = MatchCandidate.objects.get()
    assert (candidate.kind, candidate.case, candidate.found_child, candidate.verdict) == (
        Kind.CASE_FOUND, case, child, "")
    assert candidate.name_similarity == 0.8  # "Aarav" alone against "Aarav Sharma": similar, not the same name


def test_a_first_name_alone_far_away_and_long_ago_is_not_a_candidate(report, register_found):
    report(None, name="Aarav Sharma", hours_ago=24 * 90)  # Pune, three months ago

    register_found(stated_name="Aarav", age=8, place=(Decimal("28.613900"), Decimal("77.209000")))  # Delhi

    assert MatchCandidate.objects.count() == 0


# --- Duplicate cases ---------------------------------------------------------------------------------------------


def test_a_case_reported_twice_in_latin_and_devanagari_with_the_same_phone_is_a_duplicate(report):
    first = report(None, name="Aarav Sharma", phone="+919822000101")

    second = report(None, name="आरव शर्मा", phone="+919822000101", place=None)

    candidate = MatchCandidate.objects.get()
    assert (candidate.kind, candidate.case, candidate.other_case) == (Kind.CASE_CASE, first, second)
    assert (candidate.name_similarity, candidate.same_phone, candidate.verdict) == (1.0, True, "")
    assert candidate.distance_km < 10  # the second report's place was looked up: the same park
    assert candidate.strength == 95  # same phone 40, same name 30, within 10 km 10, within a week 10, same age 5


def test_a_case_reported_twice_with_the_same_photo_is_a_duplicate_by_face(report):
    first = report("obama_1", name="Vihaan Rao", phone="+919822000202")

    second = report("obama_2", name="Vihan", phone="+919822000303")

    candidate = MatchCandidate.objects.get()
    assert (candidate.kind, candidate.case, candidate.other_case, candidate.verdict, candidate.same_phone) == (
        Kind.CASE_CASE, first, second, Verdict.LIKELY, False)


def test_two_children_of_one_family_are_not_duplicates(report):
    report(None, name="Aarav Sharma", phone="+919822000101")

    report(None, name="Meera Sharma", phone="+919822000101", age=4)

    assert MatchCandidate.objects.count() == 0


def test_different_children_with_different_names_and_phones_are_not_duplicates(report):
    report("obama_1", name="Vihaan Rao", phone="+919822000202")

    report("biden_1", name="Kabir Das", phone="+919822000303")

    assert MatchCandidate.objects.count() == 0


# --- One row per pair, and the queue kept honest -----------------------------------------------------------------


def test_searching_again_keeps_one_row_per_pair_and_one_alert(report, register_found):
    register_found("obama_2")
    case = report("obama_1")

    tasks.reunite_case.delay(case.pk)
    tasks.rematch_case.delay(case.pk)

    assert MatchCandidate.objects.count() == 1
    candidate = MatchCandidate.objects.get()
    assert Delivery.objects.filter(event_key__contains=f":candidate:{candidate.pk}").count() == 1


def test_a_rejected_pair_is_never_suggested_again(report, register_found, run_after_commit):
    from cases import review

    child = register_found("obama_2")
    case = report("obama_1")
    candidate = MatchCandidate.objects.get()
    run_after_commit(review.reject, candidate=candidate, by=None)

    tasks.reunite_case.delay(case.pk)
    tasks.reunite_found_child.delay(child.pk)

    assert queue() == [(Kind.CASE_FOUND, "rejected", Verdict.LIKELY)]
    assert Delivery.objects.filter(event_key__contains=":candidate:").count() == 1  # the first, none after


def test_a_possible_face_is_a_candidate_without_an_alert(report, register_found, settings):
    settings.FACE_MATCH_LIKELY_DISTANCE = 0.2  # obama_1 / obama_2 (~0.36) is now only "possible"
    register_found("obama_2")

    report("obama_1")

    assert queue() == [(Kind.CASE_FOUND, "pending", Verdict.POSSIBLE)]
    assert not Delivery.objects.filter(event_key__contains=":candidate:").exists()


def test_the_staff_alert_names_both_records_and_no_phone(report, register_found, settings):
    settings.SITE_URL = "https://sachet.example.org"
    child = register_found("obama_2")
    case = report("obama_1", phone="+919822000101", reporter_phone="+919822000999")

    delivery = Delivery.objects.filter(event_key__contains=":candidate:").get()

    text = f"{delivery.title} {delivery.body} {delivery.link}"
    assert case.reference in text and child.reference in text
    assert "9822000101" not in text and "9822000999" not in text
    assert "/cases/matchcandidate/" in delivery.link


def test_a_found_case_leaves_the_queue_and_its_faces_are_forgotten(report, register_found, set_status):
    register_found("obama_2")
    case = report("obama_1")

    set_status(case, Case.Status.FOUND)

    assert MatchCandidate.objects.count() == 0
    assert not FacePrint.objects.filter(group="case").exists()


def test_a_new_case_photo_drops_the_pending_candidates_of_the_old_one(report, register_found,
                                                                      django_capture_on_commit_callbacks):
    register_found("obama_2")
    case = report("obama_1")
    assert MatchCandidate.objects.count() == 1
    from django.core.files.base import ContentFile

    case.photo.save("new.jpg", ContentFile(PHOTOS["biden_1"]()), save=True)
    with django_capture_on_commit_callbacks(execute=True):
        events.schedule_rematch(case)

    assert MatchCandidate.objects.count() == 0


def test_drop_pending_keeps_decided_rows(report, register_found, run_after_commit):
    from cases import review

    register_found("obama_2")
    case = report("obama_1")
    run_after_commit(review.reject, candidate=MatchCandidate.objects.get(), by=None)

    assert candidates.drop_pending(case=case) == 0
    assert MatchCandidate.objects.count() == 1
