"""Cases and sightings get coordinates after they are saved; what a person pinned is kept; pins abroad are flagged."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import geo, services, tasks
from cases.models import Case, CaseNote, Sighting
from geocoding.models import GeocodeResult
from geocoding.providers.gazetteer import get_gazetteer
from geocoding.tests.helpers import USER_AGENT, searches, use_fake_nominatim
from tests.factories import jpeg_bytes
from tests.fakes.geocoders import FakeNominatim, FakePlace, server_error
from tests.worker import celery_worker_process  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

KORAMANGALA = FakePlace("Koramangala", 12.9352, 77.6245, "Koramangala, Bengaluru, Karnataka, 560034, India")


@pytest.fixture
def offline(settings):
    settings.NOMINATIM_ENABLED = False
    settings.GOOGLE_MAPS_API_KEY = ""


@pytest.fixture
def nominatim(settings):
    with FakeNominatim([KORAMANGALA]) as fake:
        use_fake_nominatim(settings, fake)
        yield fake


def report_form(**overrides) -> dict:
    data = {
        "name": "Ishita Das", "age": "5", "gender": "female",
        "description": "Yellow frock with white flowers, curly hair.", "last_seen_place": "Koramangala, Bengaluru",
        "last_seen_specific": "", "contact_name": "Sujata Das", "contact_phone": "+919831000404",
        "last_seen_at": timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "consent": "on", "latitude": "", "longitude": "",
        "photo": SimpleUploadedFile("ishita.jpg", jpeg_bytes(), content_type="image/jpeg"),
    }
    data.update(overrides)
    return data


def sighting_form(**overrides) -> dict:
    data = {"place": "Koramangala, Bengaluru", "latitude": "", "longitude": "",
            "seen_at": timezone.localtime(timezone.now() - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
            "description": "Girl in a yellow frock near the bus stop."}
    data.update(overrides)
    return data


def submit_report(client, django_capture_on_commit_callbacks, **overrides) -> Case:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/report", report_form(**overrides))
    assert response.status_code == 302
    return Case.objects.get()


def pending_case(make_case, **overrides) -> Case:
    return make_case(latitude=None, longitude=None, geocoding="pending", note="", **overrides)


# --- through the public forms ----------------------------------------------------------------------------------

def test_report_without_coordinates_is_placed_from_the_gazetteer_after_commit(
    client, offline, django_capture_on_commit_callbacks
):
    place = get_gazetteer().geocode("koramangala, bengaluru")

    case = submit_report(client, django_capture_on_commit_callbacks)

    assert (case.geocoding, case.location_precision) == ("found", "locality")
    assert (case.latitude, case.longitude) == (Decimal(f"{place.latitude:.6f}"), Decimal(f"{place.longitude:.6f}"))


def test_report_is_saved_pending_before_the_look_up_runs(client, offline, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/report", report_form())

    saved = Case.objects.values_list("geocoding", "latitude", "longitude").get()
    for callback in callbacks:
        callback()

    assert saved == ("pending", None, None)
    assert Case.objects.get().geocoding == "found"


def test_report_with_nominatim_enabled_is_placed_from_nominatim(client, nominatim, django_capture_on_commit_callbacks):
    case = submit_report(client, django_capture_on_commit_callbacks)

    assert (case.latitude, case.longitude) == (Decimal("12.935200"), Decimal("77.624500"))
    assert (case.geocoding, case.location_precision) == ("found", "locality")
    assert searches(nominatim) == ["koramangala, bengaluru"]
    assert nominatim.requests[0].headers["user-agent"] == USER_AGENT


def test_coordinates_picked_on_the_map_are_kept_and_never_looked_up(
    client, nominatim, django_capture_on_commit_callbacks
):
    case = submit_report(client, django_capture_on_commit_callbacks, latitude="12.971600", longitude="77.594600")

    assert (case.latitude, case.longitude) == (Decimal("12.971600"), Decimal("77.594600"))
    assert (case.geocoding, case.location_precision) == ("manual", "exact")
    assert nominatim.requests == []
    assert GeocodeResult.objects.count() == 0


def test_sighting_without_coordinates_is_placed_after_commit(client, make_case, nominatim,
                                                             django_capture_on_commit_callbacks):
    case = make_case()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/found/{case.reference}", sighting_form())

    sighting = Sighting.objects.get()
    assert response.status_code == 302
    assert (sighting.latitude, sighting.longitude, sighting.geocoding) == (
        Decimal("12.935200"), Decimal("77.624500"), "found")


def test_repeated_place_is_looked_up_once(client, make_case, nominatim, django_capture_on_commit_callbacks):
    case = make_case()
    for seen in ("Girl in a yellow frock near the bus stop.", "The same girl again, now walking towards the market."):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/found/{case.reference}", sighting_form(description=seen))

    assert list(Sighting.objects.values_list("geocoding", flat=True)) == ["found", "found"]
    assert len(nominatim.requests) == 1


# --- the tasks ----------------------------------------------------------------------------------------------------

def test_task_fills_coordinates_and_state(make_case, offline):
    case = pending_case(make_case, last_seen_place="Andheri West, Mumbai")
    place = get_gazetteer().geocode("andheri west, mumbai")

    assert tasks.geocode_case.delay(case.pk).get() == "found"

    case.refresh_from_db()
    assert (case.latitude, case.longitude) == (Decimal(f"{place.latitude:.6f}"), Decimal(f"{place.longitude:.6f}"))
    assert (case.geocoding, case.location_precision) == ("found", "locality")


def test_task_records_not_found(make_case, offline):
    case = pending_case(make_case, last_seen_place="Xyzzy Qwerty")

    assert tasks.geocode_case.delay(case.pk).get() == "not_found"

    case.refresh_from_db()
    assert (case.latitude, case.longitude, case.geocoding, case.location_precision) == (None, None, "not_found", "")


def test_task_never_replaces_coordinates_a_person_gave(make_case, nominatim):
    case = make_case(last_seen_place="Koramangala, Bengaluru", latitude=Decimal("12.971600"),
                     longitude=Decimal("77.594600"), geocoding="manual")

    assert tasks.geocode_case.delay(case.pk).get() == "skipped"

    case.refresh_from_db()
    assert (case.latitude, case.longitude, case.geocoding) == (Decimal("12.971600"), Decimal("77.594600"), "manual")
    assert nominatim.requests == []


def test_task_skips_a_pending_row_that_got_coordinates_meanwhile(make_case, nominatim):
    case = make_case(last_seen_place="Koramangala, Bengaluru", latitude=Decimal("12.971600"),
                     longitude=Decimal("77.594600"), geocoding="pending")

    assert tasks.geocode_case.delay(case.pk).get() == "skipped"

    case.refresh_from_db()
    assert (case.latitude, case.longitude, case.geocoding) == (Decimal("12.971600"), Decimal("77.594600"), "pending")
    assert nominatim.requests == []


def test_task_run_twice_looks_up_once(make_case, nominatim):
    case = pending_case(make_case, last_seen_place="Koramangala, Bengaluru")

    outcomes = [tasks.geocode_case.delay(case.pk).get() for _ in range(2)]

    assert outcomes == ["found", "skipped"]
    assert len(nominatim.requests) == 1


def test_task_for_a_deleted_case_does_nothing(nominatim):
    assert tasks.geocode_case.delay(987654).get() == "skipped"
    assert nominatim.requests == []


def test_answer_is_not_stored_when_the_place_text_changed_during_the_look_up(make_case, nominatim, monkeypatch):
    case = pending_case(make_case, last_seen_place="Koramangala, Bengaluru")
    real_geocode = geo.geocoding.geocode

    def geocode_while_staff_edit(text):
        Case.objects.filter(pk=case.pk).update(last_seen_place="Whitefield, Bengaluru")
        return real_geocode(text)

    monkeypatch.setattr(geo.geocoding, "geocode", geocode_while_staff_edit)

    assert geo.locate(Case, case.pk) == "skipped"

    case.refresh_from_db()
    assert (case.latitude, case.geocoding) == (None, "pending")


def test_unavailable_provider_leaves_the_case_pending_in_process(make_case, nominatim):
    case = pending_case(make_case, last_seen_place="Xyzzy Qwerty")
    nominatim.script(server_error(), server_error())

    assert tasks.geocode_case.delay(case.pk).get() == "pending"

    case.refresh_from_db()
    assert (case.latitude, case.geocoding) == (None, "pending")
    assert GeocodeResult.objects.count() == 0


def test_sighting_task_fills_coordinates(make_case, make_sighting, nominatim):
    sighting = make_sighting(make_case(), place="Koramangala, Bengaluru", latitude=None, longitude=None,
                             geocoding="pending")

    assert tasks.geocode_sighting.delay(sighting.pk).get() == "found"

    sighting.refresh_from_db()
    assert (sighting.latitude, sighting.longitude, sighting.location_precision) == (
        Decimal("12.935200"), Decimal("77.624500"), "locality")


def test_retry_delay_doubles_up_to_the_cap(settings, monkeypatch):
    settings.GEOCODE_TASK_RETRY_DELAY = 60
    settings.GEOCODE_TASK_RETRY_MAX_DELAY = 900
    monkeypatch.setattr(geo.random, "uniform", lambda low, high: high)  # no jitter

    assert [geo.retry_delay(n, None) for n in range(6)] == [60, 120, 240, 480, 900, 900]


def test_retry_delay_has_jitter_below_the_step(settings, monkeypatch):
    settings.GEOCODE_TASK_RETRY_DELAY = 60
    monkeypatch.setattr(geo.random, "uniform", lambda low, high: low)

    assert geo.retry_delay(1, None) == 60


def test_retry_delay_honours_a_longer_retry_after(settings):
    settings.GEOCODE_TASK_RETRY_DELAY = 60
    settings.GEOCODE_TASK_RETRY_MAX_DELAY = 900

    assert geo.retry_delay(0, 600) == 600


# --- pins outside India --------------------------------------------------------------------------------------------

def test_report_pinned_outside_india_is_kept_and_flagged_for_staff(
    client, offline, django_capture_on_commit_callbacks
):
    case = submit_report(client, django_capture_on_commit_callbacks, latitude="51.507400", longitude="-0.127800")

    assert (case.latitude, case.longitude, case.geocoding) == (Decimal("51.507400"), Decimal("-0.127800"), "manual")
    assert list(CaseNote.objects.filter(case=case).values_list("author", "text")) == [(
        None, "Check the location: the point marked on the map (51.507400, -0.127800) is outside India, but the "
              "place given is “Koramangala, Bengaluru”. Kept as given.",
    )]


def test_report_pinned_in_india_is_not_flagged(client, offline, django_capture_on_commit_callbacks):
    case = submit_report(client, django_capture_on_commit_callbacks, latitude="12.971600", longitude="77.594600")

    assert CaseNote.objects.filter(case=case).count() == 0


def test_report_without_a_pin_is_not_flagged(client, offline, django_capture_on_commit_callbacks):
    case = submit_report(client, django_capture_on_commit_callbacks)

    assert CaseNote.objects.filter(case=case).count() == 0


def test_sighting_pinned_outside_india_is_flagged_on_its_case(make_case, offline):
    case = make_case(note="")

    sighting = services.record_sighting(case=case, place="Marine Drive, Mumbai", seen_at=timezone.now(),
                                        description="A girl in a yellow frock.", latitude=Decimal("25.204800"),
                                        longitude=Decimal("55.270800"))

    assert list(CaseNote.objects.filter(case=case).values_list("text", flat=True)) == [
        f"Check the location of sighting {sighting.pk}: the point marked on the map (25.204800, 55.270800) is "
        "outside India, but the place given is “Marine Drive, Mumbai”. Kept as given."
    ]


# --- a real worker ------------------------------------------------------------------------------------------------

@pytest.mark.worker
def test_worker_retries_an_unavailable_provider_later_and_fills_the_case(
    make_case, celery_worker_process  # noqa: F811 - fixture
):
    # A place only the online provider knows: the offline gazetteer cannot stand in for it during the outage.
    lakeview = FakePlace("Lakeview Heights", 12.9081, 77.6476, "Lakeview Heights, HSR Layout, Bengaluru, India")
    with FakeNominatim([lakeview]) as fake:
        fake.script(server_error(), server_error())  # the first run's try and its one quick retry
        worker = celery_worker_process(env={
            "NOMINATIM_ENABLED": "true", "NOMINATIM_DOMAIN": f"127.0.0.1:{fake.port}", "NOMINATIM_SCHEME": "http",
            "NOMINATIM_USER_AGENT": USER_AGENT, "NOMINATIM_MIN_INTERVAL": "0", "GEOCODER_TIMEOUT": "1",
            "GEOCODER_MAX_RETRIES": "1", "GEOCODER_BACKOFF": "0.01", "GEOCODE_FAILURE_SECONDS": "1",
            "GEOCODE_TASK_RETRY_DELAY": "0.5",
        })
        case = pending_case(make_case, last_seen_place="Lakeview Heights")

        tasks.geocode_case.delay(case.pk)

        worker.wait_until(lambda: Case.objects.filter(pk=case.pk, geocoding="found").exists(), timeout=30)
        assert searches(fake) == ["lakeview heights"] * 3
    case.refresh_from_db()
    assert (case.latitude, case.longitude, case.location_precision) == (
        Decimal("12.908100"), Decimal("77.647600"), "locality")
    assert "Retry in" in worker.log


@pytest.mark.django_db
def test_beat_job_requeues_only_old_pending_places(make_case):
    from cases.tasks import requeue_pending_geocoding

    old = make_case(latitude=None, longitude=None, geocoding="pending", last_seen_place="Andheri West, Mumbai",
                    created_at=timezone.now() - timedelta(hours=1))
    fresh = make_case(latitude=None, longitude=None, geocoding="pending", last_seen_place="Andheri West, Mumbai")
    assert requeue_pending_geocoding() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.geocoding, old.location_precision) == ("found", "locality")
    assert abs(float(old.latitude) - 19.13) < 0.05
    assert (fresh.geocoding, fresh.latitude) == ("pending", None)
