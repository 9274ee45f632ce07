"""Reuniting with a real Celery worker on PostgreSQL and Redis: the worker analyses every face and searches in both
directions; confirm, reject, undo, merge and unmerge are committed by staff while the worker does what follows
(matching the moved sightings again, analysing the unmerged case's photo again). The same services run in-process
on SQLite in test_review and test_reunite_flow."""

from __future__ import annotations

import pytest

from cases import review, tasks
from cases.models import Case, FoundChild, MatchCandidate, Sighting
from cases.tests.reunite_fixtures import match_settings, register_found, report, sight  # noqa: F401 - fixtures
from media.models import FacePrint
from tests.worker import celery_worker_process  # noqa: F401 - fixture

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("match_settings")]

WITHIN = 90  # seconds, for a busy 2-core machine; the worker's first face analysis loads dlib's models


def candidate(kind: str) -> MatchCandidate | None:
    return MatchCandidate.objects.filter(kind=kind).first()


def test_real_worker_finds_a_found_child_for_a_new_case_and_staff_confirm_and_undo(
    report, register_found, celery_worker_process
):
    worker = celery_worker_process()
    child = register_found("obama_2")
    worker.wait_until(lambda: FacePrint.objects.filter(group="found", status="one_face").exists(), timeout=WITHIN)

    case = report("obama_1")

    pair = worker.wait_until(lambda: candidate("case_found"), timeout=WITHIN)
    assert (pair.case_id, pair.found_child_id, pair.verdict) == (case.pk, child.pk, "likely")
    review.confirm(candidate=pair, by=None)
    assert FoundChild.objects.get(pk=child.pk).case_id == case.pk
    review.undo(candidate=pair, by=None)
    assert FoundChild.objects.get(pk=child.pk).case_id is None
    review.reject(candidate=pair, by=None)

    tasks.reunite_case.delay(case.pk)  # searched again by the worker: the rejected pair stays rejected
    worker.wait_until(lambda: worker.log.count(f"case searched ref={case.reference}") >= 2, timeout=WITHIN)
    assert list(MatchCandidate.objects.values_list("status", flat=True)) == ["rejected"]


def test_real_worker_merges_and_unmerges_a_case_reported_twice(report, sight, celery_worker_process):
    worker = celery_worker_process()
    first = report(None, name="Ishaan Mehta", phone="+919822000505")
    second = report("biden_1", name="ईशान मेहता", phone="+919822000505")
    sighting = sight(second, "biden_2")
    pair = worker.wait_until(lambda: candidate("case_case"), timeout=WITHIN)
    worker.wait_until(lambda: Sighting.objects.filter(pk=sighting.pk, face_match_verdict="likely").exists(),
                      timeout=WITHIN)
    assert (pair.case_id, pair.other_case_id, pair.same_phone, pair.name_similarity) == (
        first.pk, second.pk, True, 1.0)

    review.confirm(candidate=pair, by=None)

    assert Case.objects.get(pk=second.pk).merged_into_id == first.pk
    # The worker matches the moved sighting against the kept case, which has no photo.
    worker.wait_until(lambda: Sighting.objects.filter(pk=sighting.pk, case=first, face_match_verdict="no_face")
                      .exists(), timeout=WITHIN)
    assert not FacePrint.objects.filter(photo_name=second.photo.name).exists()

    review.undo(candidate=pair, by=None)

    worker.wait_until(lambda: Sighting.objects.filter(pk=sighting.pk, case=second, face_match_verdict="likely")
                      .exists(), timeout=WITHIN)
    worker.wait_until(lambda: FacePrint.objects.filter(photo_name=second.photo.name).exists(), timeout=WITHIN)
    assert Case.objects.get(pk=second.pk).status == Case.Status.MISSING
    assert MatchCandidate.objects.get(pk=pair.pk).status == "pending"
