"""Public forms: every field validated on the server, with messages a worried parent understands."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from media.audio import InvalidVoiceNote, validate_voice_note
from media.images import InvalidPhoto, normalise_photo
from sachet.phones import PhoneField

from . import consent
from .models import Case, LegalBasis

CLOCK_SKEW = timedelta(minutes=10)
PLACE_IN_LETTERS = _("Please write the place in letters.")
PHOTO_REQUIRED = _("Please add a recent photo of the child: it is the most useful thing for people looking.")


# What each checked time is, in whole sentences (a word slotted into a sentence reads wrongly in Hindi).
PAST_TIME_ERRORS = {
    "last_seen": (_("The time the child was last seen cannot be in the future."),
                  _("Please check when the child was last seen: it is more than 18 years ago.")),
    "sighting": (_("The time of the sighting cannot be in the future."),
                 _("Please check the date of the sighting: it is more than 18 years ago.")),
    "found": (_("The time you met the child cannot be in the future."),
              _("Please check when you met the child: it is more than 18 years ago.")),
}


def clean_past_time(value, *, what: str):
    """`what` is a key of PAST_TIME_ERRORS."""
    if value is None:
        return value
    future, too_old = PAST_TIME_ERRORS[what]
    now = timezone.now()
    if value > now + CLOCK_SKEW:
        raise forms.ValidationError(future)
    if value < now - timedelta(days=365 * 18):
        raise forms.ValidationError(too_old)
    return value


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class LocationFields(forms.Form):
    """Coordinates picked on the map or from 'use my location': optional, both or neither, never 0/0."""

    latitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, min_value=Decimal(-90), max_value=Decimal(90),
        widget=forms.HiddenInput,
    )
    longitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, min_value=Decimal(-180), max_value=Decimal(180),
        widget=forms.HiddenInput,
    )

    def clean(self):
        cleaned = super().clean()
        lat, lng = cleaned.get("latitude"), cleaned.get("longitude")
        if (lat is None) != (lng is None) and "latitude" not in self.errors and "longitude" not in self.errors:
            raise forms.ValidationError(_("The map position is incomplete. Please pick the place on the map again."))
        if lat is not None and lng is not None and lat == 0 and lng == 0:
            raise forms.ValidationError(_("The map position is not set. Please pick the place on the map again."))
        return cleaned

    def clean_latitude(self):
        return _round6(self.cleaned_data.get("latitude"))

    def clean_longitude(self):
        return _round6(self.cleaned_data.get("longitude"))


def _round6(value):
    return value.quantize(Decimal("0.000001")) if value is not None else None


def _clean_photo(upload, *, required: bool):
    if not upload:
        if required:
            raise forms.ValidationError(PHOTO_REQUIRED)
        return None
    try:
        return normalise_photo(upload)
    except InvalidPhoto as error:
        raise forms.ValidationError(str(error)) from None


class CaseReportForm(LocationFields):
    name = forms.CharField(label=_("Child's full name"), max_length=120, min_length=2)
    age = forms.IntegerField(label=_("Age (years)"), min_value=0, max_value=17,
                             error_messages={"max_value": _("Sachet is for children: the age must be 17 or under."),
                                             "min_value": _("The age cannot be negative.")})
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", _("Choose…")), *Case.Gender.choices])
    description = forms.CharField(
        label=_("Description"), min_length=10, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Height, build, clothes, anything that helps people recognise the child."),
    )
    last_seen_place = forms.CharField(label=_("Last seen at"), max_length=255,
                                      help_text=_("Area and city, e.g. “Koregaon Park, Pune”."))
    last_seen_specific = forms.CharField(label=_("Exact spot"), max_length=255, required=False,
                                         help_text=_("e.g. “near the main gate of the park”."))
    last_seen_at = forms.DateTimeField(label=_("When last seen"), widget=DateTimeLocalInput)
    photo = forms.FileField(label=_("Photo of the child"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
                            error_messages={"required": PHOTO_REQUIRED})
    voice_note = forms.FileField(label=_("Voice note"), required=False,
                                 widget=forms.ClearableFileInput(attrs={"accept": "audio/*"}))
    contact_name = forms.CharField(label=_("Family contact name"), max_length=120,
                                   help_text=_("Shown on the public case page and the poster."))
    contact_phone = PhoneField(label=_("Family contact phone"),
                               help_text=_("Shown publicly so people who see the child can call."))
    reporter_name = forms.CharField(label=_("Your name"), max_length=120, required=False,
                                    help_text=_("For the police only; never shown publicly."))
    reporter_phone = PhoneField(label=_("Your phone"), required=False,
                                help_text=_("For the police only; never shown publicly."))
    consent = forms.BooleanField(
        label=consent.CURRENT_LABEL,
        error_messages={"required": _("Please confirm you may publish this appeal.")},
    )

    field_order = ["name", "age", "gender", "description", "photo", "last_seen_place", "last_seen_specific",
                   "latitude", "longitude", "last_seen_at", "voice_note", "contact_name", "contact_phone",
                   "reporter_name", "reporter_phone", "consent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "consent" in self.fields:
            # The wording names the retention period; filled in here, in the visitor's language.
            self.fields["consent"].label = consent.CURRENT_LABEL % {"days": settings.RETENTION_DAYS_AFTER_FOUND}

    def clean_name(self):
        return _clean_text(self.cleaned_data["name"], _("Please write the name in letters."))

    def clean_last_seen_place(self):
        return _clean_text(self.cleaned_data["last_seen_place"], PLACE_IN_LETTERS)

    def clean_last_seen_at(self):
        return clean_past_time(self.cleaned_data.get("last_seen_at"), what="last_seen")

    def clean_photo(self):
        return _clean_photo(self.cleaned_data.get("photo"), required=True)

    def clean_voice_note(self):
        upload = self.cleaned_data.get("voice_note")
        if not upload:
            return None
        try:
            return validate_voice_note(upload)
        except InvalidVoiceNote as error:
            raise forms.ValidationError(str(error)) from None


class SightingForm(LocationFields):
    place = forms.CharField(label=_("Where did you see the child?"), max_length=255,
                            help_text=_("Area and city, and a landmark if you can."))
    seen_at = forms.DateTimeField(label=_("When"), widget=DateTimeLocalInput)
    description = forms.CharField(label=_("What did you see?"), min_length=5, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("Who the child was with, which way they went, what they wore."))
    photo = forms.FileField(label=_("Photo"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    reporter_phone = PhoneField(label=_("Your phone"), required=False,
                                help_text=_("Only the police see it, in case they need to ask you something."))

    field_order = ["place", "latitude", "longitude", "seen_at", "description", "photo", "reporter_phone"]

    def clean_place(self):
        return _clean_text(self.cleaned_data["place"], PLACE_IN_LETTERS)

    def clean_seen_at(self):
        return clean_past_time(self.cleaned_data.get("seen_at"), what="sighting")

    def clean_photo(self):
        return _clean_photo(self.cleaned_data.get("photo"), required=False)


class StaffReportForm(CaseReportForm):
    """A report entered by police or NGO staff in the admin: a legal basis instead of the family's consent, and the
    photo may follow later (staff can add it on the case page)."""

    legal_basis = forms.ChoiceField(label=_("Legal basis for publishing"), choices=[("", "—"), *LegalBasis.choices])

    field_order = ["legal_basis", *CaseReportForm.field_order]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["consent"]
        self.fields["photo"].required = False

    def clean_photo(self):
        return _clean_photo(self.cleaned_data.get("photo"), required=False)


class CodeForm(forms.Form):
    """The 6-digit code sent to the family's phone."""

    code = forms.CharField(
        label=_("Code from the SMS"), max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}),
        error_messages={"required": _("Please type the 6-digit code from the SMS.")},
    )


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label=_("Search by name or place"))


def _clean_text(value: str, error: str) -> str:
    value = " ".join((value or "").split())
    if not any(ch.isalpha() for ch in value):
        raise forms.ValidationError(error)
    return value
