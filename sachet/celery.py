"""The Celery app: workers run `celery -A sachet worker`; settings come from Django's CELERY_* names."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sachet.settings")

app = Celery("sachet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
