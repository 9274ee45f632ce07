"""Names across scripts: what a family types is kept and shown as typed, and the home page's search finds a name
whichever script it was written or searched in (one name key, cases.names.name_key)."""

from __future__ import annotations

import pytest

from cases.models import Case
from cases.names import name_key

from .test_views import report_post

pytestmark = pytest.mark.django_db

COOKIE = "django_language"


def test_a_name_typed_in_devanagari_is_stored_and_shown_as_typed_in_every_language(client):
    client.post("/report", report_post(name="आरव  शर्मा", contact_name="प्रिया शर्मा",
                                       description="लाल टी-शर्ट, नीली निकर, सफ़ेद चप्पल।",
                                       last_seen_place="कोरेगांव पार्क, पुणे"))
    case = Case.objects.get()

    assert (case.name, case.contact_name, case.last_seen_place) == ("आरव शर्मा", "प्रिया शर्मा", "कोरेगांव पार्क, पुणे")
    assert case.description == "लाल टी-शर्ट, नीली निकर, सफ़ेद चप्पल।"
    assert case.name_key == name_key("Aarav Sharma") == "arav sarma"
    for language in ("en", "hi", "bn", "mr"):
        client.cookies[COOKIE] = language
        page = client.get(case.get_absolute_url()).content.decode()
        assert "आरव शर्मा" in page
        assert "लाल टी-शर्ट, नीली निकर, सफ़ेद चप्पल।" in page
        assert "Aarav" not in page  # never transliterated for show


def test_a_name_typed_in_bengali_keeps_its_script_on_the_home_page(client, make_case):
    make_case(name="ইশিতা দাস", name_key=name_key("ইশিতা দাস"))
    client.cookies[COOKIE] = "hi"

    page = client.get("/").content.decode()

    assert "ইশিতা দাস" in page
    assert "Ishita" not in page


@pytest.mark.parametrize(("stored", "query"), [
    ("आरव शर्मा", "Aarav"),
    ("आरव शर्मा", "arav sharma"),
    ("Aarav Sharma", "आरव"),
    ("Aarav Sharma", "Sharma"),
    ("ইশিতা দাস", "Ishita"),
    ("Ishita Das", "ইশিতা"),
])
def test_home_search_finds_a_name_across_scripts(client, make_case, stored, query):
    make_case(name=stored, name_key=name_key(stored))
    make_case(name="Sana Khan", name_key=name_key("Sana Khan"), last_seen_place="Hazratganj, Lucknow")

    response = client.get("/", {"q": query})

    assert [case.name for case in response.context["page"].object_list] == [stored]


def test_search_by_a_name_that_is_not_there_finds_nothing(client, make_case):
    make_case(name="आरव शर्मा", name_key=name_key("आरव शर्मा"))

    response = client.get("/", {"q": "Meera"})

    assert list(response.context["page"].object_list) == []


@pytest.mark.parametrize("count", [3, 30])
def test_search_across_scripts_keeps_the_query_count(client, make_case, django_assert_max_num_queries, count):
    for number in range(count):
        make_case(name=f"आरव {number}", name_key=name_key(f"आरव {number}"))

    with django_assert_max_num_queries(3):  # as the home page without a search
        response = client.get("/", {"q": "Aarav"})

    page = response.context["page"]
    assert len(page.object_list) == min(count, page.per_page)  # every one found, a page at a time
    assert page.has_next == (count > page.per_page)
