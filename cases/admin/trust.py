"""Everything the case admin adds for trust (issue "Trust"), composed into one mixin for CaseAdmin: verification,
sightings published by staff, masked phone numbers with recorded reveals, erasure, reports entered by staff, and
the trust history on the case page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from .erasure import ErasureAdminMixin
from .history import CaseEventInline
from .phones import PhoneMaskingMixin
from .publication import SightingPublicationMixin
from .report import StaffReportMixin
from .verification import VerificationAdminMixin

TRUST_FIELDSET = (gettext_lazy("Verification, consent and privacy"), {"fields": (
    "verification", "verification_method", "verification_at", "verification_by", "consent_given_by", "consent_at",
    "consent_version", "legal_basis", "resolved_at", "erased_at",
)})
TRUST_READONLY = ("verification", "verification_method", "verification_at", "verification_by", "consent_given_by",
                  "consent_at", "consent_version", "resolved_at", "erased_at")


class CaseTrustMixin(VerificationAdminMixin, SightingPublicationMixin, PhoneMaskingMixin, ErasureAdminMixin,
                     StaffReportMixin):
    def get_fieldsets(self, request, obj=None):
        return [*super().get_fieldsets(request, obj), TRUST_FIELDSET]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *TRUST_READONLY]

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), CaseEventInline]

