"""What the OpenAPI schema says about partner keys and errors (registered by PartnersConfig.ready)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import serializers


class KeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "sachet.partners.auth.KeyAuthentication"
    name = "PartnerKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A partner key from the admin (Police), as `Authorization: Bearer sk_...`."}


class Problem(serializers.Serializer):
    """An error: `detail` (DRF), `error` (the place look-ups, rate limits), field `errors` for bad input."""

    detail = serializers.CharField(required=False)
    error = serializers.CharField(required=False)
    errors = serializers.JSONField(required=False)
    retry_after = serializers.IntegerField(required=False)
