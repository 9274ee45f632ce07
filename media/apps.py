from django.apps import AppConfig


class MediaConfig(AppConfig):
    # The label "media" is Django-safe; uploaded files live under MEDIA_ROOT (var/media/), never in this folder.
    name = "media"
    verbose_name = "Photos, voice notes, faces and posters"
