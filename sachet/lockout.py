"""The staff sign-in lock-out answer (django-axes' AXES_LOCKOUT_CALLABLE): a page that says how long the lock lasts,
with 429 and Retry-After, so a person knows when to try again and a script is told to wait."""

from __future__ import annotations

import math

from django.conf import settings
from django.shortcuts import render


def locked_out(request, original_response=None, credentials=None):
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(request, "admin/locked_out.html", {"minutes": math.ceil(seconds / 60)}, status=429)
    response["Retry-After"] = str(seconds)
    return response
