"""Scheduling work for after the current transaction commits: one helper for events, services and the admin."""

from __future__ import annotations

from django.db import transaction


def after_commit(func, *args) -> None:
    """Run func(*args) once the current transaction commits.

    robust: a broker that is down must not turn a saved report into an error page; periodic sweeps pick the work up.
    """

    def run() -> None:
        func(*args)

    transaction.on_commit(run, robust=True)
