import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import REFERENCE_REGEX, Case, new_reference


def test_reference_has_the_old_format_with_todays_date():
    reference = new_reference()
    assert re.fullmatch(REFERENCE_REGEX, reference)
    assert reference.startswith(f"MC{timezone.now():%Y%m%d}")
    assert len(reference) == 18


def test_new_case_gets_a_unique_reference(make_case):
    first, second = make_case(), make_case()
    assert re.fullmatch(REFERENCE_REGEX, first.reference)
    assert first.reference != second.reference


def test_duplicate_reference_is_refused_by_the_database(make_case):
    first = make_case()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_case(reference=first.reference)


@pytest.mark.parametrize("age", [18, 30])
def test_age_over_17_is_refused_by_the_database(make_case, age):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_case(age=age)
    assert Case.objects.count() == 0


def test_zero_zero_is_not_accepted_as_unknown_coordinates(make_case):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_case(latitude=Decimal("0"), longitude=Decimal("0"))
    assert Case.objects.count() == 0


def test_one_coordinate_without_the_other_is_refused(make_case):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_case(latitude=Decimal("18.5"), longitude=None)
    assert Case.objects.count() == 0


def test_unknown_place_is_stored_as_null_coordinates(make_case):
    case = make_case(latitude=None, longitude=None)
    case.refresh_from_db()
    assert case.latitude is None and case.longitude is None
    assert case.has_location is False


def test_new_case_is_missing_and_active(make_case):
    case = make_case()
    assert case.status == "missing"
    assert case.is_active is True
    assert case.get_absolute_url() == f"/case/{case.reference}"


def test_times_are_stored_aware_in_utc(make_case):
    seen = timezone.now() - timedelta(hours=2)
    case = make_case(last_seen_at=seen)
    case.refresh_from_db()
    assert case.last_seen_at == seen
    assert case.last_seen_at.utcoffset() == timedelta(0)


def test_sighting_score_above_100_is_refused(make_case, make_sighting):
    case = make_case()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_sighting(case, face_match_score=101)
    assert case.sightings.count() == 0
