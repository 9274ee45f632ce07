"""Reports are verified before they are broadcast: staff hear of every report at once; the public alert goes out,
once per channel, when the family enters the code sent to their phone or a staff user verifies the report; a
rejected report never alerts publicly. In-process, through the real clients to local fakes."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.contrib.admin.models import LogEntry
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import services, verification
from cases.models import Case, CaseEvent
from notifications.models import Delivery, PhoneCode

from .trust_fixtures import *  # noqa: F403 - fixtures and constants
from .trust_fixtures import FAMILY_PHONE, PUBLIC_CHANNELS, STAFF_CHANNELS, code_sent_to, report_data

pytestmark = pytest.mark.django_db


def admin_url(path: str) -> str:
    return f"/{django_settings.ADMIN_URL}{path}"


def deliveries(case: Case, event: str) -> list[tuple[str, str]]:
    rows = Delivery.objects.filter(event_key=f"case:{case.reference}:{event}").order_by("id")
    return list(rows.values_list("channel", "status"))


def public_channels(case: Case) -> list[str]:
    return [channel for channel, _status in deliveries(case, "reported")]


@pytest.fixture
def sms_mode(settings, channels):
    settings.REPORT_VERIFICATION = "sms+staff"
    return channels


@pytest.fixture
def submit(client, django_capture_on_commit_callbacks):
    """Post the report form; the response, with what the commit scheduled already run (alerts sent)."""
    def post(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/report", report_data(**overrides))
    return post


def confirm(client, case: Case, code: str, capture):
    with capture(execute=True):
        return client.post(f"/case/{case.reference}/confirm", {"action": "confirm", "code": code})


# --- What happens right after a report -------------------------------------------------------------------------


def test_an_unverified_report_tells_staff_and_not_the_public(sms_mode, submit):
    response = submit()
    case = Case.objects.get()

    assert response.status_code == 302 and response["Location"] == f"/case/{case.reference}/confirm"
    assert case.verification == "unverified"
    assert deliveries(case, "received") == [(channel, "sent") for channel in STAFF_CHANNELS]
    assert deliveries(case, "reported") == []
    assert [m["chat_id"] for m in sms_mode.telegram.messages] == [STAFF_CHAT]
    assert sms_mode.telegram.messages[0]["text"].startswith(f"New report: Ishita Das, 5 ({case.reference})")
    assert "Waiting for confirmation" in sms_mode.telegram.messages[0]["text"]


def test_the_family_is_told_where_the_code_went(sms_mode, submit, client):
    submit()
    case = Case.objects.get()

    page = client.get(f"/case/{case.reference}/confirm").content.decode()

    assert f"Your report is saved as {case.reference}. We sent a code to +91 ******01" in page
    assert "We sent a 6-digit code by SMS to +91 ******01." in page
    assert FAMILY_PHONE not in page


def test_the_code_goes_by_sms_to_the_contact_phone_only(sms_mode, submit):
    submit()
    case = Case.objects.get()

    [sms] = [m for m in sms_mode.twilio.messages if m["to"] == FAMILY_PHONE]
    assert sms["body"].startswith(f"Sachet: {code_sent_to(sms_mode.twilio)} is your Sachet code, valid for 10 minutes.")
    code = PhoneCode.objects.get(purpose="report", subject=case.reference)
    assert code.delivery.body == code.delivery.redacted_body  # the code's text is gone once sent


def test_an_unverified_report_is_in_no_public_list_but_its_page_says_waiting(sms_mode, submit, client):
    submit()
    case = Case.objects.get()

    home = client.get("/").content.decode()
    search = client.get("/", {"q": "Ishita"}).content.decode()
    page = client.get(case.get_absolute_url())

    assert "Ishita Das" not in home and "Ishita Das" not in search
    assert page.status_code == 200
    assert "Waiting for confirmation." in page.content.decode()
    assert page["X-Robots-Tag"] == "noindex"


# --- The code -------------------------------------------------------------------------------------------------


def test_the_right_code_releases_one_public_alert_per_channel(sms_mode, submit, client,
                                                               django_capture_on_commit_callbacks):
    submit()
    case = Case.objects.get()

    response = confirm(client, case, code_sent_to(sms_mode.twilio), django_capture_on_commit_callbacks)

    case.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert (case.verification, case.verification_method, case.verification_by) == ("verified", "sms", None)
    assert deliveries(case, "reported") == [(channel, "sent") for channel in PUBLIC_CHANNELS]
    assert [m["chat_id"] for m in sms_mode.telegram.messages] == [STAFF_CHAT, PUBLIC_CHAT]
    assert CaseEvent.objects.get(case=case).kind == "verified"
    assert "Ishita Das" in client.get("/").content.decode()


def test_verifying_again_by_staff_sends_nothing_more(sms_mode, submit, client, police,
                                                     django_capture_on_commit_callbacks):
    submit()
    case = Case.objects.get()
    confirm(client, case, code_sent_to(sms_mode.twilio), django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        again = verification.verify(case=case, by=police)

    assert again is False
    assert public_channels(case) == list(PUBLIC_CHANNELS)
    assert len([m for m in sms_mode.telegram.messages if m["chat_id"] == "@sachet_alerts"]) == 1


@pytest.mark.parametrize("typed", ["000000", "12345", "abcdef", ""])
def test_a_wrong_code_is_refused_and_sends_nothing(sms_mode, submit, client, django_capture_on_commit_callbacks,
                                                   typed):
    submit()
    case = Case.objects.get()
    right = code_sent_to(sms_mode.twilio)
    typed = typed if typed != right else "999999"

    response = confirm(client, case, typed, django_capture_on_commit_callbacks)

    case.refresh_from_db()
    assert response.status_code == 400
    assert case.verification == "unverified"
    assert public_channels(case) == []


def test_five_wrong_codes_lock_the_reports_code_entry(sms_mode, submit, client, django_capture_on_commit_callbacks):
    submit()
    case = Case.objects.get()
    right = code_sent_to(sms_mode.twilio)
    wrong = "111111" if right != "111111" else "222222"

    pages = [confirm(client, case, wrong, django_capture_on_commit_callbacks).content.decode() for _ in range(5)]
    after = confirm(client, case, right, django_capture_on_commit_callbacks)

    assert "(4 tries left)" in pages[0] and "(1 tries left)" in pages[3]
    assert "Too many wrong codes. Please ask for a new one." in pages[4]
    assert after.status_code == 400  # even the right code: this one is locked
    assert "Too many wrong codes. Please ask for a new one." in after.content.decode()
    case.refresh_from_db()
    assert case.verification == "unverified"
    assert public_channels(case) == []
    assert PhoneCode.objects.get(subject=case.reference).status == "locked"


def test_a_new_code_can_be_asked_for_but_not_at_once(sms_mode, submit, client, settings,
                                                     django_capture_on_commit_callbacks):
    submit()
    case = Case.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        too_soon = client.post(f"/case/{case.reference}/confirm", {"action": "resend"}, follow=True)

    assert too_soon.status_code == 429
    assert re.search(r"A new code cannot be sent yet\. Please try again in (1 minute|\d\d? seconds)\.",
                     too_soon.content.decode())
    assert len([m for m in sms_mode.twilio.messages if m["to"] == FAMILY_PHONE]) == 1


def test_code_entry_is_rate_limited_per_address_before_anything_is_checked(sms_mode, submit, client, settings,
                                                                            django_capture_on_commit_callbacks):
    settings.RATE_CODE = "3/h"
    submit()
    case = Case.objects.get()
    right = code_sent_to(sms_mode.twilio)
    for _ in range(3):
        confirm(client, case, "000000" if right != "000000" else "111111", django_capture_on_commit_callbacks)

    limited = confirm(client, case, right, django_capture_on_commit_callbacks)

    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    case.refresh_from_db()
    assert case.verification == "unverified"
    assert PhoneCode.objects.get(subject=case.reference).tries == 3


def test_a_landline_gets_no_code_and_staff_confirm_instead(sms_mode, submit, client):
    response = submit(contact_phone="+91 20 2612 3456")  # a Pune landline
    case = Case.objects.get()

    assert response["Location"] == case.get_absolute_url()
    assert PhoneCode.objects.count() == 0
    page = client.get(case.get_absolute_url()).content.decode()
    assert "It is shared with the public once the team has confirmed it" in page


# --- Staff ----------------------------------------------------------------------------------------------------


def test_staff_verification_releases_the_public_alert_and_is_recorded(channels, settings, submit, client, ngo,
                                                                      django_capture_on_commit_callbacks):
    settings.REPORT_VERIFICATION = "staff"
    submit()
    case = Case.objects.get()
    assert public_channels(case) == []
    client.force_login(ngo)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(admin_url(f"cases/case/{case.pk}/verification/"),
                               {"to": "verified", "note": "Called the mother, FIR seen."})

    case.refresh_from_db()
    assert response.status_code == 302
    assert (case.verification, case.verification_method, case.verification_by) == ("verified", "staff", ngo)
    assert deliveries(case, "reported") == [(channel, "sent") for channel in PUBLIC_CHANNELS]
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.by, event.note) == ("verified", ngo, "Called the mother, FIR seen.")
    assert LogEntry.objects.get(object_id=str(case.pk)).change_message == "Verified the report"


def test_a_rejected_report_never_alerts_publicly_and_leaves_public_view(sms_mode, submit, client, police,
                                                                        django_capture_on_commit_callbacks):
    submit()
    case = Case.objects.get()
    code = code_sent_to(sms_mode.twilio)
    client.force_login(police)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(admin_url(f"cases/case/{case.pk}/verification/"), {"to": "rejected", "note": "Fake, abusive."})
    client.logout()

    confirmed = confirm(client, case, code, django_capture_on_commit_callbacks)
    page = client.get(case.get_absolute_url())

    case.refresh_from_db()
    assert case.verification == "rejected"
    assert confirmed.status_code == 302  # the confirm page only leads to the case page now
    assert public_channels(case) == []
    assert [m["chat_id"] for m in sms_mode.telegram.messages] == [STAFF_CHAT]
    assert page.status_code == 410 and "Ishita" not in page.content.decode()
    assert Case.objects.filter(pk=case.pk).exists()  # kept for the audit


def test_rejecting_needs_a_reason(channels, settings, submit, client, police):
    settings.REPORT_VERIFICATION = "staff"
    submit()
    case = Case.objects.get()
    client.force_login(police)

    response = client.post(admin_url(f"cases/case/{case.pk}/verification/"), {"to": "rejected", "note": ""})

    assert response.status_code == 200
    case.refresh_from_db()
    assert case.verification == "unverified"
    assert CaseEvent.objects.count() == 0


def test_the_to_verify_filter_comes_first_and_lists_the_oldest_waiting_report_first(client, police, make_case):
    older = make_case(name="Older Report", verification="unverified", verification_method="")
    newer = make_case(name="Newer Report", verification="unverified", verification_method="")
    make_case(name="Verified Report")
    Case.objects.filter(pk=older.pk).update(created_at=newer.created_at.replace(year=2025))
    client.force_login(police)

    response = client.get(admin_url("cases/case/"), {"verification": "unverified"})

    filters = response.context["cl"].filter_specs
    assert filters[0].title == "verification"
    assert [c.name for c in response.context["cl"].result_list] == ["Older Report", "Newer Report"]
    assert "To verify (2)" in response.content.decode()


# --- Modes and consent ----------------------------------------------------------------------------------------


def test_without_verification_a_report_is_public_at_once_and_the_page_says_so(channels, settings, submit, client):
    settings.REPORT_VERIFICATION = "none"
    response = submit()
    case = Case.objects.get()

    page = client.get(response["Location"]).content.decode()
    assert (case.verification, case.verification_method) == ("verified", "none")
    assert public_channels(case) == list(PUBLIC_CHANNELS)
    assert "This Sachet sends no confirmation codes: reports are shared with the public at once" in page


def test_the_form_records_the_guardians_consent(channels, submit):
    submit()
    case = Case.objects.get()

    assert (case.consent_given_by, case.consent_version, case.legal_basis) == ("Sujata Das", "2026-12", "")
    assert case.consent_at is not None


def test_no_consent_no_publication(make_case, police):
    case = make_case(verification="unverified", consent_at=None, consent_version="", consent_given_by="")

    with pytest.raises(verification.CannotVerify):
        verification.verify(case=case, by=police)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(verification="verified")
    case.refresh_from_db()
    assert case.verification == "unverified"


def test_a_report_without_consent_is_never_published_even_without_verification(settings, channels,
                                                                               django_capture_on_commit_callbacks):
    settings.REPORT_VERIFICATION = "none"
    with django_capture_on_commit_callbacks(execute=True):
        case = services.report_case(
            name="Aarav Sharma", age=7, gender="male", description="Red T-shirt, blue shorts.",
            last_seen_place="Koregaon Park, Pune", last_seen_at=timezone.now(),
            contact_name="Priya Sharma", contact_phone=FAMILY_PHONE,
        )

    assert case.verification == "unverified"
    assert public_channels(case) == []

