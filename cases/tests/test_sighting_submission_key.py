"""A sighting written offline is sent later, perhaps several times (a lost answer, the page and the service worker
both trying): its submission key makes the server store it exactly once, answer every repeat as the first time,
and never turn a repeat into a 429 that would leave the browser holding a sighting it cannot send."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import services, submissions
from cases.models import Sighting
from tests.factories import form_datetime, jpeg_bytes

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def sighting_data(**overrides) -> dict:
    data = {"place": "Kalyani Nagar, Pune", "seen_at": form_datetime(timezone.now() - timedelta(hours=1)),
            "description": "Boy in a red T-shirt near the bridge.", "reporter_phone": "98765 43210",
            "submission_key": str(uuid.uuid4())}
    data.update(overrides)
    return data


def test_a_sighting_sent_three_times_with_its_key_is_stored_once(client, make_case,
                                                                  django_capture_on_commit_callbacks):
    case = make_case()
    data = sighting_data()

    with django_capture_on_commit_callbacks(execute=True):
        answers = [client.post(f"/found/{case.reference}", data, **JSON) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [201, 200, 200]
    assert [answer.json()["outcome"] for answer in answers] == ["saved", "repeated", "repeated"]
    assert {answer.json()["case_url"] for answer in answers} == {case.get_absolute_url()}
    sighting = Sighting.objects.get(case=case)
    assert str(sighting.submission_key) == data["submission_key"]
    assert sighting.reporter_phone == "+919876543210"


def test_a_repeat_of_the_html_form_lands_on_the_case_page_with_the_same_words(client, make_case):
    case = make_case()
    data = sighting_data()
    first = client.post(f"/found/{case.reference}", data)
    again = client.post(f"/found/{case.reference}", data, follow=True)

    assert first.status_code == 302 and first["Location"] == case.get_absolute_url()
    assert again.redirect_chain == [(case.get_absolute_url(), 302)]
    assert "You sent this sighting a few minutes ago: it is saved once and the team has it." in again.content.decode()
    assert Sighting.objects.filter(case=case).count() == 1


def test_two_sightings_with_different_keys_are_two(client, make_case):
    case = make_case()
    client.post(f"/found/{case.reference}", sighting_data(description="Boy near the bridge, going north."), **JSON)
    client.post(f"/found/{case.reference}", sighting_data(description="Same boy at the bus stand an hour later."),
                **JSON)

    assert Sighting.objects.filter(case=case).count() == 2


def test_one_key_on_two_cases_makes_two_sightings(client, make_case):
    first, second = make_case(), make_case(name="Kavya Reddy")
    data = sighting_data()
    assert client.post(f"/found/{first.reference}", data, **JSON).status_code == 201
    assert client.post(f"/found/{second.reference}", data, **JSON).status_code == 201

    assert Sighting.objects.filter(submission_key=data["submission_key"]).count() == 2


def test_a_repeat_after_the_rate_limit_is_answered_and_not_counted(client, make_case, settings):
    settings.RATE_SIGHTING = "2/h"
    case = make_case()
    sent = sighting_data()
    assert client.post(f"/found/{case.reference}", sent, **JSON).status_code == 201
    assert client.post(f"/found/{case.reference}", sighting_data(description="A second sighting, at the market."),
                       **JSON).status_code == 201

    over = client.post(f"/found/{case.reference}", sighting_data(description="A third one, by the river."), **JSON)
    repeats = [client.post(f"/found/{case.reference}", sent, **JSON) for _ in range(5)]

    assert over.status_code == 429 and int(over["Retry-After"]) > 0
    assert over.json()["retry_after"] > 0
    assert [repeat.status_code for repeat in repeats] == [200] * 5
    assert Sighting.objects.filter(case=case).count() == 2
    assert not Sighting.objects.filter(description__contains="river").exists()


def test_a_new_key_over_the_rate_limit_is_refused_and_not_stored(client, make_case, settings):
    settings.RATE_SIGHTING = "1/h"
    case = make_case()
    client.post(f"/found/{case.reference}", sighting_data(), **JSON)

    refused = client.post(f"/found/{case.reference}", sighting_data(description="Another boy, another place."),
                          **JSON)

    assert refused.status_code == 429
    assert Sighting.objects.filter(case=case).count() == 1


def test_an_invalid_sighting_sent_as_json_gets_its_errors_and_is_not_stored(client, make_case):
    case = make_case()
    answer = client.post(f"/found/{case.reference}", sighting_data(description="", place=""), **JSON)

    assert answer.status_code == 400
    assert answer.json()["outcome"] == "invalid"
    assert set(answer.json()["errors"]) == {"description", "place"}
    assert Sighting.objects.count() == 0


def test_a_sighting_sent_after_the_child_was_found_is_not_stored(client, make_case):
    case = make_case(status="found", resolved_at=timezone.now())
    answer = client.post(f"/found/{case.reference}", sighting_data(), **JSON)

    assert answer.status_code == 410
    assert answer.json()["outcome"] == "closed"
    assert Sighting.objects.count() == 0


def test_a_key_that_is_not_a_uuid_is_ignored_and_the_sighting_stored(client, make_case):
    case = make_case()
    answer = client.post(f"/found/{case.reference}", sighting_data(submission_key="not-a-key"), **JSON)

    assert answer.status_code == 201
    assert Sighting.objects.get(case=case).submission_key is None


def test_a_photo_sent_again_with_its_key_is_stored_once(client, make_case, settings):
    case = make_case()
    data = sighting_data()
    for _ in range(2):
        photo = SimpleUploadedFile("s.jpg", jpeg_bytes(), content_type="image/jpeg")
        client.post(f"/found/{case.reference}", {**data, "photo": photo}, **JSON)

    sighting = Sighting.objects.get(case=case)
    assert sighting.photo.name.startswith("sightings/photos/")
    assert [path.name for path in (settings.MEDIA_ROOT / "sightings" / "photos").iterdir()] == [
        sighting.photo.name.rsplit("/", 1)[1]]


def test_the_database_refuses_a_second_row_with_the_same_key(make_case):
    case = make_case()
    key = uuid.uuid4()
    services.record_sighting(case=case, place="Pune", seen_at=timezone.now(), description="Near the bridge.",
                             submission_key=key)

    with pytest.raises(IntegrityError), transaction.atomic():
        Sighting.objects.create(case=case, place="Pune", seen_at=timezone.now(), description="Again.",
                                submission_key=key)


def test_a_key_stored_meanwhile_by_another_request_is_found_after_the_clash(make_case, monkeypatch):
    case = make_case()
    key = uuid.uuid4()
    other = services.record_sighting(case=case, place="Pune", seen_at=timezone.now(), description="Near the bridge.",
                                     submission_key=key)
    # The other request stored it just after this one looked (its lock not taken: the cache was down).
    looks = []
    real = submissions.stored_sighting

    def look(**kwargs):
        looks.append(kwargs)
        return None if len(looks) == 1 else real(**kwargs)

    monkeypatch.setattr(submissions, "stored_sighting", look)
    sighting, repeated = submissions.submit_sighting(case=case, place="Pune", seen_at=timezone.now(),
                                                     description="A different text, same key.", submission_key=key)

    assert (sighting.pk, repeated) == (other.pk, True)
    assert len(looks) == 2
    assert Sighting.objects.filter(case=case).count() == 1


def test_a_sighting_sent_to_a_case_merged_meanwhile_reaches_the_kept_case_once(client, make_case):
    # Written offline for the later report; staff merged it into the earlier one before the phone was online.
    from cases import merging

    kept, duplicate = make_case(name="Aarav Sharma"), make_case(name="Arav Sharma")
    merging.merge(kept=kept, duplicate=duplicate)
    data = sighting_data()

    answers = [client.post(f"/found/{duplicate.reference}", data, follow=True, **JSON) for _ in range(2)]

    assert [answer.redirect_chain for answer in answers] == [[(f"/found/{kept.reference}", 307)]] * 2
    assert [answer.json()["outcome"] for answer in answers] == ["saved", "repeated"]
    assert Sighting.objects.filter(case=kept, submission_key=data["submission_key"]).count() == 1
    assert not Sighting.objects.filter(case=duplicate).exists()
