"""Import the old Sachet's cases and sightings (cases/legacy.py says how each value is read).

    manage.py import_sachet_v1 --database-url sqlite:////srv/old/sachet.db --media-dir /srv/old/static/uploads
    manage.py import_sachet_v1 --database-url postgresql://user:pass@host/olddb

`--media-dir` is the old app's `static/uploads` folder (photos in `photos/`, voice notes in `audio/`). Photos
given as Cloudinary URLs are fetched from res.cloudinary.com (`--photo-host` adds another host). Running it again
changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases import legacy


class Command(BaseCommand):
    help = "Import cases and sightings from the old Sachet's database (SQLite or PostgreSQL)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--database-url", required=True, help="sqlite:///path or postgresql://...")
        parser.add_argument("--media-dir", type=Path, default=None, help="The old app's static/uploads folder.")
        parser.add_argument("--photo-host", action="append", default=[],
                            help="Another host photos may be fetched from (besides res.cloudinary.com).")

    def handle(self, *args, database_url: str, media_dir: Path | None, photo_host: list[str], **options) -> None:
        if media_dir is not None and not media_dir.is_dir():
            raise CommandError(f"--media-dir {media_dir} is not a folder")
        self.stderr.style_func = None  # the bar is not an error

        def progress(done: int, total: int) -> None:
            filled = round(30 * done / total) if total else 30
            self.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}", ending="")

        try:
            summary = legacy.import_old_sachet(database_url, media_dir=media_dir,
                                               photo_hosts=("res.cloudinary.com", *photo_host), progress=progress)
        except legacy.OldDatabaseError as error:
            raise CommandError(str(error)) from None
        self.stderr.write("")
        for line in legacy.iter_summary(summary):
            self.stdout.write(line)
