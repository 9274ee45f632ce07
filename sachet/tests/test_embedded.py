"""The embedded default (no variables) behaves like production: web requests only queue tasks, a real Celery worker
runs them through the filesystem broker under var/, and the web process never loads the heavy libraries."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.worker import CeleryWorker

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("face_recognition", "dlib", "sklearn")

# A report through the public form, in a web process of the embedded default; prints what it saw as JSON.
WEB_SCRIPT = textwrap.dedent("""
    import io, json, sys
    import django
    django.setup()
    from datetime import timedelta
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.utils import timezone
    from PIL import Image
    import sachet.urls  # the URLconf, as the web server imports it

    image = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 60)).save(image, format="JPEG")
    client = Client(HTTP_HOST="127.0.0.1")
    home = client.get("/")
    report = client.post("/report", {
        "name": "Ishita Das", "age": "5", "gender": "female",
        "description": "Yellow frock with white flowers, curly hair.", "last_seen_place": "Navrangpura, Ahmedabad",
        "last_seen_at": timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "contact_name": "Sujata Das", "contact_phone": "+919831000404", "consent": "on",
        "photo": SimpleUploadedFile("ishita.jpg", image.getvalue(), content_type="image/jpeg"),
    })
    geocode = client.get("/api/geocode", {"q": "Koramangala, Bengaluru"})
    reverse = client.get("/api/reverse", {"lat": "12.9352", "lng": "77.6245"})
    from cases.models import Case
    case = Case.objects.get()
    print(json.dumps({"home": home.status_code, "report": report.status_code, "geocoding": case.geocoding,
                      "map": [geocode.json()["found"], reverse.json()["found"]],
                      "reference": case.reference, "heavy": sorted(m for m in HEAVY if m in sys.modules)}))
""").replace("HEAVY", repr(HEAVY))


def embedded_env(var_dir: Path) -> dict[str, str]:
    """The environment of `scripts/run.sh`: DEBUG on, a local secret, no database, Redis or Cloudinary variables."""
    drop = {"DATABASE_URL", "REDIS_URL", "CLOUDINARY_URL", "SECRET_KEY", "DEBUG", "TASKS_IN_PROCESS", "MEDIA_ROOT",
            "SACHET_TESTING"}
    env = {name: value for name, value in os.environ.items() if name not in drop}
    env.update(SACHET_IGNORE_DOTENV="1", DEBUG="true", SECRET_KEY="embedded-default-under-test-not-a-secret",
               VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="sachet.settings", PYTHONUNBUFFERED="1")
    return env


def run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_embedded_default_queues_tasks_on_the_filesystem_broker_with_a_shared_cache(tmp_path):
    code = ("import django; django.setup(); from django.conf import settings; from sachet.celery import app; "
            "print(app.conf.broker_url, app.conf.task_always_eager, settings.CACHES['default']['BACKEND'], "
            "settings.DATABASES['default']['OPTIONS']['transaction_mode'])")
    result = run([sys.executable, "-c", code], embedded_env(tmp_path / "var"))
    assert result.stdout.split() == ["filesystem://localhost/", "False",
                                     "django.core.cache.backends.filebased.FileBasedCache", "IMMEDIATE"]


def test_a_report_is_only_queued_by_the_web_process_and_done_by_the_worker(tmp_path):
    env = embedded_env(tmp_path / "var")
    (tmp_path / "var").mkdir()
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)

    web = json.loads(run([sys.executable, "-c", WEB_SCRIPT], env).stdout.strip().splitlines()[-1])
    assert (web["home"], web["report"], web["map"]) == (200, 302, [True, True])
    assert web["geocoding"] == "pending"  # the request queued the look-up and did not run it
    assert web["heavy"] == []  # no face model, dlib or scikit-learn in the web process, even after the map's look-ups
    queued = list((tmp_path / "var" / "broker" / "queue").glob("*.msg"))
    assert queued  # the tasks wait in the broker's folder

    worker = CeleryWorker(env=env, log_path=tmp_path / "worker.log", pool="prefork", concurrency=2,
                          purge=False).start()
    try:
        database = sqlite3.connect(tmp_path / "var" / "sachet.sqlite3", timeout=20)

        def geocoded():
            row = database.execute("SELECT geocoding, location_precision FROM cases_case WHERE reference = ?",
                                   [web["reference"]]).fetchone()
            return row if row[0] != "pending" else None

        assert worker.wait_until(geocoded, timeout=60) == ("found", "locality")
        sent = worker.wait_until(lambda: database.execute(
            "SELECT count(*) FROM notifications_delivery WHERE status = 'sent'").fetchone()[0], timeout=30)
        assert sent >= 1  # the new-case alert, through the log channel
        worker.wait_until(lambda: not list((tmp_path / "var" / "broker" / "queue").glob("*.msg")), timeout=60)
        database.close()
    finally:
        worker.stop()
    assert "database is locked" not in worker.log


def test_the_health_check_reports_the_filesystem_broker(tmp_path):
    code = ("import django, json; django.setup(); from django.test import Client; "
            "response = Client(HTTP_HOST='127.0.0.1').get('/health'); "
            "print(response.status_code, json.dumps(response.json()))")
    env = embedded_env(tmp_path / "var")
    (tmp_path / "var").mkdir()
    status, body = run([sys.executable, "-c", code], env).stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "200"
    assert json.loads(body)["checks"]["broker"]["status"] == "filesystem"


def test_the_health_check_is_down_when_tasks_wait_and_no_worker_takes_them(tmp_path, settings):
    from sachet.health import FILESYSTEM_STALLED_SECONDS, QueueStalled, check_filesystem_broker

    (tmp_path / "fresh.default.msg").write_text("{}")
    assert check_filesystem_broker(tmp_path) == "filesystem"
    old = tmp_path / "old.default.msg"
    old.write_text("{}")
    long_ago = time.time() - FILESYSTEM_STALLED_SECONDS - 5
    os.utime(old, (long_ago, long_ago))
    with pytest.raises(QueueStalled):
        check_filesystem_broker(tmp_path)


def test_run_script_prints_exactly_the_admin_path(tmp_path):
    """scripts/run.sh's own command line, run as the script runs it: only the path, no banner from the shell."""
    line = next(line for line in (ROOT / "scripts" / "run.sh").read_text().splitlines()
                if line.startswith("admin_path=$("))
    command = re.fullmatch(r"admin_path=\$\((.*)\)", line)[1].replace(".venv/bin/python", sys.executable)
    env = {**embedded_env(tmp_path / "var"), "ADMIN_URL": "desk-4f2a9c/"}
    result = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "desk-4f2a9c/\n"


def test_sqlite_writers_in_two_processes_wait_for_each_other_instead_of_failing(tmp_path):
    """A worker's write and a web request's write at the same moment: with WAL, IMMEDIATE transactions and a busy
    timeout, both processes finish every read-then-write transaction."""
    env = embedded_env(tmp_path / "var")
    (tmp_path / "var").mkdir()
    run([sys.executable, "manage.py", "migrate", "geocoding", "--noinput", "-v0"], env)
    writer = textwrap.dedent("""
        import sys, django
        django.setup()
        from django.db import transaction
        from django.utils import timezone
        from geocoding.models import GeocodeResult
        name = sys.argv[1]
        for i in range(150):
            with transaction.atomic():
                GeocodeResult.objects.filter(query__startswith=name).count()  # a read, then a write
                GeocodeResult.objects.create(query=f"{name} {i}", found=False, expires_at=timezone.now())
        print("done")
    """)
    processes = [subprocess.Popen([sys.executable, "-c", writer, name], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for name in ("worker", "web")]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (out, err) in zip(processes, outputs):
        assert process.returncode == 0, err
        assert out.strip() == "done"
    database = sqlite3.connect(tmp_path / "var" / "sachet.sqlite3")
    assert database.execute("SELECT count(*) FROM geocoding_geocoderesult").fetchone() == (300,)
    assert database.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_run_script_starts_web_worker_for_every_queue_and_beat_together():
    processes = dict(line.split(": ", 1) for line in (ROOT / "Procfile.local").read_text().splitlines() if line)
    assert set(processes) == {"web", "worker", "beat"}
    assert processes["web"].startswith("python manage.py runserver 127.0.0.1:${PORT}")
    assert "--queues default,alerts,bulk " in processes["worker"]
    assert processes["beat"].startswith("celery -A sachet beat ")
    run_script = (ROOT / "scripts" / "run.sh").read_text()
    assert 'exec honcho start -f Procfile.local -p "$port"' in run_script  # one command; Ctrl-C stops all three
    assert importlib.util.find_spec("honcho") is not None
