"""Posters for cases: made by a task when a case is reported or its status changes, kept in Case.poster, and
served at /poster/<ref>, made on the spot when the stored one is missing or older than the case.

A found case's poster says FOUND. A closed case has no poster: its stored poster is deleted and the page answers
410 Gone, because a MISSING poster would keep people looking and a FOUND one may not be true.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_safe

from media import posters
from media import services as media
from media.storage import StorageUnavailable
from media.tasks import RETRY_OPTIONS

from . import events
from .models import Case

logger = logging.getLogger(__name__)


# --- Hooks and scheduling --------------------------------------------------------------------------------------


def case_changed(case: Case) -> None:
    """After a report or a status change: make the poster after commit (skipped when it is already fresh)."""
    events.after_commit(generate_poster.delay, case.pk)


def schedule_poster(case: Case) -> None:
    """Make the case's poster again even if it looks fresh (staff asked for it)."""
    events.after_commit(generate_poster.delay, case.pk, True)


@shared_task(**RETRY_OPTIONS, soft_time_limit=60, time_limit=90)
def generate_poster(case_id: int, force: bool = False) -> str | None:
    """Render and store the case's poster; the stored file's name ("" for a closed case), None for no case."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return None
    if not force and (is_fresh(case) or (case.status == Case.Status.CLOSED and not case.poster)):
        return case.poster.name
    pdf = None if case.status == Case.Status.CLOSED else render_case_poster(case, _photo(case, strict=True))
    return store_poster(case, pdf)


# --- The service -----------------------------------------------------------------------------------------------


def is_fresh(case: Case) -> bool:
    """The stored poster shows the case as it is now."""
    return bool(case.poster) and case.poster_of == case.updated_at


def render_case_poster(case: Case, photo: bytes | None) -> bytes:
    """The case's A4 poster as PDF bytes; a photo that cannot be used leaves the photo box empty."""
    values = {
        "status": posters.FOUND if case.status == Case.Status.FOUND else posters.MISSING,
        "name": case.name,
        "age": case.age,
        "gender": case.get_gender_display(),
        "last_seen_place": ", ".join(part for part in (case.last_seen_specific.strip(), case.last_seen_place) if part),
        "last_seen_at_text": dateformat.format(timezone.localtime(case.last_seen_at), "j M Y, g:i A T"),
        "description": case.description,
        "contact": f"{case.contact_name}, {case.contact_phone}",
        "reference": case.reference,
        "case_url": settings.SITE_URL + case.get_absolute_url(),
    }
    try:
        return posters.render_poster(**values, photo=photo)
    except posters.PosterError as error:
        if photo is None:
            raise
        logger.warning("poster photo not usable ref=%s: %s", case.reference, error)
        return posters.render_poster(**values, photo=None)


def store_poster(case: Case, pdf: bytes | None) -> str:
    """Store the PDF as the case's poster (None: remove it) and delete the previous file; the stored name.

    The row is claimed with a conditional UPDATE on the values read with the case: when the case changed since,
    or another run stored its poster first, this one is dropped. `.update()` leaves updated_at as it is, so
    poster_of == updated_at means fresh.
    """
    storage, previous, updated_at = case.poster.storage, case.poster.name, case.updated_at
    name = ""
    if pdf is not None:
        name = storage.save(case.poster.field.generate_filename(case, "poster.pdf"), ContentFile(pdf))
    claimed = Case.objects.filter(pk=case.pk, updated_at=updated_at, poster=previous).update(
        poster=name, poster_of=updated_at
    )
    if not claimed:
        logger.info("poster dropped: the case changed while it was made ref=%s", case.reference)
        media.delete_files([(storage, name)])
        return Case.objects.filter(pk=case.pk).values_list("poster", flat=True).first() or ""
    if previous and previous != name:
        media.delete_files([(storage, previous)])
    case.poster.name, case.poster_of = name, updated_at
    logger.info("poster stored ref=%s status=%s", case.reference, case.status)
    return name


def _photo(case: Case, *, strict: bool) -> bytes | None:
    """The case photo's bytes, None without one. strict: an unreachable storage raises (the task retries);
    otherwise the poster is made without the photo."""
    if not case.photo:
        return None
    try:
        with case.photo.storage.open(case.photo.name, "rb") as file:
            return file.read()
    except FileNotFoundError:
        logger.warning("case photo missing for the poster ref=%s", case.reference)
        return None
    except StorageUnavailable:
        if strict:
            raise
        logger.warning("case photo unreachable; poster made without it ref=%s", case.reference)
        return None


# --- The page --------------------------------------------------------------------------------------------------


@require_safe
def poster_view(request, reference: str):
    """The A4 poster as an inline PDF: the stored file when fresh, otherwise made (and stored) on the spot."""
    case = Case.objects.filter(reference=reference).first()
    if case is None:
        raise Http404("No case with this reference.")
    if case.status == Case.Status.CLOSED:
        return HttpResponse(
            f"Case {case.reference} is closed and its poster has been withdrawn. Please take down printed copies.",
            status=410, content_type="text/plain; charset=utf-8",
        )
    store = True
    if is_fresh(case):
        try:
            return _pdf_response(case.poster.storage.open(case.poster.name, "rb"), case)
        except FileNotFoundError:
            logger.warning("stored poster missing, making it again ref=%s", case.reference)
        except OSError as error:
            # Unreachable, or refusing to serve PDFs (a Cloudinary setting): storing again would not help.
            logger.warning("stored poster unreadable, serving a new copy ref=%s: %s", case.reference, error)
            store = False
    photo = _photo(case, strict=False)
    pdf = render_case_poster(case, photo)
    # One request stores the new poster; others arriving meanwhile only serve theirs. A poster made without its
    # photo (storage unreachable) is served but not stored.
    store = store and (photo is not None or not case.photo)
    if store and cache.add(f"cases:poster:storing:{case.pk}", 1, timeout=60):
        try:
            store_poster(case, pdf)
        except StorageUnavailable as error:
            logger.warning("poster not stored ref=%s: %s", case.reference, error)
        finally:
            cache.delete(f"cases:poster:storing:{case.pk}")
    return _pdf_response(ContentFile(pdf), case)


def _pdf_response(file, case: Case) -> FileResponse:
    response = FileResponse(file, content_type="application/pdf", filename=f"sachet-{case.reference}.pdf")
    response["Content-Disposition"] = f'inline; filename="sachet-{case.reference}.pdf"'
    # A found child's poster must replace the missing one at once: browsers ask again every time.
    response["Cache-Control"] = "no-cache"
    return response
