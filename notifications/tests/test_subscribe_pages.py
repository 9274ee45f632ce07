"""/subscribe and its steps: a number is confirmed by code before any alert, Telegram by starting the bot, a browser
by its push subscription; the stop link; bad input answered with form errors."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from notifications.area import notify_area
from notifications.models import Delivery, PhoneCode, Subscription

from .subscribers import BOT_USERNAME, KALYANI_NAGAR, PUNE, hours_ago, make_subscriber, wording

pytestmark = pytest.mark.django_db


def form(**overrides) -> dict:
    values = {"place": "", "latitude": str(KALYANI_NAGAR[0]), "longitude": str(KALYANI_NAGAR[1]), "radius_km": "5",
              "channel": "sms_subscriber", "phone": "98220 12345", "language": "en", "consent": "on"}
    values.update(overrides)
    return values


def code_from(fake) -> str:
    return re.match(r"Sachet: (\d{6}) is your", fake.messages[-1]["body"]).group(1)


def test_page_offers_only_the_configured_channels(client, sms_service):
    response = client.get("/subscribe")

    assert response.status_code == 200
    choices = [value for value, _label in response.context["form"].fields["channel"].choices]
    assert choices == ["sms_subscriber"]
    assert b"Alerts near you" in response.content


def test_page_without_any_channel_says_so(client):
    response = client.get("/subscribe")

    assert response.status_code == 200
    assert b"not available on this site yet" in response.content


def test_sms_subscription_starts_only_after_the_code(client, sms_service, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/subscribe", form())
    subscription = Subscription.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/subscribe/code/{subscription.token}"
    assert subscription.status == "pending" and subscription.address == "+919822012345"
    code = code_from(sms_service)

    # A case near the pending subscriber: nothing but the code reaches the number.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify_area(event_key="case:X:area:new", topic="case:X:area:", kind="new", messages=wording(),
                    latitude=PUNE[0], longitude=PUNE[1], started_at=hours_ago(1))
    assert len(sms_service.messages) == 1

    wrong = client.post(response["Location"], {"action": "check", "code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    right = client.post(response["Location"], {"action": "check", "code": code})
    assert right.status_code == 302 and right["Location"] == "/subscribe/done"
    subscription.refresh_from_db()
    assert subscription.status == "active" and subscription.confirmed_at is not None
    assert subscription.consent_version == "2026-12-v1"

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify_area(event_key="case:Y:area:new", topic="case:Y:area:", kind="new", messages=wording(),
                    latitude=PUNE[0], longitude=PUNE[1], started_at=hours_ago(1))
    assert len(sms_service.messages) == 2 and sms_service.messages[1]["body"].startswith("Missing near you")


def test_typed_place_is_looked_up(client, sms_service, settings):
    settings.NOMINATIM_ENABLED = False
    settings.GOOGLE_MAPS_API_KEY = ""

    response = client.post("/subscribe", form(latitude="", longitude="", place="Koramangala, Bengaluru"))

    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert (round(subscription.latitude, 1), round(subscription.longitude, 1)) == (12.9, 77.6)


def test_unknown_place_is_a_form_error(client, sms_service, settings):
    settings.NOMINATIM_ENABLED = False
    settings.GOOGLE_MAPS_API_KEY = ""

    response = client.post("/subscribe", form(latitude="", longitude="", place="Qwxzzy Plkkk"))

    assert response.status_code == 400
    assert "We could not find this place" in response.content.decode()
    assert Subscription.objects.count() == 0 and sms_service.messages == []


@pytest.mark.parametrize(("field", "value", "message"), [
    ("radius_km", "0", "Please choose at least 1 km."),
    ("radius_km", "51", "Please choose at most 50 km."),
    ("phone", "12345", "This is not a full phone number."),
    ("phone", "", "Please give the mobile number for the alerts."),
    ("consent", "", "Please tick the box to agree to the alerts."),
    ("channel", "carrier-pigeon", "Please choose one of the ways offered."),
])
def test_bad_input_is_a_form_error_and_nothing_is_kept(client, sms_service, field, value, message):
    response = client.post("/subscribe", form(**{field: value}))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Subscription.objects.count() == 0 and sms_service.messages == []


def test_landline_gets_a_form_error(client, sms_service):
    response = client.post("/subscribe", form(phone="020 2612 3456"))

    assert response.status_code == 400
    assert "cannot receive text messages" in response.content.decode()
    assert Subscription.objects.count() == 0 and PhoneCode.objects.count() == 0


def test_subscribing_is_rate_limited_per_number(client, sms_service, settings):
    settings.RATE_SUBSCRIBE = "2/h"

    statuses = [client.post("/subscribe", form(), REMOTE_ADDR=f"10.0.0.{n}").status_code for n in range(3)]

    assert statuses[:1] == [302] and statuses[2] == 429
    assert Subscription.objects.count() <= 2


def test_a_second_code_too_soon_is_refused_in_words(client, sms_service, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/subscribe", form())
        response = client.post("/subscribe", form())

    assert response.status_code == 400
    assert "A code was sent to this number a moment ago" in response.content.decode()
    assert Subscription.objects.count() == 1 and len(sms_service.messages) == 1


def test_telegram_subscription_shows_the_deep_link(client, telegram_bot):
    response = client.post("/subscribe", form(channel="telegram_subscriber", phone=""))
    subscription = Subscription.objects.get()

    page = client.get(response["Location"])

    assert page.status_code == 200
    assert f'href="https://t.me/{BOT_USERNAME}?start={subscription.token}"' in page.content.decode()
    assert subscription.status == "pending" and subscription.address == ""


def test_browser_subscription_is_active_at_once(client, push_service):
    browser = push_service.subscribe()

    response = client.post("/subscribe", form(channel="webpush", phone="", push_endpoint=browser["endpoint"],
                                              push_p256dh=browser["keys"]["p256dh"],
                                              push_auth=browser["keys"]["auth"]))

    assert response.status_code == 302 and response["Location"] == "/subscribe/done"
    subscription = Subscription.objects.get()
    assert subscription.status == "active" and subscription.address.startswith("wp:")
    assert subscription.push_endpoint == browser["endpoint"]


def test_browser_subscription_without_push_keys_is_refused(client, push_service):
    response = client.post("/subscribe", form(channel="webpush", phone=""))

    assert response.status_code == 400
    assert "Notifications were not turned on in this browser" in response.content.decode()
    assert Subscription.objects.count() == 0


def test_push_endpoint_that_is_not_a_push_service_is_refused(client, push_service):
    response = client.post("/subscribe", form(channel="webpush", phone="", push_endpoint="http://10.0.0.5/admin",
                                              push_p256dh="x", push_auth="y"))

    assert response.status_code == 400
    assert "cannot be used" in response.content.decode()
    assert Subscription.objects.count() == 0


def test_browser_stops_its_own_push_subscription(client, push_service):
    browser = push_service.subscribe()
    make_subscriber(KALYANI_NAGAR, channel=Subscription.Channel.WEBPUSH, push=browser)

    response = client.post("/api/push/stop", {"endpoint": browser["endpoint"]}, content_type="application/json")

    assert response.status_code == 200 and response.json() == {"stopped": 1}
    assert Subscription.objects.count() == 0


def test_push_stop_without_an_endpoint_is_a_400(client):
    response = client.post("/api/push/stop", "not json", content_type="application/json")

    assert response.status_code == 400 and "endpoint" in response.json()["error"]


def test_stop_link_shows_a_button_and_only_the_post_stops(client, sms_service, django_capture_on_commit_callbacks):
    subscription = make_subscriber(KALYANI_NAGAR, address="+919822000001")
    make_subscriber(PUNE, address="+919822000001")  # a second place of the same number
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify_area(event_key="case:X:area:new", topic="case:X:area:", kind="new", messages=wording(),
                    latitude=PUNE[0], longitude=PUNE[1], started_at=hours_ago(1))

    page = client.get(f"/stop/{subscription.stop_key}")
    assert page.status_code == 200 and Subscription.objects.count() == 2  # a link preview stops nothing

    done = client.post(f"/stop/{subscription.stop_key}")

    assert done.status_code == 200 and "Alerts stopped" in done.content.decode()
    assert Subscription.objects.count() == 0
    delivery = Delivery.objects.get(event_key="case:X:area:new")
    assert delivery.recipient == f"+91 ******01#{delivery.pk}" and delivery.masked_recipient == "+91 ******01"
    again = client.get(f"/stop/{subscription.stop_key}")
    assert again.status_code == 404 and "already stopped" in again.content.decode()


def test_stopping_deletes_the_numbers_codes_too(client, sms_service):
    client.post("/subscribe", form())
    subscription = Subscription.objects.get()
    code_delivery = Delivery.objects.get(channel="sms")
    assert PhoneCode.objects.count() == 1

    client.post(f"/stop/{subscription.stop_key}")

    code_delivery.refresh_from_db()
    assert PhoneCode.objects.count() == 0
    assert "+919822012345" not in code_delivery.recipient
