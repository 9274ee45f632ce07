"""Points for the Leaflet map of a case (static/js/points_map.js): where the child was last seen and the sightings."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from .models import Case, Sighting


def map_points(case: Case, sightings: Iterable[Sighting]) -> list[dict]:
    """The case's last-seen point (when it has one) and every sighting that has coordinates, as the map draws them."""
    points = []
    if case.has_location:
        points.append({"lat": float(case.latitude), "lng": float(case.longitude), "kind": "last_seen",
                       "label": _("Last seen: %(place)s") % {"place": case.last_seen_place}})
    for sighting in sightings:
        if sighting.has_location:
            points.append({"lat": float(sighting.latitude), "lng": float(sighting.longitude), "kind": "sighting",
                           "label": _("Sighting: %(place)s") % {"place": sighting.place}})
    return points
