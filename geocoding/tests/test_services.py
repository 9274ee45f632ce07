"""The remembered look-ups: cache, then database, then providers; brief caching of "not found" and failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from django.core.cache import cache
from django.utils import timezone

from geocoding import services
from geocoding.models import GeocodeResult
from geocoding.providers import Place, ProviderUnavailable
from geocoding.providers.gazetteer import get_gazetteer
from geocoding.tests.helpers import limiters_on_a_still_clock, searches, use_fake_nominatim
from tests.fakes.geocoders import server_error

pytestmark = pytest.mark.django_db

KORAMANGALA = Place(12.9352, 77.6245, "Koramangala, Bengaluru, Karnataka, 560034, India", "nominatim", "locality")


@pytest.fixture
def nominatim(settings, fake_nominatim):
    use_fake_nominatim(settings, fake_nominatim)
    return fake_nominatim


def test_found_place_is_stored_for_the_configured_days(nominatim, settings):
    settings.GEOCODE_CACHE_DAYS = 90

    place = services.geocode("Koramangala, Bengaluru")

    row = GeocodeResult.objects.get()
    assert place == KORAMANGALA
    assert (row.kind, row.query, row.found, row.provider, row.precision) == (
        "forward", "koramangala, bengaluru", True, "nominatim", "locality")
    assert (row.latitude, row.longitude) == (12.9352, 77.6245)
    assert row.expires_at - row.created_at == timedelta(days=90)


def test_second_look_up_is_a_cache_hit_without_a_request(nominatim):
    services.geocode("Koramangala, Bengaluru")

    assert services.geocode("Koramangala, Bengaluru") == KORAMANGALA
    assert searches(nominatim) == ["koramangala, bengaluru"]


def test_database_answers_when_the_cache_is_empty(nominatim, django_assert_num_queries):
    services.geocode("Koramangala, Bengaluru")
    cache.clear()

    with django_assert_num_queries(1):
        assert services.geocode("Koramangala, Bengaluru") == KORAMANGALA
    assert len(nominatim.requests) == 1


def test_spellings_differing_in_case_and_spacing_share_one_entry(nominatim):
    services.geocode("Koramangala, Bengaluru")

    assert services.geocode("  KORAMANGALA ,bengaluru ") == KORAMANGALA
    assert len(nominatim.requests) == 1
    assert GeocodeResult.objects.count() == 1


def test_not_found_is_remembered_for_an_hour_only(nominatim, settings):
    settings.GEOCODE_NOT_FOUND_SECONDS = 3600

    assert services.geocode("Xyzzy Qwerty") is None

    row = GeocodeResult.objects.get()
    assert (row.query, row.found, row.latitude, row.longitude) == ("xyzzy qwerty", False, None, None)
    assert row.expires_at - row.created_at == timedelta(hours=1)
    assert services.geocode("Xyzzy Qwerty") is None
    assert len(nominatim.requests) == 1


def test_expired_answer_is_asked_again(nominatim):
    services.geocode("Xyzzy Qwerty")
    GeocodeResult.objects.update(expires_at=timezone.now() - timedelta(seconds=1))  # an hour later
    cache.clear()

    assert services.geocode("Xyzzy Qwerty") is None

    assert searches(nominatim) == ["xyzzy qwerty", "xyzzy qwerty"]
    assert GeocodeResult.objects.get().expires_at > timezone.now()


def test_provider_failure_is_never_stored_in_the_database(nominatim):
    nominatim.script(server_error(), server_error())  # the first try and its one retry

    with pytest.raises(ProviderUnavailable):
        services.geocode("Xyzzy Qwerty")

    assert GeocodeResult.objects.count() == 0


class CacheTimeouts:
    """The cache as the services use it, recording the time-out each key was last set with."""

    def __init__(self, backend):
        self._backend = backend
        self.timeouts: dict[str, int] = {}

    def set(self, key, value, timeout, **options):
        self.timeouts[key] = timeout
        return self._backend.set(key, value, timeout, **options)

    def __getattr__(self, name):
        return getattr(self._backend, name)


def test_provider_failure_is_cached_for_seconds_only(nominatim, settings, monkeypatch):
    settings.GEOCODE_FAILURE_SECONDS = 1
    recorded = CacheTimeouts(cache)
    monkeypatch.setattr(services, "cache", recorded)
    nominatim.script(server_error(), server_error())
    with pytest.raises(ProviderUnavailable):
        services.geocode("Xyzzy Qwerty")

    with pytest.raises(ProviderUnavailable):
        services.geocode("Xyzzy Qwerty")  # within the second: from the cache
    requests_while_cached = len(nominatim.requests)
    [(failure_key, seconds)] = recorded.timeouts.items()
    cache.delete(failure_key)  # what the cache does when the second is over
    answer = services.geocode("Xyzzy Qwerty")

    assert seconds == 1
    assert requests_while_cached == 2
    assert answer is None
    assert len(nominatim.requests) == 3


def test_gazetteer_stand_in_during_an_outage_is_not_stored(nominatim):
    nominatim.script(server_error(), server_error())

    place = services.geocode("Andheri West, Mumbai")

    assert place == get_gazetteer().geocode("andheri west, mumbai")
    assert place.provider == "gazetteer"
    assert GeocodeResult.objects.count() == 0


def test_embedded_default_answers_from_the_gazetteer_and_stores_it(settings):
    settings.NOMINATIM_ENABLED = False
    settings.GOOGLE_MAPS_API_KEY = ""

    place = services.geocode("Koramangala, Bengaluru")

    assert place == get_gazetteer().geocode("koramangala, bengaluru")
    assert (place.provider, place.precision) == ("gazetteer", "locality")
    assert GeocodeResult.objects.get().provider == "gazetteer"


def test_blank_query_asks_nobody(nominatim):
    assert services.geocode(" , ") is None
    assert nominatim.requests == []
    assert GeocodeResult.objects.count() == 0


def test_reverse_is_cached_by_coordinates_rounded_to_100_m(nominatim):
    first = services.reverse(12.93521, 77.62441)
    second = services.reverse(12.93519, 77.62439)

    assert first == second == KORAMANGALA
    reverse_requests = [r for r in nominatim.requests if r.path == "/reverse"]
    assert [(r.query["lat"][0], r.query["lon"][0]) for r in reverse_requests] == [("12.935", "77.624")]
    assert GeocodeResult.objects.get().query == "12.935,77.624"


def test_reverse_off_earth_is_refused_before_any_request(nominatim):
    with pytest.raises(ValueError):
        services.reverse(91.0, 10.0)
    assert nominatim.requests == []


def test_interactive_look_up_does_not_wait_for_a_busy_nominatim_slot(settings, fake_nominatim, redis_url,
                                                                      monkeypatch):
    slept = limiters_on_a_still_clock(monkeypatch)
    redis.Redis.from_url(redis_url).delete("sachet:ratelimit:nominatim")
    use_fake_nominatim(settings, fake_nominatim, interval=5.0, redis_url=redis_url)
    settings.GEOCODE_API_MAX_WAIT = 0.5
    services.geocode("Pune", interactive=True)  # takes the slot; the next one is 5 s away

    place = services.geocode("Andheri West, Mumbai", interactive=True)

    assert place == get_gazetteer().geocode("andheri west, mumbai")
    assert searches(fake_nominatim) == ["pune"]
    assert slept == []  # refused at once rather than queued for the slot


def test_interactive_and_background_look_ups_share_one_schedule_without_redis(settings, fake_nominatim,
                                                                              monkeypatch):
    slept = limiters_on_a_still_clock(monkeypatch)
    use_fake_nominatim(settings, fake_nominatim, interval=0.4)

    services.geocode("Pune")
    services.geocode("Koramangala", interactive=True)

    assert searches(fake_nominatim) == ["pune", "koramangala"]
    assert slept == pytest.approx([0.4])  # the interactive look-up got the slot after the background one's


@pytest.mark.parametrize(("lat", "lng", "inside"), [
    (18.5362, 73.8939, True),  # Pune
    (6.7500, 93.8400, True),  # Indira Point, Great Nicobar
    (34.1526, 77.5771, True),  # Leh
    (51.5074, -0.1278, False),  # London
    (25.2048, 55.2708, False),  # Dubai
    (-18.5362, 73.8939, False),  # the Indian Ocean, a sign slip
])
def test_india_bounding_box(lat, lng, inside):
    assert services.in_india(lat, lng) is inside


def test_purge_removes_only_expired_results(nominatim):
    services.geocode("Koramangala, Bengaluru")
    services.geocode("Xyzzy Qwerty")
    GeocodeResult.objects.filter(found=False).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert services.purge_expired_results() == 1
    assert list(GeocodeResult.objects.values_list("query", flat=True)) == ["koramangala, bengaluru"]
