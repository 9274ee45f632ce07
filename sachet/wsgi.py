"""WSGI entry point for gunicorn: `gunicorn sachet.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sachet.settings")

application = get_wsgi_application()
