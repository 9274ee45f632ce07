"""Deployment checks: a production site on the embedded default's parts is named, part by part, by check --deploy."""

import importlib.util

import pytest
from django.core import checks

# The checks read settings.DATABASES only; no test here opens a connection.
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")

PRODUCTION = dict(
    DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "sachet"}},
    REDIS_URL="redis://127.0.0.1:6379/0", TASKS_IN_PROCESS=False,
    CLOUDINARY_URL="cloudinary://123456789012345:abcdefghijklmnopqrstuvwxyz0@sachet-demo",
    SITE_URL="https://sachet.example.org",
)


def sachet_warnings() -> list[str]:
    messages = checks.run_checks(include_deployment_checks=True)
    return sorted(m.id for m in messages if m.id.startswith("sachet."))


@pytest.fixture
def production(settings):
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    return settings


def test_production_parts_give_no_warning(production):
    assert sachet_warnings() == []


def test_sqlite_in_production_is_named(production):
    production.DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "var/sachet.sqlite3"}}
    assert sachet_warnings() == ["sachet.W001"]


@pytest.mark.parametrize("in_process, says", [(True, "inside web requests"), (False, "filesystem broker")])
def test_no_redis_is_named_with_where_tasks_go(production, in_process, says):
    production.REDIS_URL = ""
    production.TASKS_IN_PROCESS = in_process
    [warning] = [m for m in checks.run_checks(include_deployment_checks=True) if m.id == "sachet.W002"]
    assert says in warning.msg
    assert sachet_warnings() == ["sachet.W002"]


def test_media_served_by_django_is_named(production):
    production.CLOUDINARY_URL = ""
    assert sachet_warnings() == ["sachet.W003"]


@pytest.mark.parametrize("site_url", ["http://localhost:8000", "http://127.0.0.1:8000", "http://sachet.local", ""])
def test_local_site_url_is_named(production, site_url):
    production.SITE_URL = site_url
    assert sachet_warnings() == ["sachet.W004"]


def test_missing_face_library_is_named(production, monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "dlib" else real_find_spec(name, *args))
    [warning] = [m for m in checks.run_checks(include_deployment_checks=True) if m.id == "sachet.W005"]
    assert "dlib missing" in warning.msg
    assert sachet_warnings() == ["sachet.W005"]


def test_the_checks_run_only_for_deploy(settings):
    settings.DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}}
    settings.REDIS_URL = ""
    messages = checks.run_checks(include_deployment_checks=False)
    assert [m.id for m in messages if m.id.startswith("sachet.")] == []
