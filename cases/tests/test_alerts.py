"""Alerts about cases, end to end: the cases services write the outbox rows in their transaction, the tasks send
them through the real client libraries to local fakes of Telegram, Discord and Twilio."""

from __future__ import annotations

import datetime
import json
import logging
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from cases import alerts, services
from cases.models import Case, Verdict
from notifications.models import Delivery
from notifications.tasks import sweep_pending_deliveries
from tests.factories import jpeg_bytes
from tests.fakes.discord import FakeDiscord
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio
from tests.worker import celery_broker_down, celery_worker_process  # noqa: F401 - fixtures

SITE = "https://sachet.example.org"
PUBLIC_CHAT, STAFF_CHAT = "@sachet_alerts", "-1001234567890"
PUBLIC_HOOK, STAFF_HOOK = "1111111111111111111", "2222222222222222222"
SMS_TO = "+919876543210"
REPORTER_PHONE = "+919822000999"
SIGHTING_PHONE = "+919900012345"
LAST_SEEN = datetime.datetime(2026, 3, 10, 9, 30, tzinfo=datetime.UTC)  # 3:00 PM in India

pytestmark = pytest.mark.django_db


@pytest.fixture
def fakes(settings):
    """All three providers faked, public and staff destinations configured, in this process's settings and as
    environment variables for a worker process."""
    with (
        FakeTelegram(chats=(PUBLIC_CHAT, STAFF_CHAT)) as telegram,
        FakeDiscord({PUBLIC_HOOK: "public-token", STAFF_HOOK: "staff-token"}) as discord,
        FakeTwilio() as twilio,
    ):
        values = {
            "SITE_URL": SITE,
            "TELEGRAM_API_BASE_URL": telegram.base_url,
            "TELEGRAM_BOT_TOKEN": telegram.token,
            "TELEGRAM_CHAT_ID": PUBLIC_CHAT,
            "TELEGRAM_STAFF_CHAT_ID": STAFF_CHAT,
            "DISCORD_WEBHOOK_URL": discord.webhook_url(PUBLIC_HOOK),
            "DISCORD_STAFF_WEBHOOK_URL": discord.webhook_url(STAFF_HOOK),
            "TWILIO_API_BASE_URL": twilio.url,
            "TWILIO_ACCOUNT_SID": twilio.account_sid,
            "TWILIO_AUTH_TOKEN": twilio.auth_token,
            "TWILIO_FROM_NUMBER": "+15005550006",
            "SMS_RECIPIENTS": SMS_TO,
            "ALERT_HTTP_TIMEOUT": "2",
        }
        for name, value in values.items():
            setattr(settings, name, value)
        settings.SMS_RECIPIENTS = [SMS_TO]
        settings.ALERT_HTTP_TIMEOUT = 2.0
        settings.ALERT_SWEEP_AFTER = 0
        yield SimpleNamespace(telegram=telegram, discord=discord, twilio=twilio, env=values)


def report(**overrides) -> Case:
    values = dict(
        name="Aarav Sharma", age=7, gender="male", description="Red T-shirt, blue shorts, white sandals.",
        last_seen_place="Koregaon Park, Pune", last_seen_specific="near the Osho garden gate",
        last_seen_at=LAST_SEEN, contact_name="Priya Sharma", contact_phone="+919822000101",
        reporter_name="Priya Sharma", reporter_phone=REPORTER_PHONE, consent_version="2026-12",
    )
    values.update(overrides)
    return services.report_case(**values)


def sight(case: Case, **overrides):
    values = dict(case=case, place="Kalyani Nagar, Pune", seen_at=LAST_SEEN + datetime.timedelta(hours=2),
                  description="Boy in a red T-shirt near the bridge.", latitude=Decimal("18.548600"),
                  longitude=Decimal("73.902300"), reporter_phone=SIGHTING_PHONE)
    values.update(overrides)
    return services.record_sighting(**values)


@pytest.fixture
def reported(fakes, django_capture_on_commit_callbacks) -> Case:
    with django_capture_on_commit_callbacks(execute=True):
        return report()


def public_telegram(fakes) -> list[dict]:
    return [m for m in fakes.telegram.messages if m["chat_id"] == PUBLIC_CHAT]


def everything_received(fakes) -> str:
    """Every byte the fakes were sent, decoded (form bodies URL-decoded): what could ever leak."""
    from urllib.parse import unquote_plus

    return "\n".join(unquote_plus(r.body.decode()) for f in (fakes.telegram, fakes.discord, fakes.twilio)
                     for r in f.requests)


# --- New case -------------------------------------------------------------------------------------------------


def test_new_case_alert_names_the_child_place_local_time_description_and_reference(reported, fakes):
    [sent] = public_telegram(fakes)

    assert sent["chat_id"] == PUBLIC_CHAT
    assert sent["text"] == (
        "Missing: Aarav Sharma, 7\n\n"
        "Last seen at Koregaon Park, Pune (near the Osho garden gate) on 10 Mar 2026, 3:00 PM IST. "
        f"Red T-shirt, blue shorts, white sandals. Case {reported.reference}. If you see this child, report it at "
        f"the link.\n\n{SITE}/case/{reported.reference}"
    )


def test_new_case_alert_goes_to_the_public_channels_and_sms_only(reported, fakes):
    deliveries = [d for d in alerts.deliveries_for_case(reported) if d.event_key.endswith(":reported")]

    assert [(d.event_key, d.channel, d.status) for d in deliveries] == [
        (f"case:{reported.reference}:reported", "telegram", "sent"),
        (f"case:{reported.reference}:reported", "discord", "sent"),
        (f"case:{reported.reference}:reported", "sms", "sent"),
    ]
    assert [m["webhook_id"] for m in fakes.discord.messages if "Missing:" in json.dumps(m)] == [PUBLIC_HOOK]


def test_every_report_tells_staff_at_once_with_the_admin_link(reported, fakes):
    deliveries = [d for d in alerts.deliveries_for_case(reported) if d.event_key.endswith(":received")]
    [staff] = [m for m in fakes.telegram.messages if m["chat_id"] == STAFF_CHAT]

    assert [(d.channel, d.audience, d.status) for d in deliveries] == [
        ("telegram_staff", "staff", "sent"), ("discord_staff", "staff", "sent"), ("sms", "staff", "sent")]
    admin_link = SITE + reverse("admin:cases_case_change", args=[reported.pk])
    assert staff["text"].startswith(f"New report: Aarav Sharma, 7 ({reported.reference})\n\nLast seen at Koregaon")
    assert staff["text"].endswith(f"\n\n{admin_link}")
    assert "Waiting for confirmation" not in staff["text"]  # REPORT_VERIFICATION=none: published at once


def test_new_case_alert_carries_the_photo_as_an_absolute_url(fakes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = report(photo=ContentFile(jpeg_bytes(), name="aarav.jpg"))

    photo_url = f"{SITE}/media/{case.photo.name}"
    assert [(m["method"], m["photo"]) for m in public_telegram(fakes)] == [("sendPhoto", photo_url)]
    [public_embed] = [m for m in fakes.discord.messages if m["webhook_id"] == PUBLIC_HOOK]
    assert public_embed["embeds"][0]["image"] == {"url": photo_url}


def test_new_case_sms_is_one_segment_ending_with_the_case_link(reported, fakes):
    [sms] = [m for m in fakes.twilio.messages if m["body"].startswith("Missing:")]

    assert sms["to"] == SMS_TO
    assert len(sms["body"]) <= 160
    assert sms["body"].startswith("Missing: Aarav Sharma, 7: Last seen at Koregaon Park, Pune")
    assert sms["body"].endswith(f"... {SITE}/case/{reported.reference}")


def test_rolled_back_report_creates_no_delivery_and_sends_nothing(fakes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                report()
                raise RuntimeError("something after the report failed")

    assert Case.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert everything_received(fakes) == ""


def test_report_made_while_the_broker_is_down_is_saved_and_alerted_once_it_is_back(
    fakes, celery_broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = report()  # the commit's attempt to enqueue fails on the closed port, and is not an error

    assert Case.objects.get().reference == case.reference
    assert list(Delivery.objects.values_list("status", flat=True)) == ["pending"] * 6  # staff and public
    assert fakes.telegram.requests == fakes.discord.requests == fakes.twilio.requests == []

    celery_broker_down.end()
    sweep_pending_deliveries()

    assert list(Delivery.objects.values_list("status", flat=True)) == ["sent"] * 6
    assert (len(fakes.telegram.messages), len(fakes.discord.messages), len(fakes.twilio.messages)) == (2, 2, 2)


def test_misconfigured_site_url_does_not_lose_the_report(fakes, settings, caplog,
                                                         django_capture_on_commit_callbacks):
    settings.SITE_URL = "sachet.example.org"  # no scheme: not a link any channel could carry

    with caplog.at_level(logging.ERROR, logger="cases.alerts"):
        case = report()

    assert Case.objects.get().reference == case.reference
    assert Delivery.objects.count() == 0
    assert caplog.messages[-1] == (f"alert case:{case.reference}:reported not queued: link must be an http(s) URL, "
                                   f"not 'sachet.example.org/case/{case.reference}'")
    assert caplog.messages[0].startswith(f"alert case:{case.reference}:received not queued: link must be an http(s)")


# --- Sightings and face matches (staff only) ------------------------------------------------------------------


def test_sighting_alert_goes_to_staff_channels_only(reported, fakes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sighting = sight(reported)

    key = f"case:{reported.reference}:sighting:{sighting.pk}"
    channels = list(Delivery.objects.filter(event_key=key).order_by("id").values_list("channel", flat=True))
    assert channels == ["telegram_staff", "discord_staff", "sms"]
    assert fakes.telegram.messages[-1]["chat_id"] == STAFF_CHAT
    assert fakes.discord.messages[-1]["webhook_id"] == STAFF_HOOK
    assert [m["chat_id"] for m in public_telegram(fakes)] == [PUBLIC_CHAT]  # the report's alert only


def test_sighting_alert_says_where_when_what_with_links_to_the_case_and_the_admin(
    reported, fakes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sighting = sight(reported)

    admin_link = SITE + reverse("admin:cases_sighting_change", args=[sighting.pk])
    assert fakes.telegram.messages[-1]["text"] == (
        f"Sighting: Aarav Sharma ({reported.reference})\n\n"
        "Seen at Kalyani Nagar, Pune on 10 Mar 2026, 5:00 PM IST. Boy in a red T-shirt near the bridge. "
        f"Review: {admin_link}\n\n{SITE}/case/{reported.reference}"
    )


def test_reporters_phone_numbers_never_reach_any_channel(reported, fakes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sighting = sight(reported, description=f"Saw him at the bus stop, call me on {SIGHTING_PHONE}")
        alerts.face_match(sighting, reported, 91, Verdict.LIKELY)
        services.change_status(case=reported, to="found", note=f"Called {REPORTER_PHONE}")

    received = everything_received(fakes)
    assert len(fakes.telegram.messages) == 5  # report (staff and public), sighting, match, found
    assert "Saw him at the bus stop, call me on +91 ******45" in received
    for phone in (REPORTER_PHONE, SIGHTING_PHONE):
        assert phone[3:] not in received  # not even without the country code


def test_face_match_alert_goes_to_staff_with_the_score_and_verdict(reported, fakes,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        sighting = sight(reported)
    with django_capture_on_commit_callbacks(execute=True):
        deliveries = alerts.face_match(sighting, reported, 91, Verdict.LIKELY)

    assert [(d.event_key, d.channel) for d in deliveries] == [
        (f"case:{reported.reference}:match:{sighting.pk}", channel) for channel in ("telegram_staff",
                                                                                      "discord_staff", "sms")
    ]
    assert fakes.telegram.messages[-1]["chat_id"] == STAFF_CHAT
    assert fakes.telegram.messages[-1]["text"].startswith(
        f"Face match to review: Aarav Sharma ({reported.reference})\n\nThe photo of a sighting at Kalyani Nagar, "
        "Pune on 10 Mar 2026, 5:00 PM IST resembles the case photo: likely the same child, score 91/100. "
        "Compare the photos before acting on it. Review: "
    )


# --- Status changes (public) ----------------------------------------------------------------------------------


def test_found_alert_asks_everyone_to_stop_sharing(reported, fakes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        change = services.change_status(case=reported, to="found", note="Found at Pune station")

    assert Delivery.objects.filter(event_key=f"case:{reported.reference}:status:{change.pk}").count() == 3
    assert fakes.telegram.messages[-1]["text"] == (
        f"Found safe: Aarav Sharma\n\nAarav Sharma (case {reported.reference}) has been found safe. Please stop "
        f"sharing the alert and take down the posters. Thank you for helping.\n\n{SITE}/case/{reported.reference}"
    )
    assert fakes.telegram.messages[-1]["method"] == "sendMessage"


def test_missing_again_alert_asks_everyone_to_share_again(reported, fakes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(case=reported, to="found")
        services.change_status(case=reported, to="missing")

    assert fakes.telegram.messages[-1]["text"].startswith(
        "Missing again: Aarav Sharma, 7\n\nAarav Sharma is missing again. Last seen at Koregaon Park, Pune"
    )
    assert fakes.telegram.messages[-1]["text"].endswith(
        f"Case {reported.reference}. Please share again.\n\n{SITE}/case/{reported.reference}"
    )


def test_closed_alert_says_the_case_is_closed(reported, fakes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(case=reported, to="closed")

    assert fakes.discord.messages[-1]["embeds"][0]["title"] == "Case closed: Aarav Sharma"
    assert fakes.discord.messages[-1]["embeds"][0]["description"] == (
        f"Case {reported.reference} is closed. Please stop sharing the alert and take down the posters.\n\n"
        f"{SITE}/case/{reported.reference}"
    )


# --- For the case admin -----------------------------------------------------------------------------------------


def test_deliveries_for_case_include_its_sightings_and_no_other_case(fakes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = report()
        other = report(name="Ananya Iyer")
        sight(case)
        sight(other)

    assert [d.event_key.split(":")[2] for d in alerts.deliveries_for_case(case)] == [
        "received"] * 3 + ["reported"] * 3 + ["sighting"] * 3
    assert {d.event_key.split(":")[1] for d in alerts.deliveries_for_case(case)} == {case.reference}


def test_resend_failed_queues_the_cases_failed_deliveries_again(reported, fakes,
                                                                django_capture_on_commit_callbacks):
    Delivery.objects.filter(channel="telegram").update(status="failed", last_error="Forbidden: bot was kicked")

    with django_capture_on_commit_callbacks(execute=True):
        count = alerts.resend_failed(reported)

    assert count == 1
    assert len(public_telegram(fakes)) == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_resend_failed_with_nothing_failed_sends_nothing(reported, fakes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        count = alerts.resend_failed(reported)

    assert count == 0
    assert len(public_telegram(fakes)) == 1


# --- A real worker ----------------------------------------------------------------------------------------------


@pytest.mark.worker
def test_reported_case_reaches_every_channel_through_a_real_worker(fakes, celery_worker_process):
    worker = celery_worker_process(env=fakes.env)

    case = report()  # committed: the test database is live (transactional_db), the worker sees the rows

    worker.wait_until(lambda: fakes.telegram.messages and fakes.discord.messages and fakes.twilio.messages)
    worker.wait_until(lambda: Delivery.objects.filter(status="sent").count() == 6)  # staff and public
    assert sorted(m["chat_id"] for m in fakes.telegram.messages) == sorted([PUBLIC_CHAT, STAFF_CHAT])
    assert json.dumps(fakes.discord.messages[0]["embeds"]).count(case.reference) >= 1
    assert [m["to"] for m in fakes.twilio.messages] == [SMS_TO, SMS_TO]  # staff's "new report", then the alert
    assert REPORTER_PHONE[3:] not in everything_received(fakes)
