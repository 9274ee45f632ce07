"""Change-list filters for the case admin: age group, city, sightings, likely face matches."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from ..ages import AGE_GROUPS
from ..places import city_of
from ..models import MatchCandidate, Sighting


class AgeGroupFilter(admin.SimpleListFilter):
    title = _("age group")
    parameter_name = "age_group"

    def lookups(self, request, model_admin):
        return [(key, _("%(group)s years") % {"group": key}) for key in AGE_GROUPS]

    def queryset(self, request, queryset):
        if self.value() in AGE_GROUPS:
            low, high = AGE_GROUPS[self.value()]
            return queryset.filter(age__gte=low, age__lte=high)
        return queryset


class CityFilter(admin.SimpleListFilter):
    title = _("city")
    parameter_name = "city"
    max_cities = 40

    def lookups(self, request, model_admin):
        places = model_admin.model.objects.values_list("last_seen_place", flat=True).distinct()[:2000]
        counts: dict[str, int] = {}
        for place in places:
            city = city_of(place)
            if city:
                counts[city] = counts.get(city, 0) + 1
        top = sorted(counts, key=lambda c: (-counts[c], c))[: self.max_cities]
        return [(city, city) for city in sorted(top)]

    def queryset(self, request, queryset):
        if self.value():
            city = self.value()
            return queryset.filter(Q(last_seen_place__iendswith=f", {city}") | Q(last_seen_place__iexact=city))
        return queryset


class HasSightingsFilter(admin.SimpleListFilter):
    title = _("sightings")
    parameter_name = "has_sightings"

    def lookups(self, request, model_admin):
        return [("yes", _("Has sightings")), ("no", _("No sightings"))]

    def queryset(self, request, queryset):
        has = Exists(Sighting.objects.filter(case=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(has)
        if self.value() == "no":
            return queryset.filter(~has)
        return queryset


class HasLikelyMatchFilter(admin.SimpleListFilter):
    title = _("face match")
    parameter_name = "likely_match"

    def lookups(self, request, model_admin):
        return [("yes", _("Has a likely match"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            own = Exists(Sighting.objects.filter(case=OuterRef("pk"), face_match_verdict="likely"))
            other = Exists(MatchCandidate.objects.filter(case=OuterRef("pk"), verdict="likely"))
            return queryset.filter(own | other)
        return queryset
