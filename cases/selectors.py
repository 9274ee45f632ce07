"""Read-only queries for public pages, with a fixed number of queries whatever the number of cases."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import Case, Sighting

# Fields a public page may read. Reporter details and staff notes are never loaded for the public.
PUBLIC_CASE_FIELDS = (
    "id", "reference", "name", "age", "gender", "description", "last_seen_place", "last_seen_specific",
    "latitude", "longitude", "last_seen_at", "photo", "voice_note", "contact_name", "contact_phone", "status",
    "created_at", "updated_at",
)
PUBLIC_SIGHTING_FIELDS = ("id", "case_id", "place", "latitude", "longitude", "seen_at", "description", "photo",
                          "created_at")


def active_cases(*, query: str = "") -> QuerySet[Case]:
    cases = Case.objects.filter(status=Case.Status.MISSING).only(*PUBLIC_CASE_FIELDS)
    if query:
        cases = cases.filter(
            Q(name__icontains=query) | Q(last_seen_place__icontains=query) | Q(last_seen_specific__icontains=query)
            | Q(reference__iexact=query)
        )
    return cases.annotate(sighting_count=Count("sightings")).order_by("-created_at", "-id")


def public_case(*, reference: str) -> Case:
    """The case for its public page; raises Case.DoesNotExist."""
    return Case.objects.only(*PUBLIC_CASE_FIELDS).get(reference=reference)


def public_sightings(*, case: Case) -> list[Sighting]:
    return list(Sighting.objects.filter(case=case).only(*PUBLIC_SIGHTING_FIELDS).order_by("-seen_at"))
