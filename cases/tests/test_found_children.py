"""Found children: the public form "I am with a child who is lost" (staff alerted at once, nothing public, rate
limited like the sighting form), the staff record (CWC deadline, status, history), and the Police-only appeal with
its public page and poster."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import found
from cases.models import FoundChild, FoundChildEvent, MatchCandidate
from cases.tests.reunite_fixtures import match_settings, register_found, report, run_after_commit  # noqa: F401
from media.models import FacePrint
from media.tests.conftest import PHOTOS
from media.tests.fixtures import cached_face_analysis, fresh_face_indexes  # noqa: F401 - fixtures
from notifications.models import Delivery
from tests.factories import form_datetime, staff_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cached_face_analysis", "fresh_face_indexes",
                                                             "match_settings")]

REPORTER = "+919812345678"


def form(**overrides) -> dict:
    values = {"found_place": "Swargate bus stand, Pune", "found_at": form_datetime(timezone.now() -
                                                                                  datetime.timedelta(minutes=40)),
              "apparent_age": "6", "gender": "male", "stated_name": "Aarav", "language": "Marathi",
              "clothing": "Red T-shirt", "reporter_name": "Sunita", "reporter_phone": "98123 45678",
              "latitude": "", "longitude": ""}
    values.update(overrides)
    return values


def staff(username: str, group: str) -> User:
    user = User.objects.create_user(username, password="x" * 12, is_staff=True)
    user.groups.add(staff_group(group))
    return user


# --- The public form ---------------------------------------------------------------------------------------------


def test_the_form_is_offered_from_the_home_page(client):
    home = client.get("/")

    assert 'href="/found-a-child"' in home.content.decode()
    assert client.get("/found-a-child").status_code == 200


def test_a_lost_child_report_reaches_staff_at_once_and_is_not_public(client, django_capture_on_commit_callbacks):
    photo = SimpleUploadedFile("child.jpg", PHOTOS["obama_2"](), content_type="image/jpeg")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/found-a-child", {**form(), "photo": photo})

    assert (response.status_code, response["Location"]) == (302, "/found-a-child/sent")
    child = FoundChild.objects.get()
    assert (child.status, child.source, child.stated_name, child.apparent_age, child.reporter_phone) == (
        FoundChild.Status.REPORTED, FoundChild.Source.PUBLIC, "Aarav", 6, REPORTER)
    assert child.name_key == "arav"
    assert child.photos.count() == 1
    assert FacePrint.objects.filter(group="found").count() == 1
    alert = Delivery.objects.get(event_key=f"found:{child.reference}:reported")
    assert "Swargate bus stand, Pune" in alert.body and "Aarav" in alert.body
    assert "98123" not in alert.body + alert.title and alert.photo_url == ""
    # Nothing public: no appeal page, not on the home page.
    assert client.get(f"/appeal/{child.reference}").status_code == 404
    assert child.reference not in client.get("/").content.decode()


def test_the_page_after_sending_says_what_to_do_next(client):
    page = client.get("/found-a-child/sent")

    assert page.status_code == 200
    assert "1098" in page.content.decode()


def test_a_report_without_place_or_phone_is_refused_with_messages(client):
    response = client.post("/found-a-child", form(found_place="", reporter_phone="12"))

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"found_place", "reporter_phone"}
    assert FoundChild.objects.count() == 0
    assert not Delivery.objects.exists()


def test_the_form_is_rate_limited_like_the_sighting_form(client, settings):
    settings.RATE_SIGHTING = "2/h"
    for _ in range(2):
        assert client.post("/found-a-child", form()).status_code == 302

    response = client.post("/found-a-child", form())

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert FoundChild.objects.count() == 2


# --- The staff record --------------------------------------------------------------------------------------------


def test_the_cwc_deadline_is_24_hours_after_the_child_was_found():
    found_at = timezone.now() - datetime.timedelta(hours=30)
    child = FoundChild(found_place="Pune", found_at=found_at)

    assert child.cwc_deadline == found_at + datetime.timedelta(hours=24)
    assert child.cwc_overdue is True
    child.cwc_produced_at = found_at + datetime.timedelta(hours=20)
    assert child.cwc_overdue is False


def test_a_reunited_child_has_no_overdue_deadline():
    child = FoundChild(found_place="Pune", found_at=timezone.now() - datetime.timedelta(days=3),
                       status=FoundChild.Status.REUNITED)

    assert child.cwc_overdue is False


def test_staff_changes_are_recorded_and_the_name_key_kept(register_found, run_after_commit):
    child = register_found(stated_name="")
    child.stated_name = "इशिता"

    run_after_commit(found.update_found_child, child=child, by=None, changed=["stated_name"])

    child.refresh_from_db()
    assert child.name_key == "isita"
    assert list(child.history.values_list("action", "note")) == [("registered", ""), ("updated", "stated_name")]


def test_reuniting_withdraws_the_appeal_forgets_the_faces_and_drops_pending_matches(register_found, report,
                                                                                     run_after_commit):
    child = register_found("obama_2")
    report("obama_1")
    found.publish_appeal(child=child, by=None, contact="Swargate Police Station, 020 2444 0000")
    assert MatchCandidate.objects.count() == 1

    run_after_commit(found.change_status, child=child, to=FoundChild.Status.REUNITED, note="Mother came.")

    child.refresh_from_db()
    assert (child.status, child.appeal_is_published) == (FoundChild.Status.REUNITED, False)
    assert not FacePrint.objects.filter(group="found").exists()
    assert MatchCandidate.objects.count() == 0
    assert [action for action in child.history.values_list("action", flat=True)][-2:] == [
        "status", "appeal_withdrawn"]


# --- The appeal --------------------------------------------------------------------------------------------------


def test_an_unpublished_record_has_no_public_page_or_poster(client, register_found):
    child = register_found("obama_2")

    assert client.get(f"/appeal/{child.reference}").status_code == 404
    assert client.get(f"/appeal/{child.reference}/poster").status_code == 410


def test_a_published_appeal_shows_what_helps_and_nothing_private(client, register_found):
    child = register_found("obama_2", stated_name="Aarav")
    FoundChild.objects.filter(pk=child.pk).update(reporter_phone=REPORTER, stated_parents="Ramesh Sharma",
                                                  clothing="Red T-shirt")
    found.publish_appeal(child=child, by=None, contact="Swargate Police Station, 020 2444 0000")

    page = client.get(f"/appeal/{child.reference}")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Aarav" in html and "Red T-shirt" in html and "Swargate Police Station, 020 2444 0000" in html
    assert "Pune railway station" in html
    for private in ("Shishu Bhavan", "9812345678", "Ramesh Sharma"):
        assert private not in html


def test_the_appeal_poster_is_an_a4_pdf_with_the_appeal_banner(client, register_found):
    from tests.e2e.helpers import pdf_text

    child = register_found("obama_2", stated_name="Aarav")
    found.publish_appeal(child=child, by=None, contact="Swargate Police Station, 020 2444 0000")

    response = client.get(f"/appeal/{child.reference}/poster")

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    text = pdf_text(response.content)
    assert "DO YOU KNOW THIS CHILD?" in text and "FOUND AT" in text and child.reference in text
    assert "Shishu Bhavan" not in text


def test_a_withdrawn_appeal_is_gone(client, register_found):
    child = register_found("obama_2")
    found.publish_appeal(child=child, by=None, contact="Swargate Police Station")

    found.withdraw_appeal(child=child, by=None, note="Family found")

    assert client.get(f"/appeal/{child.reference}").status_code == 404
    assert client.get(f"/appeal/{child.reference}/poster").status_code == 410
    assert list(child.history.values_list("action", flat=True))[-2:] == ["appeal_published", "appeal_withdrawn"]


def test_an_appeal_needs_a_contact_and_an_open_record(register_found, run_after_commit):
    child = register_found()
    with pytest.raises(found.AppealRefused):
        found.publish_appeal(child=child, by=None, contact="  ")
    run_after_commit(found.change_status, child=child, to=FoundChild.Status.REUNITED)

    with pytest.raises(found.AppealRefused):
        found.publish_appeal(child=child, by=None, contact="Swargate Police Station")

    assert not FoundChild.objects.get(pk=child.pk).appeal_is_published
    assert not FoundChildEvent.objects.filter(action="appeal_published").exists()


def test_the_appeal_reference_has_the_case_reference_shape():
    import re

    from cases.models_found import FOUND_REFERENCE_REGEX, new_found_reference

    assert re.fullmatch(FOUND_REFERENCE_REGEX, new_found_reference())


def test_coordinates_given_on_the_map_are_kept(register_found, run_after_commit):
    child = run_after_commit(found.report_found_child, found_place="Pune", found_at=timezone.now(),
                             reporter_phone=REPORTER, latitude=Decimal("18.5"), longitude=Decimal("73.8"))

    assert (child.geocoding, child.location_precision) == ("manual", "exact")


@pytest.mark.parametrize("language, heading", [("hi", "मेरे साथ एक खोया हुआ बच्चा है"),
                                               ("bn", "আমার সঙ্গে একটি হারিয়ে যাওয়া শিশু আছে"),
                                               ("mr", "माझ्यासोबत एक हरवलेले मूल आहे")])
def test_the_form_speaks_the_visitors_language(client, language, heading):
    client.cookies["django_language"] = language

    html = client.get("/found-a-child").content.decode()

    assert f"<h1>{heading}</h1>" in html
    assert "I am with a child who is lost" not in html
