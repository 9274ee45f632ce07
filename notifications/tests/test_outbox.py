"""The outbox: queue_alert writes rows in the caller's transaction; the task sends each row once; the sweep picks
up what no task holds. Channels are the real clients against the local fakes; tasks run in-process."""

from __future__ import annotations

import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from notifications.channels.formatting import discord_payload, sms_text, telegram_html
from notifications.models import Delivery
from notifications.channels import ChannelNotConfigured
from notifications.services import claim, queue_alert, queue_message
from notifications.tasks import send_delivery, sweep_pending_deliveries
from tests.fakes.discord import FakeDiscord
from tests.fakes.server import Response
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio

from .conftest import PUBLIC_CHAT, SMS_TO, STAFF_CHAT, STAFF_WEBHOOK, make_message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbox_settings")]

PUBLIC_WEBHOOK = "1111111111111111111"
SHORT_TIMEOUT = 0.3  # the time-out test's ALERT_HTTP_TIMEOUT (conftest's is generous, for a busy machine)
SLOW = 0.6  # longer than SHORT_TIMEOUT


def queue(message=None, event_key="case:MC20260310AB12CD34:reported"):
    """queue_alert inside a transaction, as the cases services call it."""
    with transaction.atomic():
        return queue_alert(message=message or make_message(), event_key=event_key)


def statuses() -> list[tuple[str, str, int]]:
    return list(Delivery.objects.order_by("id").values_list("channel", "status", "attempts"))


# --- queue_alert ----------------------------------------------------------------------------------------------


def test_queue_alert_writes_one_pending_row_per_channel_and_recipient(fake_telegram, fake_discord, fake_twilio,
                                                                      settings):
    settings.SMS_RECIPIENTS = [SMS_TO, "+919812345678"]
    message = make_message(photo_url="https://sachet.example/media/cases/42.jpg")

    deliveries = queue(message)

    assert [(d.channel, d.recipient, d.status) for d in deliveries] == [
        ("telegram", PUBLIC_CHAT, "pending"),
        ("discord", PUBLIC_WEBHOOK, "pending"),
        ("sms", SMS_TO, "pending"),
        ("sms", "+919812345678", "pending"),
    ]
    assert {d.message() for d in deliveries} == {message}
    assert fake_telegram.requests == fake_discord.requests == fake_twilio.requests == []


def test_queued_alert_goes_out_after_commit_in_each_channels_format(fake_telegram, fake_discord, fake_twilio,
                                                                    django_capture_on_commit_callbacks):
    message = make_message()

    with django_capture_on_commit_callbacks(execute=True):
        queue(message)

    assert [m["html"] for m in fake_telegram.messages] == [telegram_html(message)]
    assert [m["embeds"] for m in fake_discord.messages] == [discord_payload(message)["embeds"]]
    assert [(m["to"], m["body"]) for m in fake_twilio.messages] == [(SMS_TO, sms_text(message))]
    assert statuses() == [("telegram", "sent", 1), ("discord", "sent", 1), ("sms", "sent", 1)]


def test_sent_delivery_keeps_the_providers_message_id(fake_twilio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue()

    delivery = Delivery.objects.get()
    assert delivery.provider_message_id == fake_twilio.messages[0]["sid"]
    assert delivery.sent_at is not None


def test_queueing_the_same_event_again_adds_no_row_and_sends_nothing_more(fake_telegram,
                                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue()
    with django_capture_on_commit_callbacks(execute=True):
        second = queue()

    assert [d.pk for d in second] == [d.pk for d in first]
    assert Delivery.objects.count() == 1
    assert len(fake_telegram.messages) == 1


def test_staff_alert_goes_to_the_staff_channels_and_sms_only(fake_telegram, fake_discord, fake_twilio,
                                                             staff_channels, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        deliveries = queue(make_message(audience="staff", kind="sighting"), event_key="case:MC1:sighting:1")

    assert [(d.channel, d.recipient) for d in deliveries] == [
        ("telegram_staff", STAFF_CHAT),
        ("discord_staff", STAFF_WEBHOOK),
        ("sms", SMS_TO),
    ]
    assert [m["chat_id"] for m in fake_telegram.messages] == [STAFF_CHAT]
    assert [m["webhook_id"] for m in fake_discord.messages] == [STAFF_WEBHOOK]


def test_alert_rolled_back_with_its_transaction_leaves_no_row_and_sends_nothing(
    fake_telegram, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                queue_alert(message=make_message(), event_key="case:MC1:reported")
                raise RuntimeError("the report failed after the alert was queued")

    assert Delivery.objects.count() == 0
    assert callbacks == []
    assert fake_telegram.requests == []


def test_alert_that_no_channel_serves_is_logged_and_not_queued(fake_telegram, caplog):
    with caplog.at_level(logging.WARNING, logger="notifications.services"):
        deliveries = queue(make_message(audience="staff"), event_key="case:MC1:sighting:7")

    assert deliveries == []
    assert Delivery.objects.count() == 0
    assert caplog.messages == ["alert case:MC1:sighting:7 (staff) not queued: no channel serves this audience"]


def test_with_no_channel_configured_the_alert_is_written_to_the_log(caplog, django_capture_on_commit_callbacks):
    with caplog.at_level(logging.INFO, logger="notifications.alerts"):
        with django_capture_on_commit_callbacks(execute=True):
            queue()

    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.recipient, delivery.status) == ("log", "log", "sent")
    assert caplog.records[0].getMessage().startswith(f"alert {delivery.provider_message_id} kind=new_case")


# --- queue_message: explicit recipients -----------------------------------------------------------------------


def test_queue_message_sends_to_the_given_numbers_only(fake_twilio, settings, django_capture_on_commit_callbacks):
    message = make_message(title="Sachet", body="A message for two people.")

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            deliveries = queue_message(message=message, event_key="subscription:7:new_case:MC1", channel="sms",
                                       recipients=["+14155552671", "+919822012345", "+14155552671"])

    assert [(d.channel, d.recipient) for d in deliveries] == [("sms", "+14155552671"), ("sms", "+919822012345")]
    assert sorted(m["to"] for m in fake_twilio.messages) == ["+14155552671", "+919822012345"]
    assert SMS_TO not in [m["to"] for m in fake_twilio.messages]  # the alert recipients are not involved
    assert statuses() == [("sms", "sent", 1), ("sms", "sent", 1)]


def test_queue_message_again_adds_no_row_and_sends_nothing_more(fake_twilio, django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                queue_message(message=make_message(), event_key="e:1", channel="sms", recipients=["+14155552671"])

    assert Delivery.objects.count() == len(fake_twilio.messages) == 1


def test_queue_message_rolled_back_leaves_no_row(fake_twilio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                queue_message(message=make_message(), event_key="e:1", channel="sms", recipients=["+14155552671"])
                raise RuntimeError("the caller failed")

    assert Delivery.objects.count() == 0
    assert fake_twilio.requests == []


def test_queue_message_to_a_channel_that_is_off_is_refused():
    with pytest.raises(ChannelNotConfigured):
        queue_message(message=make_message(), event_key="e:1", channel="sms", recipients=["+14155552671"])

    assert Delivery.objects.count() == 0


def test_queue_message_refuses_a_channel_that_does_not_carry_the_audience(fake_telegram, settings):
    settings.TELEGRAM_CHAT_ID = ""
    settings.TELEGRAM_STAFF_CHAT_ID = STAFF_CHAT

    with pytest.raises(ValueError, match="does not carry public messages"):
        queue_message(message=make_message(audience="public"), event_key="e:1", channel="telegram_staff",
                      recipients=[STAFF_CHAT])

    assert Delivery.objects.count() == 0


@pytest.mark.parametrize("recipients", [[], [""], ["  "]])
def test_queue_message_needs_a_recipient(fake_twilio, recipients):
    with pytest.raises(ValueError, match="at least one recipient"):
        queue_message(message=make_message(), event_key="e:1", channel="sms", recipients=recipients)

    assert Delivery.objects.count() == 0


def test_message_with_a_secret_is_redacted_once_sent_and_shows_redacted_until_then(
    fake_twilio, celery_broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            [delivery] = queue_message(message=make_message(body="The word is swordfish."), event_key="e:1",
                                       channel="sms", recipients=["+14155552671"],
                                       redacted_body="The word is ******.")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.body, delivery.shown_body) == (
        "pending", "The word is swordfish.", "The word is ******.")

    celery_broker_down.end()
    sweep_pending_deliveries()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.body) == ("sent", "The word is ******.")
    assert "swordfish" in fake_twilio.messages[0]["body"]


# --- send_delivery: retries, permanent errors, idempotence -------------------------------------------------------


def test_server_errors_and_time_outs_are_retried_until_the_message_is_sent_once(fake_telegram, clock, settings):
    settings.ALERT_HTTP_TIMEOUT = SHORT_TIMEOUT
    fake_telegram.script(FakeTelegram.server_error(), Response(200, {"ok": True, "result": {}}, delay=SLOW))
    [delivery] = queue()

    assert send_delivery.delay(delivery.pk).result == "retry"
    clock.advance(3600)
    assert sweep_pending_deliveries() == 1  # the time-out: tried and still pending
    clock.advance(3600)
    assert sweep_pending_deliveries() == 1  # sent

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    assert len(fake_telegram.messages) == 1
    assert len(fake_telegram.requests) == 3


def test_transient_error_sets_the_next_attempt_within_the_backoff(fake_discord, clock):
    fake_discord.script(FakeDiscord.server_error())
    [delivery] = queue()

    send_delivery.delay(delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "Discord 502: 502: Bad Gateway")
    # first retry: between half and all of ALERT_RETRY_BASE_DELAY (10 s)
    assert clock.now + timedelta(seconds=5) <= delivery.next_attempt_at <= clock.now + timedelta(seconds=10)
    assert delivery.claimed_until is None


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_rate_limit_waits_exactly_the_retry_after_the_provider_asked_for(fake_telegram, clock):
    fake_telegram.script(FakeTelegram.too_many_requests(retry_after=30))
    [delivery] = queue()

    send_delivery.delay(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert delivery.next_attempt_at == clock.now + timedelta(seconds=30)
    assert delivery.last_error == "RetryAfter: Flood control exceeded. Retry in 30 seconds"


def test_rate_limited_delivery_is_not_sent_before_its_retry_after(fake_twilio, clock):
    fake_twilio.script(FakeTwilio.too_many_requests(retry_after=30))
    [delivery] = queue()
    send_delivery.delay(delivery.pk)

    clock.advance(29)
    early = sweep_pending_deliveries()
    clock.advance(1)
    on_time = sweep_pending_deliveries()

    assert (early, on_time) == (0, 1)
    assert len(fake_twilio.messages) == 1
    assert len(fake_twilio.requests) == 2


def test_permanent_error_fails_at_once_with_the_reason_and_is_never_tried_again(fake_discord, settings, clock):
    settings.DISCORD_WEBHOOK_URL = fake_discord.url + f"/api/webhooks/{PUBLIC_WEBHOOK}/revoked-token"
    [delivery] = queue()

    assert send_delivery.delay(delivery.pk).result == "failed"
    clock.advance(24 * 3600)
    swept = sweep_pending_deliveries()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.last_error == "Discord 404: Unknown Webhook (code 10015)"
    assert swept == 0
    assert len(fake_discord.requests) == 1


def test_sms_failure_reason_never_holds_the_full_number(fake_twilio, settings):
    settings.SMS_RECIPIENTS = ["+919800000001"]  # unsubscribed at the fake
    [delivery] = queue()

    send_delivery.delay(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.last_error == (
        "Twilio 400 code 21610: the recipient has unsubscribed (replied STOP) (to +91 ******01)"
    )
    assert "9800000001" not in delivery.last_error


def test_task_run_twice_sends_one_message(fake_telegram):
    [delivery] = queue()

    outcomes = [send_delivery.delay(delivery.pk).result, send_delivery.delay(delivery.pk).result]

    assert outcomes == ["sent", "skipped"]
    assert len(fake_telegram.messages) == 1
    assert Delivery.objects.get().attempts == 1


def test_delivery_leased_to_another_worker_is_not_sent(fake_telegram, clock):
    [delivery] = queue()
    assert claim(delivery.pk) is not None  # another worker holds it and is sending

    clock.advance(119)
    outcome = send_delivery.delay(delivery.pk).result

    assert outcome == "skipped"
    assert fake_telegram.requests == []


def test_delivery_left_sending_by_a_dead_worker_is_sent_once_its_lease_expires(fake_telegram, clock):
    [delivery] = queue()
    claim(delivery.pk)  # a worker claimed it, then died before sending (or before marking it sent)

    clock.advance(121)
    swept = sweep_pending_deliveries()

    delivery.refresh_from_db()
    assert swept == 1
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert len(fake_telegram.messages) == 1


def test_transient_errors_on_every_attempt_fail_the_delivery_after_the_last(fake_telegram, clock):
    fake_telegram.script(*[FakeTelegram.server_error()] * 4)
    [delivery] = queue()

    send_delivery.delay(delivery.pk)
    for _ in range(3):
        clock.advance(3600)
        sweep_pending_deliveries()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 4)
    assert delivery.last_error == "gave up after 4 attempts: NetworkError: Internal Server Error"
    assert fake_telegram.messages == []


def test_delivery_for_a_channel_no_longer_configured_fails(fake_telegram, settings):
    [delivery] = queue()
    settings.TELEGRAM_CHAT_ID = ""

    send_delivery.delay(delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == ("failed", "channel 'telegram' is not configured")
    assert fake_telegram.requests == []


def test_unknown_delivery_id_is_skipped():
    assert send_delivery.delay(987654321).result == "skipped"


def test_broker_down_at_commit_is_no_error_and_leaves_the_rows_pending(fake_telegram, fake_twilio, celery_broker_down,
                                                                       caplog, django_capture_on_commit_callbacks):
    with caplog.at_level(logging.WARNING, logger="notifications.services"):
        with django_capture_on_commit_callbacks(execute=True):
            deliveries = queue()

    assert statuses() == [("telegram", "pending", 0), ("sms", "pending", 0)]
    assert caplog.messages == [
        f"broker unavailable (OperationalError): 2 deliveries (ids from {deliveries[0].pk}) left pending for the sweep"
    ]
    assert fake_telegram.requests == fake_twilio.requests == []


# --- The sweep ------------------------------------------------------------------------------------------------


def test_sweep_sends_rows_that_no_task_picked_up(fake_telegram, fake_twilio):
    queue()  # committed, but its tasks never ran (the broker was down, or the worker lost them)

    swept = sweep_pending_deliveries()

    assert swept == 2
    assert statuses() == [("telegram", "sent", 1), ("sms", "sent", 1)]
    assert (len(fake_telegram.messages), len(fake_twilio.messages)) == (1, 1)


def test_sweep_leaves_rows_whose_task_is_most_likely_on_its_way(fake_telegram, settings, clock):
    settings.ALERT_SWEEP_AFTER = 60
    queue()
    clock.advance(59)

    swept = sweep_pending_deliveries()

    assert swept == 0
    assert statuses() == [("telegram", "pending", 0)]
    assert fake_telegram.requests == []


def test_sweep_warns_when_alerts_have_waited_too_long(fake_telegram, clock, caplog, settings):
    settings.ALERT_SWEEP_AFTER = 600  # the sweep does not send them: only the warning is under test
    [delivery] = queue()
    clock.advance(301)

    with caplog.at_level(logging.WARNING, logger="notifications.tasks"):
        sweep_pending_deliveries()

    assert caplog.messages == [
        "alert queue stalled: 1 deliveries overdue by more than 300 s, oldest is delivery "
        f"{delivery.pk} due since 2026-03-10T09:30:00+00:00; check that a worker consumes the alerts queue"
    ]


def test_sweep_does_not_warn_about_alerts_waiting_less_than_the_limit(fake_telegram, clock, caplog, settings):
    settings.ALERT_SWEEP_AFTER = 600
    queue()
    clock.advance(299)

    with caplog.at_level(logging.WARNING, logger="notifications.tasks"):
        sweep_pending_deliveries()

    assert caplog.messages == []


def test_send_pending_alerts_command_sends_due_rows_in_process(fake_telegram, settings):
    settings.ALERT_SWEEP_AFTER = 600  # the command does not wait for it
    queue()
    out = StringIO()

    call_command("send_pending_alerts", stdout=out)

    assert out.getvalue() == "1 due alert(s): 1 sent, 0 retry, 0 failed, 0 skipped\n"
    assert len(fake_telegram.messages) == 1
