"""Smoke run of the deployment: gunicorn (2 workers) and a Celery worker with production settings on PostgreSQL
and Redis, driven over plain HTTP as a client without JavaScript would."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from .helpers import CASE_URL, pdf_text, post_report, poster_when_ready, report_and_confirm
from .stack import PUBLIC_CHAT, PUBLIC_HOOK, SMS_TO

pytestmark = pytest.mark.worker

ALERT_WITHIN = 30  # seconds from the report to the providers, with a worker that has nothing else to do


@pytest.fixture(scope="module")
def client(stack):
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def reported(stack) -> str:
    """A report confirmed with the code the fake Twilio received: the public alert goes out."""
    return report_and_confirm(stack, name="Smoke Test Child", last_seen_place="Connaught Place, New Delhi")


def test_health_reports_database_cache_and_broker_ok(client):
    response = client.get("/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok", "cache": "ok", "broker": "ok"}


def test_report_with_a_photo_leads_to_the_code_and_the_case_page(client):
    response = post_report(client, name="Diya Menon", last_seen_place="Fort Kochi, Kochi")

    assert response.status_code == 302
    match = CASE_URL.match(response.headers["location"])
    assert match and match["confirm"]  # SMS verification: the family is asked for the code first
    confirm = client.get(response.headers["location"])
    assert f"Your report is saved as {match['reference']}. We sent a code to" in confirm.text
    page = client.get(f"/case/{match['reference']}")
    assert page.status_code == 200
    assert "<h1>Diya Menon</h1>" in page.text
    assert f"<code>{match['reference']}</code>" in page.text
    assert "Waiting for confirmation." in page.text
    # A copy at the size shown (media/thumbnails.py), made on first request.
    assert re.search(r'<img src="/media/thumbs/fit400/cases/[^"]+\.jpg"[^>]* alt="Photo of Diya Menon"', page.text)
    assert "+919822000999" not in page.text  # the reporter's phone stays private


def test_new_case_alert_reaches_telegram_discord_and_sms(stack, reported):
    fakes = stack.fakes

    def sent() -> bool:
        return (any(reported in m["text"] for m in fakes.telegram.messages if m["chat_id"] == PUBLIC_CHAT)
                and any(reported in json.dumps(m) for m in fakes.discord.messages if m["webhook_id"] == PUBLIC_HOOK)
                and any(reported in m["body"] for m in fakes.twilio.messages if m["body"].startswith("Missing")))

    stack.wait_until(sent, timeout=ALERT_WITHIN, what=f"the new-case alert for {reported} at all three providers")
    [telegram] = [m for m in fakes.telegram.messages if reported in m["text"] and m["chat_id"] == PUBLIC_CHAT]
    assert telegram["chat_id"] == PUBLIC_CHAT
    assert telegram["text"].startswith("Missing: Smoke Test Child, 7\n")
    assert f"{stack.url}/case/{reported}" in telegram["text"]
    [discord] = [m for m in fakes.discord.messages if reported in json.dumps(m) and m["webhook_id"] == PUBLIC_HOOK]
    assert discord["webhook_id"] == PUBLIC_HOOK
    [sms] = [m for m in fakes.twilio.messages if reported in m["body"] and m["body"].startswith("Missing")]
    assert sms["to"] == SMS_TO


def test_poster_is_a_pdf_of_the_missing_child(client, reported):
    response = poster_when_ready(client.get, f"/poster/{reported}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    assert "MISSING" in text
    assert "Smoke Test Child" in text


def test_static_files_are_served_by_whitenoise(client):
    response = client.get("/static/css/site.css")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    # WhiteNoise's marks: every origin may read static files, and they are cached (Django's own view does neither).
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "max-age=60, public"
    assert len(response.content) > 1000


def test_pages_carry_the_security_headers_and_a_request_id(client, stack):
    response = client.get("/")

    policy = dict(directive.strip().split(" ", 1) for directive in
                  response.headers["content-security-policy"].split(";") if directive.strip())
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == f"'self' data: blob: {stack.fakes.tiles.url} https://res.cloudinary.com"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
