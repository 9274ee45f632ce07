"""Plain-language sentences for staff: what the zones and the counts say, without reading a chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from analytics.demographics import AGE_GROUPS, Demographics
from analytics.scoring import HIGH_RISK_SCORE

NO_CASES = "No cases yet: insights will appear once cases are reported."
NO_ZONES = "No risk zones yet: cases are too few or too spread out to form one."


@dataclass(frozen=True)
class ZoneSummary:
    """What the insights need to know about one risk zone."""

    name: str
    cases: int
    score: float


def insights(zones: Sequence[ZoneSummary], demographics: Demographics, *,
             high_risk_score: float = HIGH_RISK_SCORE) -> list[str]:
    """Short sentences, most important first: risk zones, most affected age group, peak hour, place, recovery."""
    if demographics.total == 0 and not zones:
        return [NO_CASES]
    sentences = [_zones_sentence(zones, high_risk_score)]
    if demographics.total:
        sentences += [
            s for s in (_age_sentence(demographics), _peak_sentence(demographics), _place_sentence(demographics),
                        _recovery_sentence(demographics)) if s
        ]
    return sentences


def _zones_sentence(zones: Sequence[ZoneSummary], threshold: float) -> str:
    if not zones:
        return NO_ZONES
    ranked = sorted(zones, key=lambda z: (-z.score, -z.cases, z.name))
    top = ranked[0]
    high = [z for z in ranked if z.score >= threshold]
    label = f"score {threshold:g} or more"
    if len(high) > 1:
        return f"{len(high)} high-risk zones ({label}); the highest is {top.name} with {_cases(top.cases)}."
    if high:
        return f"1 high-risk zone ({label}): {top.name} with {_cases(top.cases)}."
    return (f"No high-risk zones ({label}); the highest of {len(zones)} zone{'s' if len(zones) > 1 else ''} "
            f"is {top.name} with score {top.score:.1f}.")


def _age_sentence(d: Demographics) -> str | None:
    count, group = max(((d.age_groups.get(g, 0), g) for g in AGE_GROUPS), key=lambda pair: pair[0])
    if not count:
        return None
    return f"Most affected age group: {group} years ({count} of {_cases(d.total)}, {_percent(count, d.total)})."


def _peak_sentence(d: Demographics) -> str | None:
    count = max(d.hours)
    if not count:
        return None
    hour = d.hours.index(count)
    return (f"Peak time: {hour:02d}:00-{(hour + 1) % 24:02d}:00 local time, "
            f"when {count} of {d.total} children were last seen.")


def _place_sentence(d: Demographics) -> str | None:
    named = [(kind, count) for kind, count in d.place_kinds.items() if kind != "other" and count]
    if not named:
        return None
    kind, count = named[0]  # place_kinds is most common first
    return f"Most common kind of place: {kind} ({count} of {_cases(d.total)})."


def _recovery_sentence(d: Demographics) -> str | None:
    if d.recovery_rate is None:
        return None
    sentence = f"Recovery rate: {_percent(d.found, d.total)} ({d.found} of {d.total} found)"
    rated = [(rate, g) for g, rate in d.recovery_by_age_group.items() if rate is not None and g in AGE_GROUPS]
    if len(rated) > 1:
        rate, group = min(rated, key=lambda pair: pair[0])
        if rate < d.recovery_rate:
            sentence += f"; lowest for ages {group} ({rate * 100:.0f}%)"
    return sentence + "."


def _cases(n: int) -> str:
    return f"{n} case{'s' if n != 1 else ''}"


def _percent(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.0f}%"
