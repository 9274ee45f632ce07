"""Read-only queries for public pages, with a fixed number of queries whatever the number of cases or sightings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .models import REFERENCE_REGEX, Case, Sighting, Verification
from .names import name_key

# Fields a public page may read. Reporter details and staff notes are never loaded for the public.
PUBLIC_CASE_FIELDS = (
    "id", "reference", "name", "age", "gender", "description", "last_seen_place", "last_seen_specific",
    "latitude", "longitude", "last_seen_at", "photo", "voice_note", "contact_name", "contact_phone", "status",
    "created_at", "updated_at", "verification", "consent_at", "legal_basis", "resolved_at", "erased_at",
)
PUBLIC_SIGHTING_FIELDS = ("id", "case_id", "place", "latitude", "longitude", "seen_at", "description", "photo",
                          "created_at", "published_at")


def listed_cases() -> QuerySet[Case]:
    """Cases the public lists show: verified, with consent (or a legal basis), missing, not erased."""
    return Case.objects.filter(
        Q(consent_at__isnull=False) | ~Q(legal_basis=""),
        status=Case.Status.MISSING, verification=Verification.VERIFIED, erased_at__isnull=True,
    )


def _sighting_count(**filters) -> Coalesce:
    """The number of a case's sightings as a subquery on each row the query returns (PostgreSQL evaluates it only
    for the rows left after ORDER BY ... LIMIT), never a GROUP BY over every case."""
    counts = (Sighting.objects.filter(case=OuterRef("pk"), **filters).order_by().values("case")
              .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def active_cases(*, query: str = "") -> QuerySet[Case]:
    """Listed cases, newest first, each with `sighting_count`. A search matches the name (also across scripts and
    spellings, by its name key), the place or the reference; on PostgreSQL trigram indexes serve the matches
    (migration 0010)."""
    cases = listed_cases().only(*PUBLIC_CASE_FIELDS)
    if query:
        matches = (Q(name__icontains=query) | Q(last_seen_place__icontains=query)
                   | Q(last_seen_specific__icontains=query))
        if re.fullmatch(REFERENCE_REGEX, query.upper()):
            matches |= Q(reference=query.upper())  # the unique index, not a scan of UPPER(reference)
        key = name_key(query)
        if key:  # the name in any script or spelling: "Aarav" finds "आरव शर्मा", "आरव" finds "Arav"
            matches |= Q(name_key__startswith=key) | Q(name_key__contains=f" {key}")
        cases = cases.filter(matches)
    return cases.annotate(sighting_count=_sighting_count()).order_by("-created_at", "-id")


@dataclass(frozen=True)
class CasePage:
    """One page of a list without counting the whole list: one more row than shown says whether a next page
    exists."""

    object_list: list[Case]
    number: int
    has_next: bool
    per_page: int

    @property
    def count(self) -> int:
        """The matches up to the end of this page: all of them without a next page, otherwise there are more.
        Counting every match would cost as much as the data grows."""
        return (self.number - 1) * self.per_page + len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def case_page(cases: QuerySet[Case], *, page: str | int | None, per_page: int) -> CasePage:
    try:
        number = max(1, min(int(page or 1), 10_000))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(cases[start:start + per_page + 1])
    if not rows and number > 1:
        return case_page(cases, page=1, per_page=per_page)
    return CasePage(rows[:per_page], number, has_next=len(rows) > per_page, per_page=per_page)


def public_case(*, reference: str) -> Case:
    """The case for its public pages, with `sighting_count` (every sighting, published or not) and
    `published_count`; raises Case.DoesNotExist."""
    return Case.objects.only(*PUBLIC_CASE_FIELDS).annotate(
        sighting_count=_sighting_count(),
        published_count=_sighting_count(published_at__isnull=False),
    ).get(reference=reference)


def published_sightings(*, case: Case) -> list[Sighting]:
    """The case's newest MAP_SIGHTINGS_MAX published sightings, newest first, in one query: the page lists the
    first SIGHTINGS_PER_PAGE of them and the map draws those with coordinates, so hundreds stay fast."""
    return list(
        Sighting.objects.filter(case=case, published_at__isnull=False).only(*PUBLIC_SIGHTING_FIELDS)
        .order_by("-seen_at", "-id")[: settings.MAP_SIGHTINGS_MAX]
    )
