"""Redis goes down (broker and cache) while the public reports a missing child, a sighting and a found child; Redis
comes back; a real worker and the beat sweeps finish everything: every photo analysed, the poster made, every place
on the map. The outage logs one warning per report, never a traceback. PostgreSQL and a private redis-server that
the test stops and starts."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cases import found, posters, services, tasks
from cases.models import Case, FoundChild, Sighting
from media import matching
from tests.worker import celery_worker_process  # noqa: F401 - fixture

pytestmark = [pytest.mark.worker, pytest.mark.postgres_only]

FACE = Path(__file__).resolve().parents[2] / "tests" / "data" / "faces" / "grace_hopper.jpg"
WITHIN = 120  # seconds, for a busy 2-core machine; the worker's first face analysis loads dlib's models


class PrivateRedis:
    """A redis-server of the test's own on a free loopback port, stopped and started at will."""

    def __init__(self, folder: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "no", "--daemonize", "yes", "--dir", str(self.folder),
                        "--pidfile", str(self.folder / "redis.pid"), "--logfile", str(self.folder / "redis.log")],
                       check=True)
        deadline = time.monotonic() + 10
        while not self.answers():
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], check=False, capture_output=True)
        deadline = time.monotonic() + 10
        while self.answers():
            assert time.monotonic() < deadline, "redis-server did not stop"
            time.sleep(0.05)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False


@pytest.fixture
def private_redis(tmp_path, settings):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    from sachet.celery import app

    redis = PrivateRedis(tmp_path)
    redis.start()
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = redis.url, False
    app._pool = None
    app.amqp._producer_pool = None
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis.url}}
    yield redis
    redis.stop()
    app.conf.broker_url, app.conf.task_always_eager = saved
    app._pool = None
    app.amqp._producer_pool = None


def photo() -> ContentFile:
    return ContentFile(FACE.read_bytes(), name="child.jpg")


def test_everything_scheduled_while_redis_was_down_is_done_once_it_is_back(
    private_redis, celery_worker_process, caplog
):
    caplog.set_level(logging.INFO)
    private_redis.stop()

    case = services.report_case(
        name="Ishita Das", age=5, gender="female", description="Yellow frock with white flowers.",
        last_seen_place="Navrangpura, Ahmedabad", last_seen_at=timezone.now() - timedelta(hours=1),
        contact_name="Sujata Das", contact_phone="+919831000404", photo=photo(), consent_version="2026-12",
    )
    sighting = services.record_sighting(case=case, place="Navrangpura, Ahmedabad", seen_at=timezone.now(),
                                        description="Girl in a yellow frock.", photo=photo())
    child = found.report_found_child(found_place="Navrangpura, Ahmedabad", found_at=timezone.now(),
                                     reporter_phone="+919831000505", stated_name="Ishita", photo=photo())
    lost = (matching.face_summary(case.photo.name), Case.objects.get(pk=case.pk).poster.name,
            Case.objects.get(pk=case.pk).geocoding)

    private_redis.start()
    worker = celery_worker_process(env={"REDIS_URL": private_redis.url, "SWEEP_AFTER_MINUTES": "0"})
    tasks.sweep_unfinished_work.delay()  # as beat does every few minutes
    tasks.requeue_pending_geocoding.delay(older_than_minutes=0)

    assert lost == (None, "", "pending")
    worker.wait_until(lambda: posters.is_fresh(Case.objects.get(pk=case.pk)), timeout=WITHIN)
    worker.wait_until(lambda: matching.face_summary(case.photo.name), timeout=WITHIN)
    worker.wait_until(lambda: matching.face_summary(Sighting.objects.get(pk=sighting.pk).photo.name), timeout=WITHIN)
    worker.wait_until(lambda: matching.face_summary(child.photos.get().photo.name), timeout=WITHIN)
    worker.wait_until(lambda: Case.objects.get(pk=case.pk).latitude is not None, timeout=WITHIN)
    worker.wait_until(lambda: Sighting.objects.get(pk=sighting.pk).latitude is not None, timeout=WITHIN)
    worker.wait_until(lambda: FoundChild.objects.get(pk=child.pk).latitude is not None, timeout=WITHIN)
    assert matching.face_summary(case.photo.name).status == "one_face"
    outage = [record for record in caplog.records if record.name == "cases.after_commit"
              and record.levelno == logging.WARNING]
    assert 1 <= len(outage) <= 3  # one per report (three reports, made within seconds: one or more)
    assert all("not queued now, the beat sweep will queue it later" in record.getMessage() for record in outage)
    assert [record.getMessage() for record in caplog.records if record.exc_info] == []
