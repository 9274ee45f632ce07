"""manage.py geocode_pending: backfills rows without coordinates, with a progress bar and a summary."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases import services
from cases.models import Case, Sighting
from geocoding.models import GeocodeResult
from geocoding.tests.helpers import limiters_on_a_still_clock, searches, use_fake_nominatim
from tests.fakes.geocoders import FakeNominatim, FakePlace, server_error
from tests.worker import celery_broker_down  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

PLACES = [
    FakePlace("Koramangala", 12.9352, 77.6245, "Koramangala, Bengaluru, Karnataka, 560034, India"),
    FakePlace("Navrangpura", 23.0365, 72.5611, "Navrangpura, Ahmedabad, Gujarat, 380009, India"),
]


@pytest.fixture
def nominatim(settings):
    with FakeNominatim(PLACES) as fake:
        use_fake_nominatim(settings, fake)
        yield fake


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("geocode_pending", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def pending(make_case, place: str, **overrides) -> Case:
    values = {"latitude": None, "longitude": None, "geocoding": "pending", "note": "", **overrides}
    return make_case(last_seen_place=place, **values)


def test_backfills_pending_cases_and_sightings_with_progress_and_summary(make_case, make_sighting, nominatim):
    first = pending(make_case, "Koramangala, Bengaluru")
    second = pending(make_case, "Navrangpura, Ahmedabad")
    sighting = make_sighting(first, place="Xyzzy Qwerty", latitude=None, longitude=None, geocoding="pending")

    out, err = run()

    assert err == ("\r[##########                    ] 1/3"
                   "\r[####################          ] 2/3"
                   "\r[##############################] 3/3\n")
    assert out == ("Cases: 2 found, 0 not found, 0 left pending (providers unavailable), 0 skipped.\n"
                   "Sightings: 0 found, 1 not found, 0 left pending (providers unavailable), 0 skipped.\n")
    assert list(Case.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk").values_list(
        "latitude", "longitude", "geocoding")) == [(Decimal("12.935200"), Decimal("77.624500"), "found"),
                                                   (Decimal("23.036500"), Decimal("72.561100"), "found")]
    sighting.refresh_from_db()
    assert (sighting.latitude, sighting.geocoding) == (None, "not_found")


def test_leaves_manual_found_and_not_found_rows_alone(make_case, nominatim):
    manual = make_case(last_seen_place="Koramangala, Bengaluru", geocoding="manual", note="")
    found = make_case(last_seen_place="Navrangpura", latitude=Decimal("23.036500"), longitude=Decimal("72.561100"),
                      geocoding="found", note="")
    not_found = pending(make_case, "Koramangala, Bengaluru", geocoding="not_found")

    out, err = run()

    assert err == ""
    assert out.startswith("Cases: 0 found, 0 not found, 0 left pending (providers unavailable), 0 skipped.\n")
    assert nominatim.requests == []
    assert list(Case.objects.order_by("pk").values_list("pk", "geocoding")) == [
        (manual.pk, "manual"), (found.pk, "found"), (not_found.pk, "not_found")]


def test_retry_not_found_asks_again(make_case, nominatim):
    case = pending(make_case, "Koramangala, Bengaluru", geocoding="not_found")

    out, _ = run("--retry-not-found")

    case.refresh_from_db()
    assert (case.latitude, case.geocoding) == (Decimal("12.935200"), "found")
    assert out.startswith("Cases: 1 found, 0 not found")


def test_unavailable_provider_leaves_rows_pending_for_the_next_run(make_case, nominatim):
    case = pending(make_case, "Xyzzy Qwerty")
    nominatim.script(server_error(), server_error())

    out, _ = run()

    case.refresh_from_db()
    assert (case.latitude, case.geocoding) == (None, "pending")
    assert out.startswith("Cases: 0 found, 0 not found, 1 left pending (providers unavailable), 0 skipped.\n")
    assert GeocodeResult.objects.count() == 0


def test_one_look_up_per_distinct_place(make_case, nominatim):
    for _ in range(3):
        pending(make_case, "Koramangala, Bengaluru")

    out, _ = run()

    assert out.startswith("Cases: 3 found,")
    assert searches(nominatim) == ["koramangala, bengaluru"]


def test_limit_takes_the_oldest_rows_first(make_case, nominatim):
    oldest = pending(make_case, "Koramangala, Bengaluru")
    newer = pending(make_case, "Navrangpura, Ahmedabad")

    _, err = run("--limit", "1")

    assert err.endswith("] 1/1\n")
    assert list(Case.objects.order_by("pk").values_list("pk", "geocoding")) == [
        (oldest.pk, "found"), (newer.pk, "pending")]


def test_limit_below_one_is_refused(nominatim):
    with pytest.raises(CommandError, match="--limit must be 1 or more."):
        run("--limit", "0")


def test_honours_nominatims_spacing(settings, make_case, monkeypatch):
    slept = limiters_on_a_still_clock(monkeypatch)
    with FakeNominatim(PLACES) as fake:
        use_fake_nominatim(settings, fake, interval=0.3)
        pending(make_case, "Koramangala, Bengaluru")
        pending(make_case, "Navrangpura, Ahmedabad")

        run()

    assert len(fake.requests) == 2
    assert slept == pytest.approx([0.3])  # the second look-up was granted the slot one interval after the first


def test_removes_expired_geocoding_results(nominatim):
    GeocodeResult.objects.create(query="old", found=False, expires_at=timezone.now() - timedelta(days=1))

    out, _ = run()

    assert out.endswith("Removed 1 expired geocoding results.\n")
    assert GeocodeResult.objects.count() == 0
    assert Sighting.objects.count() == 0


def test_report_made_while_the_broker_is_down_stays_pending_until_the_command(
    nominatim, celery_broker_down, django_capture_on_commit_callbacks  # noqa: F811 - fixture
):
    with django_capture_on_commit_callbacks(execute=True):
        case = services.report_case(
            name="Ishita Das", age=5, gender="female", description="Yellow frock with white flowers.",
            last_seen_place="Navrangpura, Ahmedabad", last_seen_at=timezone.now() - timedelta(hours=1),
            contact_name="Sujata Das", contact_phone="+919831000404",
        )  # the commit's attempt to enqueue the look-up fails on the closed port, and is not an error
    saved = Case.objects.values_list("geocoding", "latitude").get(pk=case.pk)
    celery_broker_down.end()

    run()

    assert saved == ("pending", None)
    assert Case.objects.values_list("geocoding", "latitude").get(pk=case.pk) == ("found", Decimal("23.036500"))
