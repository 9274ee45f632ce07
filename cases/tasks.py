"""The cases app's Celery tasks. They live beside their topic (faces, posters); Celery's autodiscovery imports
this module, which registers them."""

from .faces import analyse_case_photo, match_sighting, rematch_case
from .posters import generate_poster

__all__ = ["analyse_case_photo", "generate_poster", "match_sighting", "rematch_case"]
from .geo import geocode_case, geocode_sighting, requeue_pending_geocoding  # noqa: E402,F401 - registers them
