"""API keys for partner systems (an NGO's case system, a police control room, a state portal, Person Finder).

A key is shown once when it is made and stored only as a SHA-256 hash (a key is 32 random bytes: no slow hash is
needed against guessing); its first characters (`prefix`) find the row. Police users make and revoke keys in the
admin. The key's `domain` names the partner: cases and sightings written with the key belong to that domain.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

READ, FULL_READ, WRITE, ANALYTICS = "read", "full_read", "write", "analytics"
SCOPES = (READ, FULL_READ, WRITE, ANALYTICS)
SCOPE_CHOICES = [
    (READ, _("read: what the public pages show")),
    (FULL_READ, _("full_read: adds contacts and reporters (every read is recorded)")),
    (WRITE, _("write: report cases and sightings, import PFIF")),
    (ANALYTICS, _("analytics: risk zones, demographics, insights")),
]


class PartnerKey(models.Model):
    name = models.CharField(_("partner"), max_length=120, help_text=_("Who uses the key, e.g. “Childline Pune”."))
    domain = models.CharField(
        _("domain"), max_length=253,
        help_text=_("The partner's domain, e.g. “childline.example.org”: records written with the key belong to it."),
    )
    scopes = models.JSONField(default=list)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    rate = models.CharField(_("rate limit"), max_length=20, blank=True,
                            help_text=_("Requests allowed, e.g. 600/m; empty: RATE_PARTNER_API."))
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    request_count = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("partner API key")
        verbose_name_plural = _("partner API keys")
        constraints = [models.CheckConstraint(condition=~Q(domain=""), name="partner_key_has_domain")]

    def __str__(self) -> str:
        return f"{self.name} ({self.domain}, {self.prefix}…)"

    def has_scope(self, scope: str) -> bool:
        # full_read includes read.
        return scope in self.scopes or (scope == READ and FULL_READ in self.scopes)

    def usable(self, now=None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())
