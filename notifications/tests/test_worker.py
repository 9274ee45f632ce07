"""The outbox with a real Celery worker process on the suite's Redis and PostgreSQL (scripts/test.sh)."""

from __future__ import annotations

import pytest
from django.db import transaction

from notifications.codes import check_code, send_code
from notifications.models import Delivery
from notifications.services import queue_alert
from notifications.tasks import send_delivery
from tests.fakes.telegram import FakeTelegram

from .conftest import make_message, worker_env_for

pytestmark = pytest.mark.worker


def test_worker_retries_a_server_error_after_its_backoff_and_sends_once(fake_telegram, celery_worker_process):
    fake_telegram.script(FakeTelegram.server_error())
    worker = celery_worker_process(env=worker_env_for(fake_telegram))

    with transaction.atomic():
        [delivery] = queue_alert(message=make_message(), event_key="case:MC20260310AB12CD34:reported")

    worker.wait_until(lambda: Delivery.objects.filter(pk=delivery.pk, status="sent").exists())
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.last_error == "NetworkError: Internal Server Error"
    assert len(fake_telegram.requests) == 2
    assert len(fake_telegram.messages) == 1
    assert "Retry in" in worker.log  # Celery's own retry, with a countdown, not the sweep


def test_one_delivery_enqueued_many_times_to_concurrent_workers_is_sent_once(fake_telegram, celery_worker_process):
    worker = celery_worker_process(env=worker_env_for(fake_telegram), pool="threads", concurrency=4)
    with transaction.atomic():
        [delivery] = queue_alert(message=make_message(), event_key="case:MC20260310AB12CD34:reported")

    for _ in range(8):
        send_delivery.delay(delivery.pk)

    worker.wait_until(lambda: worker.log.count("succeeded in") >= 9)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert len(fake_telegram.messages) == 1


def test_phone_code_goes_out_through_the_worker_and_the_real_twilio_client(fake_twilio, settings,
                                                                           celery_worker_process):
    """A code written in the caller's transaction is sent by the worker after commit, its text then redacted."""
    settings.SMS_RECIPIENTS = []
    worker = celery_worker_process(env={
        "TWILIO_API_BASE_URL": fake_twilio.url,
        "TWILIO_ACCOUNT_SID": fake_twilio.account_sid,
        "TWILIO_AUTH_TOKEN": fake_twilio.auth_token,
        "TWILIO_FROM_NUMBER": settings.TWILIO_FROM_NUMBER,
        "SMS_RECIPIENTS": "",
        "ALERT_HTTP_TIMEOUT": "2",
    })

    with transaction.atomic():
        row = send_code(purpose="report", subject="MC20260310AB12CD34", phone="98220 12345")
        assert fake_twilio.requests == []  # nothing leaves before the commit

    worker.wait_until(lambda: Delivery.objects.filter(pk=row.delivery_id, status="sent").exists())
    [message] = fake_twilio.messages
    code = message["body"].split()[1]
    assert message["to"] == "+919822012345" and len(code) == 6 and code.isdigit()
    delivery = Delivery.objects.get(pk=row.delivery_id)
    assert delivery.provider_message_id == message["sid"]
    assert code not in delivery.body and delivery.body.startswith("******")
    assert check_code(purpose="report", subject="MC20260310AB12CD34", code=code).ok
