"""The staff admin: at an unguessable path, and invisible to anyone who is not signed-in staff.

Django's admin redirects strangers to its login page from every URL, which tells a scanner that it found the admin.
Here only the login page (and the bare admin path, which leads to it) answer; every other path is a 404.
"""

from __future__ import annotations

from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class SachetAdminSite(admin.AdminSite):
    site_header = _("Sachet case management")
    site_title = _("Sachet staff")
    index_title = _("Cases and alerts")

    def admin_view(self, view, cacheable=False):
        protected = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if not self.has_permission(request) and request.resolver_match.url_name != "index":
                raise Http404
            return protected(request, *args, **kwargs)

        return update_wrapper(inner, view)


class SachetAdminConfig(AdminConfig):
    default_site = "sachet.admin_site.SachetAdminSite"
