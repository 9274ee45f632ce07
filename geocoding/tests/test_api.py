"""/api/geocode and /api/reverse: JSON answers, 400 for bad input, 429 past the per-client limit, 503 in an outage."""

from __future__ import annotations

import pytest

from geocoding.models import GeocodeResult
from geocoding.providers.gazetteer import get_gazetteer
from geocoding.tests.helpers import searches, use_fake_nominatim
from tests.fakes.geocoders import server_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def nominatim(settings, fake_nominatim):
    use_fake_nominatim(settings, fake_nominatim)
    settings.GEOCODE_API_TIMEOUT = 0.5
    return fake_nominatim


@pytest.fixture
def offline(settings):
    settings.NOMINATIM_ENABLED = False
    settings.GOOGLE_MAPS_API_KEY = ""


def test_geocode_answers_with_the_place_and_its_precision(client, nominatim):
    response = client.get("/api/geocode", {"q": "Koramangala, Bengaluru"})

    assert response.status_code == 200
    assert response.json() == {"found": True, "latitude": 12.9352, "longitude": 77.6245,
                               "display_name": "Koramangala, Bengaluru, Karnataka, 560034, India",
                               "provider": "nominatim", "precision": "locality"}


def test_geocode_offline_answers_from_the_gazetteer(client, offline):
    place = get_gazetteer().geocode("andheri west, mumbai")

    response = client.get("/api/geocode", {"q": "Andheri West, Mumbai"})

    assert response.json() == {"found": True, "latitude": place.latitude, "longitude": place.longitude,
                               "display_name": "Andheri, Mumbai, Maharashtra", "provider": "gazetteer",
                               "precision": "locality"}


def test_geocode_offline_falls_back_to_the_city_and_says_so(client, offline):
    answer = client.get("/api/geocode", {"q": "Koregaon Park, Pune"}).json()

    assert (answer["precision"], answer["provider"]) == ("city", "gazetteer")
    assert answer["display_name"] == "Pune, Maharashtra (city centre; 'Koregaon Park' is not in the offline gazetteer)"


def test_geocode_not_found(client, nominatim):
    response = client.get("/api/geocode", {"q": "Xyzzy Qwerty"})

    assert response.status_code == 200
    assert response.json() == {"found": False}


def test_geocode_repeated_is_answered_from_the_cache(client, nominatim):
    client.get("/api/geocode", {"q": "Koramangala, Bengaluru"})
    client.get("/api/geocode", {"q": "koramangala,  bengaluru"})

    assert searches(nominatim) == ["koramangala, bengaluru"]


@pytest.mark.parametrize(("params", "message"), [
    ({}, "Say which place to look up: /api/geocode?q=Koregaon Park, Pune"),
    ({"q": "   "}, "Say which place to look up: /api/geocode?q=Koregaon Park, Pune"),
    ({"q": "x" * 201}, "The place name is too long: at most 200 characters."),
    ({"q": "?!, ..."}, "The place name needs letters or a PIN code."),
])
def test_geocode_bad_input_is_400_json_without_a_look_up(client, nominatim, params, message):
    response = client.get("/api/geocode", params)

    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert nominatim.requests == []


def test_geocode_outage_without_a_gazetteer_answer_is_503_and_stores_nothing(client, nominatim, settings):
    settings.GEOCODE_FAILURE_SECONDS = 30
    nominatim.script(server_error())

    response = client.get("/api/geocode", {"q": "Xyzzy Qwerty"})

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["retry_after"] == 30
    assert len(nominatim.requests) == 1  # one try only while a person waits: no retries
    assert GeocodeResult.objects.count() == 0


def test_geocode_outage_answers_from_the_gazetteer(client, nominatim):
    nominatim.script(server_error())

    answer = client.get("/api/geocode", {"q": "Andheri West, Mumbai"}).json()

    assert (answer["found"], answer["provider"], answer["display_name"]) == (
        True, "gazetteer", "Andheri, Mumbai, Maharashtra")


def test_reverse_names_the_nearest_place_in_india(client, nominatim):
    response = client.get("/api/reverse", {"lat": "12.93521", "lng": "77.62441"})

    assert response.status_code == 200
    assert response.json() == {"found": True, "latitude": 12.9352, "longitude": 77.6245,
                               "display_name": "Koramangala, Bengaluru, Karnataka, 560034, India",
                               "provider": "nominatim", "precision": "locality", "in_india": True}


def test_reverse_outside_india_says_so(client, offline):
    response = client.get("/api/reverse", {"lat": "51.5074", "lng": "-0.1278"})

    assert response.status_code == 200
    assert response.json() == {"found": False, "in_india": False}


@pytest.mark.parametrize(("params", "message"), [
    ({"lat": "abc", "lng": "73.89"}, "The latitude must be a number of degrees, e.g. 18.5362."),
    ({"lat": "18.53", "lng": "east"}, "The longitude must be a number of degrees, e.g. 73.8939."),
    ({"lat": "nan", "lng": "73.89"}, "The latitude must be a number of degrees, e.g. 18.5362."),
    ({"lat": "91", "lng": "73.89"}, "The latitude must be between -90 and 90."),
    ({"lat": "18.53", "lng": "-180.5"}, "The longitude must be between -180 and 180."),
    ({"lat": "18.53"}, "Give the longitude: /api/reverse?lat=18.5362&lng=73.8939"),
])
def test_reverse_bad_input_is_400_json_without_a_look_up(client, nominatim, params, message):
    response = client.get("/api/reverse", params)

    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert nominatim.requests == []


def test_post_is_not_allowed(client, offline):
    assert client.post("/api/geocode", {"q": "Pune"}).status_code == 405


def test_client_past_the_limit_gets_429_json_with_retry_after(client, nominatim, settings):
    settings.RATE_API = "3/m"
    statuses = [client.get("/api/geocode", {"q": "Pune"}).status_code for _ in range(2)]
    statuses.append(client.get("/api/reverse", {"lat": "18.52", "lng": "73.85"}).status_code)

    response = client.get("/api/geocode", {"q": "Koramangala"})

    assert statuses == [200, 200, 200]
    assert response.status_code == 429
    retry_after = response.json()["retry_after"]
    assert response["Retry-After"] == str(retry_after) and 1 <= retry_after <= 60  # when the minute's window ends
    assert response.json()["error"].startswith("Too many requests from your connection. Please wait ")
    assert searches(nominatim) == ["pune"]


def test_bad_requests_count_against_the_limit(client, nominatim, settings):
    settings.RATE_API = "2/m"
    client.get("/api/geocode", {"q": ""})
    client.get("/api/geocode", {"q": ""})

    assert client.get("/api/geocode", {"q": "Pune"}).status_code == 429
    assert nominatim.requests == []


def test_limit_is_per_client_address(client, nominatim, settings):
    settings.RATE_API = "1/m"
    client.get("/api/geocode", {"q": "Pune"}, REMOTE_ADDR="203.0.113.7")

    assert client.get("/api/geocode", {"q": "Pune"}, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert client.get("/api/geocode", {"q": "Pune"}, REMOTE_ADDR="203.0.113.8").status_code == 200


def test_limit_behind_a_trusted_proxy_counts_the_forwarded_client(client, nominatim, settings):
    settings.RATE_API = "1/m"
    settings.TRUSTED_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    client.get("/api/geocode", {"q": "Pune"}, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy)

    assert client.get("/api/geocode", {"q": "Pune"}, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 429
    assert client.get("/api/geocode", {"q": "Pune"}, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code == 200
