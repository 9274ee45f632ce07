"""Each channel driven through its real client library against a local fake of the provider."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import pytest

from notifications.channels import (
    ChannelNotConfigured,
    Message,
    PermanentError,
    TransientError,
    configuration_problems,
    enabled_channels,
    get_channel,
)
from notifications.channels.formatting import sms_text
from tests.fakes.discord import FakeDiscord
from tests.fakes.server import Response
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio

from .conftest import PUBLIC_CHAT, SMS_FROM, SMS_TO, STAFF_CHAT, make_message

SHORT_TIMEOUT = 0.3  # the time-out tests' ALERT_HTTP_TIMEOUT (conftest's is generous, for a busy machine)
SLOW = 0.6  # longer than SHORT_TIMEOUT

# --- Telegram -------------------------------------------------------------------------------------------------


def test_telegram_sends_text_message_with_escaped_html(fake_telegram):
    message = make_message(title="Missing: <b>Asha</b> & Ravi", body="Seen near *gate* <script>")

    result = get_channel("telegram").send(message, PUBLIC_CHAT)

    [sent] = fake_telegram.messages
    assert result.provider_message_id == str(sent["message_id"])
    assert sent["method"] == "sendMessage"
    assert sent["chat_id"] == PUBLIC_CHAT
    assert sent["parse_mode"] == "HTML"
    assert sent["text"] == (
        "Missing: <b>Asha</b> & Ravi\n\nSeen near *gate* <script>\n\nhttps://sachet.example/cases/SCH-0042/"
    )
    assert sent["links"] == ["https://sachet.example/cases/SCH-0042/"]


def test_telegram_sends_photo_with_caption_when_message_has_photo(fake_telegram):
    message = make_message(photo_url="https://sachet.example/media/cases/42.jpg")

    get_channel("telegram").send(message, PUBLIC_CHAT)

    [sent] = fake_telegram.messages
    assert sent["method"] == "sendPhoto"
    assert sent["photo"] == "https://sachet.example/media/cases/42.jpg"
    assert sent["text"] == (
        "Missing: Asha Verma, 7\n\nLast seen near Sarojini Nagar market at 4 pm, wearing a red frock.\n\n"
        "https://sachet.example/cases/SCH-0042/"
    )


def test_telegram_caption_is_cut_to_1024_and_keeps_the_link(fake_telegram):
    message = make_message(body="Seen near the bus stand. " * 100, photo_url="https://sachet.example/p.jpg")

    get_channel("telegram").send(message, PUBLIC_CHAT)

    [sent] = fake_telegram.messages
    assert len(sent["text"]) <= 1024
    assert sent["text"].endswith("…\n\nhttps://sachet.example/cases/SCH-0042/")


def test_telegram_sends_text_alone_when_telegram_cannot_fetch_the_photo(fake_telegram):
    fake_telegram.script(FakeTelegram.photo_unreachable())
    message = make_message(photo_url="http://localhost:8000/media/cases/42.jpg")

    result = get_channel("telegram").send(message, PUBLIC_CHAT)

    [sent] = fake_telegram.messages
    assert sent["method"] == "sendMessage"
    assert result.provider_message_id == str(sent["message_id"])


def test_telegram_staff_channel_posts_to_the_staff_chat(fake_telegram, settings):
    settings.TELEGRAM_STAFF_CHAT_ID = STAFF_CHAT
    channel = get_channel("telegram_staff")

    channel.send(make_message(audience="staff", kind="sighting"), channel.recipients()[0])

    assert [sent["chat_id"] for sent in fake_telegram.messages] == [STAFF_CHAT]


def test_telegram_server_error_is_transient(fake_telegram):
    fake_telegram.script(FakeTelegram.server_error())

    with pytest.raises(TransientError) as caught:
        get_channel("telegram").send(make_message(), PUBLIC_CHAT)

    assert caught.value.reason == "NetworkError: Internal Server Error"
    assert caught.value.retry_after is None
    assert fake_telegram.messages == []


def test_telegram_time_out_is_transient(fake_telegram, settings):
    settings.ALERT_HTTP_TIMEOUT = SHORT_TIMEOUT
    fake_telegram.script(Response(200, {"ok": True, "result": {}}, delay=SLOW))

    with pytest.raises(TransientError) as caught:
        get_channel("telegram").send(make_message(), PUBLIC_CHAT)

    assert caught.value.reason.startswith("TimedOut:")
    assert fake_telegram.messages == []


# PTB 22 itself warns when it builds RetryAfter; the channel silences that outside pytest, which resets filters.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_telegram_flood_control_is_transient_with_retry_after(fake_telegram):
    fake_telegram.script(FakeTelegram.too_many_requests(retry_after=2))

    with pytest.raises(TransientError) as caught:
        get_channel("telegram").send(make_message(), PUBLIC_CHAT)

    assert caught.value.retry_after == 2.0
    assert fake_telegram.messages == []


def test_telegram_rejected_token_is_permanent_and_not_in_the_reason(fake_telegram, settings):
    settings.TELEGRAM_BOT_TOKEN = "7000000001:AAF-revoked-token"

    with pytest.raises(PermanentError) as caught:
        get_channel("telegram").send(make_message(), PUBLIC_CHAT)

    assert caught.value.reason == "InvalidToken: the bot token was rejected (TELEGRAM_BOT_TOKEN)"
    assert "AAF-revoked-token" not in str(caught.value)
    assert fake_telegram.messages == []


def test_telegram_unknown_chat_is_permanent(fake_telegram):
    with pytest.raises(PermanentError) as caught:
        get_channel("telegram").send(make_message(), "@no_such_channel")

    assert caught.value.reason == "BadRequest: Chat not found"
    assert fake_telegram.messages == []


def test_telegram_bot_removed_from_chat_is_permanent(fake_telegram):
    fake_telegram.script(FakeTelegram.bot_kicked())

    with pytest.raises(PermanentError) as caught:
        get_channel("telegram").send(make_message(), PUBLIC_CHAT)

    assert caught.value.reason == "Forbidden: Forbidden: bot was kicked from the channel chat"


def test_telegram_send_works_from_code_already_running_an_event_loop(fake_telegram):
    async def send_from_async_code():
        return get_channel("telegram").send(make_message(), PUBLIC_CHAT)

    result = asyncio.run(send_from_async_code())

    assert result.provider_message_id == str(fake_telegram.messages[0]["message_id"])


# --- Discord --------------------------------------------------------------------------------------------------


def test_discord_posts_one_embed_and_returns_the_message_id(fake_discord):
    channel = get_channel("discord")
    message = make_message(photo_url="https://sachet.example/media/cases/42.jpg")

    result = channel.send(message, "1111111111111111111")

    [sent] = fake_discord.messages
    assert result.provider_message_id == sent["id"]
    assert sent["webhook_id"] == "1111111111111111111"
    assert sent["embeds"] == [
        {
            "title": "Missing: Asha Verma, 7",
            "description": "Last seen near Sarojini Nagar market at 4 pm, wearing a red frock.\n\n"
            "https://sachet.example/cases/SCH-0042/",
            "url": "https://sachet.example/cases/SCH-0042/",
            "color": 0xD93025,
            "image": {"url": "https://sachet.example/media/cases/42.jpg"},
        }
    ]


def test_discord_everyone_in_text_never_pings(fake_discord):
    get_channel("discord").send(make_message(body="@everyone look out"), "1111111111111111111")

    [sent] = fake_discord.messages
    assert sent["allowed_mentions"] == {"parse": []}


def test_discord_markdown_in_text_is_escaped(fake_discord):
    get_channel("discord").send(make_message(body="**Ravi** _was_ ~~here~~ ||now||"), "1111111111111111111")

    [sent] = fake_discord.messages
    assert sent["embeds"][0]["description"].split("\n\n")[0] == r"\*\*Ravi\*\* \_was\_ \~\~here\~\~ \|\|now\|\|"


def test_discord_recipient_is_the_webhook_id_never_the_url(fake_discord):
    assert get_channel("discord").recipients() == ["1111111111111111111"]


def test_discord_staff_webhook_serves_staff_messages(fake_discord, settings):
    settings.DISCORD_STAFF_WEBHOOK_URL = fake_discord.webhook_url("2222222222222222222")

    get_channel("discord_staff").send(make_message(audience="staff"), "2222222222222222222")

    assert [sent["webhook_id"] for sent in fake_discord.messages] == ["2222222222222222222"]


def test_discord_recipient_other_than_configured_webhook_is_permanent_and_not_sent(fake_discord):
    with pytest.raises(PermanentError):
        get_channel("discord").send(make_message(), "9999999999999999999")

    assert fake_discord.requests == []


def test_discord_rate_limit_is_transient_with_retry_after_from_json(fake_discord):
    fake_discord.script(FakeDiscord.rate_limited(retry_after=1.5))

    with pytest.raises(TransientError) as caught:
        get_channel("discord").send(make_message(), "1111111111111111111")

    assert caught.value.retry_after == 1.5
    assert fake_discord.messages == []


def test_discord_rate_limit_without_json_uses_retry_after_header(fake_discord):
    fake_discord.script(Response(429, "rate limited", headers={"Retry-After": "3"}))

    with pytest.raises(TransientError) as caught:
        get_channel("discord").send(make_message(), "1111111111111111111")

    assert caught.value.retry_after == 3.0


def test_discord_unknown_webhook_is_permanent(fake_discord, settings):
    settings.DISCORD_WEBHOOK_URL = fake_discord.url + "/api/webhooks/1111111111111111111/deleted-token"

    with pytest.raises(PermanentError) as caught:
        get_channel("discord").send(make_message(), "1111111111111111111")

    assert caught.value.reason == "Discord 404: Unknown Webhook (code 10015)"
    assert fake_discord.messages == []


def test_discord_server_error_is_transient(fake_discord):
    fake_discord.script(FakeDiscord.server_error())

    with pytest.raises(TransientError) as caught:
        get_channel("discord").send(make_message(), "1111111111111111111")

    assert caught.value.reason == "Discord 502: 502: Bad Gateway"
    assert fake_discord.messages == []


def test_discord_time_out_is_transient(fake_discord, settings):
    settings.ALERT_HTTP_TIMEOUT = SHORT_TIMEOUT
    fake_discord.script(Response(200, {"id": "1"}, delay=SLOW))

    with pytest.raises(TransientError) as caught:
        get_channel("discord").send(make_message(), "1111111111111111111")

    assert caught.value.reason == "timed out waiting for Discord"


def test_discord_connection_refused_is_transient_without_the_webhook_token(settings):
    with FakeDiscord({"1111111111111111111": "secret-webhook-token"}) as fake:
        settings.DISCORD_WEBHOOK_URL = fake.webhook_url()
    # the fake is stopped: nothing listens on its port any more

    with pytest.raises(TransientError) as caught:
        get_channel("discord").send(make_message(), "1111111111111111111")

    assert caught.value.reason == "connection to Discord failed (ConnectError)"


# --- SMS ------------------------------------------------------------------------------------------------------


def test_sms_sends_one_segment_and_returns_the_sid(fake_twilio):
    message = make_message()

    result = get_channel("sms").send(message, SMS_TO)

    [sent] = fake_twilio.messages
    assert result.provider_message_id == sent["sid"]
    assert result.provider_message_id.startswith("SM")
    assert (sent["to"], sent["from"]) == (SMS_TO, SMS_FROM)
    assert sent["body"] == sms_text(message)
    assert sent["body"] == (
        "Missing: Asha Verma, 7: Last seen near Sarojini Nagar market at 4 pm, wearing a red frock. "
        "https://sachet.example/cases/SCH-0042/"
    )


def test_sms_in_devanagari_fits_one_ucs2_segment_with_the_link(fake_twilio):
    message = make_message(
        title="लापता: आशा वर्मा, 7", body="सरोजिनी नगर बाज़ार के पास शाम 4 बजे देखी गई, लाल फ्रॉक पहने।"
    )

    get_channel("sms").send(message, SMS_TO)

    [sent] = fake_twilio.messages
    assert len(sent["body"]) <= 70
    assert sent["body"].endswith("… https://sachet.example/cases/SCH-0042/")


def test_sms_invalid_number_is_permanent_with_masked_number(fake_twilio):
    with pytest.raises(PermanentError) as caught:
        get_channel("sms").send(make_message(), "98765 43210")

    assert caught.value.reason == "Twilio 400 code 21211: invalid phone number (to +91 ******10)"
    assert fake_twilio.messages == []


def test_sms_unsubscribed_recipient_is_permanent(fake_twilio):
    with pytest.raises(PermanentError) as caught:
        get_channel("sms").send(make_message(), "+919800000001")

    assert caught.value.reason == (
        "Twilio 400 code 21610: the recipient has unsubscribed (replied STOP) (to +91 ******01)"
    )
    assert fake_twilio.messages == []


def test_sms_rejected_credentials_are_permanent(fake_twilio, settings):
    settings.TWILIO_AUTH_TOKEN = "wrong-token"

    with pytest.raises(PermanentError) as caught:
        get_channel("sms").send(make_message(), SMS_TO)

    assert caught.value.reason == (
        "Twilio 401 code 20003: Twilio rejected the account SID or auth token (to +91 ******10)"
    )
    assert fake_twilio.messages == []


def test_sms_rate_limit_is_transient_with_retry_after(fake_twilio):
    fake_twilio.script(FakeTwilio.too_many_requests(retry_after=3))

    with pytest.raises(TransientError) as caught:
        get_channel("sms").send(make_message(), SMS_TO)

    assert caught.value.retry_after == 3.0
    assert fake_twilio.messages == []


def test_sms_server_error_is_transient(fake_twilio):
    fake_twilio.script(FakeTwilio.server_error())

    with pytest.raises(TransientError) as caught:
        get_channel("sms").send(make_message(), SMS_TO)

    assert caught.value.reason == "Twilio 500 code 20500: Internal Server Error (to +91 ******10)"
    assert caught.value.retry_after is None


def test_sms_time_out_is_transient(fake_twilio, settings):
    settings.ALERT_HTTP_TIMEOUT = SHORT_TIMEOUT
    fake_twilio.script(Response(201, {"sid": "SMlate"}, delay=SLOW))

    with pytest.raises(TransientError) as caught:
        get_channel("sms").send(make_message(), SMS_TO)

    assert caught.value.reason == "timed out sending SMS to +91 ******10"


# --- Registry -------------------------------------------------------------------------------------------------


def test_with_nothing_configured_only_the_log_channel_is_enabled():
    assert [channel.name for channel in enabled_channels()] == ["log"]


def test_configured_channels_replace_the_log_channel(fake_telegram, fake_discord, fake_twilio):
    assert [channel.name for channel in enabled_channels()] == ["telegram", "discord", "sms"]


def test_staff_messages_go_only_to_staff_channels_and_sms(fake_telegram, fake_discord, fake_twilio, settings):
    settings.TELEGRAM_STAFF_CHAT_ID = STAFF_CHAT
    settings.DISCORD_STAFF_WEBHOOK_URL = fake_discord.webhook_url("2222222222222222222")

    assert [channel.name for channel in enabled_channels("staff")] == ["telegram_staff", "discord_staff", "sms"]


def test_public_messages_never_go_to_staff_channels(fake_telegram, fake_discord, fake_twilio, settings):
    settings.TELEGRAM_STAFF_CHAT_ID = STAFF_CHAT
    settings.DISCORD_STAFF_WEBHOOK_URL = fake_discord.webhook_url("2222222222222222222")

    assert [channel.name for channel in enabled_channels("public")] == ["telegram", "discord", "sms"]


def test_sms_recipients_are_the_configured_numbers(fake_twilio, settings):
    settings.SMS_RECIPIENTS = ["+919876543210", "+919812345678"]

    assert get_channel("sms").recipients() == ["+919876543210", "+919812345678"]


def test_half_configured_telegram_stays_off_and_is_reported(settings):
    settings.TELEGRAM_BOT_TOKEN = "7000000001:AAF-fake-token"

    assert [channel.name for channel in enabled_channels()] == ["log"]
    assert configuration_problems() == [
        "Telegram needs both TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID (or TELEGRAM_STAFF_CHAT_ID)."
    ]


def test_sms_without_recipients_sends_no_alerts_but_messages_to_one_number(fake_twilio, settings):
    settings.SMS_RECIPIENTS = []

    assert [channel.name for channel in enabled_channels()] == ["log"]
    assert configuration_problems() == []
    result = get_channel("sms").send(make_message(), "+14155552671")
    assert [(m["sid"], m["to"]) for m in fake_twilio.messages] == [(result.provider_message_id, "+14155552671")]


def test_sms_recipients_without_twilio_are_reported(settings):
    settings.SMS_RECIPIENTS = ["+919876543210"]

    assert [channel.name for channel in enabled_channels()] == ["log"]
    assert configuration_problems() == [
        "SMS is half configured: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER missing."
    ]


def test_sms_recipients_not_in_e164_form_are_reported_masked(fake_twilio, settings):
    settings.SMS_RECIPIENTS = ["+919876543210", "098123 45678"]

    assert configuration_problems() == [
        "SMS_RECIPIENTS must be numbers in E.164 form (+919822012345): +91 ******78."
    ]


def test_malformed_discord_webhook_url_stays_off_and_is_reported(settings):
    settings.DISCORD_WEBHOOK_URL = "https://discord.com/channels/123/456"

    assert [channel.name for channel in enabled_channels()] == ["log"]
    assert configuration_problems() == [
        "DISCORD_WEBHOOK_URL is not a Discord webhook URL (https://discord.com/api/webhooks/<id>/<token>)."
    ]


def test_complete_configuration_has_no_problems(fake_telegram, fake_discord, fake_twilio):
    assert configuration_problems() == []


def test_get_channel_that_is_not_configured_raises_permanent_error():
    with pytest.raises(ChannelNotConfigured) as caught:
        get_channel("telegram")

    assert isinstance(caught.value, PermanentError)
    assert caught.value.reason == "channel 'telegram' is not configured"


def test_unknown_audience_is_refused():
    with pytest.raises(ValueError):
        enabled_channels("everyone")


# --- Log channel ----------------------------------------------------------------------------------------------


def test_log_channel_logs_the_alert_with_phone_numbers_masked(caplog):
    message = make_message(body="Seen by a shopkeeper, call +91 98765 43210 or 011-2345-6789.")

    with caplog.at_level(logging.INFO, logger="notifications.alerts"):
        result = get_channel("log").send(message, "log")

    [record] = caplog.records
    assert record.getMessage() == (
        f"alert {result.provider_message_id} kind=new_case audience=public title='Missing: Asha Verma, 7' "
        "body='Seen by a shopkeeper, call +91 ******10 or +91 ******89.' "
        "link=https://sachet.example/cases/SCH-0042/ photo=-"
    )
    assert "43210" not in caplog.text


# --- Message --------------------------------------------------------------------------------------------------


def test_message_survives_a_round_trip_through_a_dict():
    message = make_message(photo_url="https://sachet.example/p.jpg", audience="staff", kind="face_match")

    assert Message(**dataclasses.asdict(message)) == message


def test_message_refuses_a_non_web_link():
    with pytest.raises(ValueError):
        make_message(link="javascript:alert(1)")


def test_message_refuses_an_unknown_audience():
    with pytest.raises(ValueError):
        make_message(audience="everyone")
