"""Re-encode the case and sighting photos stored before every upload was cleaned of its metadata.

    manage.py clean_stored_photos --dry-run   # count what would change, change nothing
    manage.py clean_stored_photos             # clean them, with a progress bar

A JPEG keeps its pixels exactly: only its metadata segments (EXIF with GPS, XMP, IPTC, ICC, comments) and anything
after its end are dropped (media.images.strip_jpeg_metadata). Anything else is encoded afresh as a clean JPEG
(media.images.normalise_photo). The clean file is stored under a new name, the row is pointed at it, and the old file
and its face print are deleted; the photo is analysed again by the worker. Running it again finds nothing to do.
"""

from __future__ import annotations

from collections import Counter

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand

from cases import tasks
from cases.models import Case, Sighting
from media import services as media_services
from media.images import InvalidPhoto, normalise_photo, strip_jpeg_metadata
from media.storage import StorageUnavailable

BAR_WIDTH = 30
CLEAN, CLEANED, WOULD_CLEAN, MISSING, UNREADABLE, UNAVAILABLE, CHANGED = (
    "already clean", "cleaned", "to clean", "missing", "unreadable", "storage unavailable", "changed meanwhile")


class Command(BaseCommand):
    help = "Remove metadata (EXIF, GPS, comments, ...) from case and sighting photos stored before uploads were cleaned."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count the photos that need cleaning.")

    def handle(self, *args, dry_run: bool, **options) -> None:
        work = [(Case, pk) for pk in Case.objects.exclude(photo="").order_by("pk").values_list("pk", flat=True)]
        work += [(Sighting, pk) for pk in Sighting.objects.exclude(photo="").order_by("pk").values_list("pk",
                                                                                                      flat=True)]
        outcomes: Counter = Counter()
        self.stderr.style_func = None  # the bar is not an error
        for done, (model, pk) in enumerate(work, start=1):
            outcomes[self._clean(model, pk, dry_run=dry_run)] += 1
            self._progress(done, len(work))
        if work:
            self.stderr.write("")
        summary = ", ".join(f"{outcomes[key]} {key}" for key in (CLEANED, WOULD_CLEAN, CLEAN, MISSING, UNREADABLE,
                                                                 UNAVAILABLE, CHANGED) if outcomes[key])
        self.stdout.write(f"{len(work)} photo(s){' (dry run)' if dry_run else ''}: {summary or 'none stored'}.")

    def _clean(self, model, pk: int, *, dry_run: bool) -> str:
        row = model.objects.filter(pk=pk).first()
        if row is None or not row.photo:
            return CHANGED
        field, name = row.photo, row.photo.name
        try:
            with field.storage.open(name, "rb") as file:
                data = file.read()
        except FileNotFoundError:
            return MISSING
        except StorageUnavailable:
            return UNAVAILABLE
        try:
            clean = strip_jpeg_metadata(data)
        except ValueError:  # not a JPEG (or a damaged one): encode it afresh
            try:
                clean = normalise_photo(ContentFile(data, name="photo")).read()
            except InvalidPhoto:
                return UNREADABLE
        if clean == data:
            return CLEAN
        if dry_run:
            return WOULD_CLEAN
        try:
            new_name = field.storage.save(field.field.generate_filename(row, "photo.jpg"), ContentFile(clean))
        except StorageUnavailable:
            return UNAVAILABLE
        if not model.objects.filter(pk=pk, photo=name).update(photo=new_name):
            media_services.delete_files([(field.storage, new_name)])
            return CHANGED
        media_services.delete_files([(field.storage, name)])  # the old file and its face print
        if model is Case:
            tasks.analyse_case_photo.delay(pk)
        else:
            tasks.match_sighting.delay(pk)
        return CLEANED

    def _progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total
        self.stderr.write(f"\r[{'#' * filled}{' ' * (BAR_WIDTH - filled)}] {done}/{total}", ending="")
        self.stderr.flush()
