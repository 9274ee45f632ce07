"""The JSON of cases, sightings and status changes for partners, and the documented shapes of what they send.

Every field is always present; null means "not shown to this key in the case's state" (or unknown). Input is
validated by the public forms (cases.forms), so a partner's report meets exactly the public form's rules; the
request serializers here only describe it in the OpenAPI schema.
"""

from __future__ import annotations


from django.conf import settings
from rest_framework import serializers

from media.storage import absolute_url
from sachet.partners.models import PartnerKey
from sachet.partners.schema import Problem  # noqa: F401 - the documented error shape

from .. import public
from ..models import Case, Sighting, StatusChange
from ..text import mask_contact_details
from .visibility import full

STATES = list(public.STATES)


def _float(value):
    return float(value) if value is not None else None


def case_json(case: Case, key: PartnerKey) -> dict:
    view = public.public_view(case)
    private = full(key) and case.erased_at is None
    shows = lambda flag: private or flag  # noqa: E731
    sightings = getattr(case, "sighting_total", None)
    published = getattr(case, "published_total", None)
    return {
        "reference": case.reference,
        "url": settings.SITE_URL + case.get_absolute_url(),
        "state": view.state,
        "status": case.status,
        "stub": not shows(view.name),
        "name": case.name if shows(view.name) else None,
        "photo_url": absolute_url(case.photo) if shows(view.photo) else None,
        "age": case.age if shows(view.details) else None,
        "gender": case.gender if shows(view.details) else None,
        "description": case.description if shows(view.details) else None,
        "last_seen_place": case.last_seen_place if shows(view.details) else None,
        "last_seen_specific": case.last_seen_specific if shows(view.details) else None,
        "last_seen_at": case.last_seen_at if shows(view.details) else None,
        "latitude": _float(case.latitude) if shows(view.map) else None,
        "longitude": _float(case.longitude) if shows(view.map) else None,
        "location_precision": (case.location_precision or None) if shows(view.map) else None,
        "contact_name": case.contact_name if shows(view.contact) else None,
        "contact_phone": case.contact_phone if shows(view.contact) else None,
        "sighting_count": sightings if shows(view.sightings) else None,
        "published_sighting_count": published if shows(view.sightings) else None,
        "resolved_at": case.resolved_at,
        "merged_into": case.merged_into.reference if case.merged_into_id else None,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "source_domain": case.source_domain or None,
        "reporter_name": case.reporter_name if private else None,
        "reporter_phone": case.reporter_phone if private else None,
        "verification": case.verification if private else None,
    }


def sighting_json(sighting: Sighting, key: PartnerKey, *, reference: str) -> dict:
    private = full(key)
    return {
        "id": sighting.pk,
        "case": reference,
        "place": sighting.place if private else mask_contact_details(sighting.place),
        "latitude": _float(sighting.latitude),
        "longitude": _float(sighting.longitude),
        "seen_at": sighting.seen_at,
        "description": sighting.description if private else mask_contact_details(sighting.description),
        "published": sighting.published_at is not None,
        "photo_url": absolute_url(sighting.photo) if private else None,
        "reporter_phone": (sighting.reporter_phone or None) if private else None,
        "face_match_score": sighting.face_match_score if private else None,
        "source_domain": sighting.source_domain or None,
        "created_at": sighting.created_at,
    }


def status_json(change: StatusChange, key: PartnerKey) -> dict:
    return {"from_status": change.from_status or None, "to_status": change.to_status, "changed_at": change.changed_at,
            "note": change.note if full(key) else None}


# --- documented shapes (OpenAPI) ---------------------------------------------------------------------------------

class CaseOut(serializers.Serializer):
    reference = serializers.CharField()
    url = serializers.URLField()
    state = serializers.ChoiceField(choices=STATES, help_text="The public state (docs/public-states.md).")
    status = serializers.ChoiceField(choices=Case.Status.values)
    stub = serializers.BooleanField(help_text="Only the reference and the outcome are public.")
    name = serializers.CharField(allow_null=True)
    photo_url = serializers.URLField(allow_null=True)
    age = serializers.IntegerField(allow_null=True)
    gender = serializers.ChoiceField(choices=Case.Gender.values, allow_null=True)
    description = serializers.CharField(allow_null=True)
    last_seen_place = serializers.CharField(allow_null=True)
    last_seen_specific = serializers.CharField(allow_null=True, allow_blank=True)
    last_seen_at = serializers.DateTimeField(allow_null=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    location_precision = serializers.CharField(allow_null=True)
    contact_name = serializers.CharField(allow_null=True)
    contact_phone = serializers.CharField(allow_null=True, allow_blank=True)
    sighting_count = serializers.IntegerField(allow_null=True)
    published_sighting_count = serializers.IntegerField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    merged_into = serializers.CharField(allow_null=True, help_text=(
        "The same child reported twice: this case was merged into the case with this reference (its page leads "
        "there); null otherwise."))
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    source_domain = serializers.CharField(allow_null=True)
    reporter_name = serializers.CharField(allow_null=True, allow_blank=True, help_text="full_read only")
    reporter_phone = serializers.CharField(allow_null=True, allow_blank=True, help_text="full_read only")
    verification = serializers.CharField(allow_null=True, help_text="full_read only")


class CasePage(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page (a cursor link), or null.")
    previous = serializers.URLField(allow_null=True)
    results = CaseOut(many=True)


class CaseCreated(CaseOut):
    repeated = serializers.BooleanField(help_text="The same report was sent within the last minutes: stored once.")


class SightingOut(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField()
    place = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    seen_at = serializers.DateTimeField()
    description = serializers.CharField()
    published = serializers.BooleanField()
    photo_url = serializers.URLField(allow_null=True)
    reporter_phone = serializers.CharField(allow_null=True)
    face_match_score = serializers.IntegerField(allow_null=True)
    source_domain = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class SightingCreated(SightingOut):
    repeated = serializers.BooleanField()


class StatusChangeOut(serializers.Serializer):
    from_status = serializers.ChoiceField(choices=Case.Status.values, allow_null=True)
    to_status = serializers.ChoiceField(choices=Case.Status.values)
    changed_at = serializers.DateTimeField()
    note = serializers.CharField(allow_null=True, allow_blank=True)


class CaseIn(serializers.Serializer):
    """The public report form's fields (multipart/form-data, for the photo)."""

    name = serializers.CharField(max_length=120, min_length=2)
    age = serializers.IntegerField(min_value=0, max_value=17)
    gender = serializers.ChoiceField(choices=Case.Gender.values)
    description = serializers.CharField(min_length=10, max_length=2000)
    photo = serializers.FileField(help_text="JPEG, PNG, WebP or HEIC; metadata is stripped.")
    last_seen_place = serializers.CharField(max_length=255)
    last_seen_specific = serializers.CharField(max_length=255, required=False)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, min_value=-90, max_value=90)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, min_value=-180,
                                         max_value=180)
    last_seen_at = serializers.DateTimeField()
    voice_note = serializers.FileField(required=False)
    contact_name = serializers.CharField(max_length=120)
    contact_phone = serializers.CharField(max_length=20, help_text="Published on the case page.")
    reporter_name = serializers.CharField(max_length=120, required=False)
    reporter_phone = serializers.CharField(max_length=20, required=False)
    consent = serializers.BooleanField(help_text="The guardian agreed to publication (cases/consent.py's wording).")


class SightingIn(serializers.Serializer):
    place = serializers.CharField(max_length=255)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, min_value=-90, max_value=90)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, min_value=-180,
                                         max_value=180)
    seen_at = serializers.DateTimeField()
    description = serializers.CharField(min_length=5, max_length=2000)
    photo = serializers.FileField(required=False)
    reporter_phone = serializers.CharField(max_length=20, required=False)
