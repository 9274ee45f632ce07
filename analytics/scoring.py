"""Risk score of a zone, 0-100: the original formula, kept so that staff keep seeing familiar numbers.

Incidents give up to 50 points (10 per case), how recent the cases are up to 20 and how young the children up to 15.
"""

from __future__ import annotations

from collections.abc import Sequence

HIGH_RISK_SCORE = 70  # a zone at or above this is shown as high-risk

# (upper bound inclusive, points) per case; anything past the last bound gets the fallback.
_RECENCY_POINTS = ((30, 20), (90, 15), (365, 10))
_RECENCY_FALLBACK = 5
_AGE_POINTS = ((5, 15), (10, 12), (15, 8))
_AGE_FALLBACK = 5


def risk_score(days_since: Sequence[int], ages: Sequence[int]) -> float:
    """Score a zone from each case's days since last seen and the child's age (same order, one entry per case)."""
    if len(days_since) != len(ages):
        raise ValueError(f"got {len(days_since)} day counts but {len(ages)} ages: one of each per case")
    n = len(days_since)
    if n == 0:
        return 0.0
    incidents = min(10 * n, 50)
    recency = sum(_points(days, _RECENCY_POINTS, _RECENCY_FALLBACK) for days in days_since) / n
    youth = sum(_points(age, _AGE_POINTS, _AGE_FALLBACK) for age in ages) / n
    return round(min(incidents + recency + youth, 100.0), 1)


def _points(value: int, table: tuple[tuple[int, int], ...], fallback: int) -> int:
    for bound, points in table:
        if value <= bound:
            return points
    return fallback
