from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the checks
        from . import pagecache

        pagecache.connect()
