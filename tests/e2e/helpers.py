"""What the end-to-end tests do over plain HTTP, as reporting a case with a form post does."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import httpx
from django.utils import timezone

from tests.factories import form_datetime, jpeg_bytes


CASE_URL = re.compile(r"^/case/(?P<reference>MC\d{8}[0-9A-F]{8})$")


def form_time(hours_ago: float) -> str:
    """A datetime-local field's value some hours ago (the stack reads it in the same TIME_ZONE)."""
    return form_datetime(timezone.now() - timedelta(hours=hours_ago))


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token in the form"
    return match.group(1)


def case_fields(**overrides) -> dict[str, str]:
    fields = {
        "name": "Aarav Sharma", "age": "7", "gender": "male",
        "description": "Thin, about 120 cm, short black hair. Red T-shirt, blue shorts, white sandals.",
        "last_seen_place": "Koregaon Park, Pune", "last_seen_specific": "near the park gate",
        "latitude": "", "longitude": "", "last_seen_at": form_time(3),
        "contact_name": "Priya Sharma", "contact_phone": "+91 98220 00101",
        "reporter_name": "Priya Sharma", "reporter_phone": "+91 98220 00999", "consent": "on",
    }
    fields.update(overrides)
    return fields


def post_report(client: httpx.Client, *, photo: bytes | None = None, **overrides) -> httpx.Response:
    """GET the report form (CSRF cookie and token), then POST it as a browser does (multipart, with a photo)."""
    form = client.get("/report")
    assert form.status_code == 200, form.text[:500]
    data = {"csrfmiddlewaretoken": csrf_token(form.text), **case_fields(**overrides)}
    files = {"photo": ("photo.jpg", photo if photo is not None else jpeg_bytes(), "image/jpeg")}
    return client.post("/report", data=data, files=files)


def report_case(base_url: str, *, photo: bytes | None = None, **overrides) -> str:
    """Report a case through the public form; its reference."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        response = post_report(client, photo=photo, **overrides)
    assert response.status_code == 302, response.text[:2000]
    match = CASE_URL.match(response.headers["location"])
    assert match, response.headers["location"]
    return match["reference"]


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF."""
    import pypdfium2

    document = pypdfium2.PdfDocument(io.BytesIO(data))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
