"""CAP 1.2 (Common Alerting Protocol) messages for alert hubs and AMBER-style systems: every public alert about a
case is also a CAP message, listed in /alerts/cap.atom and served at /alerts/cap/<identifier>.xml.

- Alert: when the public is told of the case (verified, missing again, or a merge reversed); Update: a sighting
  published, details changed by staff, or the area circle growing (the 24 h and 72 h reminders); Cancel: found or
  closed, or merged into the earlier report of the same child (the Cancel names that case). Each is a
  `CapMessage` row written in the transaction of its event, so a Cancel is listed the moment the status changes.
- The XML is made from the case when asked for, through the public page's rules (cases.public): a message never
  shows more than the case page shows now, and nothing outlives an erasure.
- One `info` per CAP_LANGUAGES (English and Hindi at least), category Rescue, event "Missing child"; an Alert or
  Update is urgency Immediate, severity Severe, certainty Likely; a Cancel is urgency Past, severity Minor,
  certainty Observed, responseType AllClear. `expires`: CAP_EXPIRES_HOURS after it is sent (a Cancel: a day).
- The area is a circle around the last-seen point whose radius is the reach of the area subscriptions at the time
  sent (notifications.matching.reach_km: 5 km at first, 10 km after 24 h, 25 km after 72 h, 50 km after a week).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from lxml import etree

from media.storage import absolute_url
from notifications.matching import reach_km

from . import public
from .models import Case, CapMessage, Verification

NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM = "http://www.w3.org/2005/Atom"
CANCEL_DAYS = 1
FEED_MAX = 200  # entries in /alerts/cap.atom: about 60 KB


# --- written by the events ---------------------------------------------------------------------------------------

def alert(case: Case, *, key: str) -> CapMessage | None:
    """The public was told of the case (verified, or missing again)."""
    return _write(case, CapMessage.Type.ALERT, key)


def update(case: Case, *, key: str) -> CapMessage | None:
    """Something public changed for a case already alerted (and still listed)."""
    if not public.is_listed(case) or not case.cap_messages.exists():
        return None
    return _write(case, CapMessage.Type.UPDATE, key)


def cancel(case: Case, *, key: str) -> CapMessage | None:
    """Found or closed: the alert is over (only for a case that had one)."""
    if not case.cap_messages.exists():
        return None
    return _write(case, CapMessage.Type.CANCEL, key)


def _write(case: Case, msg_type: str, key: str) -> CapMessage:
    event_key = f"case:{case.reference}:cap:{key}"
    existing = CapMessage.objects.filter(event_key=event_key).first()
    if existing is not None:
        return existing
    now = timezone.now().replace(microsecond=0)
    number = case.cap_messages.count()
    ends = now + (timedelta(days=CANCEL_DAYS) if msg_type == CapMessage.Type.CANCEL
                  else timedelta(hours=settings.CAP_EXPIRES_HOURS))
    radius = round(reach_km(case.last_seen_at, now), 1) if case.has_location else None
    return CapMessage.objects.create(case=case, event_key=event_key, identifier=f"{case.reference}-{number + 1}",
                                     msg_type=msg_type, sent=now, expires=ends, radius_km=radius)


# --- read by the feed and the message pages ----------------------------------------------------------------------

def shown(message: CapMessage) -> bool:
    """A message of a rejected or erased case is not served any more."""
    case = message.case
    return case.verification != Verification.REJECTED and case.erased_at is None


def active_messages(*, now: datetime | None = None, limit: int = FEED_MAX) -> list[CapMessage]:
    """The latest message of each case, while it has not expired (newest first)."""
    latest = CapMessage.objects.values("case").annotate(last=Max("id")).values("last")
    return list(
        CapMessage.objects.filter(pk__in=latest, expires__gt=now or timezone.now(), case__erased_at__isnull=True)
        .exclude(case__verification=Verification.REJECTED).select_related("case").order_by("-sent", "-id")[:limit]
    )


def message_xml(message: CapMessage) -> bytes:
    case = message.case
    earlier = list(case.cap_messages.filter(id__lt=message.id).order_by("id"))
    root = etree.Element(f"{{{NS}}}alert", nsmap={None: NS})
    _add(root, "identifier", message.identifier)
    _add(root, "sender", settings.CAP_SENDER)
    _add(root, "sent", _time(message.sent))
    _add(root, "status", "Actual")
    _add(root, "msgType", message.msg_type)
    _add(root, "scope", "Public")
    if earlier and message.msg_type != CapMessage.Type.ALERT:
        _add(root, "references", " ".join(f"{settings.CAP_SENDER},{m.identifier},{_time(m.sent)}" for m in earlier))
    view = public.public_view(case)
    for language in settings.CAP_LANGUAGES:
        with translation.override(language):
            _info(root, message, case, view, language)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _info(root, message: CapMessage, case: Case, view: public.PublicView, language: str) -> None:
    ended = message.msg_type == CapMessage.Type.CANCEL
    info = _add(root, "info")
    _add(info, "language", f"{language}-IN")
    _add(info, "category", "Rescue")
    _add(info, "event", _("Missing child"))
    _add(info, "responseType", "AllClear" if ended else "Monitor")
    _add(info, "urgency", "Past" if ended else "Immediate")
    _add(info, "severity", "Minor" if ended else "Severe")
    _add(info, "certainty", "Observed" if ended else "Likely")
    _add(info, "expires", _time(message.expires))
    _add(info, "senderName", "Sachet")
    headline, description, instruction = _words(case, view, ended)
    _add(info, "headline", headline)
    _add(info, "description", description)
    if instruction:
        _add(info, "instruction", instruction)
    page = settings.SITE_URL + case.get_absolute_url()
    _add(info, "web", page)
    if view.photo and case.photo and not ended:
        resource = _add(info, "resource")
        _add(resource, "resourceDesc", _("Photo of %(name)s") % {"name": case.name})
        _add(resource, "mimeType", "image/jpeg")
        _add(resource, "uri", absolute_url(case.photo))
    resource = _add(info, "resource")
    _add(resource, "resourceDesc", _("Case page"))
    _add(resource, "mimeType", "text/html")
    _add(resource, "uri", page)
    if view.map and case.has_location and message.radius_km is not None and not ended:
        area = _add(info, "area")
        _add(area, "areaDesc", case.last_seen_place)
        _add(area, "circle", f"{float(case.latitude):.6f},{float(case.longitude):.6f} {message.radius_km:.1f}")


def _words(case: Case, view: public.PublicView, ended: bool) -> tuple[str, str, str]:
    values = {"name": case.name, "age": case.age if case.age is not None else "?", "reference": case.reference}
    if case.status == Case.Status.FOUND and ended:
        if not view.name:
            return _("Found safe: case %(reference)s") % values, "", ""
        return (_("Found safe: %(name)s") % values,
                _("%(name)s has been found safe. Thank you for looking out. Please stop sharing the alert.") % values,
                "")
    if ended and case.merged_into_id:
        kept = {"kept": case.merged_into.reference}
        return (_("Reported twice: see case %(kept)s") % kept,
                _("The same child was reported earlier as case %(kept)s: that alert goes on. Please share that "
                  "one.") % kept, "")
    if ended:
        if not view.name:
            return _("Case closed: %(reference)s") % values, "", ""
        return (_("Case closed: %(name)s") % values,
                _("This case is closed. Please stop sharing the alert. Thank you for your help.") % values, "")
    when = dateformat.format(timezone.localtime(case.last_seen_at), "j F Y, H:i")
    place = case.last_seen_place + (f" ({case.last_seen_specific})" if case.last_seen_specific else "")
    description = _("Last seen at %(place)s on %(when)s.") % {"place": place, "when": when}
    if view.details:
        description += " " + " ".join(case.description.split())
    return (_("Missing: %(name)s, %(age)s") % values, description,
            _("If you see this child, call 112 or report it at the link."))


def feed_atom(*, now: datetime | None = None) -> bytes:
    now = now or timezone.now()
    messages = [m for m in active_messages(now=now)]
    feed_url = settings.SITE_URL + reverse("cap:feed")
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    _add(root, "id", feed_url, ns=ATOM)
    with translation.override("en"):
        _add(root, "title", "Sachet: missing-child alerts (CAP 1.2)", ns=ATOM)
        _add(root, "updated", _time(max((m.sent for m in messages), default=now)), ns=ATOM)
        author = _add(root, "author", ns=ATOM)
        _add(author, "name", "Sachet", ns=ATOM)
        etree.SubElement(root, f"{{{ATOM}}}link", rel="self", href=feed_url)
        for message in messages:
            entry = _add(root, "entry", ns=ATOM)
            url = settings.SITE_URL + reverse("cap:message", args=[message.identifier])
            _add(entry, "id", url, ns=ATOM)
            headline = _words(message.case, public.public_view(message.case),
                              message.msg_type == CapMessage.Type.CANCEL)[0]
            _add(entry, "title", f"{message.msg_type}: {headline}", ns=ATOM)
            _add(entry, "updated", _time(message.sent), ns=ATOM)
            etree.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="application/cap+xml", href=url)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _add(parent, tag: str, text: str | None = None, *, ns: str = NS):
    element = etree.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _time(moment: datetime) -> str:
    """CAP's dateTime: local time with its offset, to the second ("2026-11-30T13:30:00+05:30"; never "Z")."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()
