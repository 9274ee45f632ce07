"""One-time phone codes: sent through the outbox and the real Twilio client to the fake Twilio, hashed at rest,
limited in tries and resends, and never readable in the database, the admin or the logs once sent."""

from __future__ import annotations

import logging
import re

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse

from notifications import codes
from notifications.channels import ChannelNotConfigured
from notifications.codes import CodeCheck, ResendTooSoon, TooManyCodes, check_code, send_code
from notifications.forms import CodeField
from notifications.models import Delivery, PhoneCode
from notifications.services import resend
from notifications.tasks import purge_phone_codes, sweep_pending_deliveries
from sachet.phones import InvalidPhone
from tests.factories import staff_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbox_settings")]

PHONE = "+919822012345"
CASE = "MC20260310AB12CD34"
CODE_SMS = re.compile(r"^Sachet: (\d{6}) is your Sachet code, valid for 10 minutes\. Do not share it\. (\S+)$")


@pytest.fixture
def sms(fake_twilio, settings):
    """Twilio configured for codes only: no alert recipients."""
    settings.SMS_RECIPIENTS = []
    settings.SITE_URL = "https://sachet.example.org"
    return fake_twilio


def send(purpose="report", subject=CASE, phone=PHONE, *, capture) -> PhoneCode:
    """send_code in the caller's transaction, then what runs after commit (the in-process task)."""
    with capture(execute=True):
        with transaction.atomic():
            return send_code(purpose=purpose, subject=subject, phone=phone)


def code_in(message: dict) -> str:
    match = CODE_SMS.match(message["body"])
    assert match, message["body"]
    return match[1]


def other_than(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def every_stored_text() -> str:
    """Every column of every code and delivery row, as one string."""
    rows = [*PhoneCode.objects.values_list(), *Delivery.objects.values_list()]
    return " ".join(str(value) for row in rows for value in row)


# --- Sending ----------------------------------------------------------------------------------------------------


def test_code_goes_by_sms_after_commit_and_is_only_hashed_at_rest(sms, django_capture_on_commit_callbacks):
    row = send(capture=django_capture_on_commit_callbacks)

    [message] = sms.messages
    code = code_in(message)
    assert (message["to"], CODE_SMS.match(message["body"])[2]) == (PHONE, "https://sachet.example.org/")
    row.refresh_from_db()
    assert (row.purpose, row.subject, row.phone, row.status, row.tries) == ("report", CASE, PHONE, "active", 0)
    assert len(row.code_hash) == 64 and code not in row.code_hash
    assert (row.expires_at - row.created_at).total_seconds() == 600
    assert code not in every_stored_text()


def test_code_sms_text_is_redacted_once_sent(sms, django_capture_on_commit_callbacks):
    row = send(capture=django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get(pk=row.delivery_id)
    assert (delivery.channel, delivery.recipient, delivery.status, delivery.kind) == ("sms", PHONE, "sent", "code")
    assert delivery.event_key == f"code:report:{CASE}:{row.pk}"
    assert delivery.body == "****** is your Sachet code, valid for 10 minutes. Do not share it."
    assert delivery.expires_at == row.expires_at


def test_a_number_as_typed_is_sent_to_in_e164(sms, django_capture_on_commit_callbacks):
    row = send(phone="098220 12345", capture=django_capture_on_commit_callbacks)

    assert row.phone == PHONE
    assert [m["to"] for m in sms.messages] == [PHONE]


def test_code_sent_in_a_transaction_that_rolls_back_leaves_nothing(sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                send_code(purpose="report", subject=CASE, phone=PHONE)
                raise RuntimeError("the report failed")

    assert callbacks == []
    assert PhoneCode.objects.count() == Delivery.objects.count() == 0
    assert sms.requests == []


def test_no_code_without_sms_configured(settings):
    assert codes.sms_available() is False

    with pytest.raises(ChannelNotConfigured):
        send_code(purpose="report", subject=CASE, phone=PHONE)

    assert PhoneCode.objects.count() == Delivery.objects.count() == 0


def test_no_code_to_something_that_is_not_a_phone_number(sms):
    with pytest.raises(InvalidPhone):
        send_code(purpose="report", subject=CASE, phone="12345")

    assert PhoneCode.objects.count() == Delivery.objects.count() == 0


def test_no_code_to_a_landline(sms):
    with pytest.raises(InvalidPhone) as raised:
        send_code(purpose="report", subject=CASE, phone="022 2345 6789")

    assert str(raised.value) == "This number cannot receive text messages. Please give a mobile number."
    assert PhoneCode.objects.count() == Delivery.objects.count() == 0


def test_failed_sms_is_redacted_too_and_never_sent_again(sms, django_capture_on_commit_callbacks):
    sms.unsubscribed.add(PHONE)

    row = send(capture=django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get(pk=row.delivery_id)
    assert delivery.status == "failed"
    assert delivery.last_error == (
        "Twilio 400 code 21610: the recipient has unsubscribed (replied STOP) (to +91 ******45)"
    )
    assert delivery.body == "****** is your Sachet code, valid for 10 minutes. Do not share it."
    code = code_in({"body": sms.requests[0].form()["Body"][0]})
    assert code not in every_stored_text()
    assert resend(Delivery.objects.filter(pk=delivery.pk)) == 0
    assert Delivery.objects.get(pk=delivery.pk).status == "failed"
    assert len(sms.requests) == 1


def test_code_held_up_by_a_broker_outage_goes_out_when_it_is_back(sms, celery_broker_down,
                                                                  django_capture_on_commit_callbacks):
    row = send(capture=django_capture_on_commit_callbacks)
    assert Delivery.objects.get(pk=row.delivery_id).status == "pending"
    assert sms.requests == []

    celery_broker_down.end()
    assert sweep_pending_deliveries() == 1

    [message] = sms.messages
    assert check_code(purpose="report", subject=CASE, code=code_in(message)).ok
    assert Delivery.objects.get(pk=row.delivery_id).body.startswith("****** is your Sachet code")


def test_code_held_up_past_its_expiry_is_never_sent(sms, clock, celery_broker_down,
                                                    django_capture_on_commit_callbacks):
    row = send(capture=django_capture_on_commit_callbacks)
    celery_broker_down.end()
    clock.advance(600)

    sweep_pending_deliveries()

    delivery = Delivery.objects.get(pk=row.delivery_id)
    assert (delivery.status, delivery.last_error) == ("failed", "expired before it could be sent")
    assert delivery.body.startswith("****** is your Sachet code")
    assert sms.requests == []


def test_code_never_appears_in_the_logs(sms, caplog, django_capture_on_commit_callbacks):
    with caplog.at_level(logging.DEBUG):
        send(capture=django_capture_on_commit_callbacks)

    code = code_in(sms.messages[0])
    assert caplog.records  # the send was logged ...
    assert code not in caplog.text  # ... without the code
    assert "9822012345" not in caplog.text


# --- Checking ---------------------------------------------------------------------------------------------------


def test_the_right_code_confirms_the_phone_once(sms, django_capture_on_commit_callbacks):
    send(capture=django_capture_on_commit_callbacks)
    code = code_in(sms.messages[0])

    first = check_code(purpose="report", subject=CASE, code=f" {code[:3]} {code[3:]} ")
    again = check_code(purpose="report", subject=CASE, code=code)

    assert first == CodeCheck("ok", phone=PHONE)
    assert first.ok and first.message == "Thank you: your phone number is confirmed."
    assert again == CodeCheck("none")
    row = PhoneCode.objects.get()
    assert (row.status, row.tries) == ("verified", 0)
    assert row.verified_at is not None


def test_a_code_is_only_good_for_its_own_purpose_and_subject(sms, django_capture_on_commit_callbacks):
    send(capture=django_capture_on_commit_callbacks)
    code = code_in(sms.messages[0])

    assert check_code(purpose="subscription", subject=CASE, code=code).status == "none"
    assert check_code(purpose="report", subject="MC20260310FFFFFFFF", code=code).status == "none"
    assert PhoneCode.objects.get().status == "active"


def test_five_wrong_codes_lock_it_even_against_the_right_one(sms, django_capture_on_commit_callbacks):
    send(capture=django_capture_on_commit_callbacks)
    code = code_in(sms.messages[0])

    results = [check_code(purpose="report", subject=CASE, code=other_than(code)) for _ in range(5)]

    assert [(r.status, r.tries_left) for r in results] == [
        ("wrong", 4), ("wrong", 3), ("wrong", 2), ("wrong", 1), ("locked", 0)
    ]
    assert results[0].message == "That code is not right. Please check the SMS and try again (4 tries left)."
    assert check_code(purpose="report", subject=CASE, code=code) == CodeCheck("locked", tries_left=0)
    row = PhoneCode.objects.get()
    assert (row.status, row.tries, row.verified_at) == ("locked", 5, None)


def test_a_malformed_entry_uses_up_a_try(sms, django_capture_on_commit_callbacks):
    send(capture=django_capture_on_commit_callbacks)

    assert check_code(purpose="report", subject=CASE, code="12ab") == CodeCheck("wrong", tries_left=4)
    assert PhoneCode.objects.get().tries == 1


def test_a_code_expires_after_ten_minutes(sms, clock, django_capture_on_commit_callbacks):
    send(capture=django_capture_on_commit_callbacks)
    code = code_in(sms.messages[0])
    clock.advance(599)
    assert check_code(purpose="report", subject=CASE, code=other_than(code)).status == "wrong"  # still valid

    clock.advance(1)
    result = check_code(purpose="report", subject=CASE, code=code)

    assert result == CodeCheck("expired")
    assert result.message == "That code has expired. Please ask for a new one."
    assert PhoneCode.objects.get().status == "active"


def test_a_new_code_replaces_the_last_one(sms, clock, django_capture_on_commit_callbacks):
    send(capture=django_capture_on_commit_callbacks)
    clock.advance(60)
    send(capture=django_capture_on_commit_callbacks)
    old, new = (code_in(m) for m in sms.messages)

    if old != new:  # one in a million, the same code comes twice
        assert check_code(purpose="report", subject=CASE, code=old) == CodeCheck("wrong", tries_left=4)
    assert check_code(purpose="report", subject=CASE, code=new).ok
    assert list(PhoneCode.objects.order_by("id").values_list("status", flat=True)) == ["replaced", "verified"]


def test_a_new_code_unlocks_entry_after_a_lock(sms, clock, django_capture_on_commit_callbacks):
    send(capture=django_capture_on_commit_callbacks)
    for _ in range(5):
        check_code(purpose="report", subject=CASE, code=other_than(code_in(sms.messages[0])))
    assert check_code(purpose="report", subject=CASE, code=code_in(sms.messages[0])).status == "locked"
    clock.advance(60)

    send(capture=django_capture_on_commit_callbacks)

    assert check_code(purpose="report", subject=CASE, code=code_in(sms.messages[1])).ok


def test_a_code_made_under_another_secret_key_does_not_match(sms, settings, django_capture_on_commit_callbacks):
    send(capture=django_capture_on_commit_callbacks)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"

    result = check_code(purpose="report", subject=CASE, code=code_in(sms.messages[0]))

    assert result == CodeCheck("wrong", tries_left=4)


# --- Resend limits ----------------------------------------------------------------------------------------------


def test_a_second_code_within_a_minute_is_refused_with_the_wait(sms, clock, django_capture_on_commit_callbacks):
    send(capture=django_capture_on_commit_callbacks)
    clock.advance(45)

    with pytest.raises(ResendTooSoon) as raised:
        send(capture=django_capture_on_commit_callbacks)

    assert raised.value.retry_after == 15
    assert PhoneCode.objects.count() == Delivery.objects.count() == len(sms.messages) == 1
    assert PhoneCode.objects.get().status == "active"


def test_a_phone_gets_no_two_codes_within_a_minute_whatever_the_subject(sms, clock,
                                                                        django_capture_on_commit_callbacks):
    send(subject="MC20260310AAAAAAAA", capture=django_capture_on_commit_callbacks)
    clock.advance(10)

    with pytest.raises(ResendTooSoon) as raised:
        send(subject="MC20260310BBBBBBBB", capture=django_capture_on_commit_callbacks)

    assert raised.value.retry_after == 50
    assert len(sms.messages) == 1


def test_a_sixth_code_in_an_hour_for_one_subject_is_refused(sms, clock, django_capture_on_commit_callbacks):
    for number in range(5):
        send(phone=f"+91982201234{number}", capture=django_capture_on_commit_callbacks)
        clock.advance(120)

    with pytest.raises(TooManyCodes) as raised:
        send(phone="+919822012349", capture=django_capture_on_commit_callbacks)

    # The first code left the hour's window 3600 s after it was sent; 600 s have passed.
    assert raised.value.retry_after == 3000
    assert len(sms.messages) == PhoneCode.objects.count() == 5
    clock.advance(3000)
    send(phone="+919822012349", capture=django_capture_on_commit_callbacks)
    assert len(sms.messages) == 6


def test_a_sixth_code_in_an_hour_to_one_phone_is_refused(sms, clock, django_capture_on_commit_callbacks):
    for number in range(5):
        send(subject=f"MC2026031000000{number:03d}", capture=django_capture_on_commit_callbacks)
        clock.advance(61)

    with pytest.raises(TooManyCodes) as raised:
        send(subject="MC20260310FFFFFFFF", capture=django_capture_on_commit_callbacks)

    assert raised.value.retry_after == 3600 - 5 * 61
    assert len(sms.messages) == 5


# --- Keeping and showing ----------------------------------------------------------------------------------------


def test_codes_are_deleted_a_day_later(sms, clock, django_capture_on_commit_callbacks):
    old = send(subject="MC20260310AAAAAAAA", capture=django_capture_on_commit_callbacks)
    clock.advance(23 * 3600)
    recent = send(subject="MC20260310BBBBBBBB", capture=django_capture_on_commit_callbacks)
    clock.advance(3600 + 1)

    assert purge_phone_codes() == 1

    assert list(PhoneCode.objects.values_list("pk", flat=True)) == [recent.pk]
    assert Delivery.objects.filter(pk=old.delivery_id).exists()  # the outbox keeps its (redacted) record


@pytest.fixture
def superuser_client(client, settings):
    settings.AXES_ENABLED = False  # force_login has no client address; lockout is not under test
    client.force_login(User.objects.create_superuser("chief", password="a long enough password"))
    return client


def test_admin_shows_codes_without_the_code_or_the_number(sms, superuser_client, celery_broker_down,
                                                          django_capture_on_commit_callbacks):
    # Held up by the broker: the SMS, with the code in it, is still waiting to go.
    row = send(capture=django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(pk=row.delivery_id)
    code = re.search(r"^(\d{6}) ", delivery.body)[1]

    pages = [
        superuser_client.get(reverse("admin:notifications_phonecode_changelist")),
        superuser_client.get(reverse("admin:notifications_phonecode_change", args=[row.pk])),
        superuser_client.get(reverse("admin:notifications_delivery_changelist")),
        superuser_client.get(reverse("admin:notifications_delivery_change", args=[delivery.pk])),
    ]

    assert [page.status_code for page in pages] == [200] * 4
    text = " ".join(page.content.decode() for page in pages)
    assert code not in text and row.code_hash not in text and "9822012345" not in text
    assert "+91 ******45" in text and "Waiting to be entered" in text
    assert "****** is your Sachet code" in text


def test_admin_cannot_add_change_or_delete_codes(sms, superuser_client, django_capture_on_commit_callbacks):
    row = send(capture=django_capture_on_commit_callbacks)

    add = superuser_client.get(reverse("admin:notifications_phonecode_add"))
    delete = superuser_client.post(reverse("admin:notifications_phonecode_delete", args=[row.pk]), {"post": "yes"})
    change = superuser_client.post(reverse("admin:notifications_phonecode_change", args=[row.pk]),
                                   {"status": "verified"})

    assert (add.status_code, delete.status_code, change.status_code) == (403, 403, 403)
    assert PhoneCode.objects.get().status == "active"


# --- The form field ---------------------------------------------------------------------------------------------


def test_code_field_takes_six_digits_with_spaces_and_offers_autofill():
    field = CodeField()

    assert field.clean(" 123 456 ") == "123456"
    html = field.widget.render("code", "", attrs=field.widget_attrs(field.widget))
    assert 'inputmode="numeric"' in html and 'autocomplete="one-time-code"' in html


@pytest.mark.parametrize("typed", ["12345", "1234567", "12a456"])
def test_code_field_refuses_anything_but_six_digits_in_plain_words(typed):
    from django import forms

    with pytest.raises(forms.ValidationError) as raised:
        CodeField().clean(typed)

    assert raised.value.messages == ["The code has 6 digits. Please type the 6 digits from the SMS."]


def test_police_may_see_the_codes_list_and_ngo_staff_may_not():
    from django.contrib.auth.models import Group

    police = set(staff_group("Police").permissions.values_list("codename", flat=True))
    ngo = set(staff_group("NGO").permissions.values_list("codename", flat=True))

    assert "view_phonecode" in police
    assert not {codename for codename in ngo if codename.endswith("phonecode")}
