"""Deliveries in the staff admin: the list, resending failed alerts, and the test alert per channel."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Permission, User
from django.db import transaction
from django.urls import reverse

from notifications.models import Delivery
from notifications.services import queue_alert

from .conftest import PUBLIC_CHAT, SMS_TO, make_message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbox_settings")]

CHANGELIST = "admin:notifications_delivery_changelist"
TEST_ALERT = "admin:notifications_delivery_test_alert"


def staff_user(*permissions: str) -> User:
    user = User.objects.create_user("officer", password="a long enough password", is_staff=True)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="notifications", codename=codename))
    return user


def failed_delivery(event_key="case:MC20260310AB12CD34:reported") -> Delivery:
    with transaction.atomic():
        [delivery] = queue_alert(message=make_message(), event_key=event_key)
    Delivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=4, last_error="Discord 502: Bad Gateway")
    return delivery


@pytest.fixture(autouse=True)
def no_lockout_bookkeeping(settings):
    # force_login has no client address, which django-axes cannot record on PostgreSQL; lockout is not under test.
    settings.AXES_ENABLED = False


@pytest.fixture
def superuser_client(client):
    client.force_login(User.objects.create_superuser("chief", password="a long enough password"))
    return client


def test_list_shows_the_masked_number_never_the_full_one(superuser_client, fake_twilio):
    with transaction.atomic():
        queue_alert(message=make_message(), event_key="case:MC20260310AB12CD34:reported")

    page = superuser_client.get(reverse(CHANGELIST)).content.decode()

    assert "+91 ******10" in page
    assert SMS_TO not in page


def test_detail_page_shows_the_masked_number_never_the_full_one(superuser_client, fake_twilio):
    with transaction.atomic():
        [delivery] = queue_alert(message=make_message(), event_key="case:MC20260310AB12CD34:reported")

    page = superuser_client.get(reverse("admin:notifications_delivery_change", args=[delivery.pk])).content.decode()

    assert "+91 ******10" in page
    assert SMS_TO not in page


def test_search_finds_deliveries_by_event_key(superuser_client, fake_telegram):
    failed_delivery("case:MC20260310AB12CD34:reported")
    failed_delivery("case:MC20260311FFFF0000:reported")

    response = superuser_client.get(reverse(CHANGELIST), {"q": "MC20260311FFFF0000"})

    assert [d.event_key for d in response.context["cl"].result_list] == ["case:MC20260311FFFF0000:reported"]


def test_resend_action_queues_failed_deliveries_again_and_logs_it(superuser_client, fake_telegram,
                                                                 django_capture_on_commit_callbacks):
    delivery = failed_delivery()

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            reverse(CHANGELIST), {"action": "resend_failed", "_selected_action": [delivery.pk]}
        )

    delivery.refresh_from_db()
    assert response.status_code == 302
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert len(fake_telegram.messages) == 1
    entry = LogEntry.objects.get()
    assert (entry.action_flag, entry.object_id, entry.change_message) == (CHANGE, str(delivery.pk),
                                                                          "Queued to be sent again")


def test_resend_action_leaves_sent_deliveries_alone(superuser_client, fake_telegram,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            [delivery] = queue_alert(message=make_message(), event_key="case:MC20260310AB12CD34:reported")

    with django_capture_on_commit_callbacks(execute=True):
        superuser_client.post(reverse(CHANGELIST), {"action": "resend_failed", "_selected_action": [delivery.pk]})

    assert len(fake_telegram.messages) == 1
    assert LogEntry.objects.count() == 0


def test_staff_without_the_resend_permission_cannot_resend(client, fake_telegram):
    delivery = failed_delivery()
    client.force_login(staff_user("view_delivery"))

    response = client.post(reverse(CHANGELIST), {"action": "resend_failed", "_selected_action": [delivery.pk]})

    delivery.refresh_from_db()
    assert response.status_code == 200  # the list again, with "No action selected"
    assert delivery.status == "failed"
    assert fake_telegram.requests == []


def test_list_warns_staff_when_alerts_have_stalled(superuser_client, fake_telegram, clock):
    with transaction.atomic():
        queue_alert(message=make_message(), event_key="case:MC20260310AB12CD34:reported")
    clock.advance(301)

    response = superuser_client.get(reverse(CHANGELIST))

    assert [str(m) for m in response.context["messages"]] == [
        "1 alert has waited more than 5 minutes to be sent. Check that the worker and the broker are running."
    ]


def test_test_alert_page_lists_the_enabled_channels(superuser_client, fake_telegram, fake_twilio):
    response = superuser_client.get(reverse(TEST_ALERT))

    assert response.status_code == 200
    assert [c["name"] for c in response.context["channels"]] == ["telegram", "sms"]


def test_test_alert_goes_out_on_the_chosen_channel_only_and_is_logged(superuser_client, fake_telegram, fake_twilio,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(reverse(TEST_ALERT), {"channel": "telegram"})

    delivery = Delivery.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(CHANGELIST) + f"?q={delivery.event_key.replace(':', '%3A')}"
    assert (delivery.channel, delivery.recipient, delivery.status, delivery.kind) == (
        "telegram", PUBLIC_CHAT, "sent", "test")
    [sent] = fake_telegram.messages
    assert sent["text"].startswith("Sachet test alert\n\nA test of the telegram channel, sent by chief at ")
    assert fake_twilio.requests == []
    entry = LogEntry.objects.get()
    assert (entry.action_flag, entry.change_message) == (ADDITION, "Test alert queued on telegram")


def test_test_alert_for_a_channel_that_is_not_configured_is_a_form_error(superuser_client, fake_telegram):
    response = superuser_client.post(reverse(TEST_ALERT), {"channel": "discord"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"channel": ["That channel is not configured (any more)."]}
    assert Delivery.objects.count() == 0
    assert fake_telegram.requests == []


def test_test_alert_needs_its_permission(client, fake_telegram):
    client.force_login(staff_user("view_delivery"))

    response = client.post(reverse(TEST_ALERT), {"channel": "telegram"})

    assert response.status_code == 403
    assert Delivery.objects.count() == 0


def test_test_alert_is_hidden_from_people_who_are_not_staff(client, fake_telegram):
    client.force_login(User.objects.create_user("citizen", password="a long enough password"))

    response = client.post(reverse(TEST_ALERT), {"channel": "telegram"})

    assert response.status_code == 404
    assert Delivery.objects.count() == 0


def test_test_alert_get_sends_nothing(superuser_client, fake_telegram):
    superuser_client.get(reverse(TEST_ALERT), {"channel": "telegram"})

    assert Delivery.objects.count() == 0
    assert fake_telegram.requests == []
