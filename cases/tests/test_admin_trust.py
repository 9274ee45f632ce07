"""The admin's trust features: NGO users see phone numbers masked and every "show number" is recorded; Police see
them; reports entered by staff record a legal basis and are published under their name; the trust history shows."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case, CaseEvent
from notifications.models import Delivery
from tests.factories import jpeg_bytes

from .trust_fixtures import *  # noqa: F403 - fixtures
from .trust_fixtures import report_data

pytestmark = pytest.mark.django_db

CONTACT, REPORTER, SIGHTER = "+919822000101", "+919822000999", "+919900012345"


def admin_url(path: str) -> str:
    return f"/{django_settings.ADMIN_URL}{path}"


def digits(number: str) -> str:
    return number[3:]


def test_ngo_staff_see_phone_numbers_masked_everywhere(client, make_case, make_sighting, ngo):
    case = make_case()
    sighting = make_sighting(case, reporter_phone=SIGHTER)
    client.force_login(ngo)

    pages = [client.get(admin_url(path)).content.decode() for path in (
        f"cases/case/{case.pk}/change/", f"cases/sighting/{sighting.pk}/change/", "cases/case/", "cases/sighting/")]

    for page in pages:
        for number in (CONTACT, REPORTER, SIGHTER):
            assert digits(number) not in page
    assert "+91 ******01" in pages[0] and "+91 ******99" in pages[0] and "+91 ******45" in pages[0]
    assert pages[0].count(">Show number</button>") == 3
    assert "+91 ******45" in pages[1]


def test_police_see_the_numbers(client, make_case, make_sighting, police):
    case = make_case()
    make_sighting(case, reporter_phone=SIGHTER)
    client.force_login(police)

    page = client.get(admin_url(f"cases/case/{case.pk}/change/")).content.decode()

    for number in (CONTACT, REPORTER, SIGHTER):
        assert number in page
    assert "Show number" not in page


@pytest.mark.parametrize(("target", "number", "field"), [
    ("contact_phone", CONTACT, "contact_phone"), ("reporter_phone", REPORTER, "reporter_phone")])
def test_show_number_records_who_which_case_and_when_then_shows_it(client, make_case, ngo, target, number, field):
    case = make_case()
    client.force_login(ngo)

    response = client.post(admin_url(f"cases/case/{case.pk}/reveal/"), {"phone": target})

    assert response.status_code == 200
    assert f'href="tel:{number}"' in response.content.decode()
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.by, event.details) == ("phone_revealed", ngo, {"field": field})
    assert event.at is not None
    assert LogEntry.objects.get(object_id=str(case.pk), user=ngo).change_message.startswith("Showed the ")


def test_show_number_of_a_sightings_reporter(client, make_case, make_sighting, ngo):
    case = make_case()
    sighting = make_sighting(case, reporter_phone=SIGHTER)
    client.force_login(ngo)

    response = client.post(admin_url(f"cases/case/{case.pk}/reveal/"), {"phone": f"sighting-{sighting.pk}"})

    assert SIGHTER in response.content.decode()
    assert CaseEvent.objects.get(case=case).details == {"field": "reporter_phone", "sighting": sighting.pk}


def test_show_number_only_by_post_and_only_for_this_case(client, make_case, make_sighting, ngo):
    case, other = make_case(), make_case(name="Other Child")
    foreign = make_sighting(other, reporter_phone=SIGHTER)
    client.force_login(ngo)

    by_get = client.get(admin_url(f"cases/case/{case.pk}/reveal/"), {"phone": "contact_phone"})
    foreign_sighting = client.post(admin_url(f"cases/case/{case.pk}/reveal/"), {"phone": f"sighting-{foreign.pk}"})
    unknown = client.post(admin_url(f"cases/case/{case.pk}/reveal/"), {"phone": "notes"})

    assert (by_get.status_code, foreign_sighting.status_code, unknown.status_code) == (404, 404, 404)
    assert not CaseEvent.objects.exists()


def test_a_stranger_cannot_reveal_anything(client, make_case):
    case = make_case()

    response = client.post(admin_url(f"cases/case/{case.pk}/reveal/"), {"phone": "contact_phone"})

    assert response.status_code == 404
    assert CONTACT not in response.content.decode()
    assert not CaseEvent.objects.exists()


def test_police_enter_a_report_with_a_legal_basis_and_it_is_published_under_their_name(
    client, police, channels, django_capture_on_commit_callbacks
):
    client.force_login(police)
    data = report_data(legal_basis="police_report")
    data.pop("consent")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(admin_url("cases/case/report/"), data)

    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == admin_url(f"cases/case/{case.pk}/change/")
    assert (case.legal_basis, case.consent_at, case.verification, case.verification_method,
            case.verification_by) == ("police_report", None, "verified", "staff", police)
    assert Delivery.objects.filter(event_key=f"case:{case.reference}:reported").count() == 3
    assert LogEntry.objects.get(object_id=str(case.pk)).is_addition()
    assert case.status_changes.get().changed_by == police


def test_a_staff_report_needs_a_legal_basis(client, police):
    client.force_login(police)
    data = report_data()

    response = client.post(admin_url("cases/case/report/"), data)

    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_ngo_staff_cannot_enter_reports(client, ngo):
    client.force_login(ngo)
    data = report_data(legal_basis="police_report",
                       photo=SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg"))

    response = client.post(admin_url("cases/case/report/"), data)

    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_the_case_list_offers_to_enter_a_report_to_police(client, police, ngo):
    client.force_login(police)
    police_page = client.get(admin_url("cases/case/")).content.decode()
    client.force_login(ngo)
    ngo_page = client.get(admin_url("cases/case/")).content.decode()

    assert "Enter a report" in police_page and "Enter a report" not in ngo_page


def test_the_case_page_shows_the_trust_history(client, make_case, ngo, police):
    case = make_case(verification="unverified")
    client.force_login(ngo)
    client.post(admin_url(f"cases/case/{case.pk}/verification/"), {"to": "verified", "note": "Checked the FIR."})

    page = client.get(admin_url(f"cases/case/{case.pk}/change/")).content.decode()

    assert "verification, publication and privacy history" in page.lower()
    assert "Report confirmed" in page and "Checked the FIR." in page
