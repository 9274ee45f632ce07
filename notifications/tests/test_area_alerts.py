"""Alerts to area subscribers, in-process: who is reached, once, in their language, within the daily limit; found
to those alerted; and a subscriber whose address is gone removed."""

from __future__ import annotations

import pytest
from django.db import transaction

from notifications.area import notify_area
from notifications.models import AreaAlert, Delivery, Subscription

from .subscribers import HADAPSAR, HINJEWADI, KALYANI_NAGAR, LONAVALA, PUNE, hours_ago, make_subscriber, wording

pytestmark = pytest.mark.django_db
TOPIC = "case:MC20260310AB12CD34:area:"


def alert(kind="new", key="new", started_hours_ago=1.0, point=PUNE, **overrides):
    with transaction.atomic():
        return notify_area(event_key=TOPIC + key, topic=TOPIC, kind=kind, messages=overrides.pop("messages", wording()),
                           latitude=point[0] if point else None, longitude=point[1] if point else None,
                           started_at=hours_ago(started_hours_ago), **overrides)


def test_subscriber_inside_the_circle_gets_one_sms_ending_with_how_to_stop(sms_service,
                                                                           django_capture_on_commit_callbacks):
    inside = make_subscriber(KALYANI_NAGAR, address="+919822000001")
    make_subscriber(HINJEWADI, address="+919822000002", radius_km=50)  # 17 km: beyond the first 5 km

    with django_capture_on_commit_callbacks(execute=True):
        alert()
    with django_capture_on_commit_callbacks(execute=True):
        alert()  # the same event again

    [sms] = sms_service.messages
    assert sms["to"] == "+919822000001"
    assert sms["body"].startswith("Missing near you: Aarav Sharma, age 7: Last seen at Koregaon Park")
    assert "\nhttps://sachet.example.org/case/MC20260310AB12CD34\n" in sms["body"]
    assert sms["body"].endswith(f"\nTo stop: reply STOP or open http://localhost:8000/stop/{inside.stop_key}")
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.bulk, delivery.kind, delivery.status) == ("sms_subscriber", True, "area_new",
                                                                                 "sent")
    assert AreaAlert.objects.get().matched == 1


def test_reach_grows_with_the_hours_missing_but_never_past_the_subscribers_radius(sms_service,
                                                                                 django_capture_on_commit_callbacks):
    make_subscriber(HINJEWADI, address="+919822000002", radius_km=20)  # 17.4 km away
    make_subscriber(HINJEWADI, address="+919822000003", radius_km=10)

    with django_capture_on_commit_callbacks(execute=True):
        first = alert(key="new", started_hours_ago=2)
    with django_capture_on_commit_callbacks(execute=True):
        later = alert(kind="reminder", key="reminder:72h", started_hours_ago=73)

    assert (first.reach_km, later.reach_km) == (5.0, 25.0)
    assert [(m["to"], m["body"][:9]) for m in sms_service.messages] == [("+919822000002", "Missing n")]


def test_a_number_with_two_subscriptions_covering_the_point_gets_one_message(sms_service,
                                                                           django_capture_on_commit_callbacks):
    make_subscriber(KALYANI_NAGAR, address="+919822000001")
    make_subscriber(HADAPSAR, address="+919822000001", radius_km=10)

    with django_capture_on_commit_callbacks(execute=True):
        alert()

    assert [m["to"] for m in sms_service.messages] == ["+919822000001"]


def test_pending_subscription_is_never_alerted(sms_service, django_capture_on_commit_callbacks):
    make_subscriber(KALYANI_NAGAR, status=Subscription.Status.PENDING)

    with django_capture_on_commit_callbacks(execute=True):
        result = alert()

    assert sms_service.messages == []
    assert Delivery.objects.count() == 0
    assert result.matched == 0


def test_an_alert_without_a_point_is_not_sent(sms_service, django_capture_on_commit_callbacks):
    make_subscriber(KALYANI_NAGAR)

    with django_capture_on_commit_callbacks(execute=True):
        result = alert(point=None)

    assert result is None
    assert AreaAlert.objects.count() == 0 and sms_service.messages == []


def test_daily_limit_holds_back_alerts_but_not_the_found_message(sms_service, settings,
                                                                 django_capture_on_commit_callbacks):
    settings.SUBSCRIPTION_DAILY_LIMIT = 2
    make_subscriber(KALYANI_NAGAR, address="+919822000001")

    for number in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            alert(key=f"new:{number}")
    with django_capture_on_commit_callbacks(execute=True):
        found = alert(kind="found", key="found:1", point=None, messages=wording("Found safe: Aarav Sharma"))

    bodies = [m["body"].split(":")[0] for m in sms_service.messages]
    assert bodies == ["Missing near you", "Missing near you", "Found safe"]
    assert AreaAlert.objects.get(event_key=TOPIC + "new:2").over_limit == 1
    assert found.kind == "found"


def test_found_goes_only_to_those_alerted_and_cancels_what_was_not_sent_yet(sms_service,
                                                                            django_capture_on_commit_callbacks):
    make_subscriber(KALYANI_NAGAR, address="+919822000001")
    with django_capture_on_commit_callbacks(execute=True):
        alert()
    make_subscriber(HADAPSAR, address="+919822000002")  # subscribed after the alert: never told
    # An alert still waiting when the child is found: it must not go out after the "found" message.
    waiting = make_subscriber(KALYANI_NAGAR, address="+919822000003")
    with transaction.atomic():
        notify_area(event_key=TOPIC + "reminder:24h", topic=TOPIC, kind="reminder", messages=wording(),
                    latitude=PUNE[0], longitude=PUNE[1], started_at=hours_ago(25))
    from notifications.area import fan_out

    fan_out(AreaAlert.objects.get(event_key=TOPIC + "reminder:24h").pk)  # rows written, not sent yet

    with django_capture_on_commit_callbacks(execute=True):
        alert(kind="found", key="found:9", point=None, messages=wording("Found safe: Aarav Sharma"))

    assert [(m["to"], m["body"].split(":")[0]) for m in sms_service.messages] == [
        ("+919822000001", "Missing near you"), ("+919822000001", "Found safe")]
    cancelled = Delivery.objects.get(recipient=waiting.address, event_key=TOPIC + "reminder:24h")
    assert (cancelled.status, cancelled.last_error) == ("failed", "not sent: the found message replaced it")


def test_far_subscribers_are_not_alerted(sms_service, django_capture_on_commit_callbacks):
    make_subscriber(LONAVALA, address="+919822000004", radius_km=50)  # 57 km: beyond any reach

    with django_capture_on_commit_callbacks(execute=True):
        result = alert(kind="reminder", key="reminder:x", started_hours_ago=500)

    assert result.reach_km == 50.0
    assert sms_service.messages == [] and Delivery.objects.count() == 0


def test_telegram_subscriber_gets_the_alert_with_how_to_stop(telegram_bot, django_capture_on_commit_callbacks):
    telegram_bot.started.add("555001")
    make_subscriber(KALYANI_NAGAR, channel=Subscription.Channel.TELEGRAM, address="555001")

    with django_capture_on_commit_callbacks(execute=True):
        alert()

    [message] = telegram_bot.messages
    assert message["chat_id"] == "555001"
    assert message["text"].startswith("Missing near you: Aarav Sharma, age 7\n\nLast seen at Koregaon Park")
    assert "Send /stop to end these alerts." in message["text"]


def test_telegram_subscriber_who_blocked_the_bot_is_removed(telegram_bot, django_capture_on_commit_callbacks):
    telegram_bot.blocked.add("555001")
    make_subscriber(KALYANI_NAGAR, channel=Subscription.Channel.TELEGRAM, address="555001")

    with django_capture_on_commit_callbacks(execute=True):
        alert()

    assert telegram_bot.messages == []
    assert Subscription.objects.count() == 0
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.recipient == f"chat#{delivery.pk}"
    assert delivery.masked_recipient == "chat"


def test_browser_gets_an_encrypted_signed_push(push_service, django_capture_on_commit_callbacks):
    browser = push_service.subscribe()
    make_subscriber(KALYANI_NAGAR, channel=Subscription.Channel.WEBPUSH, push=browser)

    with django_capture_on_commit_callbacks(execute=True):
        alert()

    assert push_service.rejected == []
    [payload] = push_service.received
    assert payload == {"title": "Missing near you: Aarav Sharma, age 7",
                       "body": "Last seen at Koregaon Park, Pune on 10 Mar 2026, 3:00 PM IST. Red T-shirt.",
                       "url": "https://sachet.example.org/case/MC20260310AB12CD34",
                       "tag": "https://sachet.example.org/case/MC20260310AB12CD34"}


def test_browser_subscription_gone_at_the_push_service_is_removed(push_service, django_capture_on_commit_callbacks):
    browser = push_service.subscribe()
    subscription = make_subscriber(KALYANI_NAGAR, channel=Subscription.Channel.WEBPUSH, push=browser)
    push_service.gone.add(push_service.subscription_id(browser["endpoint"]))

    with django_capture_on_commit_callbacks(execute=True):
        alert()

    assert push_service.received == []
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "410" in delivery.last_error
