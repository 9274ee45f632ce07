"""Posters for cases: made by a task when a case is reported or its status changes, kept in Case.poster, and
served at /poster/<ref> (cases.views.poster), made on the spot when the stored one is missing or older than the case.

A found case's poster says FOUND, without the family's phone. A closed case has no poster: its stored poster is
deleted and the page answers 410 Gone, because a MISSING poster would keep people looking and a FOUND one may not be
true. The same goes for a rejected report, and for a found case once PUBLIC_PHOTO_DAYS_AFTER_FOUND have passed (the
poster carried the child's name and photo); cases.public says which states have a poster.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import dateformat, timezone, translation

from geocoding.services import state_of
from media import posters
from media import services as media
from media.storage import StorageUnavailable

from . import public
from .models import Case, PosterLanguage

logger = logging.getLogger(__name__)

# The state's language a poster adds to English and Hindi (Hindi-speaking states need nothing more).
STATE_LANGUAGES = {"West Bengal": "bn", "Maharashtra": "mr"}


def make_poster(case_id: int, *, force: bool = False) -> str | None:
    """Render and store the case's poster unless it is fresh (or `force`); the stored file's name ("" when the case's
    public state has no poster: its stored one is deleted), None for no case."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return None
    if not public.public_view(case).poster:
        return store_poster(case, None) if case.poster else ""
    if not force and is_fresh(case):
        return case.poster.name
    return store_poster(case, render_case_poster(case, case_photo(case, strict=True)))


# --- The service -----------------------------------------------------------------------------------------------


def is_fresh(case: Case) -> bool:
    """The stored poster shows the case as it is now."""
    return bool(case.poster) and case.poster_of == case.updated_at


def poster_languages(case: Case) -> tuple[str, ...]:
    """The languages under the poster's English banner: Hindi, then the one staff chose or, by default, Bengali in
    West Bengal and Marathi in Maharashtra (the state of the last-seen point, or of the place's name)."""
    return languages_for_place(latitude=case.latitude, longitude=case.longitude, place=case.last_seen_place,
                               chosen=case.poster_language)


def languages_for_place(*, latitude, longitude, place: str, chosen: str = "") -> tuple[str, ...]:
    """Hindi, then `chosen` (a PosterLanguage) or the language of the state the point or place lies in."""
    if chosen == PosterLanguage.HINDI_ONLY:
        return ("hi",)
    if chosen:
        return ("hi", chosen)
    state = state_of(latitude=latitude, longitude=longitude, place=place)
    return ("hi", STATE_LANGUAGES[state]) if state in STATE_LANGUAGES else ("hi",)


def render_case_poster(case: Case, photo: bytes | None) -> bytes:
    """The case's A4 poster as PDF bytes; a photo that cannot be used leaves the photo box empty."""
    with translation.override("en"):  # the details are in English whatever the page that asked for it
        values = _poster_values(case)
    try:
        return posters.render_poster(**values, photo=photo)
    except posters.PosterError as error:
        if photo is None:
            raise
        logger.warning("poster photo not usable ref=%s: %s", case.reference, error)
        return posters.render_poster(**values, photo=None)


def _poster_values(case: Case) -> dict:
    return {
        "status": posters.FOUND if case.status == Case.Status.FOUND else posters.MISSING,
        "name": case.name,
        "age": case.age if case.age is not None else "Unknown",
        "gender": case.get_gender_display(),
        "last_seen_place": ", ".join(part for part in (case.last_seen_specific.strip(), case.last_seen_place) if part),
        "last_seen_at_text": dateformat.format(timezone.localtime(case.last_seen_at), "j M Y, g:i A T"),
        "description": case.description,
        # A found child's family is not to be called any more: the poster points to the case page instead.
        "contact": (f"{case.contact_name}, {case.contact_phone}" if case.status != Case.Status.FOUND
                    else urlsplit(settings.SITE_URL).netloc),
        "reference": case.reference,
        "case_url": settings.SITE_URL + case.get_absolute_url(),
        "languages": poster_languages(case),
    }


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


def case_photo(case: Case, *, strict: bool) -> bytes | None:
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
