"""The home page, search and the case page stay flat as data grows: no COUNT of every case, sighting counts on the
page's rows only, and a whole-page cache for anonymous visitors that a change to a case or sighting makes stale."""

from __future__ import annotations

import pytest
from django.test import Client

from cases import publication, services, verification
from cases.models import Case
from cases.names import name_key

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [case.name for case in response.context["page"].object_list]


def test_next_page_is_known_without_counting_every_case(client, make_case, settings, django_assert_num_queries):
    settings.CASES_PER_PAGE = 2
    for number in range(5):
        make_case(name=f"Child Number{number}")

    with django_assert_num_queries(1):
        first = client.get("/")
    last = client.get("/", {"page": 3})

    assert names(first) == ["Child Number4", "Child Number3"]
    assert first.context["page"].has_next is True
    assert 'rel="next"' in first.content.decode() and "Page 1<" in first.content.decode()
    assert names(last) == ["Child Number0"]
    assert last.context["page"].has_next is False
    assert 'rel="next"' not in last.content.decode()


@pytest.mark.parametrize("page", ["99", "abc", "-1"])
def test_a_page_past_the_end_or_not_a_number_shows_the_first(client, make_case, settings, page):
    settings.CASES_PER_PAGE = 2
    for number in range(3):
        make_case(name=f"Child Number{number}")

    response = client.get("/", {"page": page})

    assert response.status_code == 200
    assert names(response) == ["Child Number2", "Child Number1"]


def test_search_says_how_many_match_without_counting_past_the_page(client, make_case, settings):
    settings.CASES_PER_PAGE = 2
    for number in range(2):
        make_case(name=f"Aarav Number{number}")
    make_case(name="Sana Khan", last_seen_place="Lucknow")

    two = client.get("/", {"q": "aarav"}).content.decode()
    make_case(name="Aarav Late")
    more = client.get("/", {"q": "aarav"}).content.decode()
    second_page = client.get("/", {"q": "aarav", "page": 2}).content.decode()
    one = client.get("/", {"q": "sana"}).content.decode()

    assert "2 active cases matching “aarav”." in two
    assert "More than 2 active cases matching “aarav”." in more
    assert "3 active cases matching “aarav”." in second_page
    assert "1 active case matching “sana”." in one


def test_search_finds_a_name_typed_in_another_script(client, make_case):
    make_case(name="Aarav Sharma", name_key=name_key("Aarav Sharma"))
    make_case(name="Sana Khan", last_seen_place="Lucknow")

    response = client.get("/", {"q": "आरव"})

    assert names(response) == ["Aarav Sharma"]


def test_sighting_counts_on_the_home_page_are_per_case(client, make_case, make_sighting):
    busy = make_case(name="Aarav Sharma")
    make_case(name="Meera Joshi")
    for _ in range(3):
        make_sighting(busy)

    page = client.get("/").context["page"]

    assert {case.name: case.sighting_count for case in page.object_list} == {"Aarav Sharma": 3, "Meera Joshi": 0}


@pytest.fixture
def page_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60


def test_an_anonymous_visitor_is_served_from_the_cache(client, make_case, page_cache, django_assert_num_queries):
    case = make_case()
    first = client.get(case.get_absolute_url())

    with django_assert_num_queries(0):
        again = client.get(case.get_absolute_url())

    assert again.status_code == 200
    assert again.content == first.content
    assert dict(again.cookies) == {}


def test_a_published_sighting_shows_at_once(client, make_case, make_sighting, page_cache, admin_user,
                                            django_capture_on_commit_callbacks):
    case = make_case()
    sighting = make_sighting(case, place="Kalyani Nagar Bridge")
    before = client.get(case.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        publication.publish_sighting(sighting=sighting, by=admin_user)
    after = client.get(case.get_absolute_url()).content.decode()

    assert "Kalyani Nagar Bridge" not in before
    assert "Kalyani Nagar Bridge" in after


def test_a_found_child_leaves_the_cached_home_page_at_once(client, make_case, page_cache,
                                                           django_capture_on_commit_callbacks):
    case = make_case(name="Aarav Sharma")
    before = client.get("/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(case=case, to=Case.Status.FOUND, by=None, note="Home safe")
    after = client.get("/").content.decode()

    assert "Aarav Sharma" in before
    assert "Aarav Sharma" not in after


def test_a_verified_report_joins_the_cached_home_page_at_once(client, make_case, page_cache, admin_user,
                                                              django_capture_on_commit_callbacks):
    case = make_case(name="Aarav Sharma", verification="unverified", verification_method="")
    before = client.get("/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        verification.verify(case=case, by=admin_user, note="Family called the station")
    after = client.get("/").content.decode()

    assert "Aarav Sharma" not in before
    assert "Aarav Sharma" in after


def test_a_rejected_report_leaves_the_cached_home_page_at_once(client, make_case, page_cache, admin_user,
                                                               django_capture_on_commit_callbacks):
    case = make_case(name="Aarav Sharma")
    before = client.get("/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        verification.reject(case=case, by=admin_user, note="Abuse")
    after = client.get("/").content.decode()

    assert "Aarav Sharma" in before
    assert "Aarav Sharma" not in after


def test_cached_pages_are_kept_per_language(client, make_case, page_cache):
    make_case()
    english = client.get("/").content.decode()
    client.cookies["django_language"] = "hi"
    hindi = client.get("/").content.decode()

    assert "<h1>Missing children</h1>" in english
    assert "<h1>लापता बच्चे</h1>" in hindi


def test_staff_with_a_session_are_never_served_a_cached_page(make_case, page_cache, admin_user,
                                                             django_assert_max_num_queries):
    case = make_case()
    Client().get(case.get_absolute_url())
    staff = Client()
    staff.force_login(admin_user)

    response = staff.get(case.get_absolute_url())

    assert response.status_code == 200
    assert response.context is not None  # rendered for this request, not taken from the cache


def test_a_page_with_a_message_is_neither_served_from_nor_stored_in_the_cache(client, make_case, page_cache):
    case = make_case(name="Aarav Sharma")
    client.cookies["messages"] = "anything"

    response = client.get(case.get_absolute_url())
    del client.cookies["messages"]
    fresh = client.get(case.get_absolute_url())

    assert response.status_code == 200
    assert fresh.context is not None  # nothing was stored by the first request


def test_other_query_strings_are_not_stored(client, make_case, page_cache):
    case = make_case()

    client.get(case.get_absolute_url(), {"utm": "qr1"})
    again = client.get(case.get_absolute_url(), {"utm": "qr1"})

    assert again.status_code == 200
    assert again.context is not None  # rendered again: nothing was stored for it
