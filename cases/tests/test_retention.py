"""Erasing personal data: after RETENTION_DAYS_AFTER_FOUND by the beat job (bounded, idempotent), or one case now by
a Police user. Nothing erased comes back: files leave storage (Cloudinary included), face prints, texts, phones,
alert texts and codes go; an anonymised stub keeps the analytics right; an audit row says what went."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from analytics.services import recalculate
from cases import retention, tasks
from cases.candidates import pair_key
from cases.models import Case, CaseEvent, CaseNote, MatchCandidate, StatusChange
from media.models import FacePrint
from media.tests.audio_samples import recording
from media.tests.fixtures import cloudinary  # noqa: F401 - fixture
from notifications.models import Delivery, PhoneCode
from tests.factories import jpeg_bytes

from .trust_fixtures import *  # noqa: F403 - fixtures
from .trust_fixtures import staff_user

pytestmark = pytest.mark.django_db

FAMILY, REPORTER, SIGHTER = "+919822000101", "+919822000999", "+919900012345"


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def full_case(make_case, make_sighting):
    """A found case with everything personal a case can hold: files, face prints, notes, alerts, a code, a match,
    the admin's log."""
    def make(**overrides) -> Case:
        values = {"name": "Meera Joshi", "last_seen_place": "Platform 9, Howrah Station, Kolkata",
                  "last_seen_specific": "near the tea stall", "latitude": Decimal("22.583912"),
                  "longitude": Decimal("88.342634"), "age": 8, "gender": "female", "status": "found",
                  "resolved_at": timezone.now() - timedelta(days=91), "contact_phone": FAMILY,
                  "reporter_phone": REPORTER, "note": "Father works night shifts."}
        values.update(overrides)
        case = make_case(**values)
        case.photo.save("meera.jpg", ContentFile(jpeg_bytes()), save=False)
        case.voice_note.save("meera.ogg", ContentFile(recording("ogg")), save=False)
        case.poster.save("poster.pdf", ContentFile(b"%PDF-1.4 Meera Joshi +919822000101"), save=False)
        case.save()
        sighting = make_sighting(case, place="Sealdah, Kolkata", reporter_phone=SIGHTER,
                                 description="Girl in a red lehenga, call me on 9900012345")
        sighting.photo.save("seen.jpg", ContentFile(jpeg_bytes(color=(10, 20, 30))), save=True)
        other = make_case(name="Other Child", reporter_phone="")
        MatchCandidate.objects.create(pair_key=pair_key("case_sighting", other.pk, sighting.pk), sighting=sighting,
                                      case=other, distance=0.5, score=60, verdict="possible")
        MatchCandidate.objects.create(pair_key=pair_key("case_case", other.pk, case.pk), case=other, other_case=case,
                                      kind="case_case", name_similarity=0.2)
        for name in (case.photo.name, sighting.photo.name):
            FacePrint.objects.create(photo_name=name, group="case", status="no_face")
        StatusChange.objects.create(case=case, from_status="missing", to_status="found",
                                    note="Found with her uncle at Sealdah")
        Delivery.objects.create(event_key=f"case:{case.reference}:reported", channel="telegram", recipient="@x",
                                title="Missing: Meera Joshi, 8", body="Last seen at Howrah", link="https://x.org/c",
                                photo_url="https://x.org/p.jpg", audience="public", kind="new_case")
        code_delivery = Delivery.objects.create(event_key=f"code:report:{case.reference}:1", channel="sms",
                                                recipient=FAMILY, title="Sachet", body="123456 is your code",
                                                link="https://x.org/", audience="public", kind="code")
        PhoneCode.objects.create(purpose="report", subject=case.reference, phone=FAMILY, code_hash="x" * 64,
                                 nonce="n" * 32, expires_at=timezone.now(), delivery=code_delivery)
        desk, _ = User.objects.get_or_create(username="desk.officer", defaults={"is_staff": True})
        LogEntry.objects.create(user=desk, content_type=ContentType.objects.get_for_model(Case), object_id=str(case.pk),
                                object_repr=str(case), action_flag=CHANGE,
                                change_message="Status changed to found: Found with her uncle at Sealdah")
        return case
    return make


def test_erasing_removes_every_personal_detail_and_keeps_a_stub(full_case, settings,
                                                                django_capture_on_commit_callbacks):
    case = full_case()
    sighting = case.sightings.get()
    names = [case.photo.name, case.voice_note.name, case.poster.name, sighting.photo.name]
    assert len(stored_files(settings.MEDIA_ROOT)) == 4

    with django_capture_on_commit_callbacks(execute=True):
        event = retention.erase_personal_data(case=case, by=None)

    case.refresh_from_db()
    sighting.refresh_from_db()
    assert stored_files(settings.MEDIA_ROOT) == []
    assert FacePrint.objects.filter(photo_name__in=names).count() == 0
    assert (case.name, case.description, case.last_seen_specific, case.contact_name, case.contact_phone,
            case.reporter_name, case.reporter_phone, case.consent_given_by) == ("", "", "", "", "", "", "", "")
    assert (case.photo.name, case.voice_note.name, case.poster.name) == ("", "", "")
    # The stub: age group, gender, city and kind of place, a rounded point, dates, outcome.
    assert (case.age, case.gender, case.last_seen_place) == (6, "female", "railway station, Kolkata")
    assert (case.latitude, case.longitude) == (Decimal("22.580000"), Decimal("88.340000"))
    assert (case.status, case.created_at is not None, case.last_seen_at is not None) == ("found", True, True)
    assert (sighting.photo.name, sighting.reporter_phone, sighting.description) == ("", "", "")
    assert sighting.place == "Kolkata"
    assert not MatchCandidate.objects.exists()
    assert set(CaseNote.objects.filter(case=case).values_list("text", flat=True)) == {"[erased]"}
    assert "Sealdah" not in "".join(StatusChange.objects.filter(case=case).values_list("note", flat=True))
    assert set(Delivery.objects.values_list("title", "body", "photo_url")) == {("[erased]", "[erased]", "")}
    assert Delivery.objects.get(channel="sms").recipient == "+91 ******01"
    assert not PhoneCode.objects.exists()
    entry = LogEntry.objects.get(object_id=str(case.pk))
    assert (entry.object_repr, entry.change_message) == (case.reference, "Status changed to found")
    assert (event.kind, event.by, event.details["automatic"]) == ("erased", None, True)
    assert set(event.details["kinds"]) >= {"photo", "voice_note", "poster", "sighting_photos", "face_prints",
                                           "sighting_reporter_phones", "contact", "reporter", "staff_notes",
                                           "alert_texts"}


def test_erasing_twice_changes_nothing_more(full_case, django_capture_on_commit_callbacks):
    case = full_case()
    with django_capture_on_commit_callbacks(execute=True):
        retention.erase_personal_data(case=case, by=None)

    again = retention.erase_personal_data(case=case, by=None)

    assert again is None
    assert CaseEvent.objects.filter(kind="erased").count() == 1


def test_a_missing_child_is_not_erased(make_case):
    case = make_case(name="Still Missing")

    with pytest.raises(retention.CannotErase):
        retention.erase_personal_data(case=case, by=None)

    case.refresh_from_db()
    assert case.name == "Still Missing" and case.erased_at is None
    assert not CaseEvent.objects.exists()


def test_the_beat_job_erases_only_cases_past_retention_in_batches(full_case, make_case, settings,
                                                                  django_capture_on_commit_callbacks):
    old = [full_case(name=f"Old Case {n}") for n in range(3)]
    recent = make_case(name="Found Last Week", status="found", resolved_at=timezone.now() - timedelta(days=10))
    missing = make_case(name="Still Missing")
    rejected = make_case(name="Fake Report", verification="rejected",
                         verification_at=timezone.now() - timedelta(days=91))

    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.apply_retention.delay(2).get()  # a full batch queues the next run (here: in-process)

    assert result["erased"] in (1, 2)
    erased = set(Case.objects.filter(erased_at__isnull=False).values_list("pk", flat=True))
    assert erased == {case.pk for case in old} | {rejected.pk}
    assert Case.objects.get(pk=recent.pk).name == "Found Last Week"
    assert Case.objects.get(pk=missing.pk).name == "Still Missing"
    assert tasks.apply_retention.delay(2).get() == {"erased": 0, "posters_withdrawn": 0}


def test_the_beat_job_withdraws_posters_after_the_photo_period(make_case, settings,
                                                               django_capture_on_commit_callbacks):
    past = make_case(status="found", resolved_at=timezone.now() - timedelta(days=8))
    within = make_case(status="found", resolved_at=timezone.now() - timedelta(days=2))
    for case in (past, within):
        case.poster.save("poster.pdf", ContentFile(b"%PDF-1.4 poster"), save=True)

    tasks.apply_retention.delay().get()

    past.refresh_from_db()
    within.refresh_from_db()
    assert past.poster.name == "" and within.poster.name != ""
    assert [p for p in stored_files(settings.MEDIA_ROOT) if p.startswith("posters/")] == [within.poster.name]


def test_analytics_count_erased_cases_as_before(full_case, make_case, django_capture_on_commit_callbacks):
    cases = [full_case(name=f"Found {n}", age=n + 3, last_seen_place=place)
             for n, place in enumerate(["Howrah Station, Kolkata", "Hanuman mandir, Pune", "Shivajinagar, Pune",
                                        "City Mall, Jaipur", "Nowhere special, Delhi"])]
    make_case(name="Still Missing")
    before = recalculate()

    with django_capture_on_commit_callbacks(execute=True):
        for case in cases:
            retention.erase_personal_data(case=case, by=None)
    after = recalculate()

    assert after.case_count == before.case_count == Case.objects.count() == 11  # each with another child's case
    assert after.demographics == before.demographics
    assert after.located_count == before.located_count


def test_erasure_deletes_the_files_from_cloudinary(cloudinary, make_case, django_capture_on_commit_callbacks):
    case = make_case(status="closed", resolved_at=timezone.now() - timedelta(days=95))
    case.photo.save("photo.jpg", ContentFile(jpeg_bytes()), save=False)
    case.poster.save("poster.pdf", ContentFile(b"%PDF-1.4 poster"), save=False)
    case.save()
    assert cloudinary.stored("image") and cloudinary.stored("raw")

    with django_capture_on_commit_callbacks(execute=True):
        retention.erase_personal_data(case=case, by=None)

    assert cloudinary.files == {}
    destroys = [r for r in cloudinary.requests if r.path.endswith("/destroy")]
    assert len(destroys) == 2
    assert all(b'name="invalidate"' in r.body for r in destroys)  # the CDN's copies are purged too


# --- The admin ------------------------------------------------------------------------------------------------


def admin_url(path: str) -> str:
    return f"/{django_settings.ADMIN_URL}{path}"


def test_police_erase_one_case_now_with_a_note(client, full_case, police, django_capture_on_commit_callbacks):
    case = full_case(resolved_at=timezone.now() - timedelta(days=2))
    client.force_login(police)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(admin_url(f"cases/case/{case.pk}/erase/"),
                               {"note": "The mother asked for erasure by phone."})

    case.refresh_from_db()
    assert response.status_code == 302
    assert case.erased_at is not None and case.name == ""
    event = CaseEvent.objects.get(kind="erased")
    assert (event.by, event.note, event.details["automatic"]) == (police, "The mother asked for erasure by phone.",
                                                                  False)
    assert LogEntry.objects.filter(object_id=str(case.pk), change_message="Erased the case's personal data",
                                   user=police).exists()
    assert client.get(admin_url(f"cases/case/{case.pk}/change/")).context["has_change_permission"] is False


def test_ngo_staff_cannot_erase(client, full_case, ngo):
    case = full_case()
    client.force_login(ngo)

    response = client.post(admin_url(f"cases/case/{case.pk}/erase/"), {"note": "please"})

    case.refresh_from_db()
    assert response.status_code == 403
    assert case.erased_at is None and case.name == "Meera Joshi"


def test_erasing_needs_a_note(client, full_case):
    case = full_case()
    client.force_login(staff_user("inspector", "Police"))

    response = client.post(admin_url(f"cases/case/{case.pk}/erase/"), {"note": ""})

    case.refresh_from_db()
    assert response.status_code == 200
    assert case.erased_at is None
