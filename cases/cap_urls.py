from django.urls import path, re_path

from . import cap_views

app_name = "cap"

urlpatterns = [
    path("cap.atom", cap_views.feed, name="feed"),
    re_path(r"^cap/(?P<identifier>MC[0-9]{8}[0-9A-F]{8}-[0-9]+)\.xml$", cap_views.message, name="message"),
]
