"""Cases tell their area subscribers: a new case reaches the circle around its last-seen point, a case found thanks
those alerted, and "still missing" reminders at 24 h and 72 h reach a wider circle (a moved clock)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from cases import alerts, services, tasks
from cases.consent import CURRENT_VERSION
from cases.models import Case
from notifications.models import AreaAlert
from notifications.tests.subscribers import (  # noqa: F401 - fixtures
    HINJEWADI,
    KALYANI_NAGAR,
    PUNE,
    fast_bulk,
    make_subscriber,
    sms_service,
)
from tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 10, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def only_sms(settings):
    settings.SITE_URL = "https://sachet.example.org"
    settings.TELEGRAM_BOT_TOKEN = settings.TELEGRAM_CHAT_ID = settings.TELEGRAM_STAFF_CHAT_ID = ""
    settings.DISCORD_WEBHOOK_URL = settings.DISCORD_STAFF_WEBHOOK_URL = ""
    settings.VAPID_PRIVATE_KEY = ""


def report(point=PUNE, last_seen=NOW - datetime.timedelta(hours=1)) -> Case:
    from django.core.files.base import ContentFile

    return services.report_case(
        name="Aarav Sharma", age=7, gender="male", description="Red T-shirt, blue shorts.",
        last_seen_place="Koregaon Park, Pune", last_seen_at=last_seen, contact_name="Priya Sharma",
        contact_phone="+919822000101", latitude=Decimal(str(point[0])) if point else None,
        longitude=Decimal(str(point[1])) if point else None, photo=ContentFile(jpeg_bytes(), name="a.jpg"),
        consent_version=CURRENT_VERSION)


def texts(fake) -> list[tuple[str, str]]:
    return [(message["to"], message["body"].split(":")[0]) for message in fake.messages]


def test_a_new_case_alerts_subscribers_around_its_last_seen_point(sms_service, django_capture_on_commit_callbacks):
    make_subscriber(KALYANI_NAGAR, address="+919822000001")
    make_subscriber(HINJEWADI, address="+919822000002", radius_km=50)

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        case = report()

    assert texts(sms_service) == [("+919822000001", "Missing near you")]
    body = sms_service.messages[0]["body"]
    assert f"https://sachet.example.org/case/{case.reference}" in body
    assert "Last seen at Koregaon Park, Pune on 10 March, 14:00." in body
    assert AreaAlert.objects.get().event_key == f"case:{case.reference}:area:new"


def test_found_thanks_exactly_those_alerted(sms_service, django_capture_on_commit_callbacks):
    make_subscriber(KALYANI_NAGAR, address="+919822000001")
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        case = report()
    make_subscriber(KALYANI_NAGAR, address="+919822000003")  # subscribed later: never alerted about this case

    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(case=case, to=Case.Status.FOUND, note="Home safe")

    assert texts(sms_service) == [("+919822000001", "Missing near you"), ("+919822000001", "Found safe")]
    assert "Thank you for looking out." in sms_service.messages[1]["body"]


def test_still_missing_reminders_reach_a_wider_circle_as_the_hours_pass(sms_service,
                                                                        django_capture_on_commit_callbacks):
    make_subscriber(KALYANI_NAGAR, address="+919822000001")  # 1.6 km
    make_subscriber((18.6061, 73.8937), address="+919822000002", radius_km=10)  # 7.8 km north
    make_subscriber(HINJEWADI, address="+919822000003", radius_km=25)  # 17.4 km
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        case = report()

    for hours in (12, 24.5, 30, 72.5, 80):
        with time_machine.travel(NOW + datetime.timedelta(hours=hours), tick=False), \
                django_capture_on_commit_callbacks(execute=True):
            tasks.send_area_reminders()

    assert texts(sms_service) == [
        ("+919822000001", "Missing near you"),
        ("+919822000001", "Still missing"), ("+919822000002", "Still missing"),  # 24 h: 10 km
        ("+919822000001", "Still missing"), ("+919822000002", "Still missing"),  # 72 h: 25 km
        ("+919822000003", "Still missing"),
    ]
    reach = dict(AreaAlert.objects.values_list("event_key", "reach_km"))
    assert reach == {f"case:{case.reference}:area:new": 5.0, f"case:{case.reference}:area:reminder:24h": 10.0,
                     f"case:{case.reference}:area:reminder:72h": 25.0}


def test_no_reminder_for_a_case_found_or_reported_after_the_mark(sms_service, django_capture_on_commit_callbacks):
    make_subscriber(KALYANI_NAGAR, address="+919822000001")
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        late = report(last_seen=NOW - datetime.timedelta(hours=30))  # known only after 24 h: its alert reached 10 km
        found = report()
        services.change_status(case=found, to=Case.Status.FOUND)

    with time_machine.travel(NOW + datetime.timedelta(hours=25), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        reminded = tasks.send_area_reminders()

    assert reminded == 0
    assert AreaAlert.objects.get(event_key=f"case:{late.reference}:area:new").reach_km == 10.0
    assert not AreaAlert.objects.filter(kind="reminder").exists()


def test_a_case_placed_later_by_geocoding_alerts_then(sms_service, settings, django_capture_on_commit_callbacks):
    settings.NOMINATIM_ENABLED = False
    settings.GOOGLE_MAPS_API_KEY = ""
    make_subscriber((18.52, 73.85), address="+919822000001", radius_km=10)

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        case = report(point=None)

    case.refresh_from_db()
    assert case.has_location  # the gazetteer placed "Koregaon Park, Pune" (at Pune)
    assert texts(sms_service) == [("+919822000001", "Missing near you")]
    alerts.case_located(case.pk)  # again: nothing more
    assert len(sms_service.messages) == 1


def test_subscribers_read_the_alert_in_their_language_within_four_segments(sms_service,
                                                                             django_capture_on_commit_callbacks):
    from notifications.channels.formatting import is_gsm, sms_segments

    make_subscriber(KALYANI_NAGAR, address="+919822000001", language="hi")
    make_subscriber(KALYANI_NAGAR, address="+919822000002", language="bn")

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        case = report()

    hindi, bengali = (m["body"] for m in sorted(sms_service.messages, key=lambda m: m["to"]))
    assert hindi.startswith("आपके पास लापता: Aarav Sharma, उम्र 7: आख़िरी बार Koregaon Park, Pune में 10 मार्च, 14:00 "
                            "को देखा गया।")
    assert bengali.startswith("আপনার কাছে নিখোঁজ: Aarav Sharma, বয়স 7: শেষ দেখা গেছে Koregaon Park, Pune-এ, 10 মার্চ, "
                              "14:00।")
    for body in (hindi, bengali):
        assert not is_gsm(body) and sms_segments(body) <= 4
        assert f"https://sachet.example.org/case/{case.reference}" in body
        assert "STOP" in body and "https://sachet.example.org/stop/" in body
