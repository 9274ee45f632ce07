"""Sachet settings: one module, read from the environment through django-environ.

Every variable has an embedded default so that the site runs with no configuration at all (SQLite under var/,
uploads under var/media/, Celery tasks in-process, alerts logged). `.env.example` documents each variable.
"""

import hashlib
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# The test suite says so explicitly (pyproject.toml sets SACHET_TESTING for pytest): it supplies its own throwaway
# secret and hosts, and a developer's .env is not read. Never set it in a deployment.
TESTING = env.bool("SACHET_TESTING", default=False)
if not TESTING and not env.bool("SACHET_IGNORE_DOTENV", default=False):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Where the embedded default keeps its state: the SQLite database, uploads, the task broker's files and the cache.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(50))'`) "
            "or run with DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-local-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG or TESTING else [])
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

# The admin's path is not guessable: set ADMIN_URL, or it is derived from the secret key.
ADMIN_URL = env.str("ADMIN_URL", default="staff-" + hashlib.sha256(SECRET_KEY.encode()).hexdigest()[:12] + "/")
ADMIN_URL = ADMIN_URL.strip("/") + "/"

INSTALLED_APPS = [
    "sachet.admin_site.SachetAdminConfig",
    # Before django.contrib.auth: its `createsuperuser` (always applying the password validators) replaces Django's.
    "sachet",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "cases",
    "media",
    "notifications",
    "geocoding",
    "analytics",
    "sachet.partners",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from the site (no CDN)
    "import_export",
]

MIDDLEWARE = [
    "log_request_id.middleware.RequestIDMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages go out compressed (about a quarter of their size; Hindi, Bengali and Marathi text compresses as well as
    # English). Below WhiteNoise, which serves static files already compressed.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sachet.i18n.LocaleMiddleware",  # after sessions, before common (Django's order), reads cookie then header
    "django.middleware.common.CommonMiddleware",
    "sachet.ratelimits.RateLimitMiddleware",
    "sachet.partners.middleware.AccessLogMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "sachet.private_pages.PrivatePagesMiddleware",  # staff answers and one-time messages: never kept by a cache
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# bench/pages.py reads each request's time in Django and in SQL from a Server-Timing header; never on otherwise.
SERVER_TIMING = env.bool("SERVER_TIMING", default=False)
if SERVER_TIMING:
    MIDDLEWARE.insert(1, "sachet.servertiming.ServerTimingMiddleware")

ROOT_URLCONF = "sachet.urls"
WSGI_APPLICATION = "sachet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "sachet.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'sachet.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process, the worker and beat write to one file: WAL lets readers go on while one writes, and every
    # transaction takes the write lock when it begins (IMMEDIATE), so a writer waits up to SQLITE_BUSY_SECONDS for
    # its turn instead of failing with "database is locked" when a read turns into a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=env.float("SQLITE_BUSY_SECONDS", default=20.0),
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Tasks and cache: Celery on Redis in production; without Redis, a broker in files under var/ -------------------
# Tasks always run in a Celery worker, never in a web request: with REDIS_URL through Redis; without it (the embedded
# default, `scripts/run.sh`) through kombu's filesystem transport in var/broker/, with the cache in files beside it so
# that the web process, the worker and beat share it. TASKS_IN_PROCESS runs each task in the calling process right
# after the commit instead (the test suite's SQLite pass; nothing retries on its own there).
REDIS_URL = env.str("REDIS_URL", default="")
# Heroku's Redis serves TLS (rediss://) with a self-signed certificate; its docs say to set this to "none".
REDIS_SSL_CERT_REQS = env.str("REDIS_SSL_CERT_REQS", default="")
if REDIS_URL.startswith("rediss://") and REDIS_SSL_CERT_REQS and "ssl_cert_reqs=" not in REDIS_URL:
    REDIS_URL += ("&" if "?" in REDIS_URL else "?") + f"ssl_cert_reqs={REDIS_SSL_CERT_REQS}"
TASKS_IN_PROCESS = env.bool("TASKS_IN_PROCESS", default=TESTING and not REDIS_URL)
# Seconds between two looks at var/broker/ by a worker (the filesystem transport polls).
BROKER_POLL_SECONDS = env.float("BROKER_POLL_SECONDS", default=0.2)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "max_retries": 2}
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
elif TASKS_IN_PROCESS:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sachet"}}
    CELERY_BROKER_URL = "memory://"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache"), "OPTIONS": {"MAX_ENTRIES": 5000}}}
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
        "polling_interval": BROKER_POLL_SECONDS,
    }
CELERY_TASK_ALWAYS_EAGER = TASKS_IN_PROCESS
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_DEFAULT_QUEUE = "default"
# Alerts have their own queue so posters and clustering never delay them.
# Messages to area subscribers go out from a "bulk" queue at the providers' pace, so a fan-out to thousands never
# holds up a case alert (exact task names win over the pattern).
CELERY_TASK_ROUTES = {
    "notifications.tasks.fan_out_area_alert": {"queue": "bulk"},
    "notifications.tasks.send_bulk": {"queue": "bulk"},
    "notifications.tasks.*": {"queue": "alerts"},
}
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_TIMEZONE = "UTC"

# --- Files ----------------------------------------------------------------------------------------------------
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
CLOUDINARY_URL = env.str("CLOUDINARY_URL", default="")
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if CLOUDINARY_URL:
    # after staticfiles: its collectstatic override is not used. The storages are set in the media section below.
    INSTALLED_APPS.append("cloudinary_storage")
# Without a collected manifest (development, tests) WhiteNoise serves straight from the app and static folders.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
# Uploaded files are served by Django only when they live on the local disk (the embedded default).
SERVE_MEDIA = not CLOUDINARY_URL

# Upload limits, checked by content, not by file name.
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=40_000_000)
PHOTO_MAX_SIDE = 800
VOICE_MAX_BYTES = env.int("VOICE_MAX_BYTES", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024

# --- Auth -----------------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, for throwaway test accounts
LOGIN_URL = f"/{ADMIN_URL}login/"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Brute-force protection: 5 failed logins for a username, or from a client address, lock it out for 15 minutes.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "sachet.security.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_LOCKOUT_CALLABLE = "sachet.lockout.locked_out"  # the same page, saying how long, with Retry-After
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

# --- Time and language ----------------------------------------------------------------------------------------
# English is the source language and the fallback. Each language's date and number formats (day before month,
# 24-hour times, lakh grouping: 1,00,000) are in sachet/formats/<code>/formats.py.
LANGUAGE_CODE = "en"
# Each name in its own script: the switcher shows these to someone who may not read English.
LANGUAGES = [("en", "English"), ("hi", "हिन्दी"), ("bn", "বাংলা"), ("mr", "मराठी")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["sachet.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Kolkata")
USE_I18N = True
USE_TZ = True
# The switcher's choice is kept for a year; URLs carry no language (printed QR codes point at /case/<ref>).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

# --- Security -------------------------------------------------------------------------------------------------
# Trust X-Forwarded-Proto / X-Forwarded-For only behind a proxy we know (Render, nginx).
TRUSTED_PROXY = env.bool("TRUSTED_PROXY", default=False)
# How many proxies in front of the site append to X-Forwarded-For (Render: 1).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
if TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
PRODUCTION = not DEBUG and not TESTING
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A form refused by the CSRF check (a page left open too long on a phone) gets a page that says what to do.
CSRF_FAILURE_VIEW = "sachet.errors.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Debug pages (DEBUG on) never show the admin's address: sachet/debug.py.
DEFAULT_EXCEPTION_REPORTER_FILTER = "sachet.debug.PrivateAdminFilter"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Rate limits (sachet/ratelimits.py): "count/period", period s, m, h or d (e.g. "5/h", "30/m", "10/15m") ---
# Each is counted per client address and, where the form has one, per phone number: loose enough that a family
# never meets them, tight enough that a script always does. The counts live in the "default" cache (Redis).
RATE_REPORT = env.str("RATE_REPORT", default="5/h")  # /report
RATE_SIGHTING = env.str("RATE_SIGHTING", default="10/h")  # /found/<ref>
RATE_CODE = env.str("RATE_CODE", default="20/h")  # entering a one-time code
RATE_API = env.str("RATE_API", default="30/m")  # every /api/ request (the map's place look-ups)
RATE_SUBSCRIBE = env.str("RATE_SUBSCRIBE", default="10/h")  # /subscribe (each SMS subscription sends a code)
RATE_PARTNER_API = env.str("RATE_PARTNER_API", default="120/m")  # per partner API key (a key may have its own)
for _name in ("RATE_REPORT", "RATE_SIGHTING", "RATE_CODE", "RATE_API", "RATE_SUBSCRIBE", "RATE_PARTNER_API"):
    if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", globals()[_name]):
        raise ImproperlyConfigured(f"{_name} must look like 5/h, 30/m or 10/15m, got {globals()[_name]!r}")
RATELIMIT_USE_CACHE = "default"

# --- Request ids in every log line -----------------------------------------------------------------------------
# A request id from the proxy (X-Request-ID) is kept so logs line up with the proxy's; otherwise one is made.
LOG_REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
GENERATE_REQUEST_ID_IF_NOT_IN_HEADER = True
REQUEST_ID_RESPONSE_HEADER = "X-Request-ID"
LOG_REQUESTS = env.bool("LOG_REQUESTS", default=not TESTING)

# --- Alerts ---------------------------------------------------------------------------------------------------
TELEGRAM_BOT_TOKEN = env.str("TELEGRAM_BOT_TOKEN", default="")
TELEGRAM_CHAT_ID = env.str("TELEGRAM_CHAT_ID", default="")
DISCORD_WEBHOOK_URL = env.str("DISCORD_WEBHOOK_URL", default="")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
# Numbers for alerts by SMS, each in one language: "+919822012345:hi,+919822054321" (no language: SMS_LANGUAGE).
SMS_RECIPIENTS = env.list("SMS_RECIPIENTS", default=[])
SMS_LANGUAGE = env.str("SMS_LANGUAGE", default="en")
# An SMS alert in English fits one segment (160 characters); in Hindi, Bengali or Marathi (UCS-2: 70 characters, 67 a
# part when longer) it may take up to this many segments, so that it says as much.
SMS_UCS2_MAX_SEGMENTS = env.int("SMS_UCS2_MAX_SEGMENTS", default=3)
# The public Telegram and Discord messages carry English plus these languages of the site, in one message: "en,hi".
TELEGRAM_LANGUAGES = env.list("TELEGRAM_LANGUAGES", default=["en"])
DISCORD_LANGUAGES = env.list("DISCORD_LANGUAGES", default=["en"])

# --- Logging: stdout, one line per event --------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "log_request_id.filters.RequestIDFilter"}},
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s request=%(request_id)s %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["request_id"],
                            "stream": "ext://sys.stdout"}},
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Public site ----------------------------------------------------------------------------------------------
CASES_PER_PAGE = 12
# Home, search and case pages as anonymous visitors see them are kept whole in the default cache this long, per
# language; any change to a case or sighting makes them stale at once (cases.pagecache). 0 turns the cache off
# (the test suite's default, so that tests see their own writes without commits).
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=0 if TESTING else 300)
# Map tiles for Leaflet (a tile server's URL template); the scripts and styles themselves are vendored in static/.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")

# --- Content-Security-Policy: scripts and styles only from this site (vendored); no inline script -----------------
# A tile URL on this site itself (a path) needs no source of its own: 'self' covers it.
_tile_origin = ("{0.scheme}://{0.netloc}".format(urlsplit(MAP_TILE_URL)).replace("{s}.", "*.")
                if urlsplit(MAP_TILE_URL).netloc else "'self'")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", _tile_origin, "https://res.cloudinary.com"],
        "media-src": ["'self'", "blob:", "https://res.cloudinary.com"],
        # Cloudinary: the service worker fetches the photos it keeps for reading offline.
        "connect-src": ["'self'", "https://res.cloudinary.com"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Media: face matching (docs/face-matching.md explains the calibration) -------------------------------------
# Encoding distances at or below LIKELY read "likely" (score >= 80), up to POSSIBLE "possible" (score >= 50);
# the score reaches 0 at ZERO. dlib's usual 0.6 is too loose for children: keep POSSIBLE below it.
FACE_MATCH_LIKELY_DISTANCE = env.float("FACE_MATCH_LIKELY_DISTANCE", default=0.45)
FACE_MATCH_POSSIBLE_DISTANCE = env.float("FACE_MATCH_POSSIBLE_DISTANCE", default=0.55)
FACE_MATCH_ZERO_DISTANCE = env.float("FACE_MATCH_ZERO_DISTANCE", default=0.65)
# Faces are detected on a copy no longer than this (pixels) and encoded from the full photo. HOG detection time
# grows with pixels: 640 keeps one 800 px photo well under 0.5 s and still finds faces from ~50 px wide at 800 px.
FACE_DETECT_MAX_SIDE = env.int("FACE_DETECT_MAX_SIDE", default=640)
# Every face of a photo is matched: those at least FACE_MIN_SIZE pixels across (smaller ones hold too little to
# compare), the FACE_MAX_FACES largest of them (each costs ~80 ms to encode).
FACE_MIN_SIZE = env.int("FACE_MIN_SIZE", default=40)
FACE_MAX_FACES = env.int("FACE_MAX_FACES", default=10)

# --- notifications: alert channels ---
# Optional staff-only destinations (sightings with details, face matches); see notifications/channels/__init__.py.
TELEGRAM_STAFF_CHAT_ID = env.str("TELEGRAM_STAFF_CHAT_ID", default="")
DISCORD_STAFF_WEBHOOK_URL = env.str("DISCORD_STAFF_WEBHOOK_URL", default="")
# Base URLs exist so that tests (and a self-hosted Bot API server) can point the clients elsewhere.
TELEGRAM_API_BASE_URL = env.str("TELEGRAM_API_BASE_URL", default="https://api.telegram.org/bot")
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="")  # "" = the Twilio library's default
# One time-out (seconds) for every provider call: connect, write and read each.
ALERT_HTTP_TIMEOUT = env.float("ALERT_HTTP_TIMEOUT", default=10.0)
# httpx logs each request URL at INFO, and those URLs hold the bot token and the webhook token.
LOGGING["loggers"]["httpx"] = {"level": "WARNING"}
LOGGING["loggers"]["twilio.http_client"] = {"level": "WARNING"}  # a dozen INFO lines per SMS otherwise

# --- geocoding providers ---------------------------------------------------------------------------------------
# Chain: Google (when a key is set), Nominatim (when enabled; production turns it on), then the offline gazetteer.
GOOGLE_MAPS_API_KEY = env.str("GOOGLE_MAPS_API_KEY", default="")
GOOGLE_GEOCODING_DOMAIN = env.str("GOOGLE_GEOCODING_DOMAIN", default="maps.googleapis.com")
GOOGLE_GEOCODING_SCHEME = env.str("GOOGLE_GEOCODING_SCHEME", default="https")
NOMINATIM_ENABLED = env.bool("NOMINATIM_ENABLED", default=False)
NOMINATIM_DOMAIN = env.str("NOMINATIM_DOMAIN", default="nominatim.openstreetmap.org")
NOMINATIM_SCHEME = env.str("NOMINATIM_SCHEME", default="https")
NOMINATIM_USER_AGENT = env.str(
    "NOMINATIM_USER_AGENT", default="Sachet missing-child alerts (set NOMINATIM_USER_AGENT to your contact)"
)
NOMINATIM_MIN_INTERVAL = env.float("NOMINATIM_MIN_INTERVAL", default=1.0)  # seconds between requests, all processes
NOMINATIM_MAX_WAIT = env.float("NOMINATIM_MAX_WAIT", default=30.0)  # longest queue for a slot before giving up
GEOCODER_TIMEOUT = env.float("GEOCODER_TIMEOUT", default=5.0)
GEOCODER_MAX_RETRIES = env.int("GEOCODER_MAX_RETRIES", default=3)
GEOCODER_BACKOFF = env.float("GEOCODER_BACKOFF", default=0.5)  # first retry pause; doubles each time

# --- analytics: risk zones, demographics, snapshots (docs/risk-zones.md) ---------------------------------------
from celery.schedules import crontab  # noqa: E402

ANALYTICS_ZONE_RADIUS_KM = env.float("ANALYTICS_ZONE_RADIUS_KM", default=2.0)  # a case joins a zone this near its seed
ANALYTICS_ZONE_MIN_CASES = env.int("ANALYTICS_ZONE_MIN_CASES", default=3)  # fewest cases that make a zone
ANALYTICS_KEEP_SNAPSHOTS = env.int("ANALYTICS_KEEP_SNAPSHOTS", default=30)  # older snapshots are deleted
# Fewer cases than this and the insights name no "most affected" age, peak hour or most common place.
ANALYTICS_MIN_CASES_FOR_INSIGHT = env.int("ANALYTICS_MIN_CASES_FOR_INSIGHT", default=20)
# Nightly recalculation, "HH:MM" in UTC (21:30 UTC is 03:00 in India).
ANALYTICS_NIGHTLY_UTC = env.str("ANALYTICS_NIGHTLY_UTC", default="21:30")
try:
    _hour, _minute = (int(part) for part in ANALYTICS_NIGHTLY_UTC.split(":"))
except ValueError as _error:
    raise ImproperlyConfigured(f"ANALYTICS_NIGHTLY_UTC must be HH:MM, got {ANALYTICS_NIGHTLY_UTC!r}") from _error
CELERY_BEAT_SCHEDULE["analytics-nightly"] = {
    "task": "analytics.tasks.recalculate_analytics",
    "schedule": crontab(hour=_hour, minute=_minute),
    "options": {"expires": 6 * 3600},  # a run still waiting in the morning is dropped; the next night's will do
}

# --- notifications: delivery outbox ---
# Tries per delivery before it is marked failed; a transient error waits ALERT_RETRY_BASE_DELAY seconds, doubling
# each time up to ALERT_RETRY_MAX_DELAY (jittered, never sooner than a provider's retry-after). Defaults: ~1 hour.
ALERT_MAX_ATTEMPTS = env.int("ALERT_MAX_ATTEMPTS", default=10)
ALERT_RETRY_BASE_DELAY = env.float("ALERT_RETRY_BASE_DELAY", default=15.0)
ALERT_RETRY_MAX_DELAY = env.float("ALERT_RETRY_MAX_DELAY", default=900.0)  # keep below the broker's visibility_timeout
# How long a worker holds a delivery while sending (longer than any send can take: two calls of ALERT_HTTP_TIMEOUT).
ALERT_LEASE_SECONDS = env.int("ALERT_LEASE_SECONDS", default=120)
# The sweep re-enqueues deliveries due for this many seconds that no worker holds; it warns past ALERT_STALLED_AFTER.
ALERT_SWEEP_AFTER = env.int("ALERT_SWEEP_AFTER", default=60)
ALERT_STALLED_AFTER = env.int("ALERT_STALLED_AFTER", default=300)
CELERY_BEAT_SCHEDULE["sweep-pending-deliveries"] = {
    "task": "notifications.tasks.sweep_pending_deliveries",
    "schedule": 60.0,
    "options": {"expires": 55},  # a sweep that waited a minute is replaced by the next one
}

# --- geocoding: cache, public API and background look-ups ---
GEOCODE_CACHE_DAYS = env.int("GEOCODE_CACHE_DAYS", default=90)  # places found are remembered this long
GEOCODE_NOT_FOUND_SECONDS = env.int("GEOCODE_NOT_FOUND_SECONDS", default=3600)  # "not found" only briefly
GEOCODE_FAILURE_SECONDS = env.int("GEOCODE_FAILURE_SECONDS", default=30)  # a provider failure, in the cache only
# A person is waiting on the map: one try per provider, a short time-out, a short wait for a Nominatim slot.
GEOCODE_API_TIMEOUT = env.float("GEOCODE_API_TIMEOUT", default=3.0)
GEOCODE_API_MAX_WAIT = env.float("GEOCODE_API_MAX_WAIT", default=2.0)
# Background look-ups retry an unavailable provider after GEOCODE_TASK_RETRY_DELAY seconds, doubling up to the
# maximum (below the broker's visibility time-out); after the last retry the row waits for `geocode_pending`.
GEOCODE_TASK_MAX_RETRIES = env.int("GEOCODE_TASK_MAX_RETRIES", default=5)
GEOCODE_TASK_RETRY_DELAY = env.float("GEOCODE_TASK_RETRY_DELAY", default=60.0)
GEOCODE_TASK_RETRY_MAX_DELAY = env.float("GEOCODE_TASK_RETRY_MAX_DELAY", default=900.0)

# --- media: storage, face matching and posters (docs/face-matching.md) -------------------------------------------
# Seconds to wait for Cloudinary (uploads, deletes, reading a stored photo or poster back).
MEDIA_STORAGE_TIMEOUT = env.float("MEDIA_STORAGE_TIMEOUT", default=20.0)
# How many other open cases a sighting photo may be linked to for review (1:N search, above the "possible" line).
FACE_MATCH_CANDIDATES = env.int("FACE_MATCH_CANDIDATES", default=5)
if CLOUDINARY_URL:
    # Photos through media.storage's Cloudinary adapter (time-outs, retryable errors); posters and voice notes use
    # the "raw" and "video" storages on their fields. The package reads its credentials from CLOUDINARY_STORAGE.
    STORAGES["default"] = {"BACKEND": "media.storage.cloudinary_image_storage"}
    _cloudinary = urlsplit(CLOUDINARY_URL)
    CLOUDINARY_STORAGE = {"CLOUD_NAME": _cloudinary.hostname, "API_KEY": _cloudinary.username,
                          "API_SECRET": _cloudinary.password}

# --- notifications: one-time phone codes (notifications/codes.py) ---
PHONE_CODE_TTL_SECONDS = env.int("PHONE_CODE_TTL_SECONDS", default=600)  # a code is valid this long
PHONE_CODE_MAX_TRIES = env.int("PHONE_CODE_MAX_TRIES", default=5)  # wrong entries that lock a code
PHONE_CODE_RESEND_SECONDS = env.int("PHONE_CODE_RESEND_SECONDS", default=60)  # least time between two codes
PHONE_CODE_MAX_PER_HOUR = env.int("PHONE_CODE_MAX_PER_HOUR", default=5)  # per (purpose, subject) and per phone
PHONE_CODE_KEEP_HOURS = env.int("PHONE_CODE_KEEP_HOURS", default=24)  # then the code's row (with its phone) goes
CELERY_BEAT_SCHEDULE["purge-phone-codes"] = {
    "task": "notifications.tasks.purge_phone_codes",
    "schedule": 3600.0,
    "options": {"expires": 3000},
}

# --- geocoding: places still pending are looked up again ---
CELERY_BEAT_SCHEDULE["requeue-pending-geocoding"] = {
    "task": "cases.tasks.requeue_pending_geocoding",
    "schedule": 15 * 60,
}
# --- cases: photos never analysed and posters never made (broker down, task dropped) are queued again ---
# (cases/sweeps.py): rows changed more than SWEEP_AFTER_MINUTES and less than SWEEP_WINDOW_DAYS ago.
SWEEP_AFTER_MINUTES = env.int("SWEEP_AFTER_MINUTES", default=10)
SWEEP_WINDOW_DAYS = env.int("SWEEP_WINDOW_DAYS", default=7)
# Uploads are stored before their row is written (media/uploads.py); one that no row claimed this many minutes
# later is deleted by the sweep.
UPLOAD_GRACE_MINUTES = env.int("UPLOAD_GRACE_MINUTES", default=60)
CELERY_BEAT_SCHEDULE["sweep-orphan-uploads"] = {
    "task": "media.tasks.sweep_orphan_uploads",
    "schedule": 30 * 60,
    "options": {"expires": 25 * 60},
}
CELERY_BEAT_SCHEDULE["sweep-unfinished-work"] = {
    "task": "cases.tasks.sweep_unfinished_work",
    "schedule": 5 * 60,
    "options": {"expires": 4 * 60},
}

# --- notifications: area subscriptions (notifications/subscriptions.py, README "Subscriptions") ---
# The circle an alert reaches grows with the hours since the child was last seen: "hours:km" steps, e.g. 5 km at
# first, 10 km after a day, 25 km after three days, 50 km after a week. A subscriber is reached when the last-seen
# point lies within min(their own radius, this reach).
SUBSCRIPTION_REACH = env.str("SUBSCRIPTION_REACH", default="0:5,24:10,72:25,168:50")
try:
    SUBSCRIPTION_REACH_STEPS = sorted((float(h), float(km)) for h, km in
                                      (step.split(":") for step in SUBSCRIPTION_REACH.split(",")))
except ValueError as _error:
    raise ImproperlyConfigured(f"SUBSCRIPTION_REACH must look like 0:5,24:10, got {SUBSCRIPTION_REACH!r}") from _error
if not SUBSCRIPTION_REACH_STEPS or SUBSCRIPTION_REACH_STEPS[0][0] != 0:
    raise ImproperlyConfigured("SUBSCRIPTION_REACH must start with a step at 0 hours, e.g. 0:5")
SUBSCRIPTION_MAX_RADIUS_KM = 50  # the largest circle a subscriber may choose, and the cap on the reach
# At most this many alerts a day (rolling 24 hours) to one number, chat or browser; "found" messages are not counted.
SUBSCRIPTION_DAILY_LIMIT = env.int("SUBSCRIPTION_DAILY_LIMIT", default=5)
# An SMS alert is cut to fit this many segments (153 GSM-7 or 67 UCS-2 characters each), links and STOP kept whole:
# an English alert takes 2, one in Hindi, Bengali or Marathi (UCS-2) needs 4 to keep the place and the time.
SUBSCRIPTION_SMS_MAX_SEGMENTS = env.int("SUBSCRIPTION_SMS_MAX_SEGMENTS", default=4)
# Sending pace of the bulk queue, messages a second across all processes (Redis): Twilio sends about 1 a second per
# long code (more with a messaging service or short code), Telegram about 30 a second per bot overall (keep some for
# the case alerts on the alerts queue), push services far more.
SUBSCRIPTION_SMS_PER_SECOND = env.float("SUBSCRIPTION_SMS_PER_SECOND", default=1.0)
SUBSCRIPTION_TELEGRAM_PER_SECOND = env.float("SUBSCRIPTION_TELEGRAM_PER_SECOND", default=25.0)
SUBSCRIPTION_WEBPUSH_PER_SECOND = env.float("SUBSCRIPTION_WEBPUSH_PER_SECOND", default=100.0)
# Senders working through one channel's backlog at once (each waits for its turn at the pace above).
BULK_SENDERS_PER_CHANNEL = env.int("BULK_SENDERS_PER_CHANNEL", default=4)
# A subscription not confirmed (code never entered, Telegram never started) is deleted after this many hours.
SUBSCRIPTION_PENDING_HOURS = env.int("SUBSCRIPTION_PENDING_HOURS", default=24)
# Telegram subscriptions: the bot's username (for t.me links) and the secret Telegram sends back with each update
# (X-Telegram-Bot-Api-Secret-Token; 1-256 of A-Z a-z 0-9 _ -). `manage.py set_telegram_webhook` registers both.
TELEGRAM_BOT_USERNAME = env.str("TELEGRAM_BOT_USERNAME", default="").lstrip("@")
TELEGRAM_WEBHOOK_SECRET = env.str("TELEGRAM_WEBHOOK_SECRET", default="")
# Web push (VAPID): `manage.py generate_vapid_keys` prints a pair. The claims e-mail tells push services whom to call.
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
VAPID_CLAIMS_EMAIL = env.str("VAPID_CLAIMS_EMAIL", default="")
# Push services the worker may post to (a leading dot: any host under that domain); nothing else is accepted as
# a browser's endpoint, so nobody can make the worker call a host of their choosing.
WEBPUSH_ENDPOINT_HOSTS = env.list("WEBPUSH_ENDPOINT_HOSTS", default=[
    "fcm.googleapis.com", "updates.push.services.mozilla.com", ".notify.windows.com", ".push.apple.com"])
# How long a push service keeps a notification for a phone that is off (seconds).
WEBPUSH_TTL_SECONDS = env.int("WEBPUSH_TTL_SECONDS", default=24 * 3600)
CELERY_BEAT_SCHEDULE["sweep-area-alerts"] = {
    "task": "notifications.tasks.sweep_area_alerts",
    "schedule": 60.0,
    "options": {"expires": 55},
}
CELERY_BEAT_SCHEDULE["purge-pending-subscriptions"] = {
    "task": "notifications.tasks.purge_pending_subscriptions",
    "schedule": 3600.0,
    "options": {"expires": 3000},
}
CELERY_BEAT_SCHEDULE["area-reminders"] = {
    "task": "cases.tasks.send_area_reminders",
    "schedule": 15 * 60,
    "options": {"expires": 14 * 60},
}
# --- Trust: verification of reports, public visibility, retention (docs/public-states.md) ---------------------------
# How a public report is confirmed before it reaches the public lists and alert channels (staff are alerted at once):
#   sms+staff  a code by SMS to the family's phone, or a staff user (the default when Twilio is configured)
#   staff      a staff user only (the default in production without SMS)
#   none       published at once (the embedded default and local runs: nothing to send codes with)
_SMS_CONFIGURED = all((TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER))
REPORT_VERIFICATION = env.str(
    "REPORT_VERIFICATION", default="sms+staff" if _SMS_CONFIGURED else ("none" if DEBUG or TESTING else "staff")
)
if REPORT_VERIFICATION not in ("sms+staff", "staff", "none"):
    raise ImproperlyConfigured(f"REPORT_VERIFICATION must be sms+staff, staff or none, got {REPORT_VERIFICATION!r}")
# A found or closed child's name and photo leave the public page (and the poster) this many days after.
PUBLIC_PHOTO_DAYS_AFTER_FOUND = env.int("PUBLIC_PHOTO_DAYS_AFTER_FOUND", default=7)
# Photos, voice notes, face prints, posters and contact details of found, closed and rejected cases are erased this
# many days after (an anonymised stub stays for the analytics).
RETENTION_DAYS_AFTER_FOUND = env.int("RETENTION_DAYS_AFTER_FOUND", default=90)
# The same report (same contact phone and child's name) or sighting (same case and text) sent again within this
# many minutes is stored once.
REPEAT_SUBMISSION_MINUTES = env.int("REPEAT_SUBMISSION_MINUTES", default=10)
# Published sightings listed on a case page, and sightings drawn on its map (the newest).
SIGHTINGS_PER_PAGE = 20
MAP_SIGHTINGS_MAX = 200
CELERY_BEAT_SCHEDULE["apply-retention"] = {
    "task": "cases.tasks.apply_retention",
    "schedule": 3600.0,
    "options": {"expires": 3000},
}

# --- Partners: the keyed API at /api/v1/, PFIF 1.4 and CAP 1.2 (README "Partners") -----------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["sachet.partners.auth.KeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["sachet.partners.auth.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser", "rest_framework.parsers.MultiPartParser",
                               "rest_framework.parsers.FormParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sachet.partners.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sachet partner API",
    "DESCRIPTION": "Missing-child cases, sightings, analytics, places, PFIF 1.4. Send the key from the admin as "
                   "`Authorization: Bearer sk_...`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {"CaseStatusEnum": ["missing", "found", "closed"]},
}
# A new key's default lifetime in the admin (days).
PARTNER_KEY_DAYS = env.int("PARTNER_KEY_DAYS", default=365)
# Places in one batch geocoding request (each counts against the key's rate like a single look-up).
GEOCODE_BATCH_MAX = env.int("GEOCODE_BATCH_MAX", default=20)
# PFIF record ids are "<domain>/<id>": this site's domain (default: SITE_URL's host).
PFIF_DOMAIN = env.str("PFIF_DOMAIN", default="") or (urlsplit(SITE_URL).hostname or "localhost")
# CAP 1.2: the sender (an e-mail-like id of this site; default sachet@<SITE_URL's host>) and the languages of each
# message's `info` blocks (codes of LANGUAGES; English and Hindi at least).
CAP_SENDER = env.str("CAP_SENDER", default="") or f"sachet@{urlsplit(SITE_URL).hostname or 'localhost'}"
if re.search(r"[\s,<&]", CAP_SENDER):
    raise ImproperlyConfigured(f"CAP_SENDER may hold no spaces, commas, < or & (CAP 1.2), got {CAP_SENDER!r}")
CAP_LANGUAGES = env.list("CAP_LANGUAGES", default=["en", "hi"])
if not set(CAP_LANGUAGES) <= {code for code, _name in LANGUAGES} or "en" not in CAP_LANGUAGES:
    raise ImproperlyConfigured(f"CAP_LANGUAGES must be codes of LANGUAGES including en, got {CAP_LANGUAGES!r}")
# A CAP alert expires this many hours after it is sent unless updated again (the feed drops expired ones).
CAP_EXPIRES_HOURS = env.int("CAP_EXPIRES_HOURS", default=72)
