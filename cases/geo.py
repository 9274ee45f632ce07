"""Cases and sightings on the map: their place text geocoded after they are saved, and pins outside India flagged.

A report is saved at once with geocoding "pending"; the tasks `geocode_case` / `geocode_sighting` (cases.tasks) then
fill the coordinates with `locate` (state "found" or "not_found"). Coordinates a person picked on the map ("manual")
are never looked up or replaced. When the providers stay unavailable the row is left pending for
`manage.py geocode_pending`.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from geocoding import services as geocoding

from . import pagecache
from .models import Case, CaseNote, FoundChild, Geocoding, Sighting

FOUND, NOT_FOUND, SKIPPED = "found", "not_found", "skipped"
PLACE_FIELD = {Case: "last_seen_place", Sighting: "place", FoundChild: "found_place"}


def locate(model: type[models.Model], pk: int, *, retry_not_found: bool = False) -> str:
    """Geocode one case or sighting's place text and store the answer: FOUND, NOT_FOUND, or SKIPPED when the row
    has coordinates, is not waiting for them, or is gone. Raises ProviderUnavailable (nothing is stored then)."""
    states = [Geocoding.PENDING, Geocoding.NOT_FOUND] if retry_not_found else [Geocoding.PENDING]
    field = PLACE_FIELD[model]
    waiting = model.objects.filter(pk=pk, geocoding__in=states, latitude__isnull=True)
    text = waiting.values_list(field, flat=True).first()
    if text is None:
        return SKIPPED
    place = geocoding.geocode(text)  # no transaction is open here: the look-up may wait on a provider
    # Written only if, meanwhile, nobody pinned the place on the map, nor changed its text, nor another run wrote it.
    claim = waiting.filter(**{field: text})
    if place is None or (place.latitude == 0 and place.longitude == 0):
        return NOT_FOUND if claim.update(geocoding=Geocoding.NOT_FOUND, location_precision="") else SKIPPED
    updated = claim.update(latitude=_degrees(place.latitude), longitude=_degrees(place.longitude),
                           geocoding=Geocoding.FOUND, location_precision=place.precision)
    if updated:
        pagecache.changed()  # the case page's map
    return FOUND if updated else SKIPPED


def _degrees(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def retry_delay(retries: int, retry_after: float | None) -> float:
    """Exponential backoff with jitter, capped below the broker's visibility time-out; a provider's wish wins."""
    base = min(settings.GEOCODE_TASK_RETRY_MAX_DELAY, settings.GEOCODE_TASK_RETRY_DELAY * 2**retries)
    return max(base * random.uniform(0.5, 1.0), min(retry_after or 0.0, settings.GEOCODE_TASK_RETRY_MAX_DELAY))


def pending_ids(model: type[models.Model], *, older_than: timedelta, limit: int) -> list[int]:
    """The oldest rows still waiting for coordinates after `older_than` (a broker outage, or retries exhausted)."""
    cutoff = timezone.now() - older_than
    rows = model.objects.filter(geocoding=Geocoding.PENDING, latitude__isnull=True, created_at__lt=cutoff)
    return list(rows.order_by("created_at").values_list("pk", flat=True)[:limit])


# --- pins outside India ------------------------------------------------------------------------------------------

def outside_india(row: Case | Sighting) -> bool:
    """Coordinates were given and lie outside India's bounding box."""
    return row.has_location and not geocoding.in_india(float(row.latitude), float(row.longitude))


def flag_case_outside_india(case: Case) -> CaseNote | None:
    """A note for staff (the report is kept as given) when the family's map pin lies outside India."""
    if not outside_india(case):
        return None
    return CaseNote.objects.create(case=case, author=None, text=(
        f"Check the location: the point marked on the map ({case.latitude}, {case.longitude}) is outside India, "
        f"but the place given is “{case.last_seen_place}”. Kept as given."
    ))


def flag_sighting_outside_india(sighting: Sighting) -> CaseNote | None:
    """Likewise for a sighting: the note goes on its case."""
    if not outside_india(sighting):
        return None
    return CaseNote.objects.create(case=sighting.case, author=None, text=(
        f"Check the location of sighting {sighting.pk}: the point marked on the map ({sighting.latitude}, "
        f"{sighting.longitude}) is outside India, but the place given is “{sighting.place}”. Kept as given."
    ))
