"""Recalculate risk zones, demographics and insights now, showing each stage; the nightly job does the same."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from analytics.services import RecalculationRunning, recalculate


class Command(BaseCommand):
    help = "Recalculate the analytics over every case and store them as a new snapshot (the admin shows the latest)."

    def handle(self, *args, **options):
        def progress(stage: str, count: int, unit: str) -> None:
            self.stdout.write(f"{stage}... {_count(count, unit)}")

        try:
            snapshot = recalculate(progress=progress)
        except RecalculationRunning as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            f"Saved snapshot {snapshot.pk}: {_count(snapshot.case_count, 'cases')}, {snapshot.located_count} placed "
            f"precisely enough for zones, {_count(snapshot.zone_count, 'risk zones')}, in {snapshot.duration_ms} ms."
        ))


def _count(n: int, plural: str) -> str:
    return f"{n} {plural if n != 1 else plural.removesuffix('s')}"
