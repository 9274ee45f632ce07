"""Debug pages (DEBUG on, as in `scripts/run.sh`) that keep their comfort but never show the staff admin's address.

Django's technical 404 page lists every URL pattern it tried, the admin's unguessable ADMIN_URL among them, and its
technical 500 page (also used for a 400 under DEBUG) lists the settings and the request's environment, where
ADMIN_URL and LOGIN_URL hold it. Here the 404 page lists the other patterns, and the reporter filter hides every
value that contains the admin's path. `SachetConfig.ready()` installs the 404 wrapper; settings name the filter.
"""

from __future__ import annotations

import functools
import re

from django.conf import settings
from django.urls import Resolver404
from django.views import debug
from django.views.debug import SafeExceptionReporterFilter


def admin_path() -> str:
    return settings.ADMIN_URL.strip("/")


def _shows_admin(value) -> bool:
    path = admin_path()
    if not path:
        return False
    if isinstance(value, str):
        return path in value
    try:
        return path in repr(value)
    except Exception:  # noqa: BLE001 - a repr that fails is hidden rather than shown
        return True


class PrivateAdminFilter(SafeExceptionReporterFilter):
    """Django's filter, plus: any setting, environment entry or frame variable that holds the admin's path."""

    hidden_settings = re.compile("API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|ADMIN_URL|LOGIN_URL", re.I)

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str) and _shows_admin(cleansed):
            return self.cleansed_substitute
        return cleansed

    def cleanse_special_types(self, request, value):
        value = super().cleanse_special_types(request, value)
        return self.cleansed_substitute if _shows_admin(value) else value


def _is_admin_pattern(entry) -> bool:
    """An entry of a 404's "tried" list: the chain of patterns from the root; the admin's starts with ADMIN_URL."""
    return bool(entry) and str(getattr(entry[0], "pattern", "")).strip("/^$") == admin_path()


def _without_admin(tried):
    return [entry for entry in tried or [] if not _is_admin_pattern(entry)]


def private_technical_404_response(original):
    @functools.wraps(original)
    def technical_404_response(request, exception):
        try:
            details = exception.args[0]
            tried = details["tried"]
        except (IndexError, TypeError, KeyError):
            match = getattr(request, "resolver_match", None)
            if match is None or not match.tried:
                return original(request, exception)
            # A view raised Http404: the page lists what was tried before the view's own pattern matched.
            saved, match.tried = match.tried, _without_admin(match.tried)
            try:
                return original(request, exception)
            finally:
                match.tried = saved
        return original(request, Resolver404({**details, "tried": _without_admin(tried)}))

    technical_404_response.sachet_private = True
    return technical_404_response


def install() -> None:
    """Wrap Django's technical 404 once (django.core.handlers.exception calls it through the module)."""
    if not getattr(debug.technical_404_response, "sachet_private", False):
        debug.technical_404_response = private_technical_404_response(debug.technical_404_response)
