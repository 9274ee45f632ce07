"""The admin's hidden path, brute-force lockout and the Police / NGO roles."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from tests.factories import staff_group

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def admin_url(path: str = "") -> str:
    return f"/{settings.ADMIN_URL}{path}"


def staff(username: str, group: str | None) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    if group:
        user.groups.add(staff_group(group))
    return user


def login_attempt(client: Client, username: str, password: str, **headers):
    return client.post(admin_url("login/"), {"username": username, "password": password,
                                             "next": admin_url()}, **headers)


def test_admin_is_not_at_the_default_path(client):
    assert settings.ADMIN_URL != "admin/"
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404


@pytest.mark.parametrize("path", ["cases/case/", "cases/case/1/change/", "auth/user/", "jsi18n/", "no/such/"])
def test_admin_paths_are_404_to_strangers(client, path):
    assert client.get(admin_url(path)).status_code == 404


def test_admin_root_leads_strangers_to_the_login_page(client):
    response = client.get(admin_url())
    assert response.status_code == 302
    assert response["Location"].startswith(admin_url("login/"))
    assert client.get(admin_url("login/")).status_code == 200


def test_signed_in_staff_see_the_case_list(client):
    client.force_login(staff("officer", "Police"))
    assert client.get(admin_url("cases/case/")).status_code == 200


def test_non_staff_user_gets_404_not_a_login_hint(client):
    user = User.objects.create_user("citizen", password=PASSWORD)
    client.force_login(user)
    assert client.get(admin_url("cases/case/")).status_code == 404


def test_correct_password_signs_in(client):
    staff("officer", "Police")
    response = login_attempt(client, "officer", PASSWORD)
    assert response.status_code == 302
    assert client.get(admin_url("cases/case/")).status_code == 200


def test_five_wrong_passwords_lock_the_sixth_try_even_with_the_right_password(client):
    staff("officer", "Police")
    for _ in range(4):
        assert login_attempt(client, "officer", "wrong password").status_code == 200
    assert login_attempt(client, "officer", "wrong password").status_code == 429  # the fifth failure locks
    locked = login_attempt(client, "officer", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert client.get(admin_url("cases/case/")).status_code == 404


def test_lockout_holds_for_a_username_from_another_address(client):
    staff("officer", "Police")
    for _ in range(5):
        login_attempt(client, "officer", "wrong", REMOTE_ADDR="203.0.113.5")
    assert login_attempt(Client(), "officer", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 429


def test_changing_x_forwarded_for_does_not_unlock(client):
    staff("officer", "Police")
    for i in range(5):
        login_attempt(client, f"guess{i}", "wrong", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    response = login_attempt(client, "officer", PASSWORD, REMOTE_ADDR="203.0.113.5",
                             HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_client_cannot_pick_its_address(client, settings):
    settings.TRUSTED_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1
    staff("officer", "Police")
    # The proxy appends the real client address last; anything before it was written by the client.
    for i in range(5):
        login_attempt(client, f"guess{i}", "wrong", REMOTE_ADDR="10.1.1.1",
                      HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 203.0.113.5")
    response = login_attempt(client, "officer", PASSWORD, REMOTE_ADDR="10.1.1.1",
                             HTTP_X_FORWARDED_FOR="7.7.7.7, 203.0.113.5")
    assert response.status_code == 429
    other_client = login_attempt(Client(), "officer", PASSWORD, REMOTE_ADDR="10.1.1.1",
                                 HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other_client.status_code == 302


def test_no_account_exists_by_default():
    assert User.objects.count() == 0


POLICE_ONLY = ["cases.delete_case", "cases.change_case", "cases.change_case_status", "auth.add_user",
               "auth.change_user", "notifications.change_delivery", "notifications.resend_delivery",
               "notifications.send_test_alert", "analytics.recalculate_analytics"]
NGO_ALLOWED = ["cases.view_case", "cases.view_sighting", "cases.add_casenote", "cases.mark_case_found",
               "cases.view_statuschange", "notifications.view_delivery", "analytics.view_analyticssnapshot"]


@pytest.mark.parametrize("permission", NGO_ALLOWED + POLICE_ONLY)
def test_police_have_every_case_permission(permission):
    assert staff("officer", "Police").has_perm(permission)


@pytest.mark.parametrize("permission", NGO_ALLOWED)
def test_ngo_staff_can_follow_cases_add_notes_and_mark_found(permission):
    assert staff("volunteer", "NGO").has_perm(permission)


@pytest.mark.parametrize("permission", POLICE_ONLY)
def test_ngo_staff_cannot_delete_edit_reopen_or_manage_users(permission):
    assert not staff("volunteer", "NGO").has_perm(permission)
