"""The deploy files point at real things, and production settings pass Django's deployment checks."""

import importlib
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "false", "SECRET_KEY": "k" * 20 + "-production-like-secret-for-the-check-0123456789",
    "ALLOWED_HOSTS": "sachet.example.org", "SITE_URL": "https://sachet.example.org", "ADMIN_URL": "ops-7f3a9c/",
    "TRUSTED_PROXY": "true", "DATABASE_URL": "postgres://u:p@127.0.0.1:9/sachet", "REDIS_URL": "redis://127.0.0.1:9/0",
    "CLOUDINARY_URL": "cloudinary://123456789012345:abcdefghijklmnopqrstuvwxyz0@sachet-demo",
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
    assert set(procfile()) == {"web", "worker", "alerts", "bulk", "beat", "release"}
    assert "--queues alerts " in procfile()["alerts"] and "--queues default " in procfile()["worker"]
    assert "--queues bulk " in procfile()["bulk"]
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
    assert {"sachet-web", "sachet-worker", "sachet-alerts", "sachet-bulk", "sachet-beat", "sachet-redis"} <= set(services)
    assert blueprint["databases"][0]["name"] == "sachet-db"
    shared = {v["key"]: v for v in blueprint["envVarGroups"][0]["envVars"]}
    assert shared["SECRET_KEY"] == {"key": "SECRET_KEY", "generateValue": True}
    for secret in ("TELEGRAM_BOT_TOKEN", "TWILIO_AUTH_TOKEN", "CLOUDINARY_URL", "DISCORD_WEBHOOK_URL"):
        assert shared[secret] == {"key": secret, "sync": False}
    for name in ("sachet-web", "sachet-worker", "sachet-alerts", "sachet-bulk", "sachet-beat"):
        keys = {v.get("key") for v in services[name]["envVars"]}
        assert {"DATABASE_URL", "REDIS_URL"} <= keys
    assert services["sachet-web"]["healthCheckPath"] == "/health"


def test_gunicorn_app_imports_under_production_settings():
    code = "from sachet.wsgi import application; print(type(application).__name__)"
    result = run([sys.executable, "-c", code], PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "WSGIHandler"


def test_migrate_works_before_collectstatic_with_the_manifest_storage(tmp_path):
    """A release phase migrates before (or without) collectstatic: nothing may need the manifest at import."""
    env = {**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}", "STATIC_MANIFEST": "true",
           "STATIC_ROOT": str(tmp_path / "static"), "VAR_DIR": str(tmp_path / "var")}
    result = run([sys.executable, "manage.py", "migrate", "--noinput"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Applying cases.0001_initial... OK" in result.stdout
    assert not (tmp_path / "static").exists()  # nothing was collected: the manifest really was missing


# --- Heroku ---------------------------------------------------------------------------------------------------


def test_heroku_python_version_is_311():
    assert (ROOT / ".python-version").read_text().strip() == "3.11"


def test_heroku_app_json_wires_addons_secret_and_the_procfile_processes():
    app = json.loads((ROOT / "app.json").read_text())
    assert {addon["plan"].split(":")[0] for addon in app["addons"]} == {"heroku-postgresql", "heroku-redis"}
    assert app["env"]["SECRET_KEY"]["generator"] == "secret"
    assert app["env"]["DEBUG"]["value"] == "false"
    assert app["env"]["REDIS_SSL_CERT_REQS"]["value"] == "none"  # Heroku Redis: TLS with a self-signed certificate
    assert set(app["formation"]) == set(procfile()) - {"release"}
    assert app["buildpacks"] == [{"url": "heroku/python"}]


def test_heroku_yml_runs_the_procfile_commands_from_the_dockerfile_image():
    manifest = yaml.safe_load((ROOT / "heroku.yml").read_text())
    assert manifest["build"]["docker"] == {"web": "Dockerfile"}
    assert manifest["release"]["command"] == [procfile()["release"]]
    commands = {name: spec if isinstance(spec, str) else " ".join(spec["command"])
                for name, spec in manifest["run"].items()}
    assert commands == {name: command for name, command in procfile().items() if name != "release"}
    assert {spec["image"] for spec in manifest["run"].values() if isinstance(spec, dict)} == {"web"}


def test_post_compile_hook_installs_the_no_deps_requirements_and_the_gazetteer_arrays():
    hook = ROOT / "bin" / "post_compile"
    assert os.access(hook, os.X_OK)
    lines = [line for line in hook.read_text().splitlines() if line and not line.startswith("#")]
    assert "python -m pip install --no-deps -r requirements-nodeps.txt" in lines
    assert "python -m geocoding.gazetteer_arrays" in lines


@pytest.mark.postgres_only
def test_a_clean_venv_built_like_herokus_buildpack_imports_face_recognition_and_passes_check_deploy(tmp_path):
    """`pip install -r requirements.txt` into a fresh virtualenv, then bin/post_compile, in a copy of the app
    (about a minute with pip's cache warm)."""
    app = tmp_path / "app"
    ignore = shutil.ignore_patterns(".venv", ".git", "var", "staticfiles", "__pycache__", "gazetteer_in", ".env")
    shutil.copytree(ROOT, app, ignore=ignore)
    venv = tmp_path / "venv"
    build_env = {k: v for k, v in os.environ.items() if k in {"HOME", "LANG", "PIP_FIND_LINKS", "PIP_INDEX_URL",
                                                               "PIP_EXTRA_INDEX_URL", "PIP_CONFIG_FILE"}}
    build_env["PATH"] = f"{venv / 'bin'}:{os.environ['PATH']}"

    def step(args):
        result = subprocess.run(args, cwd=app, env=build_env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return result

    step([sys.executable, "-m", "venv", str(venv)])
    step([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-r", "requirements.txt"])
    step(["bash", "bin/post_compile"])

    code = ("import importlib.metadata, face_recognition; "
            "print(importlib.metadata.version('face-recognition'), callable(face_recognition.face_encodings))")
    assert step([str(venv / "bin" / "python"), "-c", code]).stdout.split() == ["1.3.0", "True"]
    assert (app / "geocoding" / "data" / "gazetteer_in" / "SOURCE").is_file()
    check = subprocess.run([str(venv / "bin" / "python"), "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                           cwd=app, env={**build_env, **PRODUCTION_ENV}, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "System check identified no issues (0 silenced)." in check.stdout
