from django.apps import AppConfig


class MediaConfig(AppConfig):
    # The label "media" is Django-safe; uploaded files live under MEDIA_ROOT (var/media/), never in this folder.
    name = "media"
    verbose_name = "Photos, voice notes, faces and posters"

    def ready(self) -> None:
        from django.core import checks
        from django.test.signals import setting_changed

        from . import checks as media_checks
        from .storage import reset_storages

        checks.register(media_checks.check_face_thresholds)
        checks.register(media_checks.check_cloudinary_url)
        checks.register(media_checks.check_poster_fonts)
        # Cache invalidation only: the storages for posters and voice notes follow the settings.
        setting_changed.connect(reset_storages, dispatch_uid="media.reset_storages")
