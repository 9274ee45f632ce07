"""Partner keys: made in the admin by Police and shown once, stored hashed, refused when wrong, expired or revoked
(on every documented operation), scopes, the per-key rate limit, the access log, and the schema and docs pages."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from cases.tests.trust_fixtures import ngo, police  # noqa: F401 - fixtures
from sachet.partners.keys import revoke
from sachet.partners.models import PartnerKey

pytestmark = pytest.mark.django_db


def operations(client) -> list[tuple[str, str]]:
    """Every documented (method, path), with a made-up reference in the paths that take one."""
    schema = client.get("/api/v1/schema/?format=json").json()
    return [(method.upper(), path.replace("{reference}", "MC20261130AAAA0001"))
            for path, item in schema["paths"].items() for method in item]


def call(client, method: str, path: str, **headers):
    return getattr(client, method.lower())(path, **headers)


def test_the_schema_documents_every_resource(client):
    paths = {path for _method, path in operations(client)}
    assert paths == {
        "/api/v1/cases/", "/api/v1/cases/MC20261130AAAA0001/", "/api/v1/cases/MC20261130AAAA0001/sightings/",
        "/api/v1/cases/MC20261130AAAA0001/history/", "/api/v1/analytics/risk-zones/", "/api/v1/analytics/demographics/",
        "/api/v1/analytics/insights/", "/api/v1/geocode/", "/api/v1/geocode/batch/", "/api/v1/reverse/",
        "/api/v1/pfif/export/", "/api/v1/pfif/feeds/person", "/api/v1/pfif/feeds/note", "/api/v1/pfif/import/"}


@pytest.mark.parametrize("problem", ["none", "wrong", "expired", "revoked"])
def test_every_operation_refuses_a_missing_wrong_expired_or_revoked_key_with_401_json(client, make_key, problem):
    row, key = make_key("read", "full_read", "write", "analytics")
    headers = {"none": {}, "wrong": {"HTTP_AUTHORIZATION": "Bearer sk_000000000000_not-a-key"}}.get(
        problem, {"HTTP_AUTHORIZATION": f"Bearer {key}"})
    if problem == "expired":
        PartnerKey.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    if problem == "revoked":
        assert revoke(key=row) is True
    for method, path in operations(client):
        response = call(client, method, path, **headers)
        assert response.status_code == 401, (method, path, response.content)
        assert response["Content-Type"] == "application/json" and response["WWW-Authenticate"].startswith("Bearer")
        if problem in ("expired", "revoked"):
            assert problem in response.json()["detail"]
    assert PartnerKey.objects.get(pk=row.pk).request_count == 0  # refused keys are not counted as used


@pytest.mark.parametrize("scope,allowed", [
    ("read", {"GET /api/v1/cases/", "GET /api/v1/geocode/?q=Pune", "GET /api/v1/pfif/export/"}),
    ("analytics", {"GET /api/v1/analytics/risk-zones/"}),
    ("write", {"POST /api/v1/cases/"}),
])
def test_a_key_reaches_only_its_scopes(client, make_key, scope, allowed):
    _row, key = make_key(scope)
    requests = {"GET /api/v1/cases/", "GET /api/v1/geocode/?q=Pune", "GET /api/v1/pfif/export/",
                "GET /api/v1/analytics/risk-zones/", "POST /api/v1/cases/"}
    for request in requests:
        method, path = request.split()
        status = call(client, method, path, HTTP_AUTHORIZATION=f"Bearer {key}").status_code
        assert (status != 403) == (request in allowed), (request, status)


def test_key_over_its_rate_gets_429_with_retry_after_and_other_keys_do_not(client, make_key):
    _row, key = make_key("read", rate="2/m")
    _other_row, other = make_key("read", name="State portal", domain="portal.example.gov.in")
    for _ in range(2):
        assert client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    limited = client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert limited.json()["retry_after"] == int(limited["Retry-After"])
    assert client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 200


def test_batch_geocoding_counts_each_place_against_the_rate(client, make_key):
    _row, key = make_key("read", rate="3/m")
    response = client.post("/api/v1/geocode/batch/", {"queries": ["Pune", "Mumbai", "Kolkata", "Delhi"]},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 429


def test_wrong_keys_are_limited_per_address(client, settings):
    settings.RATE_API = "3/m"
    statuses = [client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Bearer sk_000000000000_guess").status_code
                for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_each_request_is_logged_with_the_key_prefix_and_counted(client, make_key, caplog):
    row, key = make_key("read")
    with caplog.at_level(logging.INFO, logger="sachet.partners.access"):
        client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Bearer {key}")
        client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Bearer {key}")
    row.refresh_from_db()
    assert row.request_count == 2 and row.last_used_at is not None
    lines = [r.getMessage() for r in caplog.records if r.name == "sachet.partners.access"]
    assert len(lines) == 2 and f"key={row.prefix}" in lines[0] and "GET /api/v1/cases/ status=200" in lines[0]
    assert key not in caplog.text


def test_police_make_a_key_in_the_admin_shown_once_and_stored_hashed(client, police):  # noqa: F811
    client.force_login(police)
    response = client.post(f"/{django_settings.ADMIN_URL}partners/partnerkey/add/", {
        "name": "Childline Pune", "domain": "Childline.Example.org", "scopes": ["read", "write"],
        "expires_at_0": (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%d"), "expires_at_1": "10:00:00",
        "rate": ""})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    key = re.search(r"sk_[0-9a-f]{12}_[\w-]+", response.content.decode()).group(0)
    row = PartnerKey.objects.get()
    assert row.domain == "childline.example.org" and row.scopes == ["read", "write"] and row.created_by == police
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in str(PartnerKey.objects.values())
    assert client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    page = client.get(f"/{django_settings.ADMIN_URL}partners/partnerkey/{row.pk}/change/").content.decode()
    assert key not in page and row.prefix in page


def test_ngo_staff_cannot_see_or_make_keys(client, ngo, make_key):  # noqa: F811
    make_key("read")
    client.force_login(ngo)
    assert client.get(f"/{django_settings.ADMIN_URL}partners/partnerkey/").status_code == 403
    assert client.post(f"/{django_settings.ADMIN_URL}partners/partnerkey/add/", {"name": "x"}).status_code == 403
    assert PartnerKey.objects.count() == 1


def test_revoking_in_the_admin_stops_the_key_at_once(client, police, make_key):  # noqa: F811
    row, key = make_key("read")
    client.force_login(police)
    client.post(f"/{django_settings.ADMIN_URL}partners/partnerkey/",
                {"action": "revoke_keys", "_selected_action": [row.pk]})
    assert Client().get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_docs_work_under_the_content_security_policy(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)  # no inline script
    for src in re.findall(r'<script[^>]*src="([^"]+)"', html):
        assert client.get(src).status_code == 200, src  # served by the site (the sidecar's files, the init script)
    assert "cdn" not in html.lower()
