"""The installable, offline-capable site: the web app manifest, the one service worker (offline pages and the
sighting queue, and push notifications: static/js/sw.js), the page shown when a page is not available offline, and
robots.txt.

The worker is served from the site's root (a worker's scope cannot reach above its own path), with a first line
that names its version and the app shell it keeps: a hash of the worker's code and of every file of the shell, so a
deploy that changes any of them makes browsers install the new worker, which replaces the old one's caches.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .i18n import javascript_catalog_url

THEME_COLOUR = "#1b1f23"  # the site header's
BACKGROUND_COLOUR = "#ffffff"
# What every page needs, kept by the worker when it installs (the offline page is added to these).
SHELL = [
    "css/site.css", "favicon.svg", "icons/icon-192.png", "img/tile-offline.png",
    "js/pwa.js", "js/sightings_queue.js", "js/sightings_offline.js", "js/case.js", "js/points_map.js",
    "js/location.js", "js/offline.js", "js/lazy_leaflet.js", "vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css",
]
WORKER_SOURCE = "js/sw.js"
QUEUE_SCRIPT = "js/sightings_queue.js"  # imported by the worker too: it sends the sightings written offline
ICONS = [("icons/icon-192.png", 192, "any"), ("icons/icon-512.png", 512, "any"),
         ("icons/icon-maskable-192.png", 192, "maskable"), ("icons/icon-maskable-512.png", 512, "maskable")]


@require_safe
def manifest(request):
    """/manifest.webmanifest in the reader's language."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    data = {
        "id": "/",
        "name": _("Sachet: missing children alerts"),
        "short_name": "Sachet",
        "description": _("Report a missing child, report a sighting, and help bring children home."),
        "lang": language,
        "dir": "rtl" if translation.get_language_bidi() else "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": BACKGROUND_COLOUR,
        "theme_color": THEME_COLOUR,
        "categories": ["news", "utilities"],
        "icons": [{"src": static(path), "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}
                  for path, size, purpose in ICONS],
    }
    response = JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, no_cache=True)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@require_safe
def service_worker(request):
    """/sw.js: the site's one service worker (scope /). Also answered at /sw-push.js, where browsers that subscribed
    to alerts before the worker moved to the root keep their push registration (scope /push/: push only)."""
    response = HttpResponse(worker_script(), content_type="text/javascript; charset=utf-8")
    # Browsers look for a new worker at every navigation (at most a day apart) and bypass their cache for it.
    patch_cache_control(response, no_cache=True)
    return response


@lru_cache(maxsize=1)
def worker_script() -> str:
    shell = [static(path) for path in SHELL] + [reverse("offline")]
    config = {"version": worker_version(), "shell": shell, "offline": reverse("offline"),
              "queueScript": static(QUEUE_SCRIPT), "hashedStatic": settings.STATIC_MANIFEST}
    return f"self.SACHET_WORKER = {json.dumps(config)};\n{_read_static(WORKER_SOURCE).decode()}"


def worker_version() -> str:
    """Changes when the worker's code or any file it keeps changes (hashed names in production, contents here)."""
    digest = hashlib.sha256()
    for path in [WORKER_SOURCE, *SHELL]:
        digest.update(static(path).encode())
        if not settings.STATIC_MANIFEST:
            digest.update(_read_static(path))
    digest.update(javascript_catalog_url(settings.LANGUAGE_CODE).encode())
    return digest.hexdigest()[:16]


def _read_static(path: str) -> bytes:
    found = finders.find(path)
    if found is None:
        raise FileNotFoundError(f"static file {path} not found")
    with open(found, "rb") as file:
        return file.read()


def offline(request):
    """The page the worker shows for a page it does not hold when there is no connection."""
    response = render(request, "offline.html")
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def robots_txt(request):
    """Public pages may be indexed (the sighting form too: a search for a child's name may lead there); hooks,
    posters and the API may not, nor a found child's appeal (the police publish it for a while: its photo must not
    outlive it in search engines' copies). The staff admin is not named: its path is kept private, and it answers
    strangers with a 404."""
    lines = [
        "User-agent: *",
        "Disallow: /api/",
        "Disallow: /poster/",
        "Disallow: /appeal/",
        "Disallow: /found-a-child/sent",
        "Disallow: /hooks/",
        "Disallow: /stop/",
        "Disallow: /subscribe/",
        "Disallow: /offline",
        "Disallow: /case/*/confirm",
        "Disallow: /i18n/",
        "Allow: /",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=86400)
    return response
