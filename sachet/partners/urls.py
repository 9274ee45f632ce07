"""/api/v1/: the partner API. Resources live beside their data (cases.api, cases.pfif, analytics.api,
geocoding.api); the OpenAPI schema and its browsable docs (Swagger UI from drf-spectacular-sidecar, its script
served as a file so the site's Content-Security-Policy holds) need no key."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from analytics import api as analytics_api
from geocoding import api as geocoding_api

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include("cases.api.urls")),
    path("pfif/", include("cases.pfif.urls")),
    path("analytics/risk-zones/", analytics_api.RiskZones.as_view(), name="risk-zones"),
    path("analytics/demographics/", analytics_api.DemographicsView.as_view(), name="demographics"),
    path("analytics/insights/", analytics_api.InsightsView.as_view(), name="insights"),
    path("geocode/", geocoding_api.Geocode.as_view(), name="geocode"),
    path("geocode/batch/", geocoding_api.GeocodeBatch.as_view(), name="geocode-batch"),
    path("reverse/", geocoding_api.Reverse.as_view(), name="reverse"),
]
