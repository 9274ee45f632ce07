"""Google and Nominatim providers through the real geopy clients against local fakes, and the fallback chain."""

from __future__ import annotations

import pytest

from geocoding.providers import configured_providers, geocode_with_fallback, reverse_with_fallback
from geocoding.providers.base import Place, ProviderRejected, ProviderUnavailable, RetryPolicy
from geocoding.providers.gazetteer import GazetteerProvider
from geocoding.providers.google import GoogleProvider
from geocoding.providers.nominatim import NominatimProvider
from geocoding.ratelimit import LocalRateLimiter
from geocoding.tests.conftest import TIMEOUT, USER_AGENT, free_port, make_google, make_nominatim
from tests.fakes.geocoders import forbidden, google_status, server_error, slow, too_many_requests

# --- Google ----------------------------------------------------------------------------------------------------


def test_google_geocode_returns_the_place_with_its_precision(fake_google):
    place = make_google(fake_google).geocode("Koramangala, Bengaluru")

    assert place == Place(12.9352, 77.6245, "Koramangala, Bengaluru, Karnataka, 560034, India", "google", "locality")
    assert fake_google.requests[0].query["address"] == ["Koramangala, Bengaluru"]
    assert fake_google.requests[0].query["key"] == ["test-key"]


def test_google_rooftop_result_is_exact(fake_google):
    assert make_google(fake_google).geocode("Crawford Market").precision == "exact"


def test_google_locality_result_is_city(fake_google):
    assert make_google(fake_google).geocode("Pune").precision == "city"


def test_google_zero_results_is_none(fake_google):
    assert make_google(fake_google).geocode("Nowhere Nagar") is None
    assert len(fake_google.requests) == 1


def test_google_bad_key_is_rejected_without_retry(fake_google):
    with pytest.raises(ProviderRejected):
        make_google(fake_google, api_key="wrong").geocode("Pune")
    assert len(fake_google.requests) == 1


def test_google_over_query_limit_is_retried(fake_google):
    fake_google.script(google_status("OVER_QUERY_LIMIT", "You have exceeded your rate-limit."))

    place = make_google(fake_google).geocode("Pune")

    assert (place.latitude, place.longitude) == (18.5204, 73.8567)
    assert len(fake_google.requests) == 2


def test_google_500_then_success(fake_google):
    fake_google.script(server_error())

    assert make_google(fake_google).geocode("Pune").provider == "google"
    assert len(fake_google.requests) == 2


def test_google_reverse_returns_nearest_place(fake_google):
    place = make_google(fake_google).reverse(18.95, 72.83)

    assert place == Place(18.9477, 72.8342, "Crawford Market, Fort, Mumbai, 400001, India", "google", "exact")
    assert fake_google.requests[0].query["latlng"] == ["18.95,72.83"]


# --- Nominatim -------------------------------------------------------------------------------------------------


def test_nominatim_geocode_sends_user_agent_and_returns_place(fake_nominatim):
    place = make_nominatim(fake_nominatim).geocode("Koramangala, Bengaluru")

    assert place == Place(12.9352, 77.6245, "Koramangala, Bengaluru, Karnataka, 560034, India", "nominatim",
                          "locality")
    assert fake_nominatim.requests[0].headers["user-agent"] == USER_AGENT
    assert fake_nominatim.requests[0].query["q"] == ["Koramangala, Bengaluru"]


def test_nominatim_city_type_is_city_precision(fake_nominatim):
    assert make_nominatim(fake_nominatim).geocode("Pune").precision == "city"


def test_nominatim_building_type_is_exact(fake_nominatim):
    assert make_nominatim(fake_nominatim).geocode("Crawford Market").precision == "exact"


def test_nominatim_no_result_is_none(fake_nominatim):
    assert make_nominatim(fake_nominatim).geocode("Nowhere Nagar") is None
    assert len(fake_nominatim.requests) == 1


def test_nominatim_500_then_success(fake_nominatim):
    fake_nominatim.script(server_error())

    assert make_nominatim(fake_nominatim).geocode("Pune").display_name == "Pune, Maharashtra, India"
    assert [r.path for r in fake_nominatim.requests] == ["/search", "/search"]


def test_nominatim_time_out_then_success(fake_nominatim):
    fake_nominatim.script(slow(TIMEOUT + 0.4))

    assert make_nominatim(fake_nominatim).geocode("Pune").latitude == 18.5204
    assert len(fake_nominatim.requests) == 2


def test_nominatim_429_waits_for_retry_after(fake_nominatim):
    fake_nominatim.script(too_many_requests(retry_after=1))
    slept = []

    place = make_nominatim(fake_nominatim, sleep=slept.append).geocode("Pune")

    assert place.provider == "nominatim"
    assert len(fake_nominatim.requests) == 2
    assert slept == [1.0]  # the provider's Retry-After, longer than the policy's own backoff (0.05 s)


def test_nominatim_403_is_rejected_after_exactly_one_request(fake_nominatim):
    fake_nominatim.script(forbidden())

    with pytest.raises(ProviderRejected) as raised:
        make_nominatim(fake_nominatim).geocode("Pune")

    assert raised.value.status == 403
    assert len(fake_nominatim.requests) == 1


def test_nominatim_gives_up_after_max_retries(fake_nominatim):
    fake_nominatim.script(server_error(), server_error(), server_error())

    with pytest.raises(ProviderUnavailable) as raised:
        make_nominatim(fake_nominatim, policy=RetryPolicy(max_retries=2, backoff=0.01)).geocode("Pune")

    assert raised.value.status == 500
    assert len(fake_nominatim.requests) == 3


def test_nominatim_connection_refused_is_unavailable():
    port = free_port()  # nothing listens there
    provider = NominatimProvider(user_agent=USER_AGENT, domain=f"127.0.0.1:{port}", scheme="http", timeout=TIMEOUT,
                                 limiter=LocalRateLimiter(0.0, 1.0), policy=RetryPolicy(max_retries=0))

    with pytest.raises(ProviderUnavailable):
        provider.geocode("Pune")


def test_nominatim_reverse_returns_nearest_place(fake_nominatim):
    place = make_nominatim(fake_nominatim).reverse(18.52, 73.85)

    assert place == Place(18.5204, 73.8567, "Pune, Maharashtra, India", "nominatim", "city")
    assert fake_nominatim.requests[0].query["lat"] == ["18.52"]


# --- the chain -------------------------------------------------------------------------------------------------


def test_chain_takes_google_first(fake_google, fake_nominatim):
    place = geocode_with_fallback("Pune", [make_google(fake_google), make_nominatim(fake_nominatim)])

    assert place.provider == "google"
    assert fake_nominatim.requests == []


def test_chain_falls_to_nominatim_when_google_rejects(fake_google, fake_nominatim):
    providers = [make_google(fake_google, api_key="revoked"), make_nominatim(fake_nominatim)]

    assert geocode_with_fallback("Pune", providers).provider == "nominatim"
    assert len(fake_google.requests) == 1


def test_chain_falls_to_gazetteer_when_online_providers_fail(fake_google, fake_nominatim):
    fake_google.script(server_error(), server_error())
    fake_nominatim.script(server_error(), server_error())
    no_retry = RetryPolicy(max_retries=1, backoff=0.01)
    providers = [make_google(fake_google, policy=no_retry), make_nominatim(fake_nominatim, policy=no_retry),
                 GazetteerProvider()]

    place = geocode_with_fallback("Koramangala, Bangalore", providers)

    assert (place.provider, place.precision, place.display_name) == (
        "gazetteer", "locality", "Koramangala, Bengaluru, Karnataka")


def test_chain_asks_next_provider_when_one_finds_nothing(fake_google):
    place = geocode_with_fallback("Andheri East, Mumbai", [make_google(fake_google), GazetteerProvider()])

    assert place.provider == "gazetteer"
    assert len(fake_google.requests) == 1


def test_chain_raises_unavailable_when_nobody_answered_and_one_was_down(fake_nominatim):
    fake_nominatim.script(server_error())
    providers = [make_nominatim(fake_nominatim, policy=RetryPolicy(max_retries=0)), GazetteerProvider()]

    with pytest.raises(ProviderUnavailable):
        geocode_with_fallback("Qwxz Unknownpur", providers)


def test_chain_returns_none_when_every_provider_found_nothing(fake_nominatim):
    assert geocode_with_fallback("Qwxz Unknownpur", [make_nominatim(fake_nominatim), GazetteerProvider()]) is None


def test_reverse_chain_uses_gazetteer_offline():
    place = reverse_with_fallback(28.6315, 77.2167, [GazetteerProvider()])

    assert place == Place(28.63314, 77.21794, "Connaught Place, Delhi", "gazetteer", "locality")


def test_default_settings_use_only_the_offline_gazetteer(settings):
    settings.GOOGLE_MAPS_API_KEY = ""
    settings.NOMINATIM_ENABLED = False

    assert [p.name for p in configured_providers()] == ["gazetteer"]


def test_settings_configure_google_and_nominatim_in_order(settings, fake_google, fake_nominatim):
    settings.GOOGLE_MAPS_API_KEY = "test-key"
    settings.GOOGLE_GEOCODING_DOMAIN = f"127.0.0.1:{fake_google.port}"
    settings.GOOGLE_GEOCODING_SCHEME = "http"
    settings.NOMINATIM_ENABLED = True
    settings.NOMINATIM_DOMAIN = f"127.0.0.1:{fake_nominatim.port}"
    settings.NOMINATIM_SCHEME = "http"
    settings.REDIS_URL = ""

    providers = configured_providers()
    place = geocode_with_fallback("Koramangala")

    assert [type(p) for p in providers] == [GoogleProvider, NominatimProvider, GazetteerProvider]
    assert place.provider == "google"
    assert fake_google.requests[0].query["key"] == ["test-key"]
