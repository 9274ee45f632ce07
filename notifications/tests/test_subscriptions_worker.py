"""Area subscriptions with real Celery workers on the suite's PostgreSQL and Redis, the fakes of Twilio and Telegram
posting to a live server as the real services do: a subscriber inside the circle gets exactly one message per event,
one outside none, an unconfirmed number nothing but its code, a STOP ends it; a big fan-out never holds up a case
alert."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db import transaction

from notifications.area import notify_area
from notifications.models import AreaAlert, Delivery, Subscription
from notifications.services import queue_alert

from .conftest import PUBLIC_CHAT, make_message
from .subscribers import HINJEWADI, KALYANI_NAGAR, PUNE, SMS_FROM, hours_ago, make_subscriber, wording

pytestmark = pytest.mark.worker
QUEUES = ("alerts", "default", "bulk")


def twilio_env(fake, **extra) -> dict[str, str]:
    return {"TWILIO_API_BASE_URL": fake.url, "TWILIO_ACCOUNT_SID": fake.account_sid,
            "TWILIO_AUTH_TOKEN": fake.auth_token, "TWILIO_FROM_NUMBER": SMS_FROM, "SMS_RECIPIENTS": "",
            "ALERT_HTTP_TIMEOUT": "2", "SUBSCRIPTION_SMS_PER_SECOND": "100", **extra}


def alert(key: str, kind: str = "new"):
    with transaction.atomic():
        return notify_area(event_key=f"case:MC20260310AB12CD34:area:{key}", topic="case:MC20260310AB12CD34:area:",
                           kind=kind, messages=wording(), latitude=PUNE[0], longitude=PUNE[1],
                           started_at=hours_ago(1))


def settled(worker, event_key: str) -> None:
    """Wait until the event's fan-out is done and none of its messages is still waiting or being sent."""
    worker.wait_until(lambda: AreaAlert.objects.filter(event_key=event_key, status="done").exists()
                      and not Delivery.objects.filter(event_key=event_key, status__in=["pending", "sending"]).exists())


def test_sms_subscriber_from_code_to_stop(sms_service, live_server, settings, client, celery_worker_process):
    settings.SITE_URL = live_server.url
    worker = celery_worker_process(env=twilio_env(sms_service), queues=QUEUES, pool="threads", concurrency=4)
    outside = make_subscriber(HINJEWADI, address="+919822000002", radius_km=10)  # 17 km away

    response = client.post("/subscribe", {"latitude": KALYANI_NAGAR[0], "longitude": KALYANI_NAGAR[1],
                                          "radius_km": 5, "channel": "sms_subscriber", "phone": "98220 12345",
                                          "language": "en", "consent": "on"})
    assert response.status_code == 302
    worker.wait_until(lambda: sms_service.messages)
    code = re.match(r"Sachet: (\d{6}) ", sms_service.messages[0]["body"]).group(1)

    first = alert("new")  # the number is not confirmed yet
    settled(worker, first.event_key)
    assert [m["to"] for m in sms_service.messages] == ["+919822012345"]  # nothing but its code

    assert client.post(response["Location"], {"action": "check", "code": code}).status_code == 302
    second = alert("reminder:24h", kind="reminder")
    alert("reminder:24h", kind="reminder")  # the same event twice
    settled(worker, second.event_key)
    worker.wait_until(lambda: len(sms_service.messages) >= 2)
    assert [m["to"] for m in sms_service.messages] == ["+919822012345", "+919822012345"]
    assert sms_service.messages[1]["body"].startswith("Missing near you: Aarav Sharma, age 7:")
    assert not Delivery.objects.filter(recipient=outside.address).exists()

    status, _replies = sms_service.send_inbound(f"{live_server.url}/hooks/twilio/sms", from_="+919822012345",
                                                body="STOP")
    assert status == 200 and not Subscription.objects.filter(address="+919822012345").exists()
    third = alert("missing:77")
    settled(worker, third.event_key)
    assert [m["to"] for m in sms_service.messages if m["body"].startswith("Missing")] == ["+919822012345"]
    assert Subscription.objects.get() == outside


def test_telegram_subscriber_from_start_to_stop(telegram_bot, live_server, settings, client, celery_worker_process):
    settings.SITE_URL = live_server.url
    call_command("set_telegram_webhook")
    worker = celery_worker_process(env={
        "TELEGRAM_API_BASE_URL": telegram_bot.base_url, "TELEGRAM_BOT_TOKEN": telegram_bot.token,
        "ALERT_HTTP_TIMEOUT": "2", "SUBSCRIPTION_TELEGRAM_PER_SECOND": "100"}, queues=QUEUES, pool="threads",
        concurrency=4)
    client.post("/subscribe", {"latitude": KALYANI_NAGAR[0], "longitude": KALYANI_NAGAR[1], "radius_km": 5,
                               "channel": "telegram_subscriber", "language": "en", "consent": "on"})
    subscription = Subscription.objects.get()

    telegram_bot.deliver_update(telegram_bot.private_message(555001, f"/start {subscription.token}"))
    event = alert("new")
    settled(worker, event.event_key)

    assert [(m["chat_id"], m["text"].split("\n")[0]) for m in telegram_bot.messages] == [
        ("555001", "You will get an alert here when a child goes missing within 5 km of the place you chose. Send "
                   "/stop to end these alerts."),
        ("555001", "Missing near you: Aarav Sharma, age 7")]
    telegram_bot.deliver_update(telegram_bot.private_message(555001, "/stop"))
    assert Subscription.objects.count() == 0


def test_a_fan_out_to_many_does_not_hold_up_a_case_alert(sms_service, fake_telegram, settings, celery_worker_process):
    settings.SMS_RECIPIENTS = []
    env = {**twilio_env(sms_service, SUBSCRIPTION_SMS_PER_SECOND="20"), "TELEGRAM_API_BASE_URL":
           fake_telegram.base_url, "TELEGRAM_BOT_TOKEN": fake_telegram.token, "TELEGRAM_CHAT_ID": PUBLIC_CHAT}
    bulk = celery_worker_process(env=env, queues=("bulk",), pool="threads", concurrency=4)
    celery_worker_process(env=env, queues=("alerts",), pool="threads", concurrency=4)
    numbers = [f"+9198220{n:05d}" for n in range(200)]
    for number in numbers:
        make_subscriber(KALYANI_NAGAR, address=number)

    event = alert("new")  # 200 SMS at 20 a second: about 10 s of sending
    bulk.wait_until(lambda: sms_service.messages)
    with transaction.atomic():
        [case_alert] = queue_alert(message=make_message(), event_key="case:MC20260311AB12CD34:reported")

    bulk.wait_until(lambda: Delivery.objects.filter(pk=case_alert.pk, status="sent").exists())
    waiting = Delivery.objects.filter(event_key=event.event_key, status__in=["pending", "sending"]).count()
    assert waiting > 0  # the case alert went out while the fan-out was still working through its queue
    settled(bulk, event.event_key)
    assert sorted(m["to"] for m in sms_service.messages) == numbers  # each exactly once
    assert len(fake_telegram.messages) == 1
