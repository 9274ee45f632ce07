from django.urls import path, re_path

from . import found_views, views
from .models import REFERENCE_REGEX
from .models_found import FOUND_REFERENCE_REGEX

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("report", views.report_case, name="report"),
    re_path(rf"^case/(?P<reference>{REFERENCE_REGEX})/?$", views.case_detail, name="detail"),
    re_path(rf"^case/(?P<reference>{REFERENCE_REGEX})/confirm/?$", views.confirm_report, name="confirm"),
    re_path(rf"^found/(?P<reference>{REFERENCE_REGEX})/?$", views.report_sighting, name="sighting"),
    re_path(rf"^poster/(?P<reference>{REFERENCE_REGEX})/?$", views.poster, name="poster"),
    # Found children: the public form, and a published appeal's page and poster.
    path("found-a-child", found_views.report_found_child, name="found_child"),
    path("found-a-child/sent", found_views.found_child_sent, name="found_child_sent"),
    re_path(rf"^appeal/(?P<reference>{FOUND_REFERENCE_REGEX})/?$", found_views.appeal, name="appeal"),
    re_path(rf"^appeal/(?P<reference>{FOUND_REFERENCE_REGEX})/poster/?$", found_views.appeal_poster,
            name="appeal_poster"),
]
