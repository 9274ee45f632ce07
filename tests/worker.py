"""A real Celery worker in a subprocess, on the suite's PostgreSQL and Redis (the ones scripts/test.sh starts).

Make the fixture visible with `from tests.worker import celery_worker_process  # noqa: F401` in a conftest or
test module, and use it in a test marked `worker`:

    @pytest.mark.worker
    def test_alert_goes_out(celery_worker_process):
        worker = celery_worker_process(env={"TELEGRAM_BOT_TOKEN": "..."})   # settings the worker needs
        ...                                                                   # commit rows, enqueue tasks
        worker.wait_until(lambda: fake.messages, timeout=20)

The worker reads the test database (pytest-django's `test_<name>`), so the fixture brings in `transactional_db`:
what the test writes is committed and visible to it. Without REDIS_URL or PostgreSQL the test is skipped with the
reason, or fails when the CI variable is set (CI must run it). `CeleryWorker` also serves benchmarks.

`celery_broker_down` is the opposite case, for in-process tests: publishing fails as when Redis is down, until the
test calls `.end()`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")

# Variables of the test process that must not reach the worker: it gets its own, below. The worker runs with
# production settings (not SACHET_TESTING), as a deployed worker does.
_NOT_INHERITED = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "CLOUDINARY_URL", "SACHET_TESTING"}


class CeleryWorker:
    """`celery -A sachet worker` with the given environment, its output in `log_path`."""

    def __init__(
        self,
        *,
        env: dict[str, str],
        log_path: Path,
        queues: tuple[str, ...] = ("alerts", "default", "bulk"),
        pool: str = "solo",
        concurrency: int = 1,
        purge: bool = True,
    ) -> None:
        self.env = env
        self.log_path = Path(log_path)
        self.name = f"test-{uuid.uuid4().hex[:8]}@%h"
        self.command = [
            sys.executable, "-m", "celery", "-A", "sachet", "worker", "--hostname", self.name,
            "--queues", ",".join(queues), "--pool", pool, "--concurrency", str(concurrency), "--loglevel", "INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]
        if purge:
            # Messages left in the queues by an earlier test (a retry with a countdown) are not this test's.
            self.command.append("--purge")
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> CeleryWorker:
        with open(self.log_path, "wb") as log:
            # Its own process group: stop() can end the worker's pool processes with it, and nothing else.
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while " ready." not in self.log:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited with {self.process.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the Celery worker was not ready after {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.05)
        return self

    def stop(self, timeout: float = 15.0, *, warm: bool = True) -> None:
        """Warm shutdown (finish the current task) or cold (at once), then kill the worker's process group if it
        does not end in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM if warm else signal.SIGQUIT)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.splitlines()[-lines:])

    def wait_until(self, condition: Callable[[], T], timeout: float = 20.0, interval: float = 0.05) -> T:
        """Poll `condition` until it returns something true, and return that; fail with the worker's log if not."""
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if result:
                return result
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"the Celery worker exited with {self.process.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout:.0f} s; worker log:\n{self.log_tail()}")
            time.sleep(interval)


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database Django is connected to (under pytest: the test database)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}"


def worker_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a worker on the current (test) database and broker, plus `extra`."""
    from django.conf import settings
    from django.db import connection

    env = {name: value for name, value in os.environ.items() if name not in _NOT_INHERITED}
    env.update(
        SACHET_IGNORE_DOTENV="1",
        SECRET_KEY="celery-worker-under-test-not-a-secret",
        DATABASE_URL=database_url(connection.settings_dict),
        REDIS_URL=settings.REDIS_URL,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        SITE_URL=settings.SITE_URL,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra or {})
    return env


def require_services() -> None:
    """Skip (or, under CI, fail) unless the suite runs on Redis and PostgreSQL, which a worker process needs."""
    from django.conf import settings
    from django.db import connection

    missing = []
    if not settings.REDIS_URL:
        missing.append("REDIS_URL is not set (run scripts/test.sh, which starts Redis and PostgreSQL)")
    if connection.vendor != "postgresql":
        missing.append(f"the test database is {connection.vendor}, not PostgreSQL, so a worker process cannot see it")
    if missing:
        reason = "a real Celery worker needs Redis and PostgreSQL: " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set: this test must run)")
        pytest.skip(reason)


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """Start real workers with `celery_worker_process(env={...}, pool=..., concurrency=...)`; all stop after the
    test, before its database is flushed."""
    require_services()
    workers: list[CeleryWorker] = []

    def start(env: dict[str, str] | None = None, **options) -> CeleryWorker:
        worker = CeleryWorker(env=worker_env(env), log_path=tmp_path / f"celery-worker-{len(workers)}.log",
                              **options)
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        # Cold: the test is over, and a task still running must not write to the database being flushed.
        worker.stop(warm=False)


class BrokerOutage:
    """Celery publishes to a loopback port where nothing listens, as when Redis is down, until `end()`."""

    def __init__(self) -> None:
        from sachet.celery import app

        self.app = app
        self._saved: tuple[str, bool] | None = None

    def begin(self) -> BrokerOutage:
        import socket

        with socket.socket() as probe:  # a port that was free a moment ago, and is closed again
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self._saved = (self.app.conf.broker_url, self.app.conf.task_always_eager)
        self.app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
        self.app.conf.task_always_eager = False
        self._forget_connections()
        return self

    def end(self) -> None:
        """The broker is back: publishing works again (in-process, or to the suite's Redis, as before)."""
        if self._saved is None:
            return
        self.app.conf.broker_url, self.app.conf.task_always_eager = self._saved
        self._saved = None
        self._forget_connections()

    def _forget_connections(self) -> None:
        # Celery keeps its broker connection and producer pools once made; a changed broker_url needs fresh ones
        # (Celery does the same after a fork).
        self.app._pool = None
        self.app.amqp._producer_pool = None


@pytest.fixture
def celery_broker_down():
    """The broker is unreachable for the test until it calls `.end()`; it comes back after the test in any case."""
    outage = BrokerOutage().begin()
    yield outage
    outage.end()
