import pytest
from django import forms

from sachet.phones import InvalidPhone, PhoneField, can_receive_sms, mask, normalise


@pytest.mark.parametrize(
    "typed",
    ["9822012345", "+91 98220 12345", "098220 12345", "+91-98220-12345", "0091 98220 12345", "919822012345",
     " (+91) 98220.12345 "],
)
def test_the_ways_people_write_one_indian_mobile_are_one_number(typed):
    assert normalise(typed) == "+919822012345"


def test_a_landline_with_its_std_code_is_kept():
    assert normalise("022 2345 6789") == "+912223456789"


def test_a_number_abroad_keeps_its_country_code():
    assert normalise("+1 415 555 2671") == "+14155552671"


def test_too_short_a_number_is_refused_in_plain_words():
    with pytest.raises(InvalidPhone) as raised:
        normalise("12345")
    assert str(raised.value) == (
        "This is not a full phone number. Please check it: 10 digits for an Indian mobile, or + and the country "
        "code for a number abroad."
    )


@pytest.mark.parametrize("typed", ["call me", "1-800-FLOWERS", "98220 12345 ext 3", "+91 98220 12345#"])
def test_letters_and_symbols_are_refused_rather_than_guessed(typed):
    with pytest.raises(InvalidPhone, match="only digits, spaces, dashes and a leading"):
        normalise(typed)


def test_an_empty_number_is_refused():
    with pytest.raises(InvalidPhone, match="Please give a phone number."):
        normalise("   ")


def test_invalid_phone_is_a_value_error():
    assert issubclass(InvalidPhone, ValueError)


def test_mask_keeps_the_country_code_and_the_last_two_digits():
    assert mask("+919822012345") == "+91 ******45"
    assert mask("+14155552671") == "+1 ******71"


def test_mask_does_not_tell_the_length_of_the_number():
    assert len(mask("+919822012345")) == len(mask("+912223456789"))


def test_mask_of_something_that_is_not_a_phone_number_shows_only_two_digits():
    assert mask("12345") == "******45"
    assert mask("") == "******"


def test_mask_of_a_number_as_typed_equals_the_mask_of_its_e164_form():
    assert mask("098220 12345") == mask(normalise("098220 12345")) == "+91 ******45"


def test_a_mobile_can_receive_sms_and_a_landline_cannot():
    assert can_receive_sms("+919822012345") is True
    assert can_receive_sms("+14155552671") is True  # the USA does not tell mobiles from landlines
    assert can_receive_sms("+912223456789") is False
    assert can_receive_sms("1800 180 1234") is False  # toll-free
    assert can_receive_sms("not a number") is False


class ContactForm(forms.Form):
    phone = PhoneField(label="Phone")
    other = PhoneField(label="Other phone", required=False)


def test_phone_field_cleans_to_e164():
    form = ContactForm({"phone": "098220 12345", "other": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"phone": "+919822012345", "other": ""}


def test_phone_field_shows_the_phone_keypad_and_offers_the_saved_number():
    html = str(ContactForm()["phone"])
    assert 'type="tel"' in html
    assert 'inputmode="tel"' in html
    assert 'autocomplete="tel"' in html
    assert 'maxlength="25"' in html


def test_phone_field_errors_are_in_plain_words():
    form = ContactForm({"phone": "", "other": "12345"})
    assert not form.is_valid()
    assert form.errors["phone"] == ["Please give a phone number."]
    assert form.errors["other"][0].startswith("This is not a full phone number.")
