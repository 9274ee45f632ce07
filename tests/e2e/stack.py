"""The site as production runs it: gunicorn and a Celery worker in subprocesses, on the suite's PostgreSQL and Redis
(the ones scripts/test.sh starts), with a database and a Redis database of their own, and local fakes of every
third party (Telegram, Discord, Twilio, Nominatim and the map tile server).

The processes get production settings (DEBUG off, a secret key, hosts, real channels), read from their environment
only; nothing of the test process's settings reaches them. The test process reads and writes the stack's database
through a Django connection alias of its own (`Stack.alias`), for what no page does: creating staff accounts.
"""

from __future__ import annotations

import copy
import io
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TypeVar

import httpx
import psycopg
from PIL import Image

from tests.fakes.discord import FakeDiscord
from tests.fakes.geocoders import FakeNominatim, FakePlace
from tests.fakes.server import FakeServer, Request, Response
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio
from tests.worker import CeleryWorker, database_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the virtualenv's bin/, where gunicorn is installed
T = TypeVar("T")

PUBLIC_CHAT, STAFF_CHAT = "@sachet_alerts", "-1001234567890"
PUBLIC_HOOK, STAFF_HOOK = "1111111111111111111", "2222222222222222222"
SMS_TO = "+919876543210"
ADMIN_URL = "staff-e2e-7c41/"
# A place the fake Nominatim knows (the offline gazetteer has only the city): the case lands exactly here.
ANDHERI_WEST = FakePlace("Andheri West", 19.136300, 72.827700, "Andheri West, Mumbai, Maharashtra, India")
# Redis databases 0 (the test process's cache and broker, flushed before every test) and this one are kept apart,
# so the stack's queues and cache survive the suite's cache clearing.
REDIS_DB = 7
# Environment variables of the test process that the stack inherits; everything else is set explicitly.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


class FakeTiles(FakeServer):
    """A map tile server: the same plain 256 px PNG for every /{z}/{x}/{y}.png, so maps draw without the internet."""

    def __init__(self) -> None:
        super().__init__()
        image = io.BytesIO()
        Image.new("RGB", (256, 256), (228, 232, 224)).save(image, "PNG")
        self.png = image.getvalue()

    def handle(self, request: Request) -> Response:
        if request.method == "GET" and request.path.endswith(".png"):
            return Response(200, self.png, {"Content-Type": "image/png", "Cache-Control": "max-age=3600"})
        return super().handle(request)


class Fakes:
    """Every third party of the site, started on 127.0.0.1 for the stack's lifetime."""

    def __init__(self) -> None:
        self.telegram = FakeTelegram(chats=(PUBLIC_CHAT, STAFF_CHAT))
        self.discord = FakeDiscord({PUBLIC_HOOK: "public-token", STAFF_HOOK: "staff-token"})
        self.twilio = FakeTwilio()
        self.nominatim = FakeNominatim([ANDHERI_WEST])
        self.tiles = FakeTiles()
        self._started: list[FakeServer] = []

    def start(self) -> Fakes:
        for fake in (self.telegram, self.discord, self.twilio, self.nominatim, self.tiles):
            fake.start()
            self._started.append(fake)
        return self

    def stop(self) -> None:
        while self._started:
            self._started.pop().stop()  # stopping a server that never started would wait for ever

    def env(self) -> dict[str, str]:
        """The settings that point the stack's real clients at these fakes."""
        return {
            "TELEGRAM_API_BASE_URL": self.telegram.base_url,
            "TELEGRAM_BOT_TOKEN": self.telegram.token,
            "TELEGRAM_CHAT_ID": PUBLIC_CHAT,
            "TELEGRAM_STAFF_CHAT_ID": STAFF_CHAT,
            "DISCORD_WEBHOOK_URL": self.discord.webhook_url(PUBLIC_HOOK),
            "DISCORD_STAFF_WEBHOOK_URL": self.discord.webhook_url(STAFF_HOOK),
            "TWILIO_API_BASE_URL": self.twilio.url,
            "TWILIO_ACCOUNT_SID": self.twilio.account_sid,
            "TWILIO_AUTH_TOKEN": self.twilio.auth_token,
            "TWILIO_FROM_NUMBER": "+15005550006",
            "SMS_RECIPIENTS": SMS_TO,
            "ALERT_HTTP_TIMEOUT": "5",
            "NOMINATIM_ENABLED": "true",
            "NOMINATIM_DOMAIN": f"127.0.0.1:{self.nominatim.port}",
            "NOMINATIM_SCHEME": "http",
            "NOMINATIM_USER_AGENT": "Sachet end-to-end tests (e2e@example.org)",
            "MAP_TILE_URL": f"{self.tiles.url}/{{z}}/{{x}}/{{y}}.png",
            # Every report of the journey comes from 127.0.0.1: the limits are tested on their own
            # (cases/tests/test_flood.py), not by accident here.
            "RATE_REPORT": "500/h", "RATE_SIGHTING": "500/h", "RATE_CODE": "500/h",
        }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], T], *, timeout: float, what: str, interval: float = 0.1,
               diagnostics: Callable[[], str] = lambda: "") -> T:
    """Poll `condition` until it returns something true, and return that; fail saying what did not happen."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s\n{diagnostics()}".rstrip())
        time.sleep(interval)


class Stack:
    """A throwaway database and Redis database, gunicorn (2 workers) and a Celery worker (alerts and default
    queues), all stopped and removed by `stop()`."""

    def __init__(self, *, database: dict, redis_url: str, time_zone: str, workdir: Path, blocker) -> None:
        self.cluster = database  # Django's settings of the suite's PostgreSQL: host, port, user, password
        self.time_zone = time_zone  # the test process's, so that form times mean the same on both sides
        self.db_name = f"sachet_e2e_{secrets.token_hex(4)}"
        self.redis_url = redis_url.rsplit("/", 1)[0] + f"/{REDIS_DB}"
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_url = f"{self.url}/{ADMIN_URL}"
        self.alias = "e2e_stack"
        self.secret_key = "e2e-" + secrets.token_urlsafe(50)
        self._blocker = blocker
        self.fakes = Fakes()
        self.gunicorn: subprocess.Popen | None = None
        self.worker: CeleryWorker | None = None
        self._cleanup = ExitStack()

    # --- Starting and stopping ---------------------------------------------------------------------------------
    def start(self) -> Stack:
        try:
            self._cleanup.callback(self._flush_redis)
            self._flush_redis()
            self._cleanup.callback(self.fakes.stop)
            self.fakes.start()
            self._create_database()
            # The release phase's migrate runs while the processes start (they touch no table before a request
            # or a task arrives): three interpreters importing Django at once use both cores.
            migrate = self._start_manage("migrate", "--noinput")
            self.worker = CeleryWorker(env=self.env(), log_path=self.workdir / "celery.log", pool="prefork",
                                       concurrency=2, purge=False)
            self._cleanup.callback(self.worker.stop, warm=False)
            self._start_gunicorn()
            self.worker.start(timeout=60)
            self._finish_manage(migrate)
            self._wait_for_gunicorn()
            self._cleanup.enter_context(self._database_alias())
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self._cleanup.close()

    def env(self) -> dict[str, str]:
        """Production settings, as a deployment sets them, with the fakes as third parties."""
        env = {name: os.environ[name] for name in INHERITED if name in os.environ}
        env.update(
            SACHET_IGNORE_DOTENV="1",
            DEBUG="false",
            SECRET_KEY=self.secret_key,
            ALLOWED_HOSTS="127.0.0.1",
            SITE_URL=self.url,
            ADMIN_URL=ADMIN_URL,
            TIME_ZONE=self.time_zone,
            SECURE_SSL_REDIRECT="false",  # plain http on the loopback; check --deploy covers the https settings
            SECURE_COOKIES="false",
            STATIC_MANIFEST="false",  # WhiteNoise serves from the static folders, without collectstatic
            DATABASE_URL=self.database_url(),
            REDIS_URL=self.redis_url,
            MEDIA_ROOT=str(self.workdir / "media"),
            PYTHONUNBUFFERED="1",
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.update(self.fakes.env())
        return env

    def database_url(self) -> str:
        return database_url({**self.cluster, "NAME": self.db_name})

    def _admin_connection(self) -> psycopg.Connection:
        return psycopg.connect(host=self.cluster.get("HOST") or "127.0.0.1", port=self.cluster.get("PORT") or None,
                               user=self.cluster.get("USER") or None, password=self.cluster.get("PASSWORD") or None,
                               dbname="postgres", autocommit=True, connect_timeout=5)

    def _create_database(self) -> None:
        with self._admin_connection() as connection:
            connection.execute(f'CREATE DATABASE "{self.db_name}"')
        self._cleanup.callback(self._drop_database)

    def _drop_database(self) -> None:
        with self._admin_connection() as connection:
            # FORCE: a connection of a killed process may linger for a moment.
            connection.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    def _flush_redis(self) -> None:
        import redis

        with redis.Redis.from_url(self.redis_url, socket_timeout=5) as client:
            client.flushdb()

    def _start_manage(self, *args: str) -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(),
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self._cleanup.callback(lambda: process.poll() is None and process.kill())
        return process

    @staticmethod
    def _finish_manage(process: subprocess.Popen, timeout: float = 180.0) -> None:
        output, _ = process.communicate(timeout=timeout)
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(process.args[1:])} failed with {process.returncode}:\n{output}")

    def _start_gunicorn(self) -> None:
        command = [str(BIN / "gunicorn"), "sachet.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "2",
                   "--access-logfile", "-", "--timeout", "30", "--graceful-timeout", "5"]
        with open(self.workdir / "gunicorn.log", "wb") as log:
            # Its own process group, so that stopping it ends its workers too, and nothing else.
            self.gunicorn = subprocess.Popen(command, cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                             start_new_session=True)
        self._cleanup.callback(self._stop_gunicorn)

    def _wait_for_gunicorn(self, timeout: float = 60.0) -> None:
        def answers() -> bool:
            if self.gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.gunicorn.returncode}:\n{self.log_tail('gunicorn')}")
            try:
                return httpx.get(f"{self.url}/health", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(answers, timeout=timeout, what="gunicorn answering /health with 200",
                   diagnostics=lambda: self.log_tail("gunicorn"))

    def _stop_gunicorn(self) -> None:
        if self.gunicorn is None or self.gunicorn.poll() is not None:
            return
        os.killpg(self.gunicorn.pid, signal.SIGTERM)
        try:
            self.gunicorn.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.gunicorn.pid, signal.SIGKILL)
            self.gunicorn.wait(5)

    # --- The stack's database, from the test process -------------------------------------------------------------
    @contextmanager
    def _database_alias(self):
        from django.db import DEFAULT_DB_ALIAS, connections

        config = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
        config.update(NAME=self.db_name, CONN_MAX_AGE=0)
        connections.settings[self.alias] = config
        try:
            yield
        finally:
            if hasattr(connections._connections, self.alias):
                connections[self.alias].close()
                del connections[self.alias]
            del connections.settings[self.alias]

    @contextmanager
    def database(self):
        """The alias of the stack's database, usable inside the block (pytest-django blocks the database
        elsewhere)."""
        from django.db import connections

        with self._blocker.unblock():
            try:
                yield self.alias
            finally:
                connections[self.alias].close()

    def create_staff(self, username: str, password: str, *, group: str) -> None:
        """A staff account in the Police or NGO group, as a Police administrator would add it."""
        from django.contrib.auth.hashers import PBKDF2PasswordHasher
        from django.contrib.auth.models import Group, User

        # The stack checks passwords with production's hasher; the test settings use a faster one.
        hasher = PBKDF2PasswordHasher()
        with self.database() as alias:
            user = User.objects.db_manager(alias).create(
                username=username, is_staff=True, password=hasher.encode(password, hasher.salt()))
            user.groups.add(Group.objects.using(alias).get(name=group))

    def reset_lockouts(self) -> None:
        """Forget failed sign-ins (what `manage.py axes_reset` does), so a lock-out ends with its test."""
        from axes.models import AccessAttempt

        with self.database() as alias:
            AccessAttempt.objects.using(alias).all().delete()

    # --- Logs --------------------------------------------------------------------------------------------------
    def log_tail(self, which: str, lines: int = 40) -> str:
        path = self.workdir / f"{'celery' if which == 'worker' else which}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return f"--- {which} log ---\n" + "\n".join(text.splitlines()[-lines:])

    def logs(self) -> str:
        return self.log_tail("gunicorn") + "\n" + self.log_tail("worker")

    def wait_until(self, condition: Callable[[], T], *, timeout: float, what: str, interval: float = 0.1) -> T:
        """Poll until `condition` holds; on failure the message carries the stack's logs."""
        return wait_until(condition, timeout=timeout, what=what, interval=interval, diagnostics=self.logs)
