"""Phone numbers: one form for storing and comparing (E.164), one mask for logs and staff lists, one form field.

"9822012345", "+91 98220 12345", "098220 12345" and "0091 98220 12345" are all `+919822012345` (numbers without a
country code are read as Indian). Models keep E.164 in a CharField(max_length=20); nothing else should parse numbers.
"""

from __future__ import annotations

import re

import phonenumbers
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_REGION = "IN"
# What people type into a phone box; letters ("1-800-FLOWERS", "call me") are refused rather than guessed.
# A "+" only before the first digit ("+91 ...", "(+91) ...").
_ALLOWED = re.compile(r"^[ (]*\+?[0-9 ()\-./]+$")
_MASK_STARS = "******"


class InvalidPhone(ValueError):
    """Not a phone number we can use; the message is meant for the person who typed it."""


def _parse(value: str, region: str) -> phonenumbers.PhoneNumber:
    value = (value or "").strip()
    if not value:
        raise InvalidPhone(_("Please give a phone number."))
    if not _ALLOWED.match(value):
        raise InvalidPhone(_("A phone number may contain only digits, spaces, dashes and a leading +."))
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidPhone(
            _("This is not a full phone number. Please check it: 10 digits for an Indian mobile, or + and the "
              "country code for a number abroad.")
        )
    return number


def normalise(value: str, region: str = DEFAULT_REGION) -> str:
    """The number in E.164 ("+919822012345"); raises InvalidPhone with a message a parent understands."""
    return phonenumbers.format_number(_parse(value, region), phonenumbers.PhoneNumberFormat.E164)


def normalise_or_blank(value, region: str = DEFAULT_REGION) -> str:
    """The number in E.164, or "" for anything that is not one (records brought from other systems)."""
    try:
        return normalise(str(value or ""), region)
    except InvalidPhone:
        return ""


# Kinds of number that cannot take a text message (a landline, a toll-free or premium line, a pager).
_NO_SMS = {
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.PREMIUM_RATE,
    phonenumbers.PhoneNumberType.SHARED_COST,
    phonenumbers.PhoneNumberType.UAN,
    phonenumbers.PhoneNumberType.VOICEMAIL,
    phonenumbers.PhoneNumberType.PAGER,
}


def can_receive_sms(value: str) -> bool:
    """Whether the number can take a text message: not a landline, toll-free, premium or similar line (a number
    whose plan does not tell mobile from landline, as in the USA, is given the benefit of the doubt)."""
    try:
        number = phonenumbers.parse(value or "", DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) not in _NO_SMS


def mask(value: str) -> str:
    """The country code and the last two digits only: "+919822012345" -> "+91 ******45".

    Always the same number of stars, so a masked number does not tell its length. A value that is not a phone
    number keeps only its last two digits ("******45"), so nothing is ever shown whole.
    """
    try:
        number = phonenumbers.parse(value or "", DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    digits = re.sub(r"\D", "", value or "")
    if number is not None and phonenumbers.is_valid_number(number):
        national = str(number.national_number)
        return f"+{number.country_code} {_MASK_STARS}{national[-2:]}"
    return f"{_MASK_STARS}{digits[-2:]}"


class PhoneField(forms.CharField):
    """A phone box that opens the phone keypad and cleans to E.164."""

    widget = forms.TelInput

    default_error_messages = {"required": gettext_lazy("Please give a phone number.")}

    def __init__(self, *, region: str = DEFAULT_REGION, **kwargs) -> None:
        kwargs.setdefault("max_length", 25)  # what people type, with spaces; the cleaned value is at most 16
        self.region = region
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        return attrs

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        try:
            return normalise(value, self.region)
        except InvalidPhone as error:
            raise forms.ValidationError(str(error), code="invalid_phone") from None
