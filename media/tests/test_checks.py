"""System checks of the media app: face-matching thresholds and the Cloudinary URL."""

import pytest

from media import checks


def test_thresholds_in_order_pass(settings):
    settings.FACE_MATCH_LIKELY_DISTANCE, settings.FACE_MATCH_POSSIBLE_DISTANCE = 0.45, 0.55

    assert checks.check_face_thresholds() == []


def test_likely_threshold_above_possible_is_an_error(settings):
    settings.FACE_MATCH_LIKELY_DISTANCE, settings.FACE_MATCH_POSSIBLE_DISTANCE = 0.6, 0.55

    errors = checks.check_face_thresholds()

    assert [error.id for error in errors] == ["media.E001"]
    assert "0.6, 0.55" in errors[0].msg


def test_tiny_detection_copy_is_an_error(settings):
    settings.FACE_DETECT_MAX_SIDE = 100

    assert [error.id for error in checks.check_face_thresholds()] == ["media.E002"]


@pytest.mark.parametrize("name", ["FACE_MAX_FACES", "FACE_MIN_SIZE"])
def test_keeping_no_face_is_an_error(settings, name):
    setattr(settings, name, 0)

    assert [error.id for error in checks.check_face_thresholds()] == ["media.E004"]


def test_malformed_cloudinary_url_is_an_error_that_does_not_show_the_secret(settings):
    settings.CLOUDINARY_URL = "https://key:very-secret@cloud"

    errors = checks.check_cloudinary_url()

    assert [error.id for error in errors] == ["media.E003"]
    assert "very-secret" not in errors[0].msg


def test_checks_are_registered_with_django():
    from django.core.checks import registry

    assert {checks.check_face_thresholds, checks.check_cloudinary_url} <= set(registry.registry.get_checks())
