"""The public pages anonymous visitors see (home, search, the case page), kept whole in the default cache (Redis in
production, files on the embedded default) for PUBLIC_PAGE_CACHE_SECONDS, per language.

Every cached page is filed under one version token; any change to a case or a sighting replaces the token after
its transaction commits (`changed()`: called by the services that write with `.update()`, and from the models'
save/delete signals, which are fine for cache invalidation), so a found child's page changes at once. Requests
with a session or pending messages (staff, a family just after reporting) are never served from the cache, and a
response that sets a cookie is never stored.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

VERSION_KEY = "cases:pages:version"
CACHED_STATUSES = (200, 410)
MESSAGES_COOKIE = "messages"  # django.contrib.messages' cookie storage


def changed() -> None:
    """A case or a sighting changed: cached public pages are stale once the current transaction commits."""
    transaction.on_commit(_new_version)


def _new_version() -> None:
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    except (RedisError, OSError) as error:
        # The pages expire on their own after PUBLIC_PAGE_CACHE_SECONDS.
        logger.warning("public page cache not invalidated: cache unavailable (%s)", type(error).__name__)


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, None):
            version = cache.get(VERSION_KEY) or version
    return version


CACHED_PARAMETERS = {"q", "page"}  # any other query string (tracking tags, cache busting) is rendered, not stored


def _cacheable_request(request) -> bool:
    return (settings.PUBLIC_PAGE_CACHE_SECONDS > 0 and request.method == "GET"
            and settings.SESSION_COOKIE_NAME not in request.COOKIES and MESSAGES_COOKIE not in request.COOKIES
            and set(request.GET) <= CACHED_PARAMETERS)


def _key(request, version: str) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"cases:page:{version}:{getattr(request, 'LANGUAGE_CODE', settings.LANGUAGE_CODE)}:{path}"


def public_page(view):
    """Serve an anonymous visitor's GET from the cache, and store what the view answered for the next one."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        try:
            key = _key(request, _version())
            cached = cache.get(key)
        except (RedisError, OSError) as error:
            logger.warning("public page cache unavailable (%s)", type(error).__name__)
            return view(request, *args, **kwargs)
        if cached is not None:
            return cached
        response = view(request, *args, **kwargs)
        if (response.status_code in CACHED_STATUSES and not response.cookies and not response.streaming
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")):
            if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
                response.render()
            try:
                cache.set(key, response, settings.PUBLIC_PAGE_CACHE_SECONDS)
            except (RedisError, OSError) as error:
                logger.warning("public page not cached (%s)", type(error).__name__)
        return response

    return wrapper


def _on_row_change(sender, **kwargs) -> None:
    changed()


def connect() -> None:
    """Cases and sightings saved or deleted anywhere (services, admin, merges) make the cached pages stale."""
    from django.db.models.signals import post_delete, post_save

    from .models import Case, Sighting

    for model in (Case, Sighting):
        post_save.connect(_on_row_change, sender=model, dispatch_uid=f"pagecache-save-{model.__name__}")
        post_delete.connect(_on_row_change, sender=model, dispatch_uid=f"pagecache-delete-{model.__name__}")
