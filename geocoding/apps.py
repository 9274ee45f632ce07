from django.apps import AppConfig


class GeocodingConfig(AppConfig):
    name = "geocoding"
    verbose_name = "Geocoding"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks
