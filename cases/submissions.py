"""What the public forms send, stored once: the same report (same contact phone and child's name) or the same
sighting (same case and text) sent again within REPEAT_SUBMISSION_MINUTES gives back what was stored the first time.

A worried parent presses "send" twice, or sends the form again from a slow connection; the family must land on the
one case page, and staff must not get two cases and two sets of alerts. Two identical posts arriving together (a
double click) are taken one at a time through a short lock in the shared cache (Redis in production), so the second
finds the first.
"""

from __future__ import annotations

import logging
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError
from django.utils import timezone
from django.utils.crypto import salted_hmac
from redis.exceptions import RedisError

from . import services
from .models import Case, Sighting, Verification

logger = logging.getLogger(__name__)

LOCK_SECONDS = 30
LOCK_WAIT_SECONDS = 10.0


def submit_report(**fields) -> tuple[Case, bool]:
    """services.report_case unless the same report was stored within the last minutes; (case, repeated)."""
    phone, name = fields["contact_phone"], _normalised(fields["name"])
    with _one_at_a_time("report", phone, name.casefold()):
        existing = (
            Case.objects.filter(contact_phone=phone, name__iexact=name, created_at__gte=_since())
            .exclude(verification=Verification.REJECTED).order_by("-created_at").first()
        )
        if existing is not None:
            logger.info("repeated report stored once ref=%s", existing.reference)
            return existing, True
        return services.report_case(**fields), False


def submit_sighting(*, case: Case, submission_key: uuid.UUID | None = None, **fields) -> tuple[Sighting, bool]:
    """services.record_sighting unless this sighting was stored already: the same submission key for this case
    (the browser sent it again, e.g. from its offline queue), or the same text within the last minutes."""
    text = _normalised(fields["description"])
    lock = ("key", str(submission_key)) if submission_key else ("text", text.casefold())
    with _one_at_a_time("sighting", str(case.pk), *lock):
        existing = stored_sighting(case=case, submission_key=submission_key)
        if existing is not None:
            logger.info("repeated sighting stored once ref=%s sighting=%s", case.reference, existing.pk)
            return existing, True
        recent = Sighting.objects.filter(case=case, created_at__gte=_since()).order_by("-created_at")
        for sighting in recent.only("id", "description")[:50]:
            if _normalised(sighting.description).casefold() == text.casefold():
                logger.info("repeated sighting stored once ref=%s sighting=%s", case.reference, sighting.pk)
                return sighting, True
        try:
            return services.record_sighting(case=case, submission_key=submission_key, **fields), False
        except IntegrityError:
            # The same key stored meanwhile by a request that did not wait for the lock (cache down).
            existing = stored_sighting(case=case, submission_key=submission_key)
            if existing is None:
                raise
            return existing, True


def stored_sighting(*, case: Case, submission_key: uuid.UUID | None) -> Sighting | None:
    """The sighting already stored for this case under this submission key, if any."""
    if not submission_key:
        return None
    return Sighting.objects.filter(case=case, submission_key=submission_key).first()


def _since():
    return timezone.now() - timedelta(minutes=settings.REPEAT_SUBMISSION_MINUTES)


def _normalised(text: str) -> str:
    return " ".join((text or "").split())


@contextmanager
def _one_at_a_time(kind: str, *parts: str):
    """Hold a short lock named by a keyed hash of the submission (no phone or name readable in the cache). A lock
    still held after LOCK_WAIT_SECONDS is not waited for: storing twice is better than refusing a report."""
    key = "cases:submitting:" + salted_hmac(f"cases.submissions.{kind}", "\x1f".join(parts),
                                             algorithm="sha256").hexdigest()
    token = uuid.uuid4().hex
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    held = _add(key, token)
    while held is False and time.monotonic() < deadline:
        time.sleep(0.05)  # another request is storing the same submission: let it finish, then find its row
        held = _add(key, token)
    try:
        yield
    finally:
        if held:
            _release(key, token)


def _add(key: str, token: str) -> bool | None:
    """True when the lock is ours, False when someone holds it, None when the cache is down (then go on)."""
    try:
        return cache.add(key, token, LOCK_SECONDS)
    except (RedisError, OSError) as error:
        logger.warning("submission lock not taken: cache unavailable (%s)", type(error).__name__)
        return None


def _release(key: str, token: str) -> None:
    try:
        if cache.get(key) == token:
            cache.delete(key)
    except (RedisError, OSError):
        pass  # the lock expires on its own after LOCK_SECONDS
