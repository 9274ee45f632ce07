"""REPORT_VERIFICATION's defaults and the checks on the trust settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cases import checks

ROOT = Path(__file__).resolve().parents[2]
TWILIO = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "token", "TWILIO_FROM_NUMBER": "+15005550006"}


def verification_in_a_fresh_process(**env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "SACHET_TESTING", *TWILIO}}
    env.update({"SACHET_IGNORE_DOTENV": "1", "SECRET_KEY": "s" * 50, **env_overrides})
    code = "import django; django.setup(); from django.conf import settings; print(settings.REPORT_VERIFICATION)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize(("env", "expected"), [
    ({"DEBUG": "false", **TWILIO}, "sms+staff"),
    ({"DEBUG": "false"}, "staff"),
    ({"DEBUG": "true"}, "none"),
    ({"DEBUG": "false", "REPORT_VERIFICATION": "none"}, "none"),
])
def test_the_default_follows_what_can_send_codes(env, expected):
    result = verification_in_a_fresh_process(**env)

    assert result.returncode == 0, result.stderr[-1500:]
    assert result.stdout.strip().splitlines()[-1] == expected


def test_an_unknown_mode_refuses_to_start():
    result = verification_in_a_fresh_process(DEBUG="false", REPORT_VERIFICATION="sms")

    assert result.returncode != 0
    assert "REPORT_VERIFICATION must be sms+staff, staff or none, got 'sms'" in result.stderr


def test_sms_verification_without_sms_is_warned_about(settings):
    settings.REPORT_VERIFICATION = "sms+staff"
    settings.TWILIO_ACCOUNT_SID = ""

    assert [w.id for w in checks.check_verification()] == ["cases.W001"]


def test_publishing_without_verification_is_a_deploy_warning(settings):
    settings.REPORT_VERIFICATION = "none"
    assert [w.id for w in checks.check_publication_without_verification()] == ["cases.W003"]
    settings.REPORT_VERIFICATION = "staff"
    assert checks.check_publication_without_verification() == []


@pytest.mark.parametrize(("photo_days", "retention_days", "ids"), [
    (7, 90, []), (30, 10, ["cases.W002"]), (-1, 90, ["cases.E001"]), (7, 0, ["cases.E001"])])
def test_retention_periods_are_checked(settings, photo_days, retention_days, ids):
    settings.REPORT_VERIFICATION = "staff"
    settings.PUBLIC_PHOTO_DAYS_AFTER_FOUND = photo_days
    settings.RETENTION_DAYS_AFTER_FOUND = retention_days

    assert [problem.id for problem in checks.check_verification()] == ids
