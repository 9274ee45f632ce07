"""manage.py recalculate_analytics, and the Celery task the nightly schedule and the admin's button run."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import CommandError, call_command

from analytics import services
from analytics.models import AnalyticsSnapshot
from analytics.services import LOCK_KEY
from analytics.tasks import recalculate_analytics
from sachet.celery import app

from .conftest import MUMBAI, PUNE

pytestmark = pytest.mark.django_db


def test_command_prints_each_stage_with_its_count(placed_case, monkeypatch):
    monkeypatch.setattr(services, "READ_CHUNK", 2)
    for north_km in (0.0, 0.2, 0.4):
        placed_case(PUNE, north_km)
    placed_case(MUMBAI)
    placed_case(latitude=None, longitude=None, location_precision="")
    out = StringIO()

    call_command("recalculate_analytics", stdout=out)

    snapshot = AnalyticsSnapshot.objects.get()
    assert out.getvalue().splitlines() == [
        "Reading cases... 2 cases",
        "Reading cases... 4 cases",
        "Reading cases... 5 cases",
        "Clustering... 4 located cases",
        "Clustering... 1 zone",
        "Scoring... 1 zone",
        "Describing... 5 cases",
        "Saving... 1 zone",
        f"Saved snapshot {snapshot.pk}: 5 cases, 4 placed precisely enough for zones, 1 risk zone, "
        f"in {snapshot.duration_ms} ms.",
    ]


def test_command_stores_the_snapshot_with_its_zones(placed_case):
    for north_km in (0.0, 0.2, 0.4):
        placed_case(PUNE, north_km, last_seen_place="Pune station")

    call_command("recalculate_analytics", stdout=StringIO())

    snapshot = AnalyticsSnapshot.objects.get()
    assert (snapshot.case_count, snapshot.zone_count) == (3, 1)
    assert [(z.name, z.incident_count) for z in snapshot.zones.all()] == [("Pune station", 3)]


def test_command_refuses_while_another_run_holds_the_lock(placed_case):
    placed_case()
    cache.add(LOCK_KEY, "another-run", 60)

    with pytest.raises(CommandError, match="Another analytics recalculation is running"):
        call_command("recalculate_analytics", stdout=StringIO())

    assert AnalyticsSnapshot.objects.count() == 0


def test_task_stores_a_snapshot_and_returns_its_id(placed_case):
    placed_case()

    result = recalculate_analytics.delay()

    assert result.get() == AnalyticsSnapshot.objects.get().pk


def test_task_does_nothing_while_another_run_holds_the_lock(placed_case):
    placed_case()
    cache.add(LOCK_KEY, "another-run", 60)

    result = recalculate_analytics.delay()

    assert result.get() is None
    assert AnalyticsSnapshot.objects.count() == 0


def test_nightly_schedule_runs_the_registered_task():
    entry = settings.CELERY_BEAT_SCHEDULE["analytics-nightly"]

    assert entry["task"] == recalculate_analytics.name == "analytics.tasks.recalculate_analytics"
    assert entry["task"] in app.tasks
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({21}, {30})


def test_task_is_acknowledged_late_and_retries_only_database_connection_errors():
    from django.db import InterfaceError, OperationalError

    task = recalculate_analytics
    assert (task.acks_late, task.autoretry_for, task.retry_backoff, task.retry_jitter, task.max_retries) == (
        True, (OperationalError, InterfaceError), 30, True, 5
    )
