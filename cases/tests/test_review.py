"""Confirm, reject and undo in the review queue, and what each does: a found child linked to its case, a case
reported twice merged into the earlier one (its pages redirect, its sightings, notes, history and alerts move) and
the merge reversed. In-process tasks; the same services run under a real worker in test_reunite_worker."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from cases import merging, review
from cases.models import Case, CaseMerge, CaseNote, FoundChild, FoundChildEvent, MatchCandidate, ReviewDecision
from cases.tests.reunite_fixtures import (  # noqa: F401 - fixtures
    match_settings,
    register_found,
    report,
    run_after_commit,
    set_status,
    sight,
)
from media.models import FacePrint
from media.tests.fixtures import cached_face_analysis, fresh_face_indexes  # noqa: F401 - fixtures
from notifications.models import Delivery

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("cached_face_analysis", "fresh_face_indexes", "match_settings"),
]

Kind, Status = MatchCandidate.Kind, MatchCandidate.Status


@pytest.fixture
def inspector(db):
    return User.objects.create_user("inspector", password="x" * 12, is_staff=True)


@pytest.fixture
def found_pair(report, register_found):
    child = register_found("obama_2")
    case = report("obama_1")
    return case, child, MatchCandidate.objects.get(kind=Kind.CASE_FOUND)


@pytest.fixture
def twice(report, sight):
    """A child reported twice (Latin and Devanagari, one phone), the later report with a sighting and a note."""
    first = report(None, name="Aarav Sharma", phone="+919822000101")
    second = report("obama_1", name="आरव शर्मा", phone="+919822000101")
    sighting = sight(second, "obama_2")
    CaseNote.objects.create(case=second, text="Grandmother called from Satara.")
    return first, second, sighting, MatchCandidate.objects.get(kind=Kind.CASE_CASE)


# --- case and found child --------------------------------------------------------------------------------------


def test_confirming_a_found_child_links_it_to_the_case_with_a_note(found_pair, run_after_commit, inspector):
    case, child, candidate = found_pair

    run_after_commit(review.confirm, candidate=candidate, by=inspector)

    child.refresh_from_db()
    candidate.refresh_from_db()
    assert child.case == case
    assert (candidate.status, candidate.decided_by) == (Status.CONFIRMED, inspector)
    assert candidate.decided_at is not None
    assert list(ReviewDecision.objects.values_list("action", "by")) == [("confirmed", inspector.pk)]
    assert FoundChildEvent.objects.filter(found_child=child, action="linked", by=inspector).count() == 1
    note = CaseNote.objects.filter(case=case, author=inspector).get().text
    assert child.reference in note and "Pune railway station" in note and "Shishu Bhavan, Pune" in note
    assert Case.objects.get(pk=case.pk).status == Case.Status.MISSING  # staff mark it found themselves


def test_found_note_reads_as_the_record_of_the_found_child(found_pair):
    _, child, _ = found_pair

    note = review.found_note(child)

    assert note.startswith(f"Found child {child.reference}: found at Pune railway station on ")
    assert note.endswith(", now at Shishu Bhavan, Pune.")


def test_undoing_a_confirmation_unlinks_and_puts_the_pair_back_in_the_queue(found_pair, run_after_commit, inspector):
    case, child, candidate = found_pair
    run_after_commit(review.confirm, candidate=candidate, by=inspector)

    run_after_commit(review.undo, candidate=candidate, by=inspector, note="Wrong child: the mother saw the photo.")

    child.refresh_from_db()
    candidate.refresh_from_db()
    assert child.case is None
    assert (candidate.status, candidate.decided_by, candidate.decided_at) == (Status.PENDING, None, None)
    assert list(ReviewDecision.objects.values_list("action", "note")) == [
        ("confirmed", ""), ("undone", "Wrong child: the mother saw the photo.")]
    assert FoundChildEvent.objects.filter(found_child=child, action="unlinked").count() == 1


def test_rejecting_changes_no_record(found_pair, run_after_commit, inspector):
    case, child, candidate = found_pair

    run_after_commit(review.reject, candidate=candidate, by=inspector)

    child.refresh_from_db()
    assert (child.case, MatchCandidate.objects.get().status) == (None, Status.REJECTED)
    assert not CaseNote.objects.filter(case=case, author=inspector).exists()


def test_undoing_a_rejection_makes_the_pair_pending_again(found_pair, run_after_commit, inspector):
    _, _, candidate = found_pair
    run_after_commit(review.reject, candidate=candidate, by=inspector)

    run_after_commit(review.undo, candidate=candidate, by=inspector)

    assert MatchCandidate.objects.get().status == Status.PENDING


def test_a_decided_pair_cannot_be_decided_again(found_pair, run_after_commit, inspector):
    _, _, candidate = found_pair
    run_after_commit(review.reject, candidate=candidate, by=inspector)

    with pytest.raises(review.DecisionRefused):
        review.confirm(candidate=candidate, by=inspector)

    assert MatchCandidate.objects.get().status == Status.REJECTED
    assert ReviewDecision.objects.count() == 1


def test_a_pending_pair_has_nothing_to_undo(found_pair, inspector):
    with pytest.raises(review.DecisionRefused):
        review.undo(candidate=found_pair[2], by=inspector)

    assert not ReviewDecision.objects.exists()


# --- found child registered twice -----------------------------------------------------------------------------


def test_confirming_a_found_child_registered_twice_marks_the_later_record_and_undo_clears_it(
    register_found, run_after_commit, inspector
):
    first = register_found("obama_2")
    second = register_found("obama_1")
    candidate = MatchCandidate.objects.get(kind=Kind.FOUND_FOUND)

    run_after_commit(review.confirm, candidate=candidate, by=inspector)
    second.refresh_from_db()
    assert (second.duplicate_of, second.is_open) == (first, False)

    run_after_commit(review.undo, candidate=candidate, by=inspector)
    second.refresh_from_db()
    assert second.duplicate_of is None
    assert MatchCandidate.objects.get().status == Status.PENDING


# --- case and another case's sighting ---------------------------------------------------------------------------


def test_confirming_a_sighting_of_another_case_notes_it_on_the_case(report, sight, run_after_commit, inspector):
    case = report("obama_1", name="Vihaan Rao", phone="+919822000202")
    other = report("biden_1", name="Kabir Das", phone="+919822000303")
    sighting = sight(other, "hopper_big_obama_small")
    candidate = MatchCandidate.objects.get()

    run_after_commit(review.confirm, candidate=candidate, by=inspector)

    note = CaseNote.objects.get(case=case, author=inspector).text
    assert other.reference in note and sighting.place in note


# --- a case reported twice: merge and unmerge --------------------------------------------------------------------


def test_confirming_a_case_reported_twice_merges_it_into_the_earlier_case(twice, run_after_commit, inspector):
    first, second, sighting, candidate = twice
    moved_history = set(second.status_changes.values_list("pk", flat=True))

    run_after_commit(review.confirm, candidate=candidate, by=inspector)

    second.refresh_from_db()
    sighting.refresh_from_db()
    assert (second.status, second.merged_into) == (Case.Status.CLOSED, first)
    assert sighting.case == first
    assert set(first.status_changes.values_list("pk", flat=True)) >= moved_history
    assert first.notes.filter(text="Grandmother called from Satara.").exists()
    assert second.status_changes.get().note == f"Merged into {first.reference}: the same child reported twice."
    merge = CaseMerge.objects.get()
    assert (merge.kept, merge.duplicate, merge.candidate, merge.merged_by, merge.previous_status) == (
        first, second, candidate, inspector, "missing")
    assert merge.moved["sightings"] == [sighting.pk]
    # The sighting is scored against the kept case now, which has no photo; the later case's photo is not kept.
    assert sighting.face_match_verdict == "no_face"
    assert not FacePrint.objects.filter(photo_name=second.photo.name).exists()
    # No public "case closed" alert for the merged report.
    assert not Delivery.objects.filter(event_key__startswith=f"case:{second.reference}:status:").exists()


def test_a_merged_reference_redirects_to_the_kept_case(twice, run_after_commit, inspector, client):
    first, second, _, candidate = twice
    run_after_commit(review.confirm, candidate=candidate, by=inspector)

    for path in ("case", "found", "poster"):
        response = client.get(f"/{path}/{second.reference}")
        assert (response.status_code, response["Location"]) == (302, f"/{path}/{first.reference}")


def test_the_kept_case_lists_the_alerts_of_the_merged_case(twice, run_after_commit, inspector):
    from cases.alerts import deliveries_for_case

    first, second, _, candidate = twice
    run_after_commit(review.confirm, candidate=candidate, by=inspector)

    keys = {delivery.event_key for delivery in deliveries_for_case(first)}
    assert f"case:{second.reference}:reported" in keys and f"case:{first.reference}:reported" in keys


def test_undoing_the_merge_moves_everything_back(twice, run_after_commit, inspector, client):
    first, second, sighting, candidate = twice
    notes_before = set(second.notes.values_list("pk", flat=True))
    run_after_commit(review.confirm, candidate=candidate, by=inspector)

    run_after_commit(review.undo, candidate=candidate, by=inspector)

    second.refresh_from_db()
    sighting.refresh_from_db()
    assert (second.status, second.merged_into) == (Case.Status.MISSING, None)
    assert sighting.case == second
    assert set(second.notes.values_list("pk", flat=True)) == notes_before
    assert CaseMerge.objects.get().reversed_by == inspector
    assert client.get(f"/case/{second.reference}").status_code == 200
    # Scored against its own case's photo again, which is analysed again.
    assert sighting.face_match_verdict == "likely"
    assert FacePrint.objects.filter(photo_name=second.photo.name).exists()
    assert MatchCandidate.objects.get().status == Status.PENDING


def test_a_merge_cannot_be_reversed_twice(twice, run_after_commit, inspector):
    _, _, _, candidate = twice
    run_after_commit(review.confirm, candidate=candidate, by=inspector)
    merge = CaseMerge.objects.get()
    run_after_commit(merging.unmerge, merge_record=merge, by=inspector)

    with pytest.raises(merging.MergeRefused):
        merging.unmerge(merge_record=merge, by=inspector)

    assert CaseMerge.objects.filter(reversed_at__isnull=True).count() == 0


def test_merges_of_merges_redirect_to_the_last_kept_case(report):
    first, second, third = (report(None, name=name, phone=phone) for name, phone in (
        ("Ishaan Mehta", "+919822000401"), ("Kavya Iyer", "+919822000402"), ("Rohan Gupta", "+919822000403")))
    merging.merge(kept=second, duplicate=first)
    merging.merge(kept=third, duplicate=second)

    assert merging.kept_reference(first.reference) == third.reference
    assert merging.kept_reference(third.reference) is None


def test_a_case_cannot_be_merged_into_itself_or_twice(report):
    first, second = report(None, name="Ishaan Mehta"), report(None, name="Kavya Iyer", phone="+919822000402")
    merging.merge(kept=first, duplicate=second)

    with pytest.raises(merging.MergeRefused):
        merging.merge(kept=first, duplicate=first)
    with pytest.raises(merging.MergeRefused):
        merging.merge(kept=first, duplicate=second)

    assert CaseMerge.objects.count() == 1


def test_a_confirmed_found_child_stays_linked_when_its_case_is_marked_found(found_pair, run_after_commit,
                                                                          set_status, inspector):
    case, child, candidate = found_pair
    run_after_commit(review.confirm, candidate=candidate, by=inspector)

    set_status(case, Case.Status.FOUND)

    assert FoundChild.objects.get(pk=child.pk).case == case
    assert MatchCandidate.objects.get().status == Status.CONFIRMED
