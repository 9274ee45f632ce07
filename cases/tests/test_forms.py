from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.forms import CaseReportForm, SightingForm
from tests.factories import form_datetime as local, jpeg_bytes


NOT_A_FULL_NUMBER = (
    "This is not a full phone number. Please check it: 10 digits for an Indian mobile, or + and the country code "
    "for a number abroad."
)


def case_data(**overrides):
    data = {
        "name": "Aarav Sharma", "age": "7", "gender": "male",
        "description": "Red T-shirt with a tiger, blue shorts.", "last_seen_place": "Koregaon Park, Pune",
        "last_seen_specific": "", "last_seen_at": local(timezone.now() - timedelta(hours=2)),
        "contact_name": "Priya Sharma", "contact_phone": "+91 98220 00101", "reporter_name": "",
        "reporter_phone": "", "consent": "on", "latitude": "", "longitude": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def photo_file(data=None, name="child.jpg"):
    return SimpleUploadedFile(name, data if data is not None else jpeg_bytes(), content_type="image/jpeg")


def test_valid_report_cleans_phone_and_photo():
    form = CaseReportForm(case_data(), {"photo": photo_file()})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["contact_phone"] == "+919822000101"
    assert form.cleaned_data["photo"].name.endswith(".jpg")
    assert form.cleaned_data["latitude"] is None


@pytest.mark.parametrize("typed", ["9822000101", "+91 98220 00101", "098220 00101"])
def test_report_phones_are_stored_in_e164_however_they_are_typed(typed):
    form = CaseReportForm(case_data(contact_phone=typed, reporter_phone=typed), {"photo": photo_file()})
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["contact_phone"], form.cleaned_data["reporter_phone"]) == ("+919822000101",) * 2


def test_report_phone_inputs_open_the_phone_keypad():
    form = CaseReportForm()
    for name in ("contact_phone", "reporter_phone"):
        html = str(form[name])
        assert 'type="tel"' in html and 'inputmode="tel"' in html and 'autocomplete="tel"' in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("name", "1234", "Please write the name in letters."),
        ("name", "A", "Ensure this value has at least 2 characters (it has 1)."),
        ("age", "18", "Sachet is for children: the age must be 17 or under."),
        ("age", "-1", "The age cannot be negative."),
        ("age", "seven", "Enter a whole number."),
        ("gender", "robot", "Select a valid choice. robot is not one of the available choices."),
        ("description", "short", "Ensure this value has at least 10 characters (it has 5)."),
        ("last_seen_place", "", "This field is required."),
        ("last_seen_place", "12/4", "Please write the place in letters."),
        ("last_seen_at", "", "This field is required."),
        ("last_seen_at", "not a date", "Enter a valid date/time."),
        ("contact_name", "", "This field is required."),
        ("contact_phone", "", "Please give a phone number."),
        ("contact_phone", "call me", "A phone number may contain only digits, spaces, dashes and a leading +."),
        ("contact_phone", "12345", NOT_A_FULL_NUMBER),
        ("reporter_phone", "98-abc", "A phone number may contain only digits, spaces, dashes and a leading +."),
        ("consent", None, "Please confirm you may publish this appeal."),
        ("latitude", "91", "Ensure this value is less than or equal to 90."),
        ("longitude", "-181", "Ensure this value is greater than or equal to -180."),
    ],
)
def test_report_field_rule(field, value, message):
    data = case_data(**{field: value})
    if value is None:
        data.pop(field, None)
    form = CaseReportForm(data, {"photo": photo_file()})
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_last_seen_in_the_future_is_refused():
    form = CaseReportForm(case_data(last_seen_at=local(timezone.now() + timedelta(days=1))), {"photo": photo_file()})
    assert not form.is_valid()
    assert form.errors["last_seen_at"] == ["The time the child was last seen cannot be in the future."]


def test_last_seen_before_the_child_was_born_is_refused():
    form = CaseReportForm(case_data(last_seen_at="2001-01-01T10:00"), {"photo": photo_file()})
    assert not form.is_valid()
    assert "more than 18 years ago" in form.errors["last_seen_at"][0]


def test_photo_is_required():
    form = CaseReportForm(case_data(), {})
    assert not form.is_valid()
    assert form.errors["photo"][0].startswith("Please add a recent photo of the child")


def test_text_file_named_jpg_is_refused_with_a_clear_message():
    form = CaseReportForm(case_data(), {"photo": photo_file(b"this is not a photo\n" * 20)})
    assert not form.is_valid()
    assert form.errors["photo"] == ["This file is not a photo we can read. Please send a JPEG or PNG picture."]


def test_voice_note_that_is_not_audio_is_refused():
    fake = SimpleUploadedFile("note.mp3", b"hello " * 100, content_type="audio/mpeg")
    form = CaseReportForm(case_data(), {"photo": photo_file(), "voice_note": fake})
    assert not form.is_valid()
    assert form.errors["voice_note"][0].startswith("This file is not a sound recording")


def test_latitude_without_longitude_is_refused():
    form = CaseReportForm(case_data(latitude="18.5362"), {"photo": photo_file()})
    assert not form.is_valid()
    assert form.non_field_errors() == ["The map position is incomplete. Please pick the place on the map again."]


def test_zero_zero_position_is_refused():
    form = CaseReportForm(case_data(latitude="0", longitude="0"), {"photo": photo_file()})
    assert not form.is_valid()
    assert form.non_field_errors() == ["The map position is not set. Please pick the place on the map again."]


def test_map_position_is_kept_as_given():
    form = CaseReportForm(case_data(latitude="18.5362", longitude="73.8939"), {"photo": photo_file()})
    assert form.is_valid(), form.errors
    assert str(form.cleaned_data["latitude"]) == "18.536200"
    assert str(form.cleaned_data["longitude"]) == "73.893900"


def sighting_data(**overrides):
    data = {"place": "Kalyani Nagar, Pune", "seen_at": local(timezone.now() - timedelta(minutes=20)),
            "description": "Boy in a red T-shirt walking with a woman.", "reporter_phone": "", "latitude": "",
            "longitude": ""}
    data.update(overrides)
    return data


def test_sighting_phone_is_stored_in_e164():
    form = SightingForm(sighting_data(reporter_phone="099000 12345"), {})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["reporter_phone"] == "+919900012345"
    assert 'type="tel"' in str(form["reporter_phone"])


def test_valid_sighting_without_photo_or_phone():
    form = SightingForm(sighting_data(), {})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["photo"] is None
    assert form.cleaned_data["reporter_phone"] == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("place", "", "This field is required."),
        ("seen_at", "", "This field is required."),
        ("description", "hm", "Ensure this value has at least 5 characters (it has 2)."),
        ("reporter_phone", "123", NOT_A_FULL_NUMBER),
        ("latitude", "abc", "Enter a number."),
    ],
)
def test_sighting_field_rule(field, value, message):
    form = SightingForm(sighting_data(**{field: value}), {})
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_sighting_in_the_future_is_refused():
    form = SightingForm(sighting_data(seen_at=local(timezone.now() + timedelta(hours=3))), {})
    assert not form.is_valid()
    assert form.errors["seen_at"] == ["The time of the sighting cannot be in the future."]


def test_sighting_with_a_broken_photo_is_refused():
    form = SightingForm(sighting_data(), {"photo": photo_file(jpeg_bytes()[:300])})
    assert not form.is_valid()
    assert form.errors["photo"] == ["This photo seems to be damaged or incomplete. Please try another one."]
