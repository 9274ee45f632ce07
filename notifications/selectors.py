"""Read-only queries on the outbox, for the admin and for the sweep's stall warning."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Delivery


def deliveries_for_event_prefix(prefix: str) -> QuerySet[Delivery]:
    """Every delivery whose event key starts with `prefix` (e.g. "case:<reference>:"), oldest first."""
    if not prefix:
        raise ValueError("an event key prefix is needed")
    return Delivery.objects.filter(event_key__startswith=prefix).order_by("created_at", "id")


def deliveries_for_event_prefixes(prefixes: list[str]) -> QuerySet[Delivery]:
    """Every delivery whose event key starts with one of `prefixes`, oldest first."""
    if not prefixes or not all(prefixes):
        raise ValueError("event key prefixes are needed")
    matching = Q()
    for prefix in prefixes:
        matching |= Q(event_key__startswith=prefix)
    return Delivery.objects.filter(matching).order_by("created_at", "id")


@dataclass(frozen=True)
class Backlog:
    """Deliveries that should have gone out more than the allowed time ago."""

    count: int
    oldest_due: datetime | None
    oldest_id: int | None


def overdue_deliveries(*, older_than: timedelta) -> Backlog:
    """Pending (or stuck sending) deliveries due for longer than `older_than`: a stalled worker or broker."""
    overdue = Delivery.objects.filter(
        status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING],
        next_attempt_at__lt=timezone.now() - older_than,
    )
    oldest = overdue.order_by("next_attempt_at", "id").values_list("id", "next_attempt_at").first()
    if oldest is None:
        return Backlog(0, None, None)
    return Backlog(overdue.count(), oldest[1], oldest[0])
