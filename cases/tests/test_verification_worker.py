"""Verification before broadcast, as production runs it: PostgreSQL, Redis, a real Celery worker sending through the
real client libraries to fake Telegram, Discord and Twilio. The family's code is read from the fake Twilio.

Public alerts are written (as outbox rows) only when a report is verified, in the web request itself: once the
worker has sent everything there is, "no public alert" means no public row and nothing public at any provider.
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from cases.models import Case
from notifications.models import Delivery
from tests.worker import celery_worker_process  # noqa: F401 - fixture

from .trust_fixtures import *  # noqa: F403 - fixtures and constants
from .trust_fixtures import FAMILY_PHONE, PUBLIC_CHAT, PUBLIC_HOOK, SMS_TO, STAFF_CHAT, STAFF_HOOK, code_sent_to, \
    report_data, staff_user

pytestmark = [pytest.mark.worker, pytest.mark.postgres_only]


@pytest.fixture
def site(channels, settings, celery_worker_process, client):  # noqa: F811 - pytest's settings fixture
    """SMS verification on, a worker with the fakes' settings, and a report sent through the form: the worker has
    sent the staff alerts and the family's code."""
    settings.REPORT_VERIFICATION = "sms+staff"
    worker = celery_worker_process(env=channels.env)
    response = client.post("/report", report_data())
    assert response.status_code == 302, response.content.decode()[:500]
    case = Case.objects.get()
    worker.wait_until(lambda: staff_alerts(channels) == {"telegram": 1, "discord": 1, "sms": 1})
    worker.wait_until(lambda: [m for m in channels.twilio.messages if m["to"] == FAMILY_PHONE])
    return channels, worker, case


def staff_alerts(fakes) -> dict[str, int]:
    return {
        "telegram": sum(m["chat_id"] == STAFF_CHAT for m in fakes.telegram.messages),
        "discord": sum(m["webhook_id"] == STAFF_HOOK for m in fakes.discord.messages),
        "sms": sum(m["to"] == SMS_TO and m["body"].startswith("New report:") for m in fakes.twilio.messages),
    }


def public_alerts(fakes) -> dict[str, int]:
    return {
        "telegram": sum(m["chat_id"] == PUBLIC_CHAT for m in fakes.telegram.messages),
        "discord": sum(m["webhook_id"] == PUBLIC_HOOK for m in fakes.discord.messages),
        "sms": sum(m["to"] == SMS_TO and m["body"].startswith("Missing:") for m in fakes.twilio.messages),
    }


def all_sent(worker) -> None:
    worker.wait_until(lambda: not Delivery.objects.exclude(status__in=["sent", "failed"]).exists())


def public_rows(case: Case) -> int:
    return Delivery.objects.filter(event_key=f"case:{case.reference}:reported").count()


def enter(client, case: Case, code: str):
    return client.post(f"/case/{case.reference}/confirm", {"action": "confirm", "code": code})


def test_an_unverified_report_sends_staff_alerts_and_no_public_alert(site):
    fakes, worker, case = site

    all_sent(worker)

    assert staff_alerts(fakes) == {"telegram": 1, "discord": 1, "sms": 1}
    assert public_alerts(fakes) == {"telegram": 0, "discord": 0, "sms": 0}
    assert public_rows(case) == 0
    staff_text = json.dumps(fakes.discord.messages, ensure_ascii=False)
    assert case.reference in staff_text and "Waiting for confirmation" in staff_text


def test_the_right_code_releases_exactly_one_public_alert_per_channel(site, client, police):
    fakes, worker, case = site

    response = enter(client, case, code_sent_to(fakes.twilio))
    worker.wait_until(lambda: public_alerts(fakes) == {"telegram": 1, "discord": 1, "sms": 1})
    # Once more by code (the page only leads to the case now) and by staff: nothing is queued again.
    again = enter(client, case, code_sent_to(fakes.twilio))
    client.force_login(police)
    client.post(f"/{settings.ADMIN_URL}cases/case/{case.pk}/verification/", {"to": "verified", "note": "double"})
    all_sent(worker)

    assert response.status_code == 302 and again.status_code == 302
    assert public_alerts(fakes) == {"telegram": 1, "discord": 1, "sms": 1}
    assert public_rows(case) == 3
    case.refresh_from_db()
    assert (case.verification, case.verification_method) == ("verified", "sms")


def test_five_wrong_codes_lock_the_reports_code_entry(site, client):
    fakes, worker, case = site
    right = code_sent_to(fakes.twilio)
    wrong = "000000" if right != "000000" else "111111"

    statuses = [enter(client, case, wrong).status_code for _ in range(5)]
    locked = enter(client, case, right)
    all_sent(worker)

    assert statuses == [400] * 5
    assert locked.status_code == 400 and "Too many wrong codes" in locked.content.decode()
    case.refresh_from_db()
    assert case.verification == "unverified"
    assert public_rows(case) == 0
    assert public_alerts(fakes) == {"telegram": 0, "discord": 0, "sms": 0}


def test_staff_verification_releases_the_public_alert(site, client, ngo):
    fakes, worker, case = site
    client.force_login(ngo)

    response = client.post(f"/{settings.ADMIN_URL}cases/case/{case.pk}/verification/",
                           {"to": "verified", "note": "Spoke to the family."})
    worker.wait_until(lambda: public_alerts(fakes) == {"telegram": 1, "discord": 1, "sms": 1})
    all_sent(worker)

    assert response.status_code == 302
    assert public_alerts(fakes) == {"telegram": 1, "discord": 1, "sms": 1}
    case.refresh_from_db()
    assert (case.verification, case.verification_method, case.verification_by) == ("verified", "staff", ngo)


def test_a_rejected_report_never_alerts_publicly(site, client, police):
    fakes, worker, case = site
    code = code_sent_to(fakes.twilio)
    client.force_login(police)
    client.post(f"/{settings.ADMIN_URL}cases/case/{case.pk}/verification/", {"to": "rejected", "note": "Abuse."})
    client.logout()

    enter(client, case, code)  # the family's code no longer publishes it
    client.force_login(staff_user("sergeant", "Police"))
    client.post(f"/{settings.ADMIN_URL}cases/case/{case.pk}/status/", {"to": "found", "note": "Not a real case."})
    all_sent(worker)

    case.refresh_from_db()
    assert case.verification == "rejected"
    assert public_rows(case) == 0
    assert not Delivery.objects.filter(event_key__startswith=f"case:{case.reference}:", audience="public").exists()
    assert public_alerts(fakes) == {"telegram": 0, "discord": 0, "sms": 0}

