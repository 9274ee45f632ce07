from django.urls import path, re_path

from . import views
from .models import REFERENCE_REGEX

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("report", views.report_case, name="report"),
    re_path(rf"^case/(?P<reference>{REFERENCE_REGEX})/?$", views.case_detail, name="detail"),
    re_path(rf"^case/(?P<reference>{REFERENCE_REGEX})/confirm/?$", views.confirm_report, name="confirm"),
    re_path(rf"^found/(?P<reference>{REFERENCE_REGEX})/?$", views.report_sighting, name="sighting"),
    re_path(rf"^poster/(?P<reference>{REFERENCE_REGEX})/?$", views.poster, name="poster"),
]
