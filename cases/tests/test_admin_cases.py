"""Case management in the admin: list, status changes, notes, deletion, and the audit trail."""

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.core.files.base import ContentFile

from cases.models import Case, CaseNote, StatusChange
from media.models import FacePrint
from media.services import analyse_stored_photo
from tests.factories import jpeg_bytes, staff_group

pytestmark = pytest.mark.django_db


def admin_url(path: str = "") -> str:
    return f"/{settings.ADMIN_URL}{path}"


@pytest.fixture
def police(client):
    user = User.objects.create_user("officer", password="x" * 12, is_staff=True)
    user.groups.add(staff_group("Police"))
    return user


@pytest.fixture
def ngo(client):
    user = User.objects.create_user("volunteer", password="x" * 12, is_staff=True)
    user.groups.add(staff_group("NGO"))
    return user


@pytest.mark.parametrize("count", [2, 40])
def test_case_list_costs_a_constant_number_of_queries(client, police, make_case, make_sighting,
                                                      django_assert_max_num_queries, count):
    for i in range(count):
        case = make_case(name=f"Child {i}", last_seen_place=f"Area {i % 5}, Pune")
        make_sighting(case, face_match_score=40 + i % 50)
    client.force_login(police)
    with django_assert_max_num_queries(12):
        response = client.get(admin_url("cases/case/"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == count


def test_case_list_shows_sightings_count_and_best_match(client, police, make_case, make_sighting):
    case = make_case()
    make_sighting(case, face_match_score=35)
    make_sighting(case, face_match_score=88)
    client.force_login(police)
    row = client.get(admin_url("cases/case/")).context["cl"].result_list[0]
    assert (row.sightings_total, row.best_sighting_score) == (2, 88)


@pytest.mark.parametrize(("params", "expected"), [
    ({"age_group": "0-5"}, ["Small"]), ({"age_group": "16-17"}, ["Teen"]), ({"city": "Pune"}, ["Small"]),
    ({"has_sightings": "yes"}, ["Teen"]), ({"has_sightings": "no"}, ["Small"]), ({"status": "found"}, []),
    ({"q": "Teen"}, ["Teen"]), ({"gender": "female"}, ["Teen"]),
])
def test_case_list_filters_and_search(client, police, make_case, make_sighting, params, expected):
    make_case(name="Small Child", age=4, gender="male", last_seen_place="Koregaon Park, Pune")
    teen = make_case(name="Teen Child", age=16, gender="female", last_seen_place="Andheri West, Mumbai")
    make_sighting(teen)
    client.force_login(police)
    rows = client.get(admin_url("cases/case/"), params).context["cl"].result_list
    assert [c.name.split()[0] for c in rows] == expected


def test_status_form_get_changes_nothing(client, police, make_case):
    case = make_case()
    client.force_login(police)
    response = client.get(admin_url(f"cases/case/{case.pk}/status/"), {"to": "found"})
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == "missing"
    assert StatusChange.objects.filter(case=case).count() == 0


def test_police_mark_found_with_a_note_records_who_and_why(client, police, make_case):
    case = make_case()
    client.force_login(police)
    response = client.post(admin_url(f"cases/case/{case.pk}/status/"),
                           {"to": "found", "note": "Found safe at Pune station"})
    assert response.status_code == 302
    case.refresh_from_db()
    change = StatusChange.objects.get(case=case)
    assert case.status == "found"
    assert (change.changed_by, change.note, change.from_status) == (police, "Found safe at Pune station", "missing")
    log = LogEntry.objects.get(object_id=str(case.pk))
    assert log.user == police and "found" in log.change_message


def test_marking_found_needs_a_note(client, police, make_case):
    case = make_case()
    client.force_login(police)
    response = client.post(admin_url(f"cases/case/{case.pk}/status/"), {"to": "found", "note": " "})
    assert response.status_code == 200
    assert "Please say where and how the child was found." in response.content.decode()
    case.refresh_from_db()
    assert case.status == "missing"


def test_ngo_can_mark_found(client, ngo, make_case):
    case = make_case()
    client.force_login(ngo)
    client.post(admin_url(f"cases/case/{case.pk}/status/"), {"to": "found", "note": "Reunited at the shelter"})
    case.refresh_from_db()
    assert case.status == "found"
    assert StatusChange.objects.get(case=case).changed_by == ngo


@pytest.mark.parametrize("to", ["missing", "closed"])
def test_ngo_cannot_reopen_or_close(client, ngo, make_case, to):
    case = make_case(status="found")
    client.force_login(ngo)
    response = client.post(admin_url(f"cases/case/{case.pk}/status/"), {"to": to, "note": "x"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == "found"
    assert StatusChange.objects.filter(case=case).count() == 0


def test_ngo_can_add_a_note_and_it_records_the_author(client, ngo, make_case):
    case = make_case(note="")
    client.force_login(ngo)
    response = client.post(admin_url(f"cases/case/{case.pk}/note/"), {"text": "Spoke to the school principal."})
    assert response.status_code == 302
    note = CaseNote.objects.get(case=case)
    assert (note.author, note.text) == (ngo, "Spoke to the school principal.")
    assert LogEntry.objects.filter(object_id=str(case.pk), user=ngo).count() == 1


def test_note_by_get_is_refused(client, ngo, make_case):
    case = make_case(note="")
    client.force_login(ngo)
    assert client.get(admin_url(f"cases/case/{case.pk}/note/"), {"text": "x"}).status_code == 404
    assert CaseNote.objects.filter(case=case).count() == 0


def test_ngo_cannot_edit_case_fields(client, ngo, make_case):
    case = make_case()
    client.force_login(ngo)
    client.post(admin_url(f"cases/case/{case.pk}/change/"), {"name": "Changed"})
    case.refresh_from_db()
    assert case.name == "Aarav Sharma"


def test_bulk_mark_found_asks_for_a_note_then_changes_each_case(client, police, make_case):
    first, second = make_case(), make_case(name="Sana Khan")
    client.force_login(police)
    data = {"action": "mark_found", "_selected_action": [first.pk, second.pk]}
    confirm = client.post(admin_url("cases/case/"), data)
    assert confirm.status_code == 200 and "Mark found" in confirm.content.decode()
    assert Case.objects.filter(status="found").count() == 0
    client.post(admin_url("cases/case/"), {**data, "apply": "yes", "note": "Both found at the shelter"})
    assert Case.objects.filter(status="found").count() == 2
    assert StatusChange.objects.filter(changed_by=police, to_status="found").count() == 2


def test_ngo_does_not_get_police_actions(client, ngo, make_case):
    make_case()
    client.force_login(ngo)
    actions = [name for name, _ in client.get(admin_url("cases/case/")).context["cl"].model_admin
               .get_action_choices(client.get(admin_url("cases/case/")).wsgi_request)]
    assert "mark_found" in actions
    assert "delete_with_files" not in actions and "mark_missing" not in actions and "mark_closed" not in actions


def test_police_delete_removes_the_case_and_its_files(client, police, make_case, make_sighting,
                                                      django_capture_on_commit_callbacks):
    case = make_case()
    case.photo.save("p.jpg", ContentFile(jpeg_bytes()), save=True)
    sighting = make_sighting(case)
    sighting.photo.save("s.jpg", ContentFile(jpeg_bytes()), save=True)
    names = [case.photo.name, sighting.photo.name]
    storage = case.photo.storage
    for name, group in zip(names, ["case", "sighting"]):
        analyse_stored_photo(name=name, group=group)
    assert FacePrint.objects.filter(photo_name__in=names).count() == 2
    client.force_login(police)
    data = {"action": "delete_with_files", "_selected_action": [case.pk]}
    assert client.post(admin_url("cases/case/"), data).status_code == 200  # confirmation page first
    assert Case.objects.filter(pk=case.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(admin_url("cases/case/"), {**data, "apply": "yes"})
    assert not Case.objects.filter(pk=case.pk).exists()
    assert [storage.exists(name) for name in names] == [False, False]
    assert FacePrint.objects.filter(photo_name__in=names).count() == 0
    assert LogEntry.objects.filter(object_id=str(case.pk), action_flag=3, user=police).count() == 1


def test_ngo_cannot_delete(client, ngo, make_case):
    case = make_case()
    client.force_login(ngo)
    client.post(admin_url("cases/case/"), {"action": "delete_with_files", "_selected_action": [case.pk],
                                           "apply": "yes"})
    assert client.post(admin_url(f"cases/case/{case.pk}/delete/"), {"post": "yes"}).status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()
