"""Deployment checks (`manage.py check --deploy`): a production site that quietly runs on the embedded default's parts.

Each of these works on one machine for trying Sachet out, and each fails a real deployment in its own way: SQLite
and local uploads vanish with a container, tasks without Redis are not shared between machines, a local SITE_URL
puts dead links into alerts and QR codes, and without the face library no photo is ever matched.
"""

from __future__ import annotations

import importlib.util
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1", "0.0.0.0"}
FACE_MODULES = ("face_recognition", "face_recognition_models", "dlib")


@register(Tags.database, deploy=True)
def check_database(app_configs=None, **kwargs) -> list[Warning]:
    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return []
    return [Warning(
        "The database is SQLite: one file on this machine, lost with the container and not shared by other machines.",
        hint="Set DATABASE_URL to a PostgreSQL database.",
        id="sachet.W001",
    )]


@register(deploy=True)
def check_redis(app_configs=None, **kwargs) -> list[Warning]:
    if settings.REDIS_URL:
        return []
    where = ("run inside web requests (TASKS_IN_PROCESS) and nothing retries them"
             if settings.TASKS_IN_PROCESS else "pass through files on this machine (the filesystem broker)")
    return [Warning(
        f"REDIS_URL is not set: tasks {where}, and the cache and rate limits are not shared between machines.",
        hint="Set REDIS_URL (Render's key-value store, Heroku Redis).",
        id="sachet.W002",
    )]


@register(deploy=True)
def check_media_storage(app_configs=None, **kwargs) -> list[Warning]:
    if settings.CLOUDINARY_URL:
        return []
    return [Warning(
        f"CLOUDINARY_URL is not set: photos, voice notes and posters are kept in {settings.MEDIA_ROOT} and served by "
        "Django; a redeploy on a platform with a throwaway disk (Render, Heroku) deletes them.",
        hint="Set CLOUDINARY_URL (cloudinary://<key>:<secret>@<cloud name>).",
        id="sachet.W003",
    )]


@register(deploy=True)
def check_site_url(app_configs=None, **kwargs) -> list[Warning]:
    host = (urlsplit(settings.SITE_URL).hostname or "").lower()
    if host not in LOCAL_HOSTS and not host.endswith((".localhost", ".local")):
        return []
    return [Warning(
        f"SITE_URL is {settings.SITE_URL!r}: the QR codes on posters and the links in alerts would point nowhere.",
        hint="Set SITE_URL to the site's public address, e.g. https://sachet.example.org.",
        id="sachet.W004",
    )]


@register(deploy=True)
def check_face_library(app_configs=None, **kwargs) -> list[Warning]:
    missing = [name for name in FACE_MODULES if importlib.util.find_spec(name) is None]
    if not missing:
        return []
    return [Warning(
        f"The face library is not installed ({', '.join(missing)} missing): photos are never analysed or matched.",
        hint="Install requirements.txt, then `pip install --no-deps face-recognition==1.3.0` (scripts/install.sh, "
             "the Dockerfile and Heroku's bin/post_compile do).",
        id="sachet.W005",
    )]
