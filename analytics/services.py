"""Recalculate the analytics over every case into a stored snapshot, and read what the staff pages show.

A run reads the cases in chunks (only the columns it needs), finds risk zones among the cases placed precisely
enough, scores them, counts the demographics and writes one snapshot with its zones in one transaction. Pages read
the latest snapshot; nothing is recomputed per request.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import datetime
import logging
import time
import uuid

import numpy as np
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from analytics.clustering import find_zones, name_zone
from analytics.demographics import CaseRecord, cases_over_time, describe
from analytics.insights import ZoneSummary, insights
from analytics.models import AnalyticsSnapshot, RiskZone
from analytics.scoring import risk_score
from cases.models import Case, Sighting

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, str], None]  # (stage, count, unit), e.g. ("Clustering", 996, "zones")

# The lock lives in the cache, so it spans what the cache spans: every process sharing Redis in production, one
# process with the embedded per-process cache (there a command and a web request could overlap; each still writes a
# complete snapshot of its own).
LOCK_KEY = "analytics:recalculate"
LOCK_SECONDS = 30 * 60  # longer than any run (100,000 cases take seconds); frees the lock of a killed worker
READ_CHUNK = 10_000
RECENT_DAYS = 30
DAILY_SERIES_MAX_DAYS = 180  # a longer history is charted per week
MAP_SIGHTINGS = 2_000
QUEUED_MESSAGE = "Queued analytics recalculation"
FOUND_STATUSES = frozenset({Case.Status.FOUND.value})
# A place geocoded only to its city sits on the city centre: those cases would pile up into one false zone there.
_IMPRECISE = "city"
_CASE_FIELDS = ("id", "age", "gender", "created_at", "last_seen_at", "status", "last_seen_place", "latitude",
                "longitude", "location_precision")


class RecalculationRunning(Exception):
    """Another recalculation is running; its snapshot will be the latest when it finishes."""


def recalculate(*, progress: Progress | None = None) -> AnalyticsSnapshot:
    """Compute risk zones, demographics and insights over every case and store them as a new snapshot.

    Raises RecalculationRunning when another run holds the lock. Keeps the newest ANALYTICS_KEEP_SNAPSHOTS snapshots.
    """
    token = uuid.uuid4().hex
    if not cache.add(LOCK_KEY, token, LOCK_SECONDS):
        raise RecalculationRunning("Another analytics recalculation is running; its results will appear when it ends.")
    try:
        return _recalculate(progress or _quiet)
    finally:
        # Release only our own lock. get-then-delete is not atomic, but another run can only hold the key here if
        # ours outlived LOCK_SECONDS, and then the worst case is two runs writing two complete snapshots.
        if cache.get(LOCK_KEY) == token:
            cache.delete(LOCK_KEY)


def _recalculate(progress: Progress) -> AnalyticsSnapshot:
    started = time.monotonic()
    now = timezone.now()
    records: list[CaseRecord] = []
    located: list[int] = []  # indices into records of cases placed precisely enough for zones
    coordinates: list[tuple[float, float]] = []
    for rows in _case_chunks():
        for _id, age, gender, created, last_seen, status, place, lat, lng, precision in rows:
            if lat is not None and lng is not None and precision != _IMPRECISE:
                located.append(len(records))
                coordinates.append((float(lat), float(lng)))
            records.append(CaseRecord(age=age, gender=gender, created=created, last_seen=last_seen, status=status,
                                      place=place))
        progress("Reading cases", len(records), "cases")
    if not records:
        progress("Reading cases", 0, "cases")

    progress("Clustering", len(located), "located cases")
    zones = find_zones(np.array(coordinates, dtype=float).reshape(-1, 2), radius_km=settings.ANALYTICS_ZONE_RADIUS_KM,
                       min_cases=settings.ANALYTICS_ZONE_MIN_CASES)
    progress("Clustering", len(zones), "zones")
    risk_zones = [_risk_zone(zone, [records[located[m]] for m in zone.members], now) for zone in zones]
    progress("Scoring", len(risk_zones), "zones")

    demographics = describe(records, found_statuses=FOUND_STATUSES)
    progress("Describing", demographics.total, "cases")
    summaries = [ZoneSummary(name=z.name, cases=z.incident_count, score=z.risk_score) for z in risk_zones]
    counts = dataclasses.asdict(demographics)
    daily = counts.pop("cases_per_day")
    if daily and (daily[-1][0] - daily[0][0]).days >= DAILY_SERIES_MAX_DAYS:
        series = {"period": "week", "points": cases_over_time(records, period="week")}
    else:
        series = {"period": "day", "points": daily}
    series["points"] = [[day.isoformat(), n] for day, n in series["points"]]

    progress("Saving", len(risk_zones), "zones")
    with transaction.atomic():
        snapshot = AnalyticsSnapshot.objects.create(
            computed_at=now, case_count=len(records), located_count=len(located), zone_count=len(risk_zones),
            duration_ms=round((time.monotonic() - started) * 1000), time_zone=settings.TIME_ZONE,
            demographics=counts, cases_over_time=series,
            insights=insights(summaries, demographics, min_cases=settings.ANALYTICS_MIN_CASES_FOR_INSIGHT),
        )
        for zone in risk_zones:
            zone.snapshot = snapshot
        RiskZone.objects.bulk_create(risk_zones, batch_size=1000)
        _prune_snapshots(keep=max(1, settings.ANALYTICS_KEEP_SNAPSHOTS))
    logger.info("analytics snapshot=%s cases=%s located=%s zones=%s ms=%s", snapshot.pk, snapshot.case_count,
                snapshot.located_count, snapshot.zone_count, snapshot.duration_ms)
    return snapshot


def _case_chunks() -> Iterator[list[tuple]]:
    """Every case's needed columns, READ_CHUNK rows per query (keyset on id: no long-lived server-side cursor)."""
    last_id = 0
    while True:
        rows = list(Case.objects.filter(id__gt=last_id).order_by("id").values_list(*_CASE_FIELDS)[:READ_CHUNK])
        if not rows:
            return
        yield rows
        last_id = rows[-1][0]


def _risk_zone(zone, members: list[CaseRecord], now: datetime) -> RiskZone:
    days = [max(0, (now - r.last_seen).days) for r in members]
    return RiskZone(
        name=name_zone([r.place for r in members])[:255],
        centre_lat=zone.centre_lat,
        centre_lng=zone.centre_lng,
        radius_km=round(zone.radius_km, 3),
        incident_count=zone.count,
        missing_count=sum(r.status == Case.Status.MISSING for r in members),
        recent_count=sum(d <= RECENT_DAYS for d in days),
        risk_score=risk_score(days, [r.age for r in members]),
    )


def _prune_snapshots(*, keep: int) -> None:
    kept = list(AnalyticsSnapshot.objects.order_by("-computed_at", "-id").values_list("id", flat=True)[:keep])
    AnalyticsSnapshot.objects.exclude(id__in=kept).delete()  # their zones go with them (CASCADE)


def _quiet(stage: str, count: int, unit: str) -> None:
    pass


# --- queueing from the admin ----------------------------------------------------------------------------------------

def queue_recalculation(*, user) -> object:
    """Queue the recalculation task and record who asked, in the admin's log. Returns the Celery result.

    Raises kombu.exceptions.OperationalError when the broker cannot be reached; nothing is logged then.
    """
    from analytics.tasks import recalculate_analytics

    # Taken before queueing: without a broker the task runs right here, and its snapshot must count as newer.
    queued_at = timezone.now()
    result = recalculate_analytics.delay()
    LogEntry.objects.create(
        action_time=queued_at, user=user, content_type=ContentType.objects.get_for_model(AnalyticsSnapshot),
        object_repr="Analytics", action_flag=CHANGE, change_message=QUEUED_MESSAGE,
    )
    return result


# --- reads for the dashboard ----------------------------------------------------------------------------------------

def latest_snapshot() -> AnalyticsSnapshot | None:
    return AnalyticsSnapshot.objects.order_by("-computed_at", "-id").first()


def snapshot_zones(*, snapshot: AnalyticsSnapshot) -> list[RiskZone]:
    return list(snapshot.zones.order_by("-risk_score", "-incident_count", "id"))


def last_queued() -> LogEntry | None:
    """The latest request to recalculate, with its user (one query)."""
    return (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(AnalyticsSnapshot),
                                change_message=QUEUED_MESSAGE)
        .select_related("user").order_by("-action_time", "-id").first()
    )


def map_sightings(*, limit: int = MAP_SIGHTINGS) -> list[dict]:
    """The latest sightings that have coordinates, as plain points for the map (one query, at most ``limit``)."""
    rows = (
        Sighting.objects.filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("-seen_at", "-id")
        .values_list("latitude", "longitude", "seen_at", "place", "case__reference")[:limit]
    )
    return [
        {"lat": float(lat), "lng": float(lng), "seen": timezone.localtime(seen).strftime("%Y-%m-%d %H:%M"),
         "place": place, "case": reference}
        for lat, lng, seen, place, reference in rows
    ]
