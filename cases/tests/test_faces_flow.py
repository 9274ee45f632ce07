"""Face matching end to end with in-process tasks: a case is reported with a photo, sightings come in, staff see a
score and candidates; a found case's faces are forgotten and rebuilt when it is reopened. Real photographs."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cases import events, services, tasks
from cases import faces as case_faces
from cases.admin.display import photo_with_face_box
from cases.models import Case, MatchCandidate, Sighting, Verdict
from media import faces, matching
from media.models import FacePrint
from media.tests.fixtures import cached_face_analysis, fresh_face_indexes  # noqa: F401 - fixtures
from media.tests.conftest import PHOTOS
from notifications.models import Delivery
from tests.worker import celery_worker_process  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("cached_face_analysis", "fresh_face_indexes", "match_settings"),
]


@pytest.fixture
def match_settings(settings):
    settings.FACE_MATCH_LIKELY_DISTANCE = 0.45
    settings.FACE_MATCH_POSSIBLE_DISTANCE = 0.55
    settings.FACE_MATCH_ZERO_DISTANCE = 0.65
    settings.FACE_MATCH_CANDIDATES = 5


@pytest.fixture
def report(django_capture_on_commit_callbacks):
    """Report a case (with one of the test photos) and run what follows the commit."""

    def report(photo: str | None, name: str = "Aarav Sharma") -> Case:
        with django_capture_on_commit_callbacks(execute=True):
            return services.report_case(
                name=name, age=7, gender="male", description="Red T-shirt, blue shorts.",
                last_seen_place="Koregaon Park, Pune", last_seen_at=timezone.now() - datetime.timedelta(hours=3),
                contact_name="Priya Sharma", contact_phone="+919822000101",
                latitude=Decimal("18.536200"), longitude=Decimal("73.893900"),
                photo=ContentFile(PHOTOS[photo](), name="photo.jpg") if photo else None,
            )

    return report


@pytest.fixture
def sight(django_capture_on_commit_callbacks):
    def sight(case: Case, photo: str | None):
        with django_capture_on_commit_callbacks(execute=True):
            sighting = services.record_sighting(
                case=case, place="Kalyani Nagar, Pune", seen_at=timezone.now() - datetime.timedelta(hours=1),
                description="A boy near the bridge.", latitude=Decimal("18.548600"), longitude=Decimal("73.902300"),
                photo=ContentFile(PHOTOS[photo](), name="sighting.jpg") if photo else None,
            )
        sighting.refresh_from_db()
        return sighting

    return sight


@pytest.fixture
def set_status(django_capture_on_commit_callbacks):
    def set_status(case: Case, to: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.change_status(case=case, to=to, note="Status changed in a test.")

    return set_status


def analysis(photo: str) -> faces.FaceAnalysis:
    """The photo's analysis, from the session's memo (cached_face_analysis is active in every test here)."""
    return faces.analyse_photo(PHOTOS[photo]())


def expected_score(first: str, second: str) -> faces.MatchScore:
    """The score of two photos from their encodings as stored (float32)."""
    stored = [faces.encoding_from_bytes(faces.encoding_to_bytes(analysis(p).encoding)) for p in (first, second)]
    return faces.score_distance(faces.face_distance(*stored))


def test_reported_case_photo_is_analysed(report):
    case = report("obama_1")

    assert list(FacePrint.objects.values_list("photo_name", "group", "status")) == [
        (case.photo.name, "case", "one_face")]


def test_sighting_of_the_same_child_scores_likely_with_the_calibrated_score(report, sight):
    case = report("obama_1")

    sighting = sight(case, "obama_2")

    expected = expected_score("obama_1", "obama_2")
    assert expected.verdict == "likely"
    assert (sighting.face_match_verdict, sighting.face_match_score) == (Verdict.LIKELY, expected.score)


def test_likely_match_queues_one_staff_alert_and_leaves_the_case_missing(report, sight):
    case = report("obama_1")

    sighting = sight(case, "obama_2")

    assert Delivery.objects.filter(event_key=f"case:{case.reference}:match:{sighting.pk}").count() == 1
    assert Case.objects.get(pk=case.pk).status == Case.Status.MISSING


def test_sighting_of_another_person_scores_unlikely_without_alert(report, sight):
    case = report("obama_1")

    sighting = sight(case, "biden_1")

    assert (sighting.face_match_verdict, sighting.face_match_score) == (Verdict.UNLIKELY, 0)
    assert not Delivery.objects.filter(event_key=f"case:{case.reference}:match:{sighting.pk}").exists()


def test_sighting_photo_without_a_face_says_no_face(report, sight):
    case = report("obama_1")

    sighting = sight(case, "landscape")

    assert (sighting.face_match_verdict, sighting.face_match_score) == (Verdict.NO_FACE, None)
    assert FacePrint.objects.get(photo_name=sighting.photo.name).status == FacePrint.Status.NO_FACE


def test_sighting_of_a_case_without_photo_says_no_face(report, sight):
    case = report(None)

    sighting = sight(case, "obama_2")

    assert (sighting.face_match_verdict, sighting.face_match_score) == (Verdict.NO_FACE, None)


def test_sighting_without_photo_is_not_scored(report, sight):
    case = report("obama_1")

    sighting = sight(case, None)

    assert (sighting.face_match_verdict, sighting.face_match_score) == ("", None)
    assert FacePrint.objects.count() == 1  # the case photo's only


def test_sighting_resembling_another_open_case_makes_that_case_a_candidate(report, sight):
    other = report("obama_1", name="Vihaan Rao")
    case = report("biden_1")

    sighting = sight(case, "obama_2")

    expected = expected_score("obama_1", "obama_2")
    assert list(MatchCandidate.objects.values_list("sighting_id", "case_id", "score", "verdict")) == [
        (sighting.pk, other.pk, expected.score, expected.verdict)]


def test_found_case_is_never_a_candidate(report, sight, set_status):
    other = report("obama_1", name="Vihaan Rao")
    set_status(other, Case.Status.FOUND)
    case = report("biden_1")

    sight(case, "obama_2")

    assert MatchCandidate.objects.count() == 0


def test_own_case_is_not_listed_as_its_own_candidate(report, sight):
    case = report("obama_1")

    sight(case, "obama_2")

    assert MatchCandidate.objects.count() == 0


def test_matching_twice_keeps_one_print_per_photo_and_one_set_of_candidates(report, sight):
    other = report("obama_1", name="Vihaan Rao")
    case = report("biden_1")
    sighting = sight(case, "obama_2")
    before = sorted(FacePrint.objects.values_list("photo_name", flat=True))

    tasks.match_sighting.delay(sighting.pk)

    assert sorted(FacePrint.objects.values_list("photo_name", flat=True)) == before
    assert len(before) == 3
    assert list(MatchCandidate.objects.values_list("case_id", flat=True)) == [other.pk]


def test_found_case_forgets_the_faces_of_its_photo_and_sightings(report, sight, set_status):
    case = report("obama_1")
    sight(case, "obama_2")

    set_status(case, Case.Status.FOUND)

    assert FacePrint.objects.count() == 0


def test_closed_case_forgets_its_faces(report, set_status):
    case = report("obama_1")

    set_status(case, Case.Status.CLOSED)

    assert FacePrint.objects.count() == 0


def test_reopened_case_rebuilds_its_faces_and_scores(report, sight, set_status):
    case = report("obama_1")
    sighting = sight(case, "obama_2")
    set_status(case, Case.Status.FOUND)

    set_status(case, Case.Status.MISSING)

    assert sorted(FacePrint.objects.values_list("photo_name", flat=True)) == sorted(
        [case.photo.name, sighting.photo.name])
    sighting.refresh_from_db()
    assert sighting.face_match_verdict == Verdict.LIKELY


def test_sighting_of_a_found_case_is_not_analysed(report, sight, set_status):
    case = report("obama_1")
    set_status(case, Case.Status.FOUND)

    sighting = sight(case, "obama_2")

    assert (sighting.face_match_verdict, FacePrint.objects.count()) == ("", 0)


def test_rematch_analyses_the_case_photo_again_and_scores_its_sightings(
    report, sight, django_capture_on_commit_callbacks
):
    case = report("obama_1")
    sighting = sight(case, "obama_2")
    first_analysis = FacePrint.objects.get(photo_name=case.photo.name).analysed_at
    type(sighting).objects.filter(pk=sighting.pk).update(face_match_score=None, face_match_verdict="")

    with django_capture_on_commit_callbacks(execute=True):
        events.schedule_rematch(case)

    assert FacePrint.objects.get(photo_name=case.photo.name).analysed_at > first_analysis
    sighting.refresh_from_db()
    assert sighting.face_match_verdict == Verdict.LIKELY


def test_face_summaries_show_staff_several_faces_and_the_chosen_box(report, sight):
    case = report("obama_1")
    sighting = sight(case, "two_people")

    summaries = matching.face_summaries([case.photo.name, sighting.photo.name])

    assert summaries[case.photo.name].status == "one_face"
    assert summaries[sighting.photo.name].status == "several_faces"
    assert summaries[sighting.photo.name].face_count == 2
    assert summaries[sighting.photo.name].box == analysis("two_people").box
    assert matching.face_summary(case.photo.name) == summaries[case.photo.name]


def test_sightings_carry_their_face_status_in_one_query(report, sight, django_assert_num_queries):
    case = report("obama_1")
    with_face, without_face, not_analysed = sight(case, "obama_2"), sight(case, "landscape"), sight(case, None)

    with django_assert_num_queries(1):
        rows = {s.pk: (s.face_status, s.face_count)
                for s in case_faces.with_face_status(Sighting.objects.filter(case=case))}

    assert rows == {with_face.pk: ("one_face", 1), without_face.pk: ("no_face", 0), not_analysed.pk: (None, None)}


def test_case_photo_is_shown_to_staff_with_the_chosen_face_framed(report):
    case = report("obama_1")
    top, right, bottom, left = analysis("obama_1").box

    html = photo_with_face_box(case.photo, matching.face_summary(case.photo.name))

    assert html == (
        '<svg viewBox="0 0 640 800" width="240" role="img" aria-label="One face"><title>One face</title>'
        f'<image href="{case.photo.url}" width="640" height="800"/>'
        f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" fill="none" stroke="#f5b400" '
        'stroke-width="5"/></svg>'
    )


def test_photo_without_a_face_is_shown_plain_with_its_status(report, sight):
    sighting = sight(report("obama_1"), "landscape")

    html = photo_with_face_box(sighting.photo, matching.face_summary(sighting.photo.name))

    assert html == f'<img src="{sighting.photo.url}" width="240" alt="No face found" title="No face found">'


# --- A real worker ----------------------------------------------------------------------------------------------


@pytest.mark.worker
def test_real_worker_scores_the_sighting_and_stores_the_poster(report, sight, celery_worker_process):
    worker = celery_worker_process()

    case = report("obama_1")  # committed: the worker sees the rows and the files under MEDIA_ROOT
    sighting = sight(case, "obama_2")

    worker.wait_until(lambda: Sighting.objects.filter(pk=sighting.pk, face_match_verdict="likely").exists(),
                      timeout=60)
    worker.wait_until(lambda: Case.objects.filter(pk=case.pk).exclude(poster="").exists(), timeout=30)
    assert list(FacePrint.objects.order_by("group").values_list("group", "status")) == [
        ("case", "one_face"), ("sighting", "one_face")]
