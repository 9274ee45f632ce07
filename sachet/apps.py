from django.apps import AppConfig


class SachetConfig(AppConfig):
    """The project package as an app: its deployment checks (checks.py), its commands (createsuperuser), and debug
    pages that do not show the admin's address (debug.py)."""

    name = "sachet"
    verbose_name = "Sachet"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the checks
        from . import debug

        debug.install()
