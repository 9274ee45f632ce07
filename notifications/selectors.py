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
    """Pending (or stuck sending) alerts due for longer than `older_than`: a stalled worker or broker. Messages to
    subscribers wait their turn at the providers' pace, so they are judged by `bulk_stalled` instead."""
    overdue = Delivery.objects.filter(
        status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING],
        next_attempt_at__lt=timezone.now() - older_than,
        bulk=False,
    )
    oldest = overdue.order_by("next_attempt_at", "id").values_list("id", "next_attempt_at").first()
    if oldest is None:
        return Backlog(0, None, None)
    return Backlog(overdue.count(), oldest[1], oldest[0])


def bulk_stalled(*, older_than: timedelta) -> list[str]:
    """Channels with subscriber messages due for longer than `older_than` and none sent in that time: nobody is
    working through the bulk queue."""
    now = timezone.now()
    waiting = set(
        Delivery.objects.filter(bulk=True, status=Delivery.Status.PENDING, next_attempt_at__lt=now - older_than)
        .order_by().values_list("channel", flat=True).distinct()
    )
    moving = set(
        Delivery.objects.filter(bulk=True, channel__in=waiting, sent_at__gte=now - older_than)
        .order_by().values_list("channel", flat=True).distinct()
    )
    return sorted(waiting - moving)


def stalled_area_alerts(*, waiting_for: timedelta = timedelta(minutes=1)) -> list[int]:
    """Area alerts not finished, unclaimed (or with an expired lease), written more than `waiting_for` ago."""
    from .models import AreaAlert

    now = timezone.now()
    return list(
        AreaAlert.objects.filter(status__in=[AreaAlert.Status.PENDING, AreaAlert.Status.RUNNING],
                                 created_at__lt=now - waiting_for)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("created_at").values_list("id", flat=True)[:100]
    )


def channels_with_due_bulk() -> list[str]:
    now = timezone.now()
    return sorted(
        Delivery.objects.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), bulk=True,
                                status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING],
                                next_attempt_at__lte=now)
        .order_by().values_list("channel", flat=True).distinct()
    )
