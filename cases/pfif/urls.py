from django.urls import path

from . import views

urlpatterns = [
    path("export/", views.Export.as_view(), name="pfif-export"),
    path("feeds/person", views.PersonFeed.as_view(), name="pfif-person-feed"),
    path("feeds/note", views.NoteFeed.as_view(), name="pfif-note-feed"),
    path("import/", views.Import.as_view(), name="pfif-import"),
]
