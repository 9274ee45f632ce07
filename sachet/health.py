"""/health: each part the site depends on, checked for real. 200 when all are up, 503 otherwise."""

from __future__ import annotations

import logging
import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

# A task waiting this long in the filesystem broker's folder means no worker is taking tasks.
FILESYSTEM_STALLED_SECONDS = 300


class QueueStalled(RuntimeError):
    """Tasks wait in the broker and no worker takes them."""


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache() -> str:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("value written to the cache was not read back")
    cache.delete(key)
    return "ok"


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    from sachet.celery import app

    if str(app.conf.broker_url).startswith("filesystem:"):
        return check_filesystem_broker(Path(app.conf.broker_transport_options["data_folder_in"]))
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def check_filesystem_broker(folder: Path) -> str:
    """The embedded default's broker is a folder: up while it is writable and a worker keeps emptying it."""
    if not os.access(folder, os.W_OK):
        raise PermissionError(f"{folder} is missing or not writable")
    now, waited = time.time(), 0.0
    with os.scandir(folder) as entries:
        for entry in entries:
            try:
                if entry.name.endswith(".msg"):
                    waited = max(waited, now - entry.stat().st_mtime)
            except FileNotFoundError:  # a worker took it meanwhile
                continue
    if waited > FILESYSTEM_STALLED_SECONDS:
        raise QueueStalled(f"a task has waited {waited:.0f} s in {folder}")
    return "filesystem"


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


@never_cache
def health(request):
    results, healthy = {}, True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            status = check()
        except Exception as error:  # noqa: BLE001 - any failure of a dependency means "down", with its reason
            healthy = False
            status = "down"
            logger.warning("health check failed part=%s error=%s", name, type(error).__name__)
            results[name] = {"status": status, "error": type(error).__name__}
            continue
        results[name] = {"status": status, "ms": round((time.monotonic() - started) * 1000, 1)}
    return JsonResponse({"status": "ok" if healthy else "down", "checks": results}, status=200 if healthy else 503)
