"""The public form "I am with a child who is lost": validated on the server like the sighting form, with words a
frightened passer-by understands. Only the place, the time and a phone to call back are required."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sachet.phones import PhoneField

from .forms import DateTimeLocalInput, LocationFields, _clean_photo, _clean_text, clean_past_time
from .models import Case


class FoundChildForm(LocationFields):
    found_place = forms.CharField(label=_("Where are you and the child?"), max_length=255,
                                  help_text=_("Area and city, and a landmark if you can."))
    found_at = forms.DateTimeField(label=_("Since when has the child been with you?"), widget=DateTimeLocalInput)
    photo = forms.FileField(label=_("Photo of the child"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
                            help_text=_("A photo helps the police find the family. It is never made public."))
    apparent_age = forms.IntegerField(label=_("How old does the child look?"), required=False, min_value=0,
                                      max_value=17,
                                      error_messages={"max_value": _("Sachet is for children: 17 or under."),
                                                      "min_value": _("The age cannot be negative.")})
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=[("", _("Not sure")), *Case.Gender.choices])
    stated_name = forms.CharField(label=_("What name does the child give?"), max_length=120, required=False)
    stated_parents = forms.CharField(label=_("Parents' names, if the child says"), max_length=255, required=False)
    stated_place = forms.CharField(label=_("Where does the child say they live?"), max_length=255, required=False)
    language = forms.CharField(label=_("Which language does the child speak?"), max_length=80, required=False)
    clothing = forms.CharField(label=_("What is the child wearing?"), max_length=1000, required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    description = forms.CharField(label=_("Anything else"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("How you met the child, marks, what the child told you."))
    reporter_name = forms.CharField(label=_("Your name"), max_length=120, required=False)
    reporter_phone = PhoneField(label=_("Your phone"),
                                help_text=_("The police will call you. Only they see it."))

    field_order = ["found_place", "latitude", "longitude", "found_at", "photo", "apparent_age", "gender",
                   "stated_name", "stated_parents", "stated_place", "language", "clothing", "description",
                   "reporter_name", "reporter_phone"]

    def clean_found_place(self):
        return _clean_text(self.cleaned_data["found_place"], "the place")

    def clean_found_at(self):
        return clean_past_time(self.cleaned_data.get("found_at"), what="the child has been with you")

    def clean_photo(self):
        return _clean_photo(self.cleaned_data.get("photo"), required=False)
