"""What happens after a case or sighting is recorded: alerts, photo analysis, posters and geocoding.

The services call these functions inside their transaction. Alerts are written as outbox rows in that same
transaction (so an alert is never lost and never sent for a report that was rolled back); everything else is a task
scheduled with `after_commit`, so the web request never waits on a worker or a third-party API. Tasks take ids.
"""

from __future__ import annotations

import logging

from . import alerts, candidates, faces, geo, public, tasks
from .after_commit import BROKER_ERRORS, after_commit
from .models import Case, Geocoding

logger = logging.getLogger(__name__)


def case_reported(case, *, announce: bool = True) -> None:
    logger.info("case reported ref=%s", case.reference)
    if announce:  # not for a record imported from another system
        alerts.report_received(case)  # staff, at once, for every report
        # Published at once (REPORT_VERIFICATION=none, or entered by staff); otherwise when verified.
        if public.is_listed(case):
            alerts.case_reported(case)
    geo.flag_case_outside_india(case)
    if case.geocoding == Geocoding.PENDING:
        after_commit(tasks.geocode_case.delay, case.pk)
    # The photo analysed, then searched in both directions; the name and phones too, with or without a photo.
    after_commit(tasks.reunite_case.delay, case.pk)
    schedule_poster(case)


def sighting_recorded(sighting, *, announce: bool = True) -> None:
    logger.info("sighting recorded ref=%s sighting=%s", sighting.case.reference, sighting.pk)
    if announce:  # not for a sighting imported from another system
        alerts.sighting_recorded(sighting)
    geo.flag_sighting_outside_india(sighting)
    if sighting.geocoding == Geocoding.PENDING:
        after_commit(tasks.geocode_sighting.delay, sighting.pk)
    if sighting.photo:
        after_commit(tasks.match_sighting.delay, sighting.pk)


def status_changed(case, change) -> None:
    """Found or closed: the child's faces are forgotten now, in the same transaction. Missing again: rebuilt."""
    logger.info("case status ref=%s %s->%s", case.reference, change.from_status, change.to_status)
    if case.is_verified and case.erased_at is None:  # only a case the public was told about
        alerts.status_changed(case, change)
    if change.to_status == Case.Status.MISSING:
        schedule_rematch(case)
    else:
        faces.forget_case_faces(case)
        candidates.drop_pending(case=case)
    schedule_poster(case)


def schedule_rematch(case) -> None:
    """Analyse the case photo again and match every sighting of the case again (after commit)."""
    after_commit(tasks.rematch_case.delay, case.pk)


def ask_for_poster(case, *, force: bool = False) -> None:
    """Queue the case's poster now (no transaction to wait for): /poster/<ref> found none that is fresh."""
    try:
        tasks.generate_poster.delay(case.pk, force)
    except BROKER_ERRORS as error:
        logger.warning("poster not queued ref=%s (%s): the beat sweep will make it", case.reference,
                       type(error).__name__)


def schedule_poster(case, *, force: bool = False) -> None:
    """Make the case's poster after commit; skipped when the stored one is fresh, unless `force` (staff asked)."""
    if force:
        after_commit(tasks.generate_poster.delay, case.pk, True)
    else:
        after_commit(tasks.generate_poster.delay, case.pk)
