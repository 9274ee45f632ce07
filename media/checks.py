"""System checks: face-matching thresholds out of order or a malformed CLOUDINARY_URL show at start-up."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from . import faces
from .storage import cloudinary_options


def check_face_thresholds(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    try:
        faces.match_thresholds()
    except (ImproperlyConfigured, TypeError, ValueError) as error:
        return [checks.Error(str(error), hint="Fix the FACE_MATCH_* variables (see .env.example).", id="media.E001")]
    if settings.FACE_DETECT_MAX_SIDE < 160:
        return [checks.Error(
            f"FACE_DETECT_MAX_SIDE is {settings.FACE_DETECT_MAX_SIDE}; faces are not found in copies that small.",
            hint="Use 640 (the default) or more.", id="media.E002")]
    if settings.FACE_MAX_FACES < 1 or settings.FACE_MIN_SIZE < 1:
        return [checks.Error(
            f"FACE_MAX_FACES ({settings.FACE_MAX_FACES}) and FACE_MIN_SIZE ({settings.FACE_MIN_SIZE}) must be at least "
            "1: no face would ever be kept.", hint="Use 10 and 40 (the defaults).", id="media.E004")]
    return []


def check_cloudinary_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if not settings.CLOUDINARY_URL:
        return []
    try:
        cloudinary_options(settings.CLOUDINARY_URL)
    except ImproperlyConfigured as error:
        # The message names the expected shape only: the URL holds the API secret.
        return [checks.Error(str(error), id="media.E003")]
    return []
