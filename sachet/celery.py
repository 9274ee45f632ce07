"""The Celery app: workers run `celery -A sachet worker`; settings come from Django's CELERY_* names."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sachet.settings")

app = Celery("sachet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_broker_folders(sender, **kwargs) -> None:
    """The filesystem broker (the embedded default) needs its folders before the first message is written."""
    if str(sender.conf.broker_url).startswith("filesystem:"):
        options = sender.conf.broker_transport_options
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
