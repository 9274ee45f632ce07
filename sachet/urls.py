from django.conf import settings
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.cache import patch_cache_control
from django.views.static import serve

from media import thumbnails

from . import pwa
from .health import health
from .i18n import choose_language, javascript_catalog


def favicon(request):
    # Resolved per request, not at import: with the manifest storage the hashed name exists only after
    # collectstatic, and `migrate` (which loads the URLconf for its checks) may run before it.
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    path("health", health, name="health"),
    path("favicon.ico", favicon),
    path("robots.txt", pwa.robots_txt),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    # Where the push worker lived before it became the site's one worker: browsers registered there keep it.
    path("sw-push.js", pwa.service_worker),
    path("offline", pwa.offline, name="offline"),
    path(settings.ADMIN_URL, admin.site.urls),
    # The language switcher is a GET form to /i18n/language (Django's POST /i18n/setlang/ still works); the language
    # is never in a page's URL.
    path("i18n/language", choose_language, name="choose_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    re_path(r"^jsi18n/(?P<language>[a-z]{2}(?:-[a-z]+)?)\.js$", javascript_catalog, name="javascript-catalog"),
    path("api/v1/", include("sachet.partners.urls")),
    path("api/", include("geocoding.urls")),
    path("alerts/", include("cases.cap_urls")),
    path("", include("notifications.urls")),
    path("", include("cases.urls")),
]

if settings.SERVE_MEDIA:
    # The embedded default keeps uploads on the local disk; production serves them from Cloudinary.
    # Stored files have random names that are never reused: browsers may keep them a year.
    def serve_media(request, path):
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
        patch_cache_control(response, public=True, max_age=thumbnails.ONE_YEAR, immutable=True)
        return response

    urlpatterns.append(re_path(r"^media/thumbs/(?P<spec>[a-z]+\d+)/(?P<name>.+)$", thumbnails.serve))
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", serve_media))

handler403 = "sachet.errors.permission_denied"
handler404 = "sachet.errors.not_found"
handler500 = "sachet.errors.server_error"
