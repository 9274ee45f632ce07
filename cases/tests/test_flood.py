"""One client floods /report and /found/<ref> through two web processes sharing Redis (gunicorn workers are
processes of their own): the per-address limit holds across them, and what is refused is not stored."""

from __future__ import annotations

import itertools
import re

import httpx
import pytest

from cases.models import Case, Sighting
from sachet.tests.test_ratelimits import WebProcess
from tests.factories import jpeg_bytes
from tests.worker import require_services, worker_env

from .trust_fixtures import report_data

pytestmark = pytest.mark.postgres_only

RATE = 4  # per hour, per address, in both processes' settings
SENT = 12


@pytest.fixture
def two_web_processes(transactional_db, tmp_path):
    require_services()
    env = worker_env({"DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false",
                      "SECURE_COOKIES": "false", "RATE_REPORT": f"{RATE}/h", "RATE_SIGHTING": f"{RATE}/h",
                      "REPORT_VERIFICATION": "staff", "LOG_REQUESTS": "false"})
    processes = [WebProcess(env, tmp_path / f"gunicorn-{n}.log") for n in (1, 2)]
    try:
        for process in processes:
            process.wait_until_up()
        yield processes
    finally:
        for process in processes:
            process.stop()


def post_form(client: httpx.Client, path: str, data: dict, files: dict) -> httpx.Response:
    """GET the form (CSRF cookie and token), then POST it as a browser does."""
    form = client.get(path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    return client.post(path, data={"csrfmiddlewaretoken": token, **data}, files=files)


def flood(processes, path: str, make_fields) -> list[int]:
    """SENT posts from one client address, alternating between the processes; each post is a different submission
    (another child, another phone, another text), so only the per-address limit can refuse them."""
    clients = [httpx.Client(base_url=p.url, timeout=60) for p in processes]
    try:
        statuses = []
        for number, client in zip(range(SENT), itertools.cycle(clients)):
            data, files = make_fields(number)
            statuses.append(post_form(client, path, data, files).status_code)
        return statuses
    finally:
        for client in clients:
            client.close()


def report_fields(number: int):
    data = report_data(name=f"Child Number {chr(65 + number)}", contact_phone=f"+9198220{number:05d}")
    data.pop("photo")
    return data, {"photo": ("photo.jpg", jpeg_bytes(), "image/jpeg")}


def sighting_fields(number: int):
    return ({"place": "Kalyani Nagar, Pune", "seen_at": report_data()["last_seen_at"],
             "description": f"Seen near the bridge, sighting number {number}.", "latitude": "", "longitude": ""}, {})


def test_the_report_limit_holds_across_processes(two_web_processes):
    statuses = flood(two_web_processes, "/report", report_fields)

    # Each process let through only two: a count per process would have let eight through.
    assert statuses == [302] * RATE + [429] * (SENT - RATE)
    assert Case.objects.count() == RATE


def test_the_sighting_limit_holds_across_processes(two_web_processes, make_case):
    case = make_case()

    statuses = flood(two_web_processes, f"/found/{case.reference}", sighting_fields)

    assert statuses == [302] * RATE + [429] * (SENT - RATE)
    assert Sighting.objects.filter(case=case).count() == RATE
