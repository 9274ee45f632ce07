"""The staff side of trust: the lock-out page says how long and sends Retry-After; createsuperuser never takes a weak
password; debug pages never show the admin's address; a spoofed X-Forwarded-For does not slip past the limits."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from cases.models import Case
from cases.tests.trust_fixtures import report_data

ROOT = Path(__file__).resolve().parents[2]
STRONG = "Correct-Horse-Battery-4711"


def admin_url(path: str = "") -> str:
    return f"/{settings.ADMIN_URL}{path}"


# --- Lock-out ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_lockout_page_says_how_long_and_sends_retry_after(client, settings):
    settings.AXES_COOLOFF_TIME = settings.AXES_COOLOFF_TIME.__class__(minutes=15)
    User.objects.create_user("officer", password=STRONG, is_staff=True)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(admin_url("login/"), {"username": "officer", "password": f"wrong-{attempt}"})

    locked = client.post(admin_url("login/"), {"username": "officer", "password": STRONG})

    assert response.status_code == locked.status_code == 429
    assert locked["Retry-After"] == "900"
    page = locked.content.decode()
    assert "signing in is locked for 15 minutes after too many wrong passwords" in page
    assert "_auth_user_id" not in client.session


# --- createsuperuser --------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("weak", ["123", "password123", "officer-rao1"])
def test_createsuperuser_without_input_refuses_a_weak_password(monkeypatch, weak):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", weak)

    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD is too weak: "):
        call_command("createsuperuser", interactive=False, username="officer-rao", email="rao@example.org",
                     stdout=StringIO())

    assert not User.objects.exists()


@pytest.mark.django_db
def test_createsuperuser_without_input_takes_a_strong_password(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG)

    call_command("createsuperuser", interactive=False, username="officer-rao", email="rao@example.org",
                 stdout=StringIO())

    user = User.objects.get()
    assert user.is_superuser and user.check_password(STRONG)


@pytest.mark.django_db
def test_createsuperuser_reads_the_username_from_the_environment_too(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "sachet-admin")  # too close to the username
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "sachet-admin")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "admin@example.org")

    with pytest.raises(CommandError, match="too similar to the username"):
        call_command("createsuperuser", interactive=False, stdout=StringIO())

    assert not User.objects.exists()


class TTY(StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.django_db
def test_createsuperuser_at_the_prompt_offers_no_bypass(monkeypatch):
    """Django would ask "Bypass password validation and create user anyway?"; here the answer is always no, and the
    password is asked for again."""
    from django.contrib.auth.management.commands import createsuperuser

    passwords = iter(["123", "123", STRONG, STRONG])
    monkeypatch.setattr(createsuperuser.getpass, "getpass", lambda prompt="Password: ": next(passwords))
    asked: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt="": asked.append(prompt) or "y")
    stderr = StringIO()

    call_command("createsuperuser", interactive=True, username="officer-rao", email="rao@example.org",
                 stdin=TTY(), stdout=StringIO(), stderr=stderr)

    assert asked == []  # the bypass question never reached a person
    assert "Sachet does not create staff accounts with weak passwords" in stderr.getvalue()
    assert User.objects.get().check_password(STRONG)
    assert not hasattr(createsuperuser, "input")  # the prompt is Django's own again afterwards


# --- Debug pages ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/no-such-page", "/case/MC20260101ABCDEF12", "/found/MC20260101ABCDEF12/extra"])
def test_a_debug_404_page_does_not_show_the_admin_path(settings, path):
    settings.DEBUG = True
    client = Client(raise_request_exception=False)

    response = client.get(path)

    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page  # still Django's helpful page: it says what was tried
    assert settings.ADMIN_URL.strip("/") not in page
    assert "health" in page or "No case with this reference" in page


@pytest.mark.django_db
def test_a_debug_400_page_does_not_show_the_admin_path(settings):
    settings.DEBUG = True
    client = Client(raise_request_exception=False)

    # runserver passes the environment (where .env put ADMIN_URL) to every request as META
    response = client.get("/", HTTP_HOST="attacker.example", ADMIN_URL=settings.ADMIN_URL,
                          STAFF_LINK=f"http://127.0.0.1:8000/{settings.ADMIN_URL}")

    page = response.content.decode()
    assert response.status_code == 400
    assert "DisallowedHost" in page  # the technical page, with its traceback
    assert settings.ADMIN_URL.strip("/") not in page


def test_debug_pages_are_also_private_in_a_fresh_process(tmp_path):
    """The 404 wrapper is installed when the app loads, whatever DEBUG is at start-up (scripts/run.sh turns it on)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SACHET_TESTING"}}
    env.update(SACHET_IGNORE_DOTENV="1", DEBUG="true", SECRET_KEY="x" * 50, ADMIN_URL="staff-secret-path/",
               VAR_DIR=str(tmp_path), ALLOWED_HOSTS="testserver")
    code = ("import django; django.setup(); from django.test import Client; "
            "print(Client(raise_request_exception=False).get('/nope').content.decode())")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)

    assert result.returncode == 0, result.stderr[-2000:]
    assert "Page not found" in result.stdout
    assert "staff-secret-path" not in result.stdout


# --- Proxies and limits -----------------------------------------------------------------------------------------


def test_env_example_ships_trusted_proxy_off_and_says_when_to_turn_it_on():
    example = (ROOT / ".env.example").read_text()

    assert re.search(r"^TRUSTED_PROXY=false$", example, re.MULTILINE)
    assert "Turn it on only when every request reaches the" in example


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_does_not_bypass_the_report_limit_without_a_proxy(settings,
                                                                                 django_capture_on_commit_callbacks):
    settings.TRUSTED_PROXY = False
    settings.RATE_REPORT = "3/h"
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(5):
            statuses.append(client.post("/report", report_data(name=f"Child {chr(65 + number)}",
                                                               contact_phone=f"+9198220{number:05d}"),
                                        HTTP_X_FORWARDED_FOR=f"198.51.100.{number}").status_code)

    assert statuses == [302, 302, 302, 429, 429]
    assert Case.objects.count() == 3
