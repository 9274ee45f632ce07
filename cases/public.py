"""What the public may see of a case in each of its states: one table for the case page, the poster, the sighting
form and the alerts, written out in docs/public-states.md.

A case's public state comes from its verification (unverified / verified / rejected), its status (missing / found /
closed), whether PUBLIC_PHOTO_DAYS_AFTER_FOUND have passed since it was found or closed, and whether its personal
data has been erased.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import Case, Verification

UNVERIFIED = "unverified"
MISSING = "missing"
FOUND = "found"
FOUND_WITHDRAWN = "found_withdrawn"  # found, PUBLIC_PHOTO_DAYS_AFTER_FOUND later: no name, no photo
CLOSED = "closed"
CLOSED_WITHDRAWN = "closed_withdrawn"
REJECTED = "rejected"
ERASED = "erased"  # personal data erased (shown like found/closed after the photo period)

STATES = (UNVERIFIED, MISSING, FOUND, FOUND_WITHDRAWN, CLOSED, CLOSED_WITHDRAWN, REJECTED, ERASED)


@dataclass(frozen=True)
class PublicView:
    """What a public page of a case shows (the words for each state are in the templates)."""

    state: str
    name: bool  # the child's name (titles, headings, share text)
    photo: bool
    details: bool  # age, gender, description, last seen place and time, voice note
    contact: bool  # the family's phone
    sighting_form: bool  # "I have seen this child" and /found/<ref> accepts sightings
    share: bool  # share buttons
    sightings: bool  # the count of sightings and the published ones
    map: bool
    poster: bool  # /poster/<ref> serves a PDF
    indexable: bool  # search engines may index the page
    status: int = 200  # HTTP status of the case page

    @property
    def appeal(self) -> bool:
        """The page asks people to look for the child."""
        return self.sighting_form


def public_state(case: Case, *, now: datetime | None = None) -> str:
    if case.verification == Verification.REJECTED:
        return REJECTED
    if case.erased_at is not None:
        return ERASED
    if case.status in (Case.Status.FOUND, Case.Status.CLOSED):
        withdrawn = photo_period_over(case, now=now)
        if case.status == Case.Status.FOUND:
            return FOUND_WITHDRAWN if withdrawn else FOUND
        return CLOSED_WITHDRAWN if withdrawn else CLOSED
    if case.verification == Verification.UNVERIFIED:
        return UNVERIFIED
    return MISSING


def photo_period_over(case: Case, *, now: datetime | None = None) -> bool:
    """PUBLIC_PHOTO_DAYS_AFTER_FOUND have passed since the case was found or closed."""
    if case.resolved_at is None:
        return False
    return (now or timezone.now()) >= case.resolved_at + timedelta(days=settings.PUBLIC_PHOTO_DAYS_AFTER_FOUND)


_VIEWS = {
    # The family's own link at once: everything but the share buttons, not indexed, sightings go to the team.
    UNVERIFIED: PublicView(UNVERIFIED, name=True, photo=True, details=True, contact=True, sighting_form=True,
                           share=False, sightings=True, map=True, poster=True, indexable=False),
    MISSING: PublicView(MISSING, name=True, photo=True, details=True, contact=True, sighting_form=True, share=True,
                        sightings=True, map=True, poster=True, indexable=True),
    # "Found safe, thank you": no call to action, no phone, no share buttons, no sightings, no map.
    FOUND: PublicView(FOUND, name=True, photo=True, details=False, contact=False, sighting_form=False, share=False,
                      sightings=False, map=False, poster=True, indexable=False),
    CLOSED: PublicView(CLOSED, name=True, photo=True, details=False, contact=False, sighting_form=False, share=False,
                       sightings=False, map=False, poster=False, indexable=False),
}
_REFERENCE_ONLY = dict(name=False, photo=False, details=False, contact=False, sighting_form=False, share=False,
                       sightings=False, map=False, poster=False, indexable=False)
_VIEWS[FOUND_WITHDRAWN] = PublicView(FOUND_WITHDRAWN, **_REFERENCE_ONLY)
_VIEWS[CLOSED_WITHDRAWN] = PublicView(CLOSED_WITHDRAWN, **_REFERENCE_ONLY)
_VIEWS[ERASED] = PublicView(ERASED, **_REFERENCE_ONLY)
_VIEWS[REJECTED] = PublicView(REJECTED, **_REFERENCE_ONLY, status=410)


def public_view(case: Case, *, now: datetime | None = None) -> PublicView:
    return _VIEWS[public_state(case, now=now)]


def erased_outcome(case: Case) -> str:
    """For an erased case, whether its page says found or closed."""
    return FOUND if case.status == Case.Status.FOUND else CLOSED


def is_listed(case: Case) -> bool:
    """Shown in the public lists (home, search) and alerted publicly: a verified, missing case with consent."""
    return (case.verification == Verification.VERIFIED and case.status == Case.Status.MISSING
            and case.has_consent and case.erased_at is None)
