"""tests/worker.py itself: the worker gets the test database's URL, and a missing Redis skips or, under CI, fails."""

from __future__ import annotations

import pytest

from tests.worker import database_url, require_services


def test_worker_database_url_names_the_test_database():
    settings_dict = {"NAME": "test_sachet", "USER": "postgres", "PASSWORD": "", "HOST": "127.0.0.1", "PORT": 5433}

    assert database_url(settings_dict) == "postgres://postgres@127.0.0.1:5433/test_sachet"


def test_worker_database_url_quotes_the_password():
    settings_dict = {"NAME": "test_sachet", "USER": "sachet", "PASSWORD": "p@ss/word", "HOST": "db", "PORT": ""}

    assert database_url(settings_dict) == "postgres://sachet:p%40ss%2Fword@db/test_sachet"


def test_worker_test_is_skipped_without_redis(settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception) as skipped:
        require_services()

    assert "REDIS_URL is not set" in str(skipped.value)


def test_worker_test_fails_without_redis_under_ci(settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception) as failed:
        require_services()

    assert str(failed.value).endswith("(CI is set: this test must run)")
