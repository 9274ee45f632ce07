"""What happens after a case or sighting is recorded: alerts, photo analysis, posters and geocoding.

The services call these functions inside their transaction. Alerts are written as outbox rows in that same
transaction (so an alert is never lost and never sent for a report that was rolled back); everything else is
scheduled with `after_commit`, so the web request never waits on a worker or a third-party API. Tasks take ids.
"""

from __future__ import annotations

import logging

from django.db import transaction

from . import alerts, faces, geo, posters
from .models import Geocoding

logger = logging.getLogger(__name__)


def after_commit(func, *args) -> None:
    """Run func(*args) once the current transaction commits.

    robust: a broker that is down must not turn a saved report into an error page; periodic sweeps pick the work up.
    """

    def run() -> None:
        func(*args)

    transaction.on_commit(run, robust=True)


def case_reported(case) -> None:
    logger.info("case reported ref=%s", case.reference)
    alerts.case_reported(case)
    geo.flag_case_outside_india(case)
    if case.geocoding == Geocoding.PENDING:
        after_commit(geo.schedule_case, case.pk)
    faces.case_reported(case)
    posters.case_changed(case)


def sighting_recorded(sighting) -> None:
    logger.info("sighting recorded ref=%s sighting=%s", sighting.case.reference, sighting.pk)
    alerts.sighting_recorded(sighting)
    geo.flag_sighting_outside_india(sighting)
    if sighting.geocoding == Geocoding.PENDING:
        after_commit(geo.schedule_sighting, sighting.pk)
    faces.sighting_recorded(sighting)


def status_changed(case, change) -> None:
    logger.info("case status ref=%s %s->%s", case.reference, change.from_status, change.to_status)
    alerts.status_changed(case, change)
    faces.status_changed(case, change)
    posters.case_changed(case)
