"""Alerts about cases: worded here, handed to the notifications outbox, which knows nothing of cases.

`cases.events` calls these inside the service's transaction, so the delivery rows commit or roll back with the
event itself. Every event key starts with "case:<reference>:", so one prefix finds all of a case's deliveries.
Reporters' phone numbers are never put in a message; phone-like numbers in free text are masked.
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone

from notifications import selectors, services
from notifications.channels import PUBLIC, STAFF, Message
from notifications.channels.formatting import redact_phones
from notifications.models import Delivery

from .models import Case, Sighting, StatusChange, Verdict

logger = logging.getLogger(__name__)


def event_prefix(case: Case) -> str:
    return f"case:{case.reference}:"


def case_reported(case: Case) -> list[Delivery]:
    """The public alert for a new case: who, where and when last seen, what they look like, the photo."""
    return _queue(
        f"{event_prefix(case)}reported",
        title=f"Missing: {case.name}, {case.age}",
        body=f"{_last_seen(case)} {_text(case.description)} Case {case.reference}. If you see this child, "
        "report it at the link.",
        link=_case_url(case),
        audience=PUBLIC,
        kind="new_case",
        photo_url=_file_url(case.photo),
    )


def report_received(case: Case) -> list[Delivery]:
    """Staff only, at once for every report (verified or not): the child, the place, whether the report waits for
    confirmation, and the link to the case in the admin. Never to the public channels."""
    waiting = "" if case.verification == "verified" else " Waiting for confirmation: verify or reject it in the admin."
    return _queue(
        f"{event_prefix(case)}received",
        title=f"New report: {case.name}, {case.age} ({case.reference})",
        body=f"{_last_seen(case)} {_text(case.description)}{waiting}",
        link=_admin_url(case),
        audience=STAFF,
        kind="new_case",
    )


def sighting_recorded(sighting: Sighting) -> list[Delivery]:
    """Staff only: where and when, what was seen, links to the case and to the sighting in the admin."""
    case = sighting.case
    return _queue(
        f"{event_prefix(case)}sighting:{sighting.pk}",
        title=f"Sighting: {case.name} ({case.reference})",
        body=f"Seen at {_text(sighting.place)} on {_local(sighting.seen_at)}. {_text(sighting.description)}"
        + _review(sighting),
        link=_case_url(case),
        audience=STAFF,
        kind="sighting",
        photo_url=_file_url(sighting.photo),
    )


def status_changed(case: Case, change: StatusChange) -> list[Delivery]:
    """Public: found safe (stop sharing), missing again (share again), or closed."""
    key = f"{event_prefix(case)}status:{change.pk}"
    if change.to_status == Case.Status.FOUND:
        return _queue(
            key,
            title=f"Found safe: {case.name}",
            body=f"{case.name} (case {case.reference}) has been found safe. Please stop sharing the alert and take "
            "down the posters. Thank you for helping.",
            link=_case_url(case),
            audience=PUBLIC,
            kind="status",
        )
    if change.to_status == Case.Status.MISSING:
        return _queue(
            key,
            title=f"Missing again: {case.name}, {case.age}",
            body=f"{case.name} is missing again. {_last_seen(case)} {_text(case.description)} Case "
            f"{case.reference}. Please share again.",
            link=_case_url(case),
            audience=PUBLIC,
            kind="status",
            photo_url=_file_url(case.photo),
        )
    return _queue(
        key,
        title=f"Case closed: {case.name}",
        body=f"Case {case.reference} is closed. Please stop sharing the alert and take down the posters.",
        link=_case_url(case),
        audience=PUBLIC,
        kind="status",
    )


def face_match(sighting: Sighting, case: Case, score: int, verdict: str) -> list[Delivery]:
    """Staff only: a sighting's photo resembles a case's photo. A person must compare them; nothing is decided."""
    label = Verdict(verdict).label if verdict in Verdict.values else verdict
    return _queue(
        f"{event_prefix(case)}match:{sighting.pk}",
        title=f"Face match to review: {case.name} ({case.reference})",
        body=f"The photo of a sighting at {_text(sighting.place)} on {_local(sighting.seen_at)} resembles the "
        f"case photo: {label.lower()}, score {score}/100. Compare the photos before acting on it."
        + _review(sighting),
        link=_case_url(case),
        audience=STAFF,
        kind="face_match",
        photo_url=_file_url(sighting.photo),
    )


def deliveries_for_case(case: Case) -> list[Delivery]:
    """Every alert delivery about the case (report, status changes, sightings, matches), oldest first."""
    return list(selectors.deliveries_for_event_prefix(event_prefix(case)))


def resend_failed(case: Case) -> int:
    """Queue the case's failed deliveries again; how many."""
    return services.resend(selectors.deliveries_for_event_prefix(event_prefix(case)))


# --- Wording helpers -------------------------------------------------------------------------------------------


def _queue(event_key: str, **fields) -> list[Delivery]:
    try:
        message = Message(**fields)
    except ValueError as error:
        # A misconfigured SITE_URL (the system checks warn about it) must not turn a saved report into an error.
        logger.error("alert %s not queued: %s", event_key, error)
        return []
    return services.queue_alert(message=message, event_key=event_key)


def _text(text: str) -> str:
    """Free text from the public on one line, with anything that looks like a phone number masked."""
    return redact_phones(" ".join(text.split()))


def _local(moment) -> str:
    return dateformat.format(timezone.localtime(moment), "j M Y, g:i A T")


def _last_seen(case: Case) -> str:
    place = _text(case.last_seen_place)
    if case.last_seen_specific.strip():
        place += f" ({_text(case.last_seen_specific)})"
    return f"Last seen at {place} on {_local(case.last_seen_at)}."


def _case_url(case: Case) -> str:
    return settings.SITE_URL + case.get_absolute_url()


def _file_url(field) -> str | None:
    """An absolute URL for a stored file: local storage gives a path, Cloudinary a full URL."""
    return urljoin(settings.SITE_URL + "/", field.url) if field else None


def _admin_url(case: Case) -> str:
    try:
        return settings.SITE_URL + reverse("admin:cases_case_change", args=[case.pk])
    except NoReverseMatch:
        return _case_url(case)


def _review(sighting: Sighting) -> str:
    for name, pk in (("admin:cases_sighting_change", sighting.pk), ("admin:cases_case_change", sighting.case_id)):
        try:
            return f" Review: {settings.SITE_URL}{reverse(name, args=[pk])}"
        except NoReverseMatch:
            continue
    return ""
