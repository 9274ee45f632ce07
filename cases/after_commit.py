"""Scheduling work for after the current transaction commits: one helper for events, services and the admin."""

from __future__ import annotations

import logging
import time

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

BROKER_ERRORS = (BrokerUnavailable, RedisConnectionError, RedisTimeoutError)
WARN_EVERY_SECONDS = 10.0  # one warning for the tasks of one report, not one per task
_last_warning = [0.0]


def after_commit(func, *args) -> None:
    """Run func(*args) once the current transaction commits.

    A broker that is down must not turn a saved report into an error page, nor fill the log with tracebacks: the
    task is left for the beat sweeps (cases.sweeps, the geocoding and delivery sweeps), which find the rows and
    queue the work again. Any other error is logged with its traceback (robust on_commit).
    """

    def run() -> None:
        try:
            func(*args)
        except BROKER_ERRORS as error:
            _broker_down(func, args, error)

    transaction.on_commit(run, robust=True)


def _broker_down(func, args, error: Exception) -> None:
    name = getattr(getattr(func, "__self__", None), "name", None) or getattr(func, "__qualname__", repr(func))
    now = time.monotonic()
    if now - _last_warning[0] >= WARN_EVERY_SECONDS:
        _last_warning[0] = now
        logger.warning("task broker unavailable (%s: %s): %s%s not queued now, the beat sweep will queue it later",
                       type(error).__name__, error, name, args)
    else:
        logger.info("task broker unavailable: %s%s not queued now", name, args)
