"""Making, finding and revoking partner keys. A key looks like `sk_<prefix>_<secret>`; only its hash is stored."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime

from django.db.models import F
from django.utils import timezone

from .models import SCOPES, PartnerKey

logger = logging.getLogger(__name__)

PREFIX_BYTES = 6  # 12 hex characters: finds the row, says nothing useful about the secret


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_secret() -> tuple[str, str, str]:
    """(prefix, key, hash) for a new key."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    key = f"sk_{prefix}_{secrets.token_urlsafe(32)}"
    return prefix, key, _hash(key)


def create_key(*, name: str, domain: str, scopes: list[str], expires_at: datetime, by=None,
               rate: str = "") -> tuple[PartnerKey, str]:
    """A new key; returns the row and the key itself, which is shown once and never stored."""
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ValueError(f"scopes must be some of {', '.join(SCOPES)}")
    prefix, key, key_hash = new_secret()
    row = PartnerKey.objects.create(name=name, domain=domain.strip().lower(), scopes=sorted(set(scopes)),
                                    prefix=prefix, key_hash=key_hash, expires_at=expires_at, created_by=by,
                                    rate=rate)
    logger.info("partner key created id=%s prefix=%s domain=%s by=%s", row.pk, prefix, row.domain,
                getattr(by, "pk", None))
    return row, key


def find_key(key: str) -> PartnerKey | None:
    """The key's row when the key is right (whatever its expiry or revocation), else None."""
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != "sk":
        return None
    row = PartnerKey.objects.filter(prefix=parts[1]).first()
    if row is None or not hmac.compare_digest(row.key_hash, _hash(key)):
        return None
    return row


def revoke(*, key: PartnerKey, by=None) -> bool:
    """Revoke at once; False when it was revoked already."""
    updated = PartnerKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if updated:
        logger.info("partner key revoked id=%s prefix=%s by=%s", key.pk, key.prefix, getattr(by, "pk", None))
    return bool(updated)


def count_use(key: PartnerKey) -> None:
    PartnerKey.objects.filter(pk=key.pk).update(request_count=F("request_count") + 1, last_used_at=timezone.now())
