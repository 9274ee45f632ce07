"""System checks: an alert channel that is half configured is silently off, so say so at start-up."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register

from .channels import configuration_problems, enabled_channels
from .languages import unknown_languages

# A send makes at most two provider calls (Telegram falls back from photo to text), each with connect, write and
# read time-outs.
CALLS_PER_SEND = 2 * 3


@register()
def check_alert_channels(app_configs=None, **kwargs) -> list[Warning]:
    return [
        Warning(problem, hint="Set the missing variables, or unset the others.", id="notifications.W001")
        for problem in configuration_problems()
    ]


@register()
def check_alert_languages(app_configs=None, **kwargs) -> list[Warning]:
    return [
        Warning(problem, hint="Use the codes of settings.LANGUAGES (en, hi, bn, mr).", id="notifications.W006")
        for problem in unknown_languages()
    ]


@register()
def check_alert_links(app_configs=None, **kwargs) -> list[Warning]:
    """Alerts carry SITE_URL links and photo URLs that readers' phones and Telegram's servers must be able to open."""
    host = urlsplit(settings.SITE_URL).hostname or ""
    real_channels = [channel for channel in enabled_channels() if channel.name != "log"]
    if real_channels and host in {"localhost", "127.0.0.1", "::1", ""}:
        return [
            Warning(
                f"SITE_URL is {settings.SITE_URL!r}, but alerts go out over {', '.join(c.name for c in real_channels)}:"
                " their links and photos must be public web addresses.",
                hint="Set SITE_URL to the public address, e.g. https://sachet.example.org.",
                id="notifications.W002",
            )
        ]
    return []


@register()
def check_alert_lease(app_configs=None, **kwargs) -> list[Warning]:
    longest_send = CALLS_PER_SEND * settings.ALERT_HTTP_TIMEOUT
    if settings.ALERT_LEASE_SECONDS <= longest_send:
        return [
            Warning(
                f"ALERT_LEASE_SECONDS ({settings.ALERT_LEASE_SECONDS}) is not longer than the longest send "
                f"({longest_send:.0f} s at ALERT_HTTP_TIMEOUT={settings.ALERT_HTTP_TIMEOUT:g}): a slow send could "
                "be claimed and sent a second time by another worker.",
                hint=f"Raise ALERT_LEASE_SECONDS above {longest_send:.0f}.",
                id="notifications.W003",
            )
        ]
    return []
