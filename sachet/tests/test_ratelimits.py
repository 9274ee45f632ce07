"""The rate-limit policy: per address and per phone, the friendly 429 page and JSON, and the limit holding across
processes that share Redis."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import django_ratelimit.core
import httpx
import pytest
from django.test import RequestFactory

from sachet import ratelimits
from sachet.ratelimits import RateLimited, address_key, check, phone_key, wait_in_words
from sachet.tests import ratelimit_urls
from tests.worker import require_services, worker_env

ROOT = Path(__file__).resolve().parents[2]


class WindowClock:
    """The time django-ratelimit reads, fixed until a test moves it (its windows are whole periods)."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> WindowClock:
    fixed = WindowClock()
    monkeypatch.setattr(django_ratelimit.core, "time", fixed)
    return fixed


def request_from(address: str = "203.0.113.7", **meta):
    return RequestFactory().post("/report", REMOTE_ADDR=address, **meta)


def waits(group: str, requests) -> list[int]:
    """0 for each request let through, its retry_after for each one refused."""
    result = []
    for request, phone in requests:
        try:
            check(request, group, phone=phone)
            result.append(0)
        except RateLimited as limited:
            result.append(limited.retry_after)
    return result


# --- The policy -------------------------------------------------------------------------------------------------


def test_sixth_report_in_an_hour_from_one_address_is_refused(clock, settings):
    assert settings.RATE_REPORT == "5/h"

    result = waits("report", [(request_from(), None)] * 6)

    assert result[:5] == [0] * 5
    assert 1 <= result[5] <= 3600


def test_retry_after_is_the_time_until_the_window_frees(clock):
    for _ in range(5):
        check(request_from(), "report")
    with pytest.raises(RateLimited) as raised:
        check(request_from(), "report")
    retry_after = raised.value.retry_after

    clock.now += retry_after - 1
    with pytest.raises(RateLimited) as again:
        check(request_from(), "report")
    assert again.value.retry_after == 1
    clock.now += 1
    check(request_from(), "report")  # a new window: allowed


def test_one_phone_is_limited_however_it_is_written_and_from_any_address(clock):
    written = ["9822012345", "+91 98220 12345", "098220 12345", "+919822012345", "0091 9822012345", "9822012345"]
    requests = [(request_from(f"198.51.100.{n}"), phone) for n, phone in enumerate(written)]

    result = waits("report", requests)

    assert result[:5] == [0] * 5 and result[5] > 0


def test_different_phones_from_one_address_still_meet_the_address_limit(clock):
    requests = [(request_from(), f"+91982201234{n}") for n in range(6)]

    assert waits("report", requests)[:5] == [0] * 5
    assert waits("report", [(request_from("198.51.100.1"), "+919822012349")]) == [0]  # that phone is fine elsewhere


def test_groups_are_counted_apart(clock):
    for _ in range(5):
        check(request_from(), "report")

    check(request_from(), "sighting")
    with pytest.raises(RateLimited):
        check(request_from(), "report")


def test_requests_without_an_address_share_one_bucket(clock):
    requests = [(RequestFactory().post("/report", REMOTE_ADDR=""), None) for _ in range(6)]

    assert address_key(requests[0][0]) == "unknown"
    assert waits("report", requests)[5] > 0


def test_ipv6_addresses_count_per_64_block(clock):
    same_block = [(request_from(f"2001:db8:1:2::{n:x}"), None) for n in range(6)]

    assert waits("report", same_block)[5] > 0
    assert waits("report", [(request_from("2001:db8:1:3::1"), None)]) == [0]
    assert address_key(request_from("::ffff:203.0.113.7")) == "203.0.113.7"


def test_a_spoofed_forwarded_for_does_not_change_the_address_without_a_trusted_proxy(clock, settings):
    settings.TRUSTED_PROXY = False
    requests = [(request_from(HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"), None) for n in range(6)]

    assert waits("report", requests)[5] > 0


def test_a_forwarded_for_without_a_trusted_proxy_is_warned_about_once(clock, settings, caplog, monkeypatch):
    settings.TRUSTED_PROXY = False
    monkeypatch.setattr(ratelimits, "_warned_about_proxy", False)

    with caplog.at_level(logging.WARNING, logger="sachet.ratelimits"):
        for n in range(3):
            check(request_from(HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"), "sighting")

    assert caplog.messages == [
        "requests carry X-Forwarded-For but TRUSTED_PROXY is off: rate limits count the proxy's address for every "
        "visitor; turn TRUSTED_PROXY on if this site runs behind a proxy"
    ]


def test_phone_key_is_a_keyed_hash_of_the_e164_number(settings):
    key = phone_key("098220 12345")

    assert key == phone_key("+919822012345")
    assert "9822012345" not in key and len(key) == 64
    assert phone_key("12345") is None
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert phone_key("+919822012345") != key


def test_unknown_group_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown rate-limit group 'reports'"):
        check(request_from(), "reports")


def test_cache_down_lets_people_through_and_says_so(settings, caplog):
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{port}/0"}}

    with caplog.at_level(logging.WARNING, logger="sachet.ratelimits"):
        for _ in range(7):
            check(request_from(), "report", phone="+919822012345")

    assert caplog.messages[0] == "rate limit report:address not checked: cache unavailable (ConnectionError)"
    assert len(caplog.messages) == 14


@pytest.mark.parametrize(("seconds", "words"), [(1, "1 second"), (59, "59 seconds"), (60, "1 minute"),
                                                (61, "2 minutes"), (3600, "60 minutes")])
def test_waits_are_said_in_words(seconds, words):
    assert wait_in_words(seconds) == words


# --- The answers ------------------------------------------------------------------------------------------------


@pytest.fixture
def site(settings):
    settings.ROOT_URLCONF = "sachet.tests.ratelimit_urls"
    ratelimit_urls.SAVED.clear()
    return ratelimit_urls.SAVED


@pytest.mark.django_db
def test_over_the_limit_a_form_answers_a_friendly_429_page_and_saves_nothing(client, clock, site):
    for n in range(5):
        assert client.post("/test/report", {"name": f"try {n}", "phone": "9822012345"}).status_code == 200

    response = client.post("/test/report", {"name": "sixth", "phone": "9822012345"})

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    page = response.content.decode()
    assert "Too many tries from your connection" in page
    assert f"Please try again in {wait_in_words(int(response['Retry-After']))}." in page
    assert 'href="tel:112"' in page and 'href="tel:1098"' in page
    assert "Content-Security-Policy" in response.headers  # the page is served like every other page
    assert site == [f"try {n}" for n in range(5)]


@pytest.mark.django_db
def test_over_the_api_limit_the_answer_is_json_with_retry_after(client, clock, settings):
    settings.RATE_API = "2/m"
    statuses = [client.get("/api/nothing-here").status_code for _ in range(2)]

    response = client.get("/api/geocode", {"q": "Pune"})

    assert statuses == [404, 404]
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    retry_after = response.json()["retry_after"]
    assert response["Retry-After"] == str(retry_after) and 1 <= retry_after <= 60
    assert response.json()["error"] == (
        f"Too many requests from your connection. Please wait {wait_in_words(retry_after)} and try again."
    )


@pytest.mark.django_db
def test_pages_outside_the_api_are_not_counted_against_it(client, clock, settings):
    settings.RATE_API = "1/m"

    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 200]
    assert client.get("/api/geocode", {"q": ""}).status_code == 400


def test_a_rate_that_is_not_one_refuses_to_start():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"}}
    env.update(SACHET_IGNORE_DOTENV="1", DEBUG="true", RATE_REPORT="five an hour")

    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)

    assert result.returncode != 0
    assert "RATE_REPORT must look like 5/h, 30/m or 10/15m, got 'five an hour'" in result.stderr


# --- Across processes -------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class WebProcess:
    """One gunicorn process with one worker: a process of its own, as each web worker is in production."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        command = [str(Path(sys.executable).parent / "gunicorn"), "sachet.wsgi", "--bind", f"127.0.0.1:{self.port}",
                   "--workers", "1", "--timeout", "60"]
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def wait_until_up(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.process.returncode}:\n{self.log_path.read_text()}")
            try:
                httpx.get(f"{self.url}/health", timeout=2)  # 200 or 503: either way it answers
                return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_path.read_text()}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


@pytest.fixture
def two_web_processes(transactional_db, tmp_path):
    require_services()
    env = worker_env({"DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false",
                      "RATE_API": "4/h", "LOG_REQUESTS": "false"})
    processes = [WebProcess(env, tmp_path / f"gunicorn-{n}.log") for n in (1, 2)]
    try:
        for process in processes:
            process.wait_until_up()
        yield processes
    finally:
        for process in processes:
            process.stop()


@pytest.mark.postgres_only
def test_the_api_limit_holds_across_processes_sharing_redis(two_web_processes):
    first, second = two_web_processes
    look_up = {"lat": "18.5204", "lng": "73.8567"}

    def get(process):
        # A process's first look-up loads the offline gazetteer (seconds on a busy machine).
        return httpx.get(f"{process.url}/api/reverse", params=look_up, timeout=60)

    allowed = [get(process).status_code for process in (first, second, first, second)]
    # Each process has answered only two look-ups: a per-process count would let the next ones through.
    refused = [get(first), get(second)]

    assert allowed == [200, 200, 200, 200]
    assert [response.status_code for response in refused] == [429, 429]
    for response in refused:
        assert response.headers["Retry-After"] == str(response.json()["retry_after"])
        assert 1 <= response.json()["retry_after"] <= 3600
