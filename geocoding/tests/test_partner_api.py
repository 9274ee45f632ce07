"""/api/v1/geocode, /geocode/batch and /reverse for partner keys: the site's look-ups and answers."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_single_batch_and_reverse_answer_like_the_site(client, make_key):
    _row, key = make_key("read")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    single = client.get("/api/v1/geocode/", {"q": "Pune"}, **auth).json()
    site = client.get("/api/geocode", {"q": "Pune"}).json()
    assert single == site and single["found"] is True
    batch = client.post("/api/v1/geocode/batch/", {"queries": ["Pune", "%%%"]}, content_type="application/json",
                        **auth).json()
    assert batch["results"][0] == {"query": "Pune", **site}
    assert batch["results"][1]["found"] is False and "letters" in batch["results"][1]["error"]
    reverse = client.get("/api/v1/reverse/", {"lat": single["latitude"], "lng": single["longitude"]}, **auth).json()
    assert reverse["in_india"] is True


@pytest.mark.parametrize("path,params", [("/api/v1/geocode/", {}), ("/api/v1/reverse/", {"lat": "x", "lng": "1"}),
                                         ("/api/v1/reverse/", {"lat": "91", "lng": "0"})])
def test_bad_input_is_a_400_json(client, make_key, path, params):
    _row, key = make_key("read")
    response = client.get(path, params, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 400 and response.json()["error"]


def test_a_batch_too_long_is_refused(client, make_key, settings):
    _row, key = make_key("read", rate="1000/m")
    response = client.post("/api/v1/geocode/batch/", {"queries": ["Pune"] * 21}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 400 and "queries" in response.json()["errors"]
