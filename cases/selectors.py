"""Read-only queries for public pages, with a fixed number of queries whatever the number of cases or sightings."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from .models import Case, Sighting, Verification
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


def active_cases(*, query: str = "") -> QuerySet[Case]:
    cases = listed_cases().only(*PUBLIC_CASE_FIELDS)
    if query:
        matches = (Q(name__icontains=query) | Q(last_seen_place__icontains=query)
                   | Q(last_seen_specific__icontains=query) | Q(reference__iexact=query))
        key = name_key(query)
        if key:  # the name in any script or spelling: "Aarav" finds "आरव शर्मा", "आरव" finds "Arav"
            matches |= Q(name_key__startswith=key) | Q(name_key__contains=f" {key}")
        cases = cases.filter(matches)
    return cases.annotate(sighting_count=Count("sightings")).order_by("-created_at", "-id")


def public_case(*, reference: str) -> Case:
    """The case for its public pages, with `sighting_count` (every sighting, published or not) and
    `published_count`; raises Case.DoesNotExist."""
    return Case.objects.only(*PUBLIC_CASE_FIELDS).annotate(
        sighting_count=Count("sightings"),
        published_count=Count("sightings", filter=Q(sightings__published_at__isnull=False)),
    ).get(reference=reference)


def published_sightings(*, case: Case) -> list[Sighting]:
    """The case's newest MAP_SIGHTINGS_MAX published sightings, newest first, in one query: the page lists the
    first SIGHTINGS_PER_PAGE of them and the map draws those with coordinates, so hundreds stay fast."""
    return list(
        Sighting.objects.filter(case=case, published_at__isnull=False).only(*PUBLIC_SIGHTING_FIELDS)
        .order_by("-seen_at", "-id")[: settings.MAP_SIGHTINGS_MAX]
    )
