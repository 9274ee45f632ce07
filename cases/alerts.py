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
    """Every alert delivery about the case (report, status changes, sightings, matches), and about the cases merged
    into it, oldest first."""
    return list(_deliveries(case))


def resend_failed(case: Case) -> int:
    """Queue the case's failed deliveries again; how many."""
    return services.resend(_deliveries(case))


def _deliveries(case: Case):
    from .merging import merged_references  # merging reaches the alerts through faces and candidates

    prefixes = [event_prefix(case)] + [f"case:{reference}:" for reference in merged_references(case)]
    return selectors.deliveries_for_event_prefixes(prefixes)


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


def _review(sighting: Sighting) -> str:
    for name, pk in (("admin:cases_sighting_change", sighting.pk), ("admin:cases_case_change", sighting.case_id)):
        try:
            return f" Review: {settings.SITE_URL}{reverse(name, args=[pk])}"
        except NoReverseMatch:
            continue
    return ""


# --- Found children and the review queue (staff only) -----------------------------------------------------------


def child_found_reported(found) -> list[Delivery]:
    """Staff only, at once: a member of the public says they are with a lost child. No photo and no phone number in
    the message: staff open the record in the admin."""
    return _queue(
        f"found:{found.reference}:reported",
        title=f"Lost child reported: {found.reference}",
        body=f"Someone is with a child who is lost, at {_text(found.found_place)} since {_local(found.found_at)}. "
        f"Apparent age: {found.apparent_age if found.apparent_age is not None else 'not given'}."
        f"{' Says their name is ' + _text(found.stated_name) + '.' if found.stated_name else ''} "
        "Call the reporter back from the record and send help.",
        link=_admin_url("admin:cases_foundchild_change", found.pk) or settings.SITE_URL + "/",
        audience=STAFF,
        kind="sighting",
    )


def match_to_review(candidate) -> list[Delivery]:
    """Staff only, once per candidate: two records whose faces are likely the same child. Both references, the
    evidence in words, a link to the review page; never a phone number."""
    first, second = candidate_records(candidate)
    anchor = f"case:{candidate.case.reference}:" if candidate.case_id else f"found:{candidate.found_child.reference}:"
    label = Verdict(candidate.verdict).label.lower() if candidate.verdict in Verdict.values else candidate.verdict
    score = f", score {candidate.score}/100" if candidate.score is not None else ""
    return _queue(
        f"{anchor}candidate:{candidate.pk}",
        title=f"Possible match to review: {first} and {second}",
        body=f"{candidate.get_kind_display()}: the faces are {label}{score}. Compare the photos and the details in "
        "Review matches before acting on it.",
        link=_admin_url("admin:cases_matchcandidate_change", candidate.pk) or settings.SITE_URL + "/",
        audience=STAFF,
        kind="face_match",
    )


def candidate_records(candidate) -> tuple[str, str]:
    """The two records of a candidate by reference (and the case's name), for staff messages."""
    def case_label(case):
        return f"case {case.reference} ({_text(case.name)})"

    def found_label(found):
        return f"found child {found.reference}"

    if candidate.kind == candidate.Kind.CASE_SIGHTING:
        sighting = candidate.sighting
        return case_label(candidate.case), f"a sighting filed on case {sighting.case.reference}"
    if candidate.kind == candidate.Kind.CASE_FOUND:
        return case_label(candidate.case), found_label(candidate.found_child)
    if candidate.kind == candidate.Kind.CASE_CASE:
        return case_label(candidate.case), case_label(candidate.other_case)
    return found_label(candidate.found_child), found_label(candidate.other_found_child)


def _admin_url(name: str, pk: int) -> str:
    try:
        return settings.SITE_URL + reverse(name, args=[pk])
    except NoReverseMatch:
        return ""
