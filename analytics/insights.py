"""Plain-language findings for staff: what the zones and the counts say, without reading a chart.

A finding is stored in the snapshot as a small dict (its kind and its numbers) and put into words only when the page
is shown, so it reads in the staff member's language. Findings stay honest on small data: below ``min_cases`` cases
(ANALYTICS_MIN_CASES_FOR_INSIGHT) nothing is called "most affected", "peak" or "most common"; a tie is named as a
tie, and when more than MAX_TIED share the lead nothing is claimed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from analytics.demographics import AGE_GROUPS, Demographics
from analytics.scoring import HIGH_RISK_SCORE

MAX_TIED = 3  # more leaders than this is no pattern worth a sentence
MIN_GROUP_CASES = 5  # an age group needs this many cases before its recovery rate is compared with the others

PLACE_KIND_NAMES = {
    "railway station": gettext_lazy("railway station"),
    "bus stand": gettext_lazy("bus stand"),
    "market": gettext_lazy("market"),
    "school": gettext_lazy("school"),
    "park": gettext_lazy("park"),
    "religious place": gettext_lazy("religious place"),
    "hospital": gettext_lazy("hospital"),
    "mall": gettext_lazy("mall"),
    "residential": gettext_lazy("residential area"),
    "other": gettext_lazy("other"),
}


@dataclass(frozen=True)
class ZoneSummary:
    """What the insights need to know about one risk zone."""

    name: str
    cases: int
    score: float


def insights(zones: Sequence[ZoneSummary], demographics: Demographics, *, min_cases: int,
             high_risk_score: float = HIGH_RISK_SCORE) -> list[dict]:
    """Findings, most important first: risk zones, then (from ``min_cases`` cases on) the most affected age group,
    peak hour and kind of place, then recovery. Each is a JSON-ready dict for ``sentence``."""
    d = demographics
    if d.total == 0 and not zones:
        return [{"kind": "no_cases"}]
    found = [_zones(zones, high_risk_score)]
    if not d.total:
        return found
    if d.total < min_cases:
        found.append({"kind": "too_few_cases", "total": d.total, "needed": min_cases})
    else:
        found += [f for f in (_age(d), _peak(d), _place(d)) if f]
    found.append(_recovery(d, compare_groups=d.total >= min_cases))
    return found


def leaders(counts: Mapping[str, int]) -> tuple[int, list[str]]:
    """The highest count and every key that has it (in the mapping's order); (0, []) when all are zero."""
    top = max(counts.values(), default=0)
    return top, [key for key, count in counts.items() if count == top] if top else []


def _zones(zones: Sequence[ZoneSummary], threshold: float) -> dict:
    if not zones:
        return {"kind": "no_zones"}
    top_score, top_cases = max((z.score, z.cases) for z in zones)
    top = sorted(z.name for z in zones if (z.score, z.cases) == (top_score, top_cases))
    return {"kind": "zones", "zones": len(zones), "high": sum(z.score >= threshold for z in zones),
            "threshold": threshold, "top": top, "top_cases": top_cases, "top_score": top_score}


def _age(d: Demographics) -> dict | None:
    count, groups = leaders({g: d.age_groups.get(g, 0) for g in AGE_GROUPS})
    if not groups or len(groups) > MAX_TIED:
        return None
    return {"kind": "age_group", "groups": groups, "count": count, "total": d.total}


def _peak(d: Demographics) -> dict:
    count, hours = leaders({str(hour): n for hour, n in enumerate(d.hours)})
    if len(hours) > MAX_TIED:
        return {"kind": "no_peak_hour", "hours": len(hours), "count": count}
    return {"kind": "peak_hour", "hours": [int(h) for h in hours], "count": count, "total": d.total}


def _place(d: Demographics) -> dict | None:
    count, kinds = leaders({kind: n for kind, n in d.place_kinds.items() if kind != "other"})
    if not kinds or len(kinds) > MAX_TIED:
        return None
    return {"kind": "place_kind", "kinds": kinds, "count": count, "total": d.total}


def _recovery(d: Demographics, *, compare_groups: bool) -> dict:
    found = {"kind": "recovery", "found": d.found, "total": d.total, "lowest": [], "lowest_rate": None}
    rates = {g: rate for g, rate in d.recovery_by_age_group.items()
             if g in AGE_GROUPS and rate is not None and d.age_groups.get(g, 0) >= MIN_GROUP_CASES}
    if compare_groups and len(rates) > 1:
        lowest_rate = min(rates.values())
        lowest = [g for g, rate in rates.items() if rate == lowest_rate]
        if lowest_rate < d.found / d.total and len(lowest) <= MAX_TIED:
            found.update(lowest=lowest, lowest_rate=lowest_rate)
    return found


# --- in words ---------------------------------------------------------------------------------------------------


def sentence(finding: dict | str) -> str:
    """A finding in the active language. Snapshots made before findings were stored as dicts hold English text."""
    if isinstance(finding, str):
        return finding
    kind = finding["kind"]
    if kind == "no_cases":
        return _("No cases yet: insights will appear once cases are reported.")
    if kind == "no_zones":
        return _("No risk zones yet: cases are too few or too spread out to form one.")
    if kind == "zones":
        return _zones_sentence(finding)
    if kind == "too_few_cases":
        return _("Not enough cases yet to say which ages, times or places are most common: %(total)s so far, "
                 "%(needed)s needed.") % finding
    if kind == "age_group":
        values = {"groups": _join(finding["groups"]), "count": finding["count"], "total": finding["total"],
                  "percent": _percent(finding["count"], finding["total"])}
        if len(finding["groups"]) == 1:
            return ngettext("Most affected age group: %(groups)s years (%(count)s of %(total)s case, %(percent)s).",
                            "Most affected age group: %(groups)s years (%(count)s of %(total)s cases, %(percent)s).",
                            finding["total"]) % values
        return ngettext("Most affected age groups, tied: %(groups)s years (%(count)s of %(total)s case each).",
                        "Most affected age groups, tied: %(groups)s years (%(count)s of %(total)s cases each).",
                        finding["total"]) % values
    if kind == "peak_hour":
        values = {"hours": _join([_hour_range(h) for h in finding["hours"]]), "count": finding["count"],
                  "total": finding["total"]}
        if len(finding["hours"]) == 1:
            return ngettext("Peak time: %(hours)s local time, when %(count)s of %(total)s child was last seen.",
                            "Peak time: %(hours)s local time, when %(count)s of %(total)s children were last seen.",
                            finding["total"]) % values
        return ngettext("Peak times, tied: %(hours)s local time (%(count)s of %(total)s child last seen in each).",
                        "Peak times, tied: %(hours)s local time (%(count)s of %(total)s children last seen in each).",
                        finding["total"]) % values
    if kind == "no_peak_hour":
        return ngettext("No single peak time: %(hours)s hours share the highest count (%(count)s child each).",
                        "No single peak time: %(hours)s hours share the highest count (%(count)s children each).",
                        finding["count"]) % finding
    if kind == "place_kind":
        values = {"kinds": _join([str(PLACE_KIND_NAMES.get(k, k)) for k in finding["kinds"]]),
                  "count": finding["count"], "total": finding["total"]}
        if len(finding["kinds"]) == 1:
            return ngettext("Most common kind of place: %(kinds)s (%(count)s of %(total)s case).",
                            "Most common kind of place: %(kinds)s (%(count)s of %(total)s cases).",
                            finding["total"]) % values
        return ngettext("Most common kinds of place, tied: %(kinds)s (%(count)s of %(total)s case each).",
                        "Most common kinds of place, tied: %(kinds)s (%(count)s of %(total)s cases each).",
                        finding["total"]) % values
    if kind == "recovery":
        values = {"percent": _percent(finding["found"], finding["total"]), "found": finding["found"],
                  "total": finding["total"], "groups": _join(finding["lowest"]),
                  "rate": _percent(finding["lowest_rate"] or 0, 1)}
        if not finding["lowest"]:
            return _("Recovery rate: %(percent)s (%(found)s of %(total)s found).") % values
        if len(finding["lowest"]) == 1:
            return _("Recovery rate: %(percent)s (%(found)s of %(total)s found); lowest for ages %(groups)s "
                     "(%(rate)s).") % values
        return _("Recovery rate: %(percent)s (%(found)s of %(total)s found); lowest, tied, for ages %(groups)s "
                 "(%(rate)s).") % values
    raise ValueError(f"unknown insight kind {kind!r}")


def _zones_sentence(f: dict) -> str:
    values = {"zones": f["zones"], "high": f["high"], "threshold": f"{f['threshold']:g}", "names": _join(f["top"]),
              "cases": _cases(f["top_cases"]), "score": f"{f['top_score']:.1f}"}
    tied = len(f["top"]) > 1
    if f["high"] and tied:
        return _("%(high)s high-risk zones (score %(threshold)s or more); the highest, tied, are %(names)s with "
                 "%(cases)s each.") % values
    if f["high"]:
        return ngettext("%(high)s high-risk zone (score %(threshold)s or more): %(names)s with %(cases)s.",
                        "%(high)s high-risk zones (score %(threshold)s or more); the highest is %(names)s with "
                        "%(cases)s.", f["high"]) % values
    if tied:
        return _("No high-risk zones (score %(threshold)s or more); the highest of %(zones)s zones, tied, are "
                 "%(names)s with score %(score)s.") % values
    if f["zones"] == 1:
        return _("No high-risk zones (score %(threshold)s or more); the only zone is %(names)s with score "
                 "%(score)s.") % values
    return _("No high-risk zones (score %(threshold)s or more); the highest of %(zones)s zones is %(names)s with "
             "score %(score)s.") % values


def _join(items: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def _hour_range(hour: int) -> str:
    return f"{hour:02d}:00-{(hour + 1) % 24:02d}:00"


def _cases(n: int) -> str:
    return ngettext("%(count)s case", "%(count)s cases", n) % {"count": n}


def _percent(part: float, whole: float) -> str:
    return f"{part * 100 / whole:.0f}%"
