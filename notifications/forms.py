"""Form fields other apps use with `notifications.codes`."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sachet.phones import PhoneField

from .codes import CODE_DIGITS


class CodeField(forms.CharField):
    """The box for a one-time code: the number keypad, the phone's offer to fill in the code from the SMS, and
    spaces people type ("123 456") removed."""

    default_error_messages = {
        "required": _("Please type the 6-digit code from the SMS."),
        "invalid_code": _("The code has 6 digits. Please type the 6 digits from the SMS."),
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Code from the SMS"))
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": r"[0-9 ]*"})
        return attrs

    def to_python(self, value):
        value = "".join(super().to_python(value).split())
        if value and (len(value) != CODE_DIGITS or not value.isdigit()):
            raise forms.ValidationError(self.error_messages["invalid_code"], code="invalid_code")
        return value


class SubscribeForm(forms.Form):
    """/subscribe: a place (typed, marked on the map, or the phone's location), a circle, a channel, a language."""

    place = forms.CharField(
        label=_("Place"), max_length=200, required=False,
        help_text=_("Area and city, e.g. “Koregaon Park, Pune”. Or mark the place on the map below."))
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    radius_km = forms.IntegerField(
        label=_("How far around it (km)"), min_value=1, max_value=50, initial=5,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
        help_text=_("From 1 to 50 km. A new case reaches 5 km at first, and further the longer a child is missing."),
        error_messages={"min_value": _("Please choose at least 1 km."),
                        "max_value": _("Please choose at most 50 km."),
                        "invalid": _("Please give a whole number of km, from 1 to 50.")})
    channel = forms.ChoiceField(label=_("How should we tell you?"), widget=forms.RadioSelect,
                                error_messages={"invalid_choice": _("Please choose one of the ways offered.")})
    phone = PhoneField(label=_("Mobile number"), required=False,
                       help_text=_("We send a code to this number first. Only you and Sachet see it."))
    language = forms.ChoiceField(label=_("Language of the alerts"))
    consent = forms.BooleanField(
        label=_("I want alerts about missing children near this place. I can stop them at any time, and then my "
                "number or chat is deleted."),
        error_messages={"required": _("Please tick the box to agree to the alerts.")})
    push_endpoint = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    push_p256dh = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    push_auth = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args, channels: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = channels
        if len(channels) == 1:
            self.fields["channel"].initial = channels[0][0]
        self.fields["language"].choices = [(code, name) for code, name in settings.LANGUAGES]
        self.fields["language"].initial = translation.get_language() or settings.LANGUAGE_CODE

    def clean(self):
        cleaned = super().clean()
        lat, lng = cleaned.get("latitude"), cleaned.get("longitude")
        if (lat is None) != (lng is None) or (lat == 0 and lng == 0):
            cleaned["latitude"] = cleaned["longitude"] = None
        if cleaned.get("latitude") is None and not (cleaned.get("place") or "").strip() and "place" not in self.errors:
            self.add_error("place", _("Please type a place, or mark it on the map."))
        channel = cleaned.get("channel")
        if channel == "sms_subscriber" and not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Please give the mobile number for the alerts."))
        if channel == "webpush" and not all(cleaned.get(name) for name in ("push_endpoint", "push_p256dh",
                                                                             "push_auth")):
            self.add_error("channel", _("Notifications were not turned on in this browser. Please allow them when "
                                        "your browser asks, or choose another way."))
        return cleaned


class SubscriptionCodeForm(forms.Form):
    code = CodeField()
