"""Alerts about cases: worded here, handed to the notifications outbox, which knows nothing of cases.

`cases.events` calls these inside the service's transaction, so the delivery rows commit or roll back with the
event itself. Every event key starts with "case:<reference>:", so one prefix finds all of a case's deliveries.
Reporters' phone numbers are never put in a message; phone-like numbers in free text are masked.
"""

from __future__ import annotations

import logging

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

from media.storage import absolute_url
from notifications import selectors, services
from notifications.area import notify_area
from notifications.channels import PUBLIC, STAFF, Message
from notifications.channels.formatting import redact_phones
from notifications.models import Delivery

from . import cap
from .models import Case, Sighting, StatusChange, Verdict
from .public import is_listed
from .selectors import listed_cases

logger = logging.getLogger(__name__)


def event_prefix(case: Case) -> str:
    return f"case:{case.reference}:"


def case_reported(case: Case) -> list[Delivery]:
    """The public alert for a new case: who, where and when last seen, what they look like, the photo; and the
    subscribers around the last-seen point (once the case has a point)."""
    area_alert(case, kind="new", key="new")
    cap.alert(case, key="reported")
    return _queue(
        f"{event_prefix(case)}reported",
        lambda: dict(
            title=_("Missing: %(name)s, %(age)s") % {"name": case.name, "age": _age(case)},
            body=f"{_last_seen(case)} {_text(case.description)} "
            + _("Case %(reference)s. If you see this child, report it at the link.") % {"reference": case.reference},
        ),
        link=_case_url(case),
        audience=PUBLIC,
        kind="new_case",
        photo_url=absolute_url(case.photo),
    )


def report_received(case: Case) -> list[Delivery]:
    """Staff only, at once for every report (verified or not): the child, the place, whether the report waits for
    confirmation, and the link to the case in the admin. Never to the public channels."""
    def wording():
        waiting = "" if case.verification == "verified" else " " + _(
            "Waiting for confirmation: verify or reject it in the admin.")
        return dict(
            title=_("New report: %(name)s, %(age)s (%(reference)s)") % {
                "name": case.name, "age": _age(case), "reference": case.reference},
            body=f"{_last_seen(case)} {_text(case.description)}{waiting}",
        )

    return _queue(
        f"{event_prefix(case)}received",
        wording,
        link=_case_admin_url(case),
        audience=STAFF,
        kind="new_case",
    )


def sighting_recorded(sighting: Sighting) -> list[Delivery]:
    """Staff only: where and when, what was seen, links to the case and to the sighting in the admin."""
    case = sighting.case
    return _queue(
        f"{event_prefix(case)}sighting:{sighting.pk}",
        lambda: dict(
            title=_("Sighting: %(name)s (%(reference)s)") % {"name": case.name, "reference": case.reference},
            body=_("Seen at %(place)s on %(when)s.") % {"place": _text(sighting.place),
                                                        "when": _local(sighting.seen_at)}
            + f" {_text(sighting.description)}" + _review(sighting),
        ),
        link=_case_url(case),
        audience=STAFF,
        kind="sighting",
        photo_url=absolute_url(sighting.photo),
    )


def status_changed(case: Case, change: StatusChange) -> list[Delivery]:
    """Public: found safe (stop sharing), missing again (share again), or closed."""
    key = f"{event_prefix(case)}status:{change.pk}"
    # Subscribers: found/closed to those alerted before, missing again to the circle.
    area_kind = {Case.Status.FOUND: "found", Case.Status.CLOSED: "closed"}.get(change.to_status, "new")
    area_alert(case, kind=area_kind, key=f"{change.to_status}:{change.pk}")
    if change.to_status == Case.Status.MISSING:
        cap.alert(case, key=f"status:{change.pk}")
    else:
        cap.cancel(case, key=f"status:{change.pk}")
    if change.to_status == Case.Status.FOUND:
        return _queue(
            key,
            lambda: dict(
                title=_("Found safe: %(name)s") % {"name": case.name},
                body=_("%(name)s (case %(reference)s) has been found safe. Please stop sharing the alert and take "
                       "down the posters. Thank you for helping.") % {"name": case.name, "reference": case.reference},
            ),
            link=_case_url(case),
            audience=PUBLIC,
            kind="status",
        )
    if change.to_status == Case.Status.MISSING:
        return _queue(
            key,
            lambda: dict(
                title=_("Missing again: %(name)s, %(age)s") % {"name": case.name, "age": _age(case)},
                body=_("%(name)s is missing again.") % {"name": case.name}
                + f" {_last_seen(case)} {_text(case.description)} "
                + _("Case %(reference)s. Please share again.") % {"reference": case.reference},
            ),
            link=_case_url(case),
            audience=PUBLIC,
            kind="status",
            photo_url=absolute_url(case.photo),
        )
    return _queue(
        key,
        lambda: dict(
            title=_("Case closed: %(name)s") % {"name": case.name},
            body=_("Case %(reference)s is closed. Please stop sharing the alert and take down the posters.")
            % {"reference": case.reference},
        ),
        link=_case_url(case),
        audience=PUBLIC,
        kind="status",
    )


def face_match(sighting: Sighting, case: Case, score: int, verdict: str) -> list[Delivery]:
    """Staff only: a sighting's photo resembles a case's photo. A person must compare them; nothing is decided."""
    def wording():
        label = str(Verdict(verdict).label) if verdict in Verdict.values else verdict
        return dict(
            title=_("Face match to review: %(name)s (%(reference)s)") % {"name": case.name,
                                                                          "reference": case.reference},
            body=_("The photo of a sighting at %(place)s on %(when)s resembles the case photo: %(verdict)s, score "
                   "%(score)d/100. Compare the photos before acting on it.") % {
                "place": _text(sighting.place), "when": _local(sighting.seen_at), "verdict": label.lower(),
                "score": score} + _review(sighting),
        )

    return _queue(
        f"{event_prefix(case)}match:{sighting.pk}",
        wording,
        link=_case_url(case),
        audience=STAFF,
        kind="face_match",
        photo_url=absolute_url(sighting.photo),
    )


def deliveries_for_case(case: Case) -> list[Delivery]:
    """Every alert delivery about the case (report, status changes, sightings, matches), and about the cases merged
    into it, oldest first; the messages to area subscribers (thousands, maybe) are counted under Alerts › Area alerts
    instead."""
    return list(_deliveries(case).filter(bulk=False))


def resend_failed(case: Case) -> int:
    """Queue the case's failed deliveries again; how many."""
    return services.resend(_deliveries(case))


def _deliveries(case: Case):
    from .merging import merged_references  # merging reaches the alerts through faces and candidates

    prefixes = [event_prefix(case)] + [f"case:{reference}:" for reference in merged_references(case)]
    return selectors.deliveries_for_event_prefixes(prefixes)


# --- Area subscribers (notifications.area): the circle around the last-seen point -----------------------------

REMINDER_HOURS = (24, 72)  # "still missing" reminders to the wider circle; the last one waits up to 4 days more


def area_alert(case: Case, *, kind: str, key: str) -> None:
    """Tell the subscribers around the case's last-seen point: "new" and "reminder" reach a circle that grows with
    the hours missing, "found" and "closed" the people alerted before. Once per key; nothing without a point."""
    prefix = f"{event_prefix(case)}area:"
    has_point = case.latitude is not None and case.longitude is not None
    try:
        notify_area(event_key=prefix + key, topic=prefix, kind=kind, messages=_area_messages(case, kind),
                    latitude=float(case.latitude) if has_point else None,
                    longitude=float(case.longitude) if has_point else None, started_at=case.last_seen_at)
    except ValueError as error:  # a misconfigured SITE_URL must not turn a saved report into an error
        logger.error("area alert %s not queued: %s", prefix + key, error)


def case_located(case_id: int) -> None:
    """The place of a case reported without a map point was found: its subscribers can be told now."""
    with transaction.atomic():
        case = Case.objects.filter(pk=case_id, status=Case.Status.MISSING).first()
        # Only a case the public was told about: an unverified report's subscribers hear of it when it is verified.
        if case is not None and case.has_location and is_listed(case):
            area_alert(case, kind="new", key="new")


def send_area_reminders(now: datetime | None = None) -> int:
    """One "still missing" reminder to the wider circle when a case passes 24 h and 72 h missing (only for cases
    known before then: a late report's first alert already has the wider circle); how many cases were reminded."""
    now = now or timezone.now()
    reminded = 0
    for hours, until in zip(REMINDER_HOURS, [*REMINDER_HOURS[1:], REMINDER_HOURS[-1] + 96]):
        due = listed_cases().filter(
            latitude__isnull=False, last_seen_at__lte=now - timedelta(hours=hours),
            last_seen_at__gt=now - timedelta(hours=until), created_at__lt=F("last_seen_at") + timedelta(hours=hours),
        ).order_by("last_seen_at")[:500]
        for case in due:
            with transaction.atomic():
                area_alert(case, kind="reminder", key=f"reminder:{hours}h")
                cap.update(case, key=f"reminder:{hours}h")  # the CAP area circle grows too
            reminded += 1
    return reminded


def _area_messages(case: Case, kind: str) -> dict[str, Message]:
    """The wording in every language of the site; each subscriber gets theirs."""
    return _in_every_language(lambda: _area_message(case, kind))


def _area_message(case: Case, kind: str) -> Message:
    # Day, month in the reader's language and a 24-hour time: short, and clear in every language of the site.
    when = dateformat.format(timezone.localtime(case.last_seen_at), "j F, H:i")
    values = {"name": case.name, "age": _age(case), "place": _text(case.last_seen_place), "when": when}
    if kind == "found":
        return Message(title=_("Found safe: %(name)s") % values, link=_case_url(case), kind="status",
                       body=_("%(name)s has been found safe. Thank you for looking out. Please stop sharing the "
                              "alert.") % values)
    if kind == "closed":
        return Message(title=_("Case closed: %(name)s") % values, link=_case_url(case), kind="status",
                       body=_("This case is closed. Please stop sharing the alert. Thank you for your help.") % values)
    if case.age is None:  # a case imported without a child's age
        title = (_("Still missing: %(name)s") if kind == "reminder" else _("Missing near you: %(name)s")) % values
    else:
        title = (_("Still missing: %(name)s, age %(age)s") if kind == "reminder"
                 else _("Missing near you: %(name)s, age %(age)s")) % values
    body = _("Last seen at %(place)s on %(when)s.") % values + f" {_text(case.description)} " + _(
        "If you see this child, call 112 or report it at the link.")
    return Message(title=title, body=body, link=_case_url(case), kind="new_case", photo_url=absolute_url(case.photo))


# --- Wording helpers -------------------------------------------------------------------------------------------


def _queue(event_key: str, wording, **fields) -> list[Delivery]:
    """The alert worded in every language of the site (`wording()` gives its title and body, called once per
    language); the outbox picks the languages each channel and recipient get."""
    try:
        messages = _in_every_language(lambda: Message(**wording(), **fields))
    except ValueError as error:
        # A misconfigured SITE_URL (the system checks warn about it) must not turn a saved report into an error.
        logger.error("alert %s not queued: %s", event_key, error)
        return []
    return services.queue_alert(message=messages, event_key=event_key)


def _age(case: Case) -> str:
    return _("age unknown") if case.age is None else str(case.age)


def _text(text: str) -> str:
    """Free text from the public on one line, with anything that looks like a phone number masked."""
    return redact_phones(" ".join(text.split()))


def _local(moment) -> str:
    return dateformat.format(timezone.localtime(moment), "j M Y, g:i A T")


def _last_seen(case: Case) -> str:
    place = _text(case.last_seen_place)
    if case.last_seen_specific.strip():
        place += f" ({_text(case.last_seen_specific)})"
    return _("Last seen at %(place)s on %(when)s.") % {"place": place, "when": _local(case.last_seen_at)}


def _in_every_language(make) -> dict[str, Message]:
    """`make()` called once in each language of the site, that language active."""
    messages = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            messages[language] = make()
    return messages


def _case_url(case: Case) -> str:
    return settings.SITE_URL + case.get_absolute_url()


def _case_admin_url(case: Case) -> str:
    return _admin_url("admin:cases_case_change", case.pk) or _case_url(case)


def _review(sighting: Sighting) -> str:
    link = (_admin_url("admin:cases_sighting_change", sighting.pk)
            or _admin_url("admin:cases_case_change", sighting.case_id))
    return " " + _("Review: %(link)s") % {"link": link} if link else ""


# --- Found children and the review queue (staff only) -----------------------------------------------------------


def child_found_reported(found) -> list[Delivery]:
    """Staff only, at once: a member of the public says they are with a lost child. No photo and no phone number in
    the message: staff open the record in the admin."""
    return _queue(
        f"found:{found.reference}:reported",
        lambda: dict(
            title=_("Lost child reported: %(reference)s") % {"reference": found.reference},
            body=" ".join(part for part in [
                _("Someone is with a child who is lost, at %(place)s since %(when)s.") % {
                    "place": _text(found.found_place), "when": _local(found.found_at)},
                _("Apparent age: %(age)s.") % {
                    "age": found.apparent_age if found.apparent_age is not None else _("not given")},
                _("Says their name is %(name)s.") % {"name": _text(found.stated_name)} if found.stated_name else "",
                _("Call the reporter back from the record and send help."),
            ] if part),
        ),
        link=_admin_url("admin:cases_foundchild_change", found.pk) or settings.SITE_URL + "/",
        audience=STAFF,
        kind="sighting",
    )


def match_to_review(candidate) -> list[Delivery]:
    """Staff only, once per candidate: two records whose faces are likely the same child. Both references, the
    evidence in words, a link to the review page; never a phone number."""
    anchor = f"case:{candidate.case.reference}:" if candidate.case_id else f"found:{candidate.found_child.reference}:"

    def wording():
        first, second = candidate_records(candidate)
        label = str(Verdict(candidate.verdict).label).lower() if candidate.verdict in Verdict.values \
            else candidate.verdict
        score = _(", score %(score)d/100") % {"score": candidate.score} if candidate.score is not None else ""
        return dict(
            title=_("Possible match to review: %(first)s and %(second)s") % {"first": first, "second": second},
            body=_("%(kind)s: the faces are %(verdict)s%(score)s. Compare the photos and the details in Review "
                   "matches before acting on it.") % {"kind": candidate.get_kind_display(), "verdict": label,
                                                      "score": score},
        )

    return _queue(
        f"{anchor}candidate:{candidate.pk}",
        wording,
        link=_admin_url("admin:cases_matchcandidate_change", candidate.pk) or settings.SITE_URL + "/",
        audience=STAFF,
        kind="face_match",
    )


def candidate_records(candidate) -> tuple[str, str]:
    """The two records of a candidate by reference (and the case's name), for staff messages."""
    def case_label(case):
        return _("case %(reference)s (%(name)s)") % {"reference": case.reference, "name": _text(case.name)}

    def found_label(found):
        return _("found child %(reference)s") % {"reference": found.reference}

    if candidate.kind == candidate.Kind.CASE_SIGHTING:
        sighting = candidate.sighting
        return case_label(candidate.case), _("a sighting filed on case %(reference)s") % {
            "reference": sighting.case.reference}
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
