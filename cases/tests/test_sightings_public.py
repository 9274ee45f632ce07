"""Sightings are staff information until a staff user publishes them; published ones show place, time and a masked
description; the page stays fast with hundreds; the same report or sighting sent twice is stored once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from cases.models import Case, CaseEvent, Sighting
from cases.text import mask_contact_details
from tests.factories import form_datetime

from .trust_fixtures import *  # noqa: F403 - fixtures
from .trust_fixtures import report_data

pytestmark = pytest.mark.django_db

SCAM = "Pay 50000 to +91 90000 12345 or visit https://pay-now.example.com/x, mail help@scam.example.org or bit.ly/abc"


def admin_url(path: str) -> str:
    return f"/{django_settings.ADMIN_URL}{path}"


def test_a_new_sighting_is_counted_but_not_shown(client, make_case, make_sighting):
    case = make_case()
    make_sighting(case, place="Kalyani Nagar, Pune", description="Boy in red near the bridge.")
    make_sighting(case, place="Viman Nagar, Pune", description="Boy with a woman at the bus stop.")

    response = client.get(case.get_absolute_url())
    page = response.content.decode()

    assert "2 sightings reported to the team." in page
    assert "Kalyani Nagar" not in page and "near the bridge" not in page
    assert "Sightings appear here once the team has checked them." in page
    assert [p["kind"] for p in response.context["map_points"]] == ["last_seen"]  # the map: published only


def test_a_published_sighting_shows_place_time_and_a_masked_description(client, make_case, make_sighting):
    case = make_case()
    sighting = make_sighting(case, place="Kalyani Nagar, call 98220 55555", description=SCAM,
                             published_at=timezone.now())

    response = client.get(case.get_absolute_url())
    page = response.content.decode()

    assert "1 sighting reported to the team." in page
    assert "Pay 50000 to +91 ******45 or visit [link hidden], mail [e-mail hidden] or [link hidden]" in page
    assert "Kalyani Nagar, call +91 ******55" in page
    for leak in ("90000 12345", "9000012345", "pay-now.example.com", "scam.example.org", "bit.ly", "98220 55555"):
        assert leak not in page
    assert [p["label"] for p in response.context["map_points"] if p["kind"] == "sighting"] == [
        "Sighting: Kalyani Nagar, call +91 ******55"]
    assert f'<time datetime="{timezone.localtime(sighting.seen_at).isoformat()}' in page


@pytest.mark.parametrize(("text", "masked"), [
    ("Call 9822012345 now", "Call +91 ******45 now"),
    ("write to a.b+c@example.co.in please", "write to [e-mail hidden] please"),
    ("see www.example.org/child", "see [link hidden]"),
    ("http://x.y/z and example.com", "[link hidden] and [link hidden]"),
    ("Seen on 12-03-2026 at 4 pm near gate 3", "Seen on 12-03-2026 at 4 pm near gate 3"),
])
def test_contact_details_are_masked(text, masked):
    assert mask_contact_details(text) == masked


def test_hundreds_of_published_sightings_keep_the_page_small_and_its_queries_fixed(
    client, make_case, make_sighting, django_assert_max_num_queries, settings
):
    case = make_case()
    now = timezone.now()
    Sighting.objects.bulk_create([
        Sighting(case=case, place=f"Place {n}, Pune", seen_at=now - timedelta(minutes=n), description=f"Seen {n}.",
                 latitude=case.latitude, longitude=case.longitude, published_at=now)
        for n in range(300)
    ])

    with django_assert_max_num_queries(3):
        response = client.get(case.get_absolute_url())

    page = response.content.decode()
    assert page.count("<li><strong>Place ") == settings.SIGHTINGS_PER_PAGE
    assert "The newest 20 of 300 published sightings are shown." in page
    assert len(response.context["map_points"]) == 1 + settings.MAP_SIGHTINGS_MAX


def test_staff_publish_and_withdraw_a_sighting_from_the_case_page(client, make_case, make_sighting, ngo):
    case = make_case()
    sighting = make_sighting(case)
    client.force_login(ngo)
    url = admin_url(f"cases/case/{case.pk}/sighting/{sighting.pk}/publish/")

    published = client.post(url, {"publish": "1"})
    sighting.refresh_from_db()
    on_page = "Boy in a red T-shirt" in client.get(case.get_absolute_url()).content.decode()
    withdrawn = client.post(url, {"publish": "0"})

    assert published.status_code == withdrawn.status_code == 302
    assert (sighting.published_by, on_page) == (ngo, True)
    sighting.refresh_from_db()
    assert sighting.published_at is None
    assert [(e.kind, e.by, e.details) for e in CaseEvent.objects.filter(case=case)] == [
        ("sighting_published", ngo, {"sighting": sighting.pk}),
        ("sighting_unpublished", ngo, {"sighting": sighting.pk}),
    ]
    assert list(LogEntry.objects.filter(object_id=str(case.pk)).order_by("id")
                .values_list("change_message", flat=True)) == [f"Published sighting {sighting.pk}",
                                                               f"Withdrew sighting {sighting.pk}"]


def test_publishing_needs_the_permission(client, make_case, make_sighting):
    from .trust_fixtures import staff_user

    viewer = staff_user("viewer", "NGO")
    viewer.groups.clear()
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_case"))
    case = make_case()
    sighting = make_sighting(case)
    client.force_login(viewer)

    response = client.post(admin_url(f"cases/case/{case.pk}/sighting/{sighting.pk}/publish/"), {"publish": "1"})

    assert response.status_code == 403
    sighting.refresh_from_db()
    assert sighting.published_at is None
    assert not CaseEvent.objects.exists()


def test_the_sighting_list_action_publishes_with_the_user(client, make_case, make_sighting, police):
    case = make_case()
    sightings = [make_sighting(case, description=f"Seen number {n}.") for n in range(2)]
    client.force_login(police)

    client.post(admin_url("cases/sighting/"), {"action": "publish_sightings",
                                                "_selected_action": [s.pk for s in sightings]})

    assert list(Sighting.objects.filter(published_by=police).order_by("pk").values_list("pk", flat=True)) == [
        s.pk for s in sightings]
    assert CaseEvent.objects.filter(kind="sighting_published").count() == 2


# --- Repeated submissions -------------------------------------------------------------------------------------


def test_the_same_report_sent_twice_is_stored_once_and_lands_on_the_same_page(client,
                                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/report", report_data())
        second = client.post("/report", report_data(name="  ishita   DAS ", contact_phone="+91 98220 00101"),
                             follow=True)

    case = Case.objects.get()
    assert first["Location"] == second.redirect_chain[0][0] == case.get_absolute_url()
    assert f"You sent this report a few minutes ago. It is saved once, as {case.reference}: here it is." in \
        second.content.decode()


def test_another_child_from_the_same_phone_is_a_new_report(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/report", report_data())
        client.post("/report", report_data(name="Rahul Das", age="8"))

    assert sorted(Case.objects.values_list("name", flat=True)) == ["Ishita Das", "Rahul Das"]


def test_the_same_report_after_the_window_is_a_new_one(client, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/report", report_data())
    Case.objects.update(created_at=timezone.now() - timedelta(minutes=settings.REPEAT_SUBMISSION_MINUTES + 1))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/report", report_data())

    assert Case.objects.count() == 2


def test_the_same_sighting_sent_twice_is_stored_once(client, make_case, django_capture_on_commit_callbacks):
    case = make_case()
    data = {"place": "Kalyani Nagar, Pune", "seen_at": form_datetime(timezone.now() - timedelta(hours=1)),
            "description": "Boy in a red T-shirt near the bridge."}

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/found/{case.reference}", data)
        again = client.post(f"/found/{case.reference}", {**data, "description": " boy in a red t-shirt  near the "
                                                                                "bridge. "}, follow=True)

    assert Sighting.objects.filter(case=case).count() == 1
    assert "You sent this sighting a few minutes ago: it is saved once and the team has it." in \
        again.content.decode()
