"""What a partner key sees of a case: one function per question, built on cases.public (the public pages' rules).

- `read`: the cases the public was told about (verified, any status), and the key's own domain's reports; each field
  only when the case's public page shows it in its state (cases.public.PublicView), so a found child's case past
  the photo period is a stub (reference and outcome). Rejected reports never.
- `full_read`: unverified reports too, and every field (contacts, reporters, staff-only sightings); each such read is
  recorded in the case's history (CaseEvent "partner_read").
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from sachet.partners.models import FULL_READ, PartnerKey

from ..models import Case, CaseEvent, Verification


def full(key: PartnerKey) -> bool:
    return key.has_scope(FULL_READ)


def visible_cases(key: PartnerKey) -> QuerySet[Case]:
    cases = Case.objects.exclude(verification=Verification.REJECTED)
    if full(key):
        return cases
    return cases.filter(Q(verification=Verification.VERIFIED) | Q(source_domain=key.domain))


def record_private_read(key: PartnerKey, cases, *, what: str) -> None:
    """One history entry per case whose private details a full_read key was given."""
    now = timezone.now()
    CaseEvent.objects.bulk_create([
        CaseEvent(case_id=case.pk, kind=CaseEvent.Kind.PARTNER_READ, at=now,
                  details={"key": key.pk, "partner": key.name, "domain": key.domain, "what": what})
        for case in cases if case.erased_at is None
    ])
