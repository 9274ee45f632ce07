"""What the end-to-end tests do over plain HTTP, as reporting a case with a form post does."""

from __future__ import annotations

import io
import itertools
import re
from datetime import timedelta

import httpx
from django.utils import timezone

from tests.factories import form_datetime, jpeg_bytes


CASE_URL = re.compile(r"^/case/(?P<reference>MC\d{8}[0-9A-F]{8})(?P<confirm>/confirm)?$")
# Each report gets a family phone of its own: a phone gets at most one code a minute, and the same child reported
# again from the same phone within minutes is the same report.
_PHONES = itertools.count(1)


def new_phone() -> str:
    return f"+91 98220 {next(_PHONES):05d}"


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
        "contact_name": "Priya Sharma", "contact_phone": new_phone(),
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
    """Report a case through the public form; its reference. The stack sends the family a code (REPORT_VERIFICATION
    sms+staff): `confirm_report` enters it."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        response = post_report(client, photo=photo, **overrides)
    assert response.status_code == 302, response.text[:2000]
    match = CASE_URL.match(response.headers["location"])
    assert match, response.headers["location"]
    return match["reference"]


def sms_code(stack, phone: str) -> str:
    """The latest one-time code the fake Twilio delivered to `phone` (waiting for the worker to send it)."""
    e164 = "+" + re.sub(r"\D", "", phone)

    def latest() -> str | None:
        bodies = [m["body"] for m in stack.fakes.twilio.messages if m["to"] == e164]
        found = re.search(r"(\d{6}) is your Sachet code", bodies[-1]) if bodies else None
        return found.group(1) if found else None

    return stack.wait_until(latest, timeout=60, what=f"a code by SMS to {e164}")


def confirm_report(stack, reference: str, phone: str) -> None:
    """Enter the family's code, as the confirmation page asks: the report is published."""
    code = sms_code(stack, phone)
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        form = client.get(f"/case/{reference}/confirm")
        response = client.post(f"/case/{reference}/confirm", data={
            "csrfmiddlewaretoken": csrf_token(form.text), "action": "confirm", "code": code})
    assert response.status_code == 302 and response.headers["location"] == f"/case/{reference}", response.text[:500]


def report_and_confirm(stack, **overrides) -> str:
    """A report through the form, confirmed with the family's code; its reference."""
    phone = overrides.setdefault("contact_phone", new_phone())
    reference = report_case(stack.url, **overrides)
    confirm_report(stack, reference, phone)
    return reference


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF."""
    import pypdfium2

    document = pypdfium2.PdfDocument(io.BytesIO(data))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def poster_when_ready(get, url: str, *, timeout: float = 60.0):
    """GET /poster/<ref> until the worker has stored it: the page answers 503 (Retry-After) while it is prepared,
    and never renders a poster itself. `get` is the client's GET (httpx or Playwright's request)."""
    from .stack import wait_until

    def ready():
        response = get(url)
        status = getattr(response, "status_code", None) or response.status
        if status == 503:
            return None
        return response

    return wait_until(ready, timeout=timeout, what=f"poster at {url}", interval=0.5)
