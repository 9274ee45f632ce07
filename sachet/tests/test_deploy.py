"""The deploy files point at real things, and production settings pass Django's deployment checks."""

import importlib
import os
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "false", "SECRET_KEY": "k" * 20 + "-production-like-secret-for-the-check-0123456789",
    "ALLOWED_HOSTS": "sachet.example.org", "SITE_URL": "https://sachet.example.org", "ADMIN_URL": "ops-7f3a9c/",
    "TRUSTED_PROXY": "true", "DATABASE_URL": "postgres://u:p@127.0.0.1:9/sachet", "REDIS_URL": "redis://127.0.0.1:9/0",
    "SACHET_IGNORE_DOTENV": "1",
}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run(args, cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120)


def test_check_deploy_reports_no_warnings_with_production_variables():
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_fails_when_security_is_turned_off():
    env = {**PRODUCTION_ENV, "SECURE_SSL_REDIRECT": "false", "SECURE_HSTS_SECONDS": "0"}
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout and "security.W008" in result.stderr + result.stdout


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def test_procfile_has_web_worker_beat_and_release():
    assert set(procfile()) == {"web", "worker", "alerts", "beat", "release"}
    assert "--queues alerts " in procfile()["alerts"] and "--queues default " in procfile()["worker"]
    assert procfile()["release"] == "python manage.py migrate --noinput"
    assert "${WEB_CONCURRENCY:-2}" in procfile()["web"]


def command_targets(command: str) -> list[str]:
    """The Python module each command starts: gunicorn's app module and celery's -A app."""
    words = shlex.split(command.replace("sh -c ", ""))
    targets = []
    for i, word in enumerate(words):
        if word.endswith("gunicorn") and i + 1 < len(words):
            targets.append(words[i + 1].split(":")[0])
        if word == "-A":
            targets.append(words[i + 1])
    return targets


def test_procfile_and_render_commands_point_at_real_modules():
    blueprint = yaml.safe_load((ROOT / "render.yaml").read_text())
    commands = list(procfile().values()) + [s["dockerCommand"] for s in blueprint["services"] if "dockerCommand" in s]
    targets = {t for command in commands for t in command_targets(command)}
    assert targets == {"sachet.wsgi", "sachet"}
    for target in targets:
        assert importlib.util.find_spec(target) is not None
    from sachet.celery import app

    assert app.main == "sachet"


def test_render_blueprint_wires_database_redis_and_secrets_without_committing_them():
    blueprint = yaml.safe_load((ROOT / "render.yaml").read_text())
    services = {s["name"]: s for s in blueprint["services"]}
    assert {"sachet-web", "sachet-worker", "sachet-alerts", "sachet-beat", "sachet-redis"} <= set(services)
    assert blueprint["databases"][0]["name"] == "sachet-db"
    shared = {v["key"]: v for v in blueprint["envVarGroups"][0]["envVars"]}
    assert shared["SECRET_KEY"] == {"key": "SECRET_KEY", "generateValue": True}
    for secret in ("TELEGRAM_BOT_TOKEN", "TWILIO_AUTH_TOKEN", "CLOUDINARY_URL", "DISCORD_WEBHOOK_URL"):
        assert shared[secret] == {"key": secret, "sync": False}
    for name in ("sachet-web", "sachet-worker", "sachet-alerts", "sachet-beat"):
        keys = {v.get("key") for v in services[name]["envVars"]}
        assert {"DATABASE_URL", "REDIS_URL"} <= keys
    assert services["sachet-web"]["healthCheckPath"] == "/health"


def test_gunicorn_app_imports_under_production_settings():
    code = "from sachet.wsgi import application; print(type(application).__name__)"
    result = run([sys.executable, "-c", code], PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "WSGIHandler"
