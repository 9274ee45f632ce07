"""Refused pages say what happened in plain words: a staff action the role may not take (403, in the admin's style,
naming the action and the role, with a way back), and a form sent from a page kept open too long (CSRF)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse

from cases.models import Case, StatusChange
from notifications.models import PhoneCode
from sachet.errors import permission_denied
from tests.factories import staff_group

pytestmark = pytest.mark.django_db


def admin_url(path: str = "") -> str:
    return f"/{settings.ADMIN_URL}{path}"


def staff(username: str, group: str | None) -> User:
    user = User.objects.create_user(username, password="x" * 12, is_staff=True)
    if group:
        user.groups.add(staff_group(group))
    return user


@pytest.fixture
def ngo_client(client):
    client.force_login(staff("volunteer", "NGO"))
    return client


def text(response) -> str:
    return " ".join(response.content.decode().split())


# --- A staff action the role may not take ---------------------------------------------------------------------------


@pytest.mark.parametrize(("to", "action"), [("closed", "close a case"), ("missing", "mark a case missing again")])
def test_ngo_user_asking_for_a_police_only_status_change_is_told_what_their_role_cannot_do(ngo_client, make_case, to,
                                                                                          action):
    case = make_case(status="found")

    response = ngo_client.post(admin_url(f"cases/case/{case.pk}/status/"), {"to": to, "note": "x"})

    assert response.status_code == 403
    page = text(response)
    assert f"Your role (NGO) cannot {action}." in page
    assert "ask a Police administrator" in page
    assert 'id="nav-sidebar"' in page and "Sachet case management" in page  # the admin's own page, sidebar and all
    case.refresh_from_db()
    assert case.status == "found"
    assert StatusChange.objects.filter(case=case).count() == 0
    assert LogEntry.objects.count() == 0


def test_refusal_leads_back_to_the_page_the_person_came_from(ngo_client, make_case):
    case = make_case()
    case_page = "http://testserver" + reverse("admin:cases_case_change", args=[case.pk])

    response = ngo_client.get(admin_url(f"cases/case/{case.pk}/status/"), {"to": "closed"}, HTTP_REFERER=case_page)

    assert response.status_code == 403
    assert response.context["refused"].back == case_page
    assert f'<a class="button" href="{case_page}">Go back</a>' in text(response)


def test_refusal_never_leads_back_to_another_site(ngo_client, make_case):
    case = make_case()

    response = ngo_client.get(admin_url(f"cases/case/{case.pk}/status/"), {"to": "closed"},
                              HTTP_REFERER="https://evil.example.com/phish")

    assert response.context["refused"].back == reverse("admin:index")
    assert "evil.example.com" not in response.content.decode()


def test_ngo_user_deleting_a_case_is_told_they_cannot(ngo_client, make_case):
    case = make_case()

    response = ngo_client.post(reverse("admin:cases_case_delete", args=[case.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert "Your role (NGO) cannot delete this case." in text(response)
    assert Case.objects.filter(pk=case.pk).exists()


def test_ngo_user_opening_the_phone_codes_is_told_they_cannot_see_them(ngo_client):
    response = ngo_client.get(reverse("admin:notifications_phonecode_changelist"))

    assert response.status_code == 403
    assert "Your role (NGO) cannot see the list of phone codes." in text(response)


def test_staff_without_a_role_are_told_their_account_cannot(client):
    client.force_login(staff("newcomer", None))

    response = client.get(reverse("admin:analytics_analyticssnapshot_changelist"))

    assert response.status_code == 403
    assert "Your account cannot see the analytics." in text(response)


def test_superuser_refused_by_a_read_only_page_is_told_no_one_can(client):
    client.force_login(User.objects.create_superuser("chief", password="x" * 12))

    response = client.get(reverse("admin:notifications_phonecode_add"))

    assert response.status_code == 403
    assert "No one can add a new phone code here." in text(response)
    assert "ask a Police administrator" not in text(response)
    assert PhoneCode.objects.count() == 0


def test_refusal_is_in_the_staff_members_language(ngo_client, make_case):
    case = make_case(status="found")
    ngo_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "hi"

    response = ngo_client.post(admin_url(f"cases/case/{case.pk}/status/"), {"to": "closed", "note": "x"})

    assert response.status_code == 403
    assert '<html lang="hi"' in response.content.decode()
    assert "आपकी भूमिका (NGO) में मामला बंद करने की अनुमति नहीं है।" in text(response)


def test_refusal_outside_the_admin_is_the_sites_own_page():
    request = RequestFactory().get("/somewhere")
    request.user = AnonymousUser()

    response = permission_denied(request, PermissionDenied())

    assert response.status_code == 403
    page = text(response)
    assert "You cannot open this page" in page and 'class="site-header"' in page
    assert "nav-sidebar" not in page


def test_refusal_under_the_api_is_json():
    request = RequestFactory().get("/api/geocode")
    request.user = AnonymousUser()

    response = permission_denied(request, PermissionDenied())

    assert (response.status_code, response["Content-Type"]) == (403, "application/json")
    assert json.loads(response.content) == {"error": "This is not open to you."}


# --- A form from a page kept open too long (CSRF) -------------------------------------------------------------------


def test_report_from_a_stale_page_says_the_form_expired_and_offers_it_again(make_case):
    client = Client(enforce_csrf_checks=True)
    client.get("/report")  # the page sets the CSRF cookie; the form below carries a token from another page

    response = client.post("/report", {"name": "Aarav", "csrfmiddlewaretoken": "x" * 64})

    assert response.status_code == 403
    page = text(response)
    assert "This form has expired" in page
    assert '<a class="button" href="/report">Open the form again</a>' in page
    assert 'href="tel:112"' in page and 'href="tel:1098"' in page
    assert "cookie" not in page.lower()
    assert Case.objects.count() == 0


def test_form_sent_without_the_cookie_asks_to_allow_cookies():
    response = Client(enforce_csrf_checks=True).post("/report", {"name": "Aarav"})

    assert response.status_code == 403
    assert "did not send Sachet's cookie" in text(response)
    assert Case.objects.count() == 0


def test_staff_form_from_a_stale_page_gets_the_admins_page_and_changes_nothing(make_case):
    case = make_case()
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff("officer", "Police"))
    status_page = admin_url(f"cases/case/{case.pk}/status/")

    response = client.post(status_page, {"to": "found", "note": "Found at the shelter"})

    assert response.status_code == 403
    page = text(response)
    assert "This form has expired" in page and 'id="nav-sidebar"' in page
    assert f'href="{status_page}"' in page
    case.refresh_from_db()
    assert case.status == "missing"
    assert StatusChange.objects.filter(case=case).count() == 0


def test_stale_sign_in_form_gets_the_admins_expired_page():
    response = Client(enforce_csrf_checks=True).post(admin_url("login/"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert "This form has expired" in text(response)
    assert f'href="{admin_url("login/")}"' in text(response)


def test_strangers_posting_inside_the_admin_still_get_a_404():
    response = Client(enforce_csrf_checks=True).post(admin_url("cases/case/"), {"action": "mark_found"})

    assert response.status_code == 404
    assert "This form has expired" not in text(response)
