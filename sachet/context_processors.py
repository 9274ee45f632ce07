from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .i18n import javascript_catalog_url


def site(request):
    """Values every page needs: the absolute site URL for share links, the map tiles, and the address of the
    JavaScript translations for the page's language (worked out only on pages that load a script)."""
    return {"SITE_URL": settings.SITE_URL, "MAP_TILE_URL": settings.MAP_TILE_URL,
            "JS_CATALOG_URL": SimpleLazyObject(javascript_catalog_url)}
