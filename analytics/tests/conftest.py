"""Cases placed near known points, and staff users with chosen analytics permissions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
import math

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings
from django.utils import timezone

PUNE = (18.5204, 73.8567)
MUMBAI = (19.0760, 72.8777)
DELHI = (28.6139, 77.2090)
KM_LAT = 1 / 111.195  # degrees of latitude per km


def near(origin: tuple[float, float], north_km: float = 0.0, east_km: float = 0.0) -> dict:
    """Coordinates north_km / east_km from origin, as Case field values."""
    lat = origin[0] + north_km * KM_LAT
    lng = origin[1] + east_km * KM_LAT / math.cos(math.radians(origin[0]))
    return {"latitude": Decimal(f"{lat:.6f}"), "longitude": Decimal(f"{lng:.6f}")}


@pytest.fixture
def placed_case(make_case):
    """A case last seen `days` ago at a point, with locality precision (precise enough for risk zones)."""

    def make(origin=PUNE, north_km=0.0, east_km=0.0, *, days=1, **overrides):
        values = dict(location_precision="locality", last_seen_at=timezone.now() - timedelta(days=days, hours=1),
                      note="")
        values.update(near(origin, north_km, east_km))
        values.update(overrides)
        return make_case(**values)

    return make


@pytest.fixture
def staff_client(client, django_user_model):
    """A signed-in staff member holding the given analytics permissions (codenames)."""

    def sign_in(*codenames: str, username: str = "officer"):
        user = django_user_model.objects.create_user(username, password=None, is_staff=True)
        user.user_permissions.add(*Permission.objects.filter(content_type__app_label="analytics",
                                                              codename__in=codenames))
        sign_in_as(client, user)
        client.user = user
        return client

    return sign_in


def sign_in_as(client, user) -> None:
    """force_login without the lockout's access log: its login request has no client address to record."""
    with override_settings(AXES_ENABLED=False):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
