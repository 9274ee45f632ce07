import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_django(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL",
                                                           "SACHET_TESTING"}}
    env.update({"SACHET_IGNORE_DOTENV": "1", **env_overrides})
    code = "import django; django.setup(); from django.conf import settings; print(settings.ADMIN_URL, settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


def test_production_refuses_to_start_without_a_secret_key():
    result = run_django({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_test_settings_are_chosen_by_sachet_testing_not_by_what_is_imported(settings):
    # This process: pytest-env set SACHET_TESTING before the settings loaded.
    assert settings.TESTING is True
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Another process with pytest imported but without the variable gets production settings (and needs a secret).
    code = "import pytest, django; django.setup()"
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "SACHET_TESTING"}}
    env["SACHET_IGNORE_DOTENV"] = "1"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    testing = run_django({"DEBUG": "false", "SACHET_TESTING": "1"})
    assert testing.returncode == 0, testing.stderr


def test_embedded_default_is_sqlite_with_a_worker_and_a_hidden_admin():
    result = run_django({"DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    admin_url, engine, eager = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert eager == "False"  # tasks go to a worker through the filesystem broker (test_embedded.py)
    assert admin_url != "admin/" and admin_url.startswith("staff-")


def test_production_settings_come_from_the_environment():
    result = run_django({"DEBUG": "false", "SECRET_KEY": "s" * 50, "ADMIN_URL": "/ops-desk-7f3a/",
                         "DATABASE_URL": "postgres://u:p@127.0.0.1:5999/sachet", "REDIS_URL": "redis://127.0.0.1:1/0"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ops-desk-7f3a/", "django.db.backends.postgresql", "False"]


def test_env_example_lists_every_variable_the_settings_read():
    import re

    settings_source = (ROOT / "sachet" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', settings_source))
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z_]+)=", example, flags=re.M))
    assert read - listed == set()
