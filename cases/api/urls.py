from django.urls import path, register_converter

from ..models import REFERENCE_REGEX
from . import views


class ReferenceConverter:
    regex = REFERENCE_REGEX

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "reference")

urlpatterns = [
    path("cases/", views.CaseList.as_view(), name="cases"),
    path("cases/<reference:reference>/", views.CaseDetail.as_view(), name="case"),
    path("cases/<reference:reference>/sightings/", views.SightingList.as_view(), name="sightings"),
    path("cases/<reference:reference>/history/", views.StatusHistory.as_view(), name="history"),
]
