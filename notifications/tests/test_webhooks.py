"""What Telegram and Twilio send us, through the fakes posting to a live server as the real services do: the bot's
/start and /stop, an SMS reply STOP, START or HELP; and requests without the right secret or signature refused."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from notifications.models import Delivery, Subscription

from .subscribers import BOT_USERNAME, KALYANI_NAGAR, WEBHOOK_SECRET, make_subscriber

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server, settings):
    settings.SITE_URL = live_server.url
    return live_server.url


# --- Telegram ---------------------------------------------------------------------------------------------------


def test_set_telegram_webhook_registers_the_url_and_the_secret(telegram_bot, site):
    call_command("set_telegram_webhook")

    assert telegram_bot.webhook == {"url": f"{site}/hooks/telegram", "secret_token": WEBHOOK_SECRET,
                                    "allowed_updates": ["message"]}


def test_starting_the_bot_with_the_token_confirms_the_subscription(telegram_bot, site):
    call_command("set_telegram_webhook")
    subscription = make_subscriber(KALYANI_NAGAR, channel=Subscription.Channel.TELEGRAM, address="",
                                   status=Subscription.Status.PENDING, radius_km=7)

    status = telegram_bot.deliver_update(telegram_bot.private_message(555001, f"/start {subscription.token}"))

    assert status == 200
    subscription.refresh_from_db()
    assert (subscription.status, subscription.address) == ("active", "555001")
    [reply] = telegram_bot.messages
    assert reply["chat_id"] == "555001"
    assert reply["text"] == ("You will get an alert here when a child goes missing within 7 km of the place you "
                             "chose. Send /stop to end these alerts.")


def test_a_used_or_unknown_token_confirms_nothing(telegram_bot, site):
    call_command("set_telegram_webhook")

    telegram_bot.deliver_update(telegram_bot.private_message(555001, "/start not-a-token-of-ours-0123456789"))

    assert Subscription.objects.count() == 0
    assert telegram_bot.messages[0]["text"].startswith("This link has expired or was used already.")


def test_stop_in_the_chat_ends_every_subscription_of_the_chat(telegram_bot, site):
    call_command("set_telegram_webhook")
    make_subscriber(KALYANI_NAGAR, channel=Subscription.Channel.TELEGRAM, address="555001")
    make_subscriber(KALYANI_NAGAR, channel=Subscription.Channel.TELEGRAM, address="555001", radius_km=20)
    other = make_subscriber(KALYANI_NAGAR, channel=Subscription.Channel.TELEGRAM, address="555002")

    telegram_bot.deliver_update(telegram_bot.private_message(555001, "/stop"))

    assert list(Subscription.objects.values_list("pk", flat=True)) == [other.pk]
    assert telegram_bot.messages[0]["text"].startswith("You will get no more alerts from Sachet.")


def test_update_without_the_secret_token_is_refused(telegram_bot, site):
    subscription = make_subscriber(KALYANI_NAGAR, channel=Subscription.Channel.TELEGRAM, address="555001")

    status = telegram_bot.deliver_update(telegram_bot.private_message(555001, "/stop"),
                                         url=f"{site}/hooks/telegram", secret="guessed")

    assert status == 403
    assert Subscription.objects.filter(pk=subscription.pk).exists() and telegram_bot.messages == []


def test_group_chats_are_ignored(telegram_bot, site, client):
    subscription = make_subscriber(KALYANI_NAGAR, channel=Subscription.Channel.TELEGRAM, address="",
                                   status=Subscription.Status.PENDING)
    update = telegram_bot.private_message(-100123, f"/start {subscription.token}")
    update["message"]["chat"]["type"] = "group"

    response = client.post("/hooks/telegram", update, content_type="application/json",
                           HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=WEBHOOK_SECRET)

    assert response.status_code == 200 and response.json() == {"ok": True}
    subscription.refresh_from_db()
    assert subscription.status == "pending"


def test_webhook_answers_404_when_telegram_subscriptions_are_off(client):
    response = client.post("/hooks/telegram", {}, content_type="application/json")

    assert response.status_code == 404


# --- Twilio -------------------------------------------------------------------------------------------------------


def test_reply_stop_ends_the_subscriptions_and_forgets_the_number(sms_service, site):
    subscription = make_subscriber(KALYANI_NAGAR, channel=Subscription.Channel.SMS, address="+919822000001")
    sent = Delivery.objects.create(event_key="case:X:area:new", channel="sms_subscriber", recipient="+919822000001",
                                   title="t", link="https://x.example/", audience="public", kind="area_new",
                                   bulk=True, status="sent", sent_at=subscription.created_at)

    status, replies = sms_service.send_inbound(f"{site}/hooks/twilio/sms", from_="+919822000001", body="STOP")

    assert status == 200
    assert replies == ["Sachet: you will get no more alerts. To subscribe again: " + site + "/subscribe"]
    assert Subscription.objects.count() == 0
    sent.refresh_from_db()
    assert sent.recipient == f"+91 ******01#{sent.pk}"


def test_help_and_start_get_an_answer_and_change_nothing(sms_service, site):
    make_subscriber(KALYANI_NAGAR, channel=Subscription.Channel.SMS, address="+919822000001")

    _status, help_reply = sms_service.send_inbound(f"{site}/hooks/twilio/sms", from_="+919822000001", body="help")
    _status, start_reply = sms_service.send_inbound(f"{site}/hooks/twilio/sms", from_="+919822000001", body="START")

    assert help_reply[0].startswith("Sachet alerts about missing children near you. Reply STOP to end them.")
    assert start_reply == [f"Sachet: to get alerts about missing children near you, subscribe at {site}/subscribe"]
    assert Subscription.objects.count() == 1


def test_inbound_sms_with_a_wrong_signature_is_refused(sms_service, site):
    make_subscriber(KALYANI_NAGAR, channel=Subscription.Channel.SMS, address="+919822000001")

    status, replies = sms_service.send_inbound(f"{site}/hooks/twilio/sms", from_="+919822000001", body="STOP",
                                               signature="bm90IGEgc2lnbmF0dXJl")

    assert (status, replies) == (403, [])
    assert Subscription.objects.count() == 1


def test_reply_in_the_subscribers_language(sms_service, site):
    make_subscriber(KALYANI_NAGAR, channel=Subscription.Channel.SMS, address="+919822000001", language="hi")

    _status, [reply] = sms_service.send_inbound(f"{site}/hooks/twilio/sms", from_="+919822000001", body="HELP")

    assert reply.startswith("Sachet") and "STOP" in reply and "अलर्ट" in reply


def test_the_bot_username_is_in_the_settings(settings, telegram_bot):
    assert settings.TELEGRAM_BOT_USERNAME == BOT_USERNAME
