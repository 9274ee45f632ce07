"""Form fields other apps use with `notifications.codes`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
