"""Fixtures for the geocoding library tests: fake providers, a real throwaway Redis, the loaded gazetteer."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis

from geocoding.providers.base import RetryPolicy
from geocoding.providers.gazetteer import Gazetteer, get_gazetteer
from geocoding.providers.google import GoogleProvider
from geocoding.providers.nominatim import NominatimProvider
from geocoding.ratelimit import LocalRateLimiter
from tests.fakes.geocoders import FakeGoogle, FakeNominatim, FakePlace

USER_AGENT = "Sachet tests (sachet-tests@example.org)"
TIMEOUT = 0.4  # short, so that a time-out test does not drag
FAST_RETRIES = RetryPolicy(max_retries=3, backoff=0.05)

KORAMANGALA = FakePlace("Koramangala", 12.9352, 77.6245, "Koramangala, Bengaluru, Karnataka, 560034, India")
PUNE = FakePlace("Pune", 18.5204, 73.8567, "Pune, Maharashtra, India", nominatim_type="city",
                 google_location_type="APPROXIMATE", google_types=("locality", "political"))
CRAWFORD_MARKET = FakePlace("Crawford Market", 18.9477, 72.8342, "Crawford Market, Fort, Mumbai, 400001, India",
                            nominatim_type="building", google_location_type="ROOFTOP",
                            google_types=("establishment", "point_of_interest"))
PLACES = [KORAMANGALA, PUNE, CRAWFORD_MARKET]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def fake_nominatim():
    with FakeNominatim(PLACES) as fake:
        yield fake


@pytest.fixture
def fake_google():
    with FakeGoogle(PLACES) as fake:
        yield fake


def make_nominatim(fake: FakeNominatim, *, limiter=None, policy: RetryPolicy = FAST_RETRIES,
                   sleep=time.sleep) -> NominatimProvider:
    return NominatimProvider(user_agent=USER_AGENT, domain=f"127.0.0.1:{fake.port}", scheme="http", timeout=TIMEOUT,
                             limiter=limiter or LocalRateLimiter(0.0, 30.0), policy=policy, sleep=sleep)


def make_google(fake: FakeGoogle, *, api_key: str = "test-key", policy: RetryPolicy = FAST_RETRIES) -> GoogleProvider:
    return GoogleProvider(api_key=api_key, domain=f"127.0.0.1:{fake.port}", scheme="http", timeout=TIMEOUT,
                          policy=policy)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A real redis-server on a free loopback port, without persistence, shared by a module's tests (each uses its
    own keys); stopped after them (it takes ~2 s to exit, hence not one per test)."""
    tmp_path = tmp_path_factory.mktemp("redis")
    server = shutil.which("redis-server")
    assert server, "redis-server is required (apt-get install redis-server)"
    port = free_port()
    pidfile = tmp_path / "redis.pid"
    subprocess.run([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--daemonize", "yes", "--pidfile", str(pidfile), "--dir", str(tmp_path)], check=True)
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 5
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.02)
    client.close()
    yield f"redis://127.0.0.1:{port}/0"
    pid = int(pidfile.read_text())
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.02)


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return get_gazetteer()
