"""Backfill coordinates of cases and sightings still waiting for them (a task gave up, or the broker was down).

    manage.py geocode_pending                    # rows pending
    manage.py geocode_pending --retry-not-found  # and rows whose place was not found before

Look-ups go through the same cache and providers as the tasks, so Nominatim's 1-per-second limit holds: a long
backfill on Nominatim takes about a second per new place. Progress goes to stderr, the summary to stdout.
"""

from __future__ import annotations

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from cases import geo
from cases.models import Case, Geocoding, Sighting
from geocoding.providers import ProviderUnavailable
from geocoding.services import purge_expired_results

BAR_WIDTH = 30
UNAVAILABLE = "unavailable"


class Command(BaseCommand):
    help = "Look up the coordinates of cases and sightings that have none yet, with a progress bar."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--retry-not-found", action="store_true",
                            help="Also retry rows whose place was not found before.")
        parser.add_argument("--limit", type=int, default=None, help="At most this many rows (oldest first).")

    def handle(self, *args, retry_not_found: bool, limit: int | None, **options) -> None:
        if limit is not None and limit < 1:
            raise CommandError("--limit must be 1 or more.")
        states = [Geocoding.PENDING, Geocoding.NOT_FOUND] if retry_not_found else [Geocoding.PENDING]
        work = [(Case, pk) for pk in self._waiting(Case, states)] + \
               [(Sighting, pk) for pk in self._waiting(Sighting, states)]
        work = work[:limit] if limit else work
        outcomes = {Case: Counter(), Sighting: Counter()}
        self.stderr.style_func = None  # the bar is not an error
        for done, (model, pk) in enumerate(work, start=1):
            try:
                outcome = geo.locate(model, pk, retry_not_found=retry_not_found)
            except ProviderUnavailable:
                outcome = UNAVAILABLE  # left as it was; the next run tries again
            outcomes[model][outcome] += 1
            self._progress(done, len(work))
        if work:
            self.stderr.write("")
        purged = purge_expired_results()
        self.stdout.write(self._summary("Cases", outcomes[Case]))
        self.stdout.write(self._summary("Sightings", outcomes[Sighting]))
        if purged:
            self.stdout.write(f"Removed {purged} expired geocoding results.")

    @staticmethod
    def _waiting(model, states) -> list[int]:
        rows = model.objects.filter(latitude__isnull=True, geocoding__in=states).order_by("pk")
        return list(rows.values_list("pk", flat=True))

    def _progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total
        self.stderr.write(f"\r[{'#' * filled}{' ' * (BAR_WIDTH - filled)}] {done}/{total}", ending="")
        self.stderr.flush()

    @staticmethod
    def _summary(what: str, counts: Counter) -> str:
        return (f"{what}: {counts[geo.FOUND]} found, {counts[geo.NOT_FOUND]} not found, "
                f"{counts[UNAVAILABLE]} left pending (providers unavailable), {counts[geo.SKIPPED]} skipped.")
