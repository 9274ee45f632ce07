"""The offline gazetteer against real Indian place strings, checked against where the places really are.

Expected coordinates are the places' true positions (city centres, locality centres), not values read from the
data file; tolerances allow for a post office lying off a locality's centre.
"""

from __future__ import annotations

import math
import random
import numpy as np

import pytest

from geocoding.normalize import normalize, skeleton


def km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(a))


LOCALITIES = [
    # query, true latitude, true longitude
    ("Andheri West, Mumbai", 19.1364, 72.8296),
    ("Andheri (W), Bombay", 19.1364, 72.8296),
    ("andheri w mumbai", 19.1364, 72.8296),
    ("Andheri East, Mumbai, Maharashtra", 19.1136, 72.8697),
    ("Bandra (W), Mumbai", 19.0596, 72.8295),
    ("Bandra East, Mumbai", 19.0635, 72.8465),
    ("Juhu, Mumbai", 19.1075, 72.8263),
    ("Colaba, Mumbai", 18.9067, 72.8147),
    ("Dadar, Mumbai", 19.0178, 72.8478),
    ("Powai, Mumbai", 19.1176, 72.9060),
    ("Borivali, Mumbai", 19.2307, 72.8567),
    ("Vashi, Navi Mumbai", 19.0771, 72.9986),
    ("Koramangala, Bangalore", 12.9352, 77.6245),
    ("Koramangala Bengaluru", 12.9352, 77.6245),
    ("Koramangla, Bengaluru", 12.9352, 77.6245),
    ("Whitefield, Bangalore, Karnataka", 12.9698, 77.7500),
    ("Connaught Place, New Delhi", 28.6315, 77.2167),
    ("Saket, Delhi", 28.5245, 77.2066),
    ("Chandni Chowk, Delhi", 28.6506, 77.2303),
    ("Karol Bagh, Delhi", 28.6519, 77.1909),
    ("Dwarka, New Delhi", 28.5921, 77.0460),
    ("Kothrud, Poona", 18.5074, 73.8077),
    ("Shivaji Nagar, Pune", 18.5308, 73.8475),
    ("Hadapsar, Pune 411028", 18.5089, 73.9260),
    ("Velachery, Chennai", 12.9815, 80.2180),
    ("Anna Nagar, Madras", 13.0850, 80.2101),
    ("Park Street, Calcutta", 22.5550, 88.3510),
    ("Indira Ngr, Lucknow", 26.8790, 80.9990),
    ("Gomti Nagar, Lucknow", 26.8500, 81.0080),
    ("Banjara Hills, Hyderabad", 17.4138, 78.4398),
    ("Charminar, Hyderabad, Telangana", 17.3616, 78.4747),
    ("Navrangpura, Ahmedabad", 23.0365, 72.5611),
]

CITIES = [
    ("Mumbai", 19.0760, 72.8777),
    ("Bombay", 19.0760, 72.8777),
    ("Bangalore", 12.9716, 77.5946),
    ("Calcutta", 22.5726, 88.3639),
    ("Poona", 18.5204, 73.8567),
    ("Gurgaon", 28.4595, 77.0266),
    ("Gurugram, Haryana", 28.4595, 77.0266),
    ("Madras", 13.0827, 80.2707),
    ("Trivandrum", 8.5241, 76.9366),
    ("Pune, Maharashtra, India", 18.5204, 73.8567),
    ("Aurangabad, Bihar", 24.7523, 84.3743),
    ("Aurangabad, Maharashtra", 19.8762, 75.3433),
    ("Dwarka", 22.2442, 68.9685),
]


@pytest.mark.parametrize(("query", "lat", "lng"), LOCALITIES)
def test_locality_is_placed_near_its_true_position(gazetteer, query, lat, lng):
    place = gazetteer.geocode(query)

    assert (place.provider, place.precision) == ("gazetteer", "locality")
    assert km(place.latitude, place.longitude, lat, lng) < 3.0


@pytest.mark.parametrize(("query", "lat", "lng"), CITIES)
def test_city_is_placed_near_its_true_centre(gazetteer, query, lat, lng):
    place = gazetteer.geocode(query)

    assert (place.provider, place.precision) == ("gazetteer", "city")
    assert km(place.latitude, place.longitude, lat, lng) < 5.0


def test_old_city_name_is_shown_under_its_current_name(gazetteer):
    assert gazetteer.geocode("Bombay").display_name == "Mumbai, Maharashtra"


def test_locality_display_names_locality_city_and_state(gazetteer):
    assert gazetteer.geocode("Koramangala, Bangalore").display_name == "Koramangala, Bengaluru, Karnataka"


def test_unknown_locality_falls_back_to_the_city_and_says_so(gazetteer):
    place = gazetteer.geocode("Koregaon Park, Pune")

    assert place.precision == "city"
    assert place.display_name == "Pune, Maharashtra (city centre; 'Koregaon Park' is not in the offline gazetteer)"
    assert km(place.latitude, place.longitude, 18.5362, 73.8940) < 6.0  # Koregaon Park is in central Pune


def test_unknown_locality_of_a_state_falls_back_to_its_namesake_city(gazetteer):
    place = gazetteer.geocode("Qwxz Colony, Delhi")

    assert (place.precision, place.display_name) == (
        "city", "Delhi (city centre; 'Qwxz Colony' is not in the offline gazetteer)")


def test_city_in_query_decides_between_localities_of_the_same_name(gazetteer):
    mumbai = gazetteer.geocode("Shivaji Park, Mumbai")
    delhi = gazetteer.geocode("Shivaji Park, Delhi")

    assert km(mumbai.latitude, mumbai.longitude, 19.0269, 72.8382) < 3.0
    assert km(delhi.latitude, delhi.longitude, 28.6519, 77.2315) < 25.0
    assert (mumbai.display_name, delhi.display_name) == ("Shivaji Park, Mumbai, Maharashtra", "Shivaji Park, Delhi")


def test_state_in_query_decides_between_cities_of_the_same_name(gazetteer):
    assert gazetteer.geocode("Aurangabad, Bihar").display_name == "Aurangabad, Bihar"
    assert gazetteer.geocode("Aurangabad").display_name == "Aurangabad, Maharashtra"


def test_pincode_alone_is_placed_at_its_offices(gazetteer):
    place = gazetteer.geocode("411038")

    assert (place.precision, place.display_name) == ("locality", "PIN 411038, Pune, Maharashtra")
    assert km(place.latitude, place.longitude, 18.5074, 73.8077) < 3.0  # 411038 is Kothrud


def test_unknown_place_is_none(gazetteer):
    assert gazetteer.geocode("Qwxz Unknownpur") is None


def test_locality_word_does_not_read_as_a_village_of_that_name(gazetteer):
    # "Nagar" is also a small town in Rajasthan; a query ending in it must not fall back there.
    assert gazetteer.geocode("Qwxz Nagar") is None


def test_empty_query_is_none(gazetteer):
    assert gazetteer.geocode(" , India") is None


def test_reverse_returns_the_nearest_locality(gazetteer):
    place = gazetteer.reverse(12.9352, 77.6245)  # Koramangala

    assert (place.provider, place.precision) == ("gazetteer", "locality")
    assert place.display_name.startswith("Koramangala")
    assert km(place.latitude, place.longitude, 12.9352, 77.6245) < 2.0


def test_reverse_in_the_sea_is_none(gazetteer):
    assert gazetteer.reverse(15.0, 65.0) is None


def test_ties_at_one_spot_go_to_the_office_listed_first(gazetteer):
    """India Post placed some groups of villages at one point: the answer must not depend on the index's layout."""
    lat, lng = 26.97882, 81.58969  # several offices of Barabanki share this point
    at_spot = [i for i in gazetteer._within(lat, lng, 0.001)]
    assert len(at_spot) > 1
    assert gazetteer.reverse(lat, lng).display_name.startswith(gazetteer.entries[min(at_spot)].name)


def test_arrays_are_made_from_the_data_file_when_missing_and_then_reused(tmp_path):
    from geocoding import gazetteer_arrays
    from geocoding.providers.gazetteer import load_gazetteer

    made = load_gazetteer(arrays_dir=tmp_path / "arrays")
    stamp = (tmp_path / "arrays" / "SOURCE").read_text()
    again = load_gazetteer(arrays_dir=tmp_path / "arrays")

    assert stamp.split() == [gazetteer_arrays.FORMAT, gazetteer_arrays.source_digest()]
    assert isinstance(again._arrays["lat"], np.memmap)
    assert made.geocode("Koramangala, Bengaluru") == again.geocode("Koramangala, Bengaluru")
    assert made.reverse(12.9352, 77.6245) == again.reverse(12.9352, 77.6245)


def test_stale_arrays_are_made_again(tmp_path):
    from geocoding.providers.gazetteer import load_gazetteer

    load_gazetteer(arrays_dir=tmp_path / "arrays")
    (tmp_path / "arrays" / "SOURCE").write_text("2 an-older-data-file\n")
    gazetteer = load_gazetteer(arrays_dir=tmp_path / "arrays")

    assert (tmp_path / "arrays" / "SOURCE").read_text() != "2 an-older-data-file\n"
    assert gazetteer.geocode("Bombay").display_name == "Mumbai, Maharashtra"


def test_shipped_index_keys_match_the_normaliser(gazetteer):
    # The build script stores each name's keys; a change to normalize.py needs a rebuild, which this catches.
    sample = random.Random(3).sample(range(len(gazetteer.entries)), 2000)

    for i in sample:
        key = normalize(gazetteer.entries[i].name)
        assert i in gazetteer.names[key]
        assert i in gazetteer.skeletons[skeleton(key)]
