"""Partner API keys in the admin (Police): make one (shown once), see its use, revoke it."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import keys
from .models import SCOPE_CHOICES, PartnerKey


class PartnerKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label=gettext_lazy("Scopes"), choices=SCOPE_CHOICES,
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = PartnerKey
        fields = ("name", "domain", "scopes", "expires_at", "rate")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault("expires_at", timezone.now() + timedelta(days=settings.PARTNER_KEY_DAYS))

    def clean_domain(self):
        domain = self.cleaned_data["domain"].strip().lower()
        if not re.fullmatch(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+", domain):
            raise forms.ValidationError(_("Write the partner's domain name, e.g. childline.example.org."))
        if domain in ("sachet-v1", settings.PFIF_DOMAIN):
            raise forms.ValidationError(_("This domain is Sachet's own: use the partner's."))
        return domain

    def clean_rate(self):
        rate = self.cleaned_data["rate"].strip()
        if rate and not re.fullmatch(r"[1-9]\d*/\d*[smhd]", rate):
            raise forms.ValidationError(_("Write the rate like 600/m or 10000/h, or leave it empty."))
        return rate

    def clean_expires_at(self):
        value = self.cleaned_data["expires_at"]
        if value <= timezone.now():
            raise forms.ValidationError(_("The expiry must be in the future."))
        return value


@admin.register(PartnerKey)
class PartnerKeyAdmin(admin.ModelAdmin):
    form = PartnerKeyForm
    list_display = ("name", "domain", "prefix", "scope_list", "expires_at", "revoked_at", "last_used_at",
                    "request_count")
    list_filter = ("revoked_at",)
    search_fields = ("name", "domain", "prefix")
    readonly_fields = ("prefix", "created_by", "created_at", "last_used_at", "request_count", "revoked_at")
    actions = ["revoke_keys"]

    @admin.display(description=gettext_lazy("Scopes"))
    def scope_list(self, obj):
        return ", ".join(obj.scopes)

    def get_readonly_fields(self, request, obj=None):
        # A key's name, domain and scopes are fixed once made: make a new key for other rights.
        if obj is not None:
            return (*self.readonly_fields, "name", "domain", "scopes", "scope_list")
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "domain", "scopes", "expires_at", "rate")
        return ("name", "domain", "scope_list", "prefix", "expires_at", "rate", "created_by", "created_at",
                "last_used_at", "request_count", "revoked_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.prefix, obj._plain_key, obj.key_hash = keys.new_secret()
            obj.created_by = request.user
            obj.scopes = sorted(set(form.cleaned_data["scopes"]))
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        """The key, once: it is not stored and cannot be shown again."""
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "key_row": obj,
                   "key": obj._plain_key, "title": _("Partner API key created")}
        response = TemplateResponse(request, "admin/partners/partnerkey/created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=gettext_lazy("Revoke the selected keys"), permissions=["change"])
    def revoke_keys(self, request, queryset):
        count = 0
        for key in queryset:
            if keys.revoke(key=key, by=request.user):
                self.log_change(request, key, "Revoked")
                count += 1
        self.message_user(request, ngettext("%(count)d key revoked.", "%(count)d keys revoked.", count)
                          % {"count": count}, messages.SUCCESS)
