"""Import a PFIF 1.4 file: persons become cases of DOMAIN, notes sightings or status changes (cases/pfif/).

    manage.py import_pfif people.xml --domain childline.example.org

Importing the same file again updates what changed and adds nothing twice. Invalid records are listed with their
line and the reason; the valid ones are kept.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.pfif import importing


class Command(BaseCommand):
    help = "Import PFIF 1.4 person and note records as cases and sightings."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--domain", default="",
                            help="The domain the records belong to (default: this site's PFIF_DOMAIN).")

    def handle(self, *args, file: Path, domain: str, **options) -> None:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        self.stderr.style_func = None

        def progress(done: int, total: int) -> None:
            filled = round(30 * done / total) if total else 30
            self.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}", ending="")

        try:
            result = importing.import_pfif(data, domain=domain or settings.PFIF_DOMAIN, progress=progress)
        except importing.InvalidPfif as error:
            raise CommandError(str(error)) from None
        self.stderr.write("")
        self.stdout.write(f"Persons: {result.created} imported, {result.updated} updated, {result.unchanged} "
                          f"unchanged. Notes: {result.sightings} sightings, {result.status_changes} status changes, "
                          f"{result.notes_unchanged} with nothing new. Skipped: {len(result.skipped)}.")
        for problem in result.skipped:
            self.stdout.write(f"  line {problem.line}: {problem.record or '(no id)'}: {problem.reason}")
