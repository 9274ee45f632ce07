from django.urls import path

from . import views

app_name = "geocoding"

urlpatterns = [
    path("geocode", views.geocode, name="geocode"),
    path("reverse", views.reverse, name="reverse"),
]
