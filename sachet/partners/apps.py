from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "sachet.partners"
    label = "partners"
    verbose_name = "Partners"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import schema  # noqa: F401 - registers the key's security scheme with drf-spectacular
