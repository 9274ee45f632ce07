"""The staff side of reuniting: the review queue (sorted by strength, evidence in words, faces framed, who may
decide what), the found-child records (add with a photo, CWC deadline, appeal), the case photo's chosen face, and
face labels that say why a photo has no face print."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import Case, FoundChild, MatchCandidate
from cases.tests.reunite_fixtures import (  # noqa: F401 - fixtures
    match_settings,
    register_found,
    report,
    run_after_commit,
    set_status,
    sight,
)
from media.models import FacePrint
from media.tests.conftest import PHOTOS
from media.tests.fixtures import cached_face_analysis, fresh_face_indexes  # noqa: F401 - fixtures
from tests.factories import staff_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cached_face_analysis", "fresh_face_indexes",
                                                             "match_settings")]


def admin_url(path: str = "") -> str:
    return f"/{settings.ADMIN_URL}{path}"


def staff(username: str, group: str) -> User:
    user = User.objects.create_user(username, password="x" * 12, is_staff=True)
    user.groups.add(staff_group(group))
    return user


@pytest.fixture
def found_pair(report, register_found):
    child = register_found("obama_2")
    case = report("obama_1")
    return case, child, MatchCandidate.objects.get()


@pytest.fixture
def duplicate_pair(report):
    first = report(None, name="Ishaan Mehta", phone="+919822000505")
    second = report(None, name="ईशान मेहता", phone="+919822000505")
    return first, second, MatchCandidate.objects.get(kind="case_case")


NAMES = ["Kavya Iyer", "Rohan Gupta", "Tanvi Joshi", "Arjun Nair", "Diya Patel", "Vivaan Reddy"]


def admin_time(moment) -> dict[str, str]:
    """A time as the admin's split date and time inputs send it, for the field `found_at`."""
    local = timezone.localtime(moment)
    return {"found_at_0": local.strftime("%Y-%m-%d"), "found_at_1": local.strftime("%H:%M:%S")}


def inline_forms(prefix: str, rows: list[dict] = ()) -> dict[str, str]:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(sum("id" in r for r in rows)),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def decide(client, candidate, action: str, note: str = ""):
    return client.post(admin_url(f"cases/matchcandidate/{candidate.pk}/decide/"), {"action": action, "note": note})


# --- The queue ---------------------------------------------------------------------------------------------------


def test_the_queue_lists_pending_pairs_strongest_first(client, found_pair, duplicate_pair):
    client.force_login(staff("officer", "Police"))

    response = client.get(admin_url("cases/matchcandidate/"))

    rows = list(response.context["cl"].result_list)
    assert response.status_code == 200
    # The found child: face 83 + near 10 + same day 10 + same age 5 (capped at 100); the case reported twice: 95.
    assert [(row.kind, row.strength) for row in rows] == [("case_found", 100), ("case_case", 95)]
    html = response.content.decode()
    assert "Review matches" in html and "Names: the same name" in html and "Phone: both reports give" in html


def test_a_decided_pair_leaves_the_default_queue(client, found_pair, run_after_commit):
    from cases import review

    run_after_commit(review.reject, candidate=found_pair[2], by=None)
    client.force_login(staff("officer", "Police"))

    assert list(client.get(admin_url("cases/matchcandidate/")).context["cl"].result_list) == []
    assert len(client.get(admin_url("cases/matchcandidate/?status=rejected")).context["cl"].result_list) == 1


@pytest.mark.parametrize("pairs", [1, 6])
def test_the_queue_costs_a_constant_number_of_queries(client, report, register_found, django_assert_max_num_queries,
                                                      pairs):
    for index in range(pairs):
        report(None, name=NAMES[index], phone=f"+91982200{index:04d}")
        register_found(stated_name=NAMES[index])
    assert MatchCandidate.objects.count() == pairs
    client.force_login(staff("officer", "Police"))

    with django_assert_max_num_queries(14):
        assert client.get(admin_url("cases/matchcandidate/")).status_code == 200


def test_the_review_page_shows_both_photos_with_the_faces_framed_and_the_evidence(client, found_pair):
    case, child, candidate = found_pair
    client.force_login(staff("officer", "Police"))

    response = client.get(admin_url(f"cases/matchcandidate/{candidate.pk}/change/"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('stroke="#f5b400"') == 2  # one framed face on each side
    assert f"Case {case.reference}" in html and f"Found child {child.reference}" in html
    assert "Faces: likely the same child" in html
    assert "Confirm: this found child is the missing child" in html and "Reject: not the same child" in html


def test_confirming_a_found_child_offers_mark_found_with_its_record_as_the_note(client, found_pair):
    case, child, candidate = found_pair
    officer = staff("officer", "Police")
    client.force_login(officer)

    response = decide(client, candidate, "confirm", "Mother recognised him.")
    page = client.get(response["Location"])

    assert response.status_code == 302
    assert MatchCandidate.objects.get().status == "confirmed"
    assert LogEntry.objects.filter(user=officer, object_id=str(candidate.pk)).exists()
    html = page.content.decode()
    assert 'id="mark-found"' in html and f"Found child {child.reference}: found at Pune railway station" in html

    marked = client.post(admin_url(f"cases/case/{case.pk}/status/"), {
        "to": "found", "note": page.context["found_note"]})

    assert marked.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.FOUND
    assert case.status_changes.last().note.startswith(f"Found child {child.reference}: found at")


def test_ngo_staff_confirm_a_found_child_but_do_not_merge_cases_or_undo(client, found_pair, duplicate_pair):
    client.force_login(staff("volunteer", "NGO"))

    assert decide(client, duplicate_pair[2], "confirm").status_code == 403
    assert decide(client, found_pair[2], "confirm").status_code == 302
    assert decide(client, found_pair[2], "undo").status_code == 403

    assert dict(MatchCandidate.objects.values_list("kind", "status")) == {"case_case": "pending",
                                                                          "case_found": "confirmed"}
    assert not Case.objects.filter(merged_into__isnull=False).exists()


def test_cci_staff_see_the_queue_but_do_not_decide(client, found_pair):
    client.force_login(staff("carer", "CCI"))

    assert client.get(admin_url(f"cases/matchcandidate/{found_pair[2].pk}/change/")).status_code == 200
    assert decide(client, found_pair[2], "reject").status_code == 403
    assert MatchCandidate.objects.get().status == "pending"


def test_police_merge_a_case_reported_twice_and_undo_the_merge(client, duplicate_pair):
    first, second, candidate = duplicate_pair
    client.force_login(staff("officer", "Police"))

    decide(client, candidate, "confirm")
    assert Case.objects.get(pk=second.pk).merged_into_id == first.pk
    assert client.get(f"/case/{second.reference}")["Location"] == f"/case/{first.reference}"

    decide(client, candidate, "undo", "Different children after all.")
    assert Case.objects.get(pk=second.pk).merged_into_id is None
    assert MatchCandidate.objects.get().status == "pending"


def test_a_decision_on_a_decided_pair_says_so_and_changes_nothing(client, found_pair, run_after_commit):
    from cases import review

    run_after_commit(review.reject, candidate=found_pair[2], by=None)
    client.force_login(staff("officer", "Police"))

    response = decide(client, found_pair[2], "confirm")

    assert response.status_code == 302
    assert MatchCandidate.objects.get().status == "rejected"
    assert FoundChild.objects.get().case is None


# --- Found children in the admin --------------------------------------------------------------------------------


def test_cci_staff_register_a_child_in_their_care_with_a_photo(client, django_capture_on_commit_callbacks):
    carer = staff("carer", "CCI")
    client.force_login(carer)
    data = {
        "stated_name": "Ishita", "apparent_age": "5", "gender": "female", "found_place": "Howrah station, Kolkata",
        "status": "in_care", "current_location": "Shishu Niketan, Howrah",
        **admin_time(timezone.now() - datetime.timedelta(hours=2)),
        **inline_forms("photos", [{"photo": SimpleUploadedFile("girl.jpg", PHOTOS["obama_2"](),
                                                               content_type="image/jpeg")}]),
        **inline_forms("history"),
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(admin_url("cases/foundchild/add/"), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    child = FoundChild.objects.get()
    assert (child.source, child.created_by, child.name_key, child.photos.count()) == ("staff", carer, "isita", 1)
    assert list(child.history.values_list("action", flat=True)) == ["registered", "photo_added"]
    assert FacePrint.objects.filter(group="found", photo_name=child.photos.get().photo.name).exists()


def test_the_list_highlights_an_overdue_cwc_production(client, register_found):
    child = register_found()
    FoundChild.objects.filter(pk=child.pk).update(found_at=timezone.now() - datetime.timedelta(hours=30))
    client.force_login(staff("officer", "Police"))

    html = client.get(admin_url("cases/foundchild/?cwc=overdue")).content.decode()

    assert child.reference in html and 'class="sachet-overdue"' in html


def test_only_police_publish_an_appeal(client, register_found):
    child = register_found("obama_2")
    client.force_login(staff("volunteer", "NGO"))
    assert client.post(admin_url(f"cases/foundchild/{child.pk}/appeal/"),
                       {"action": "publish", "contact": "Swargate Police Station"}).status_code == 403
    client.force_login(staff("officer", "Police"))

    response = client.post(admin_url(f"cases/foundchild/{child.pk}/appeal/"),
                           {"action": "publish", "contact": "Swargate Police Station, 020 2444 0000"})

    assert response.status_code == 302
    child.refresh_from_db()
    assert child.appeal_contact == "Swargate Police Station, 020 2444 0000" and child.appeal_is_published
    assert client.get(f"/appeal/{child.reference}").status_code == 200


def test_changing_the_status_in_the_form_goes_through_the_service(client, register_found,
                                                                 django_capture_on_commit_callbacks):
    child = register_found("obama_2")
    client.force_login(staff("officer", "Police"))
    data = {
        "stated_name": "", "apparent_age": "7", "gender": "male", "found_place": child.found_place,
        "status": "reunited", "current_location": child.current_location, **admin_time(child.found_at),
        **inline_forms("photos", [{"id": str(child.photos.get().pk), "found_child": str(child.pk)}]),
        **inline_forms("history", [{"id": str(event.pk), "found_child": str(child.pk)}
                                   for event in child.history.all()]),
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(admin_url(f"cases/foundchild/{child.pk}/change/"), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert FoundChild.objects.get().status == "reunited"
    assert not FacePrint.objects.filter(group="found").exists()


# --- Faces on the case pages -------------------------------------------------------------------------------------


def test_staff_choose_the_face_of_the_child_in_a_group_photo(client, report, sight,
                                                             django_capture_on_commit_callbacks):
    case = report("big_and_small_face")
    sighting = sight(case, "biden_2")
    assert sighting.face_match_verdict == "unlikely"  # matched against the largest face (Obama)
    client.force_login(staff("officer", "Police"))
    page = client.get(admin_url(f"cases/case/{case.pk}/change/")).content.decode()
    assert 'id="face-choice"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(admin_url(f"cases/case/{case.pk}/face/"), {"face": "1"})

    assert response.status_code == 302
    case.refresh_from_db()
    sighting.refresh_from_db()
    assert case.photo_face == 1
    assert sighting.face_match_verdict == "likely"
    assert FacePrint.objects.get(photo_name=case.photo.name).chosen_face == 1


def test_ngo_staff_cannot_choose_the_face(client, report):
    case = report("big_and_small_face")
    client.force_login(staff("volunteer", "NGO"))

    assert client.post(admin_url(f"cases/case/{case.pk}/face/"), {"face": "1"}).status_code == 403
    assert Case.objects.get(pk=case.pk).photo_face == 0


def test_the_case_list_thumbnail_is_cropped_around_the_chosen_face(client, report, run_after_commit):
    from cases import faces

    case = report("big_and_small_face")
    run_after_commit(faces.choose_case_face, case=case, face=1)
    client.force_login(staff("officer", "Police"))

    html = client.get(admin_url("cases/case/")).content.decode()

    top, right, bottom, left = FacePrint.objects.get(photo_name=case.photo.name).boxes[1]
    assert '<svg class="sachet-thumb" viewBox="' in html
    viewbox = html.split('<svg class="sachet-thumb" viewBox="', 1)[1].split('"', 1)[0]
    x, y, side, _ = (int(value) for value in viewbox.split())
    assert x <= left and right <= x + side and y <= top and bottom <= y + side


def test_a_found_case_says_its_faces_are_not_kept_rather_than_not_analysed(client, report, sight, set_status):
    case = report("obama_1")
    sight(case, "obama_2")
    set_status(case, Case.Status.FOUND)
    client.force_login(staff("officer", "Police"))

    html = client.get(admin_url(f"cases/case/{case.pk}/change/")).content.decode()

    assert "Faces not kept: the child was found" in html
    assert "Not analysed yet" not in html and "not analysed yet" not in html


def test_the_sighting_page_shows_the_same_verdict_as_the_case_page(client, report, sight):
    child = report("obama_1", name="Vihaan Rao", phone="+919822000202")
    other = report("biden_1", phone="+919822000303")
    sighting = sight(other, "hopper_big_obama_small")
    client.force_login(staff("officer", "Police"))

    sighting_page = client.get(admin_url(f"cases/sighting/{sighting.pk}/change/")).content.decode()
    case_page = client.get(admin_url(f"cases/case/{child.pk}/change/")).content.decode()

    assert f"{child.reference} – Vihaan Rao</a>: Likely the same child" in sighting_page
    assert "Likely the same child" in case_page.split("Possible matches (review queue)", 1)[1][:4000]
