"""System checks: geocoding settings that break Nominatim's usage policy or block people on the report form."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register

PUBLIC_NOMINATIM = "nominatim.openstreetmap.org"
PLACEHOLDER_AGENT = "set NOMINATIM_USER_AGENT"


@register()
def check_nominatim_policy(app_configs=None, **kwargs) -> list:
    """The public Nominatim server asks for a User-Agent that identifies the site and at most 1 request/second."""
    if not settings.NOMINATIM_ENABLED or settings.NOMINATIM_DOMAIN != PUBLIC_NOMINATIM:
        return []
    problems = []
    if PLACEHOLDER_AGENT in settings.NOMINATIM_USER_AGENT:
        problems.append(Warning(
            "NOMINATIM_USER_AGENT is the placeholder; Nominatim's usage policy asks for one that identifies this "
            "site and a contact, or it may block the requests.",
            hint="Set NOMINATIM_USER_AGENT, e.g. 'Sachet missing-child alerts (ops@example.org)'.",
            id="geocoding.W001",
        ))
    if settings.NOMINATIM_MIN_INTERVAL < 1.0:
        problems.append(Error(
            f"NOMINATIM_MIN_INTERVAL is {settings.NOMINATIM_MIN_INTERVAL:g} s: the public Nominatim server allows "
            "at most one request per second in total.",
            hint="Set NOMINATIM_MIN_INTERVAL to 1.0 or more, or point NOMINATIM_DOMAIN at your own server.",
            id="geocoding.E001",
        ))
    if not settings.REDIS_URL and not settings.DEBUG:
        problems.append(Warning(
            "Nominatim is enabled without REDIS_URL: each process keeps its own 1-per-second limit, so several web "
            "and worker processes together can send more.",
            hint="Set REDIS_URL, so that all processes share one limit.",
            id="geocoding.W002",
        ))
    return problems


@register()
def check_api_wait(app_configs=None, **kwargs) -> list:
    """The map's look-ups run while a person waits; a long wait for a Nominatim slot holds a web worker too."""
    if settings.GEOCODE_API_MAX_WAIT > 5 or settings.GEOCODE_API_TIMEOUT > 10:
        return [Warning(
            f"GEOCODE_API_MAX_WAIT ({settings.GEOCODE_API_MAX_WAIT:g} s) or GEOCODE_API_TIMEOUT "
            f"({settings.GEOCODE_API_TIMEOUT:g} s) is long for a look-up that a person on the report form waits for.",
            hint="Keep GEOCODE_API_MAX_WAIT at 5 s or less and GEOCODE_API_TIMEOUT at 10 s or less.",
            id="geocoding.W003",
        )]
    return []
