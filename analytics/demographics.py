"""Who goes missing, when and where: counts over plain case records, for the analytics pages and the insights.

Times are aware datetimes (stored in UTC) and are bucketed in a local time zone, because "most children go missing
around 6 pm" only means something on the local clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cases.ages import AGE_GROUPS
from cases.ages import age_group as _age_group
from cases.places import PLACE_KINDS, place_kind

UNKNOWN = "unknown"
FOUND_STATUSES = frozenset({"found"})


@dataclass(frozen=True)
class CaseRecord:
    """The few facts about one case that analytics needs; built by the caller from a Case row or a dict."""

    age: int | None
    gender: str
    created: datetime  # when the case was reported
    last_seen: datetime | None  # when the child was last seen, if known
    status: str
    place: str  # where the child was last seen, as written


@dataclass(frozen=True)
class Demographics:
    """Everything the analytics page shows about a set of cases."""

    total: int
    age_groups: dict[str, int]
    genders: dict[str, int]
    hours: list[int]  # cases by local hour last seen, index 0-23
    place_kinds: dict[str, int]
    found: int
    recovery_rate: float | None
    recovery_by_age_group: dict[str, float | None]
    cases_per_day: list[tuple[date, int]]  # cases reported per local day


def describe(records: Iterable[CaseRecord], *, tz_name: str | None = None,
             found_statuses: frozenset[str] = FOUND_STATUSES) -> Demographics:
    """All the counts at once, in local time ``tz_name`` (default settings.TIME_ZONE)."""
    records = list(records)
    return Demographics(
        total=len(records),
        age_groups=count_age_groups(records),
        genders=count_genders(records),
        hours=count_hours(records, tz_name=tz_name),
        place_kinds=count_place_kinds(records),
        found=sum(_is_found(r, found_statuses) for r in records),
        recovery_rate=recovery_rate(records, found_statuses=found_statuses),
        recovery_by_age_group=recovery_by_age_group(records, found_statuses=found_statuses),
        cases_per_day=cases_over_time(records, period="day", tz_name=tz_name),
    )


def age_group(age: int | None) -> str:
    """The age band a child falls in; ``unknown`` when the age is missing or not a child's."""
    return _age_group(age) or UNKNOWN


def count_age_groups(records: Iterable[CaseRecord]) -> dict[str, int]:
    """Cases per age band, every band present (zero when empty), ``unknown`` only when some age is."""
    counts = Counter(age_group(r.age) for r in records)
    result = {label: counts[label] for label in AGE_GROUPS}
    if counts[UNKNOWN]:
        result[UNKNOWN] = counts[UNKNOWN]
    return result


def count_genders(records: Iterable[CaseRecord]) -> dict[str, int]:
    """Cases per gender as recorded (lower-cased), most common first, ties by first seen."""
    counts = Counter((r.gender or "").strip().lower() or UNKNOWN for r in records)
    return dict(counts.most_common())


def local_hour(moment: datetime, tz_name: str | None = None) -> int:
    """The hour on the local clock (0-23) at an aware moment."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("analytics needs aware datetimes (stored in UTC)")
    return moment.astimezone(_zone(tz_name)).hour


def count_hours(records: Iterable[CaseRecord], *, tz_name: str | None = None) -> list[int]:
    """Cases by local hour the child was last seen (or the case was reported, when that is unknown)."""
    hours = [0] * 24
    for r in records:
        hours[local_hour(r.last_seen or r.created, tz_name)] += 1
    return hours


def cases_over_time(records: Iterable[CaseRecord], *, period: str = "day",
                    tz_name: str | None = None) -> list[tuple[date, int]]:
    """Cases reported per local day or per ISO week (keyed by its Monday), from the first to the last, gaps as 0."""
    if period not in ("day", "week"):
        raise ValueError("period must be 'day' or 'week'")
    zone = _zone(tz_name)
    counts: Counter[date] = Counter()
    for r in records:
        if r.created.tzinfo is None:
            raise ValueError("analytics needs aware datetimes (stored in UTC)")
        day = r.created.astimezone(zone).date()
        counts[day - timedelta(days=day.weekday()) if period == "week" else day] += 1
    if not counts:
        return []
    step = timedelta(days=7 if period == "week" else 1)
    result, current, last = [], min(counts), max(counts)
    while current <= last:
        result.append((current, counts[current]))
        current += step
    return result


def recovery_rate(records: Iterable[CaseRecord], *, found_statuses: frozenset[str] = FOUND_STATUSES) -> float | None:
    """Share of all cases that are found (0-1); None when there are no cases."""
    records = list(records)
    if not records:
        return None
    return sum(_is_found(r, found_statuses) for r in records) / len(records)


def recovery_by_age_group(records: Iterable[CaseRecord], *,
                          found_statuses: frozenset[str] = FOUND_STATUSES) -> dict[str, float | None]:
    """Recovery rate per age band; None for a band without cases."""
    by_group: dict[str, list[CaseRecord]] = {label: [] for label in AGE_GROUPS}
    for r in records:
        by_group.setdefault(age_group(r.age), []).append(r)
    return {label: recovery_rate(group, found_statuses=found_statuses) for label, group in by_group.items()}


# --- kinds of place -------------------------------------------------------------------------------------------------

# The classifier lives with the cases (cases/places.py), which keep the kind of place of an erased case in its stub.


def count_place_kinds(records: Iterable[CaseRecord]) -> dict[str, int]:
    """Cases per kind of place, most common first, ties in PLACE_KINDS order; kinds without cases left out."""
    counts = Counter(place_kind(r.place) for r in records)
    return {kind: counts[kind] for kind in sorted(counts, key=lambda k: (-counts[k], PLACE_KINDS.index(k)))}


def _is_found(record: CaseRecord, found_statuses: frozenset[str]) -> bool:
    return (record.status or "").strip().lower() in found_statuses


def _zone(tz_name: str | None) -> ZoneInfo:
    if tz_name is None:
        from django.conf import settings  # read only when no zone is given, so the module works without Django

        tz_name = settings.TIME_ZONE
    return ZoneInfo(tz_name)

