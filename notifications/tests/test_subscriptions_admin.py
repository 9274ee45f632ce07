"""Subscribers in the staff admin: masked, found by their whole number only, removed by Police with a log entry;
NGO staff may look but not remove."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.models import User
from django.urls import reverse

from notifications.models import Delivery, Subscription

from .subscribers import KALYANI_NAGAR, make_subscriber
from tests.factories import staff_group

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:notifications_subscription_changelist"


@pytest.fixture(autouse=True)
def no_lockout_bookkeeping(settings):
    settings.AXES_ENABLED = False


def member_of(client, group: str):
    user = User.objects.create_user(f"{group.lower()}-officer", password="a long enough password", is_staff=True)
    user.groups.add(staff_group(group))
    client.force_login(user)
    return user


def test_list_shows_masked_numbers_and_the_rough_area(client):
    member_of(client, "NGO")
    make_subscriber(KALYANI_NAGAR, address="+919822012345")

    page = client.get(reverse(CHANGELIST)).content.decode()

    assert "+91 ******45" in page and "18.55, 73.90" in page
    assert "+919822012345" not in page and "18.5486" not in page


def test_search_finds_a_whole_number_however_it_is_written_but_not_a_part(client):
    member_of(client, "Police")
    wanted = make_subscriber(KALYANI_NAGAR, address="+919822012345")
    make_subscriber(KALYANI_NAGAR, address="+919822099999")

    whole = client.get(reverse(CHANGELIST), {"q": "98220 12345"})
    part = client.get(reverse(CHANGELIST), {"q": "9822"})

    assert [s.pk for s in whole.context["cl"].result_list] == [wanted.pk]
    assert list(part.context["cl"].result_list) == []


def test_police_remove_a_subscriber_and_the_removal_is_logged(client):
    officer = member_of(client, "Police")
    subscription = make_subscriber(KALYANI_NAGAR, address="+919822012345")
    delivery = Delivery.objects.create(event_key="case:X:area:new", channel="sms_subscriber",
                                       recipient="+919822012345", title="t", link="https://x.example/",
                                       audience="public", kind="area_new", bulk=True)

    response = client.post(reverse("admin:notifications_subscription_delete", args=[subscription.pk]),
                           {"post": "yes"})

    assert response.status_code == 302
    assert Subscription.objects.count() == 0
    entry = LogEntry.objects.get(action_flag=DELETION)
    assert entry.user == officer and entry.object_repr == f"SMS subscription {subscription.pk} (+91 ******45)"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.recipient) == ("failed", f"+91 ******45#{delivery.pk}")


def test_ngo_staff_cannot_remove_subscribers(client):
    member_of(client, "NGO")
    subscription = make_subscriber(KALYANI_NAGAR)

    response = client.post(reverse("admin:notifications_subscription_delete", args=[subscription.pk]),
                           {"post": "yes"})

    assert response.status_code == 403
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_area_alerts_list_is_readable_by_ngo_staff(client):
    member_of(client, "NGO")

    response = client.get(reverse("admin:notifications_areaalert_changelist"))

    assert response.status_code == 200
