from django.conf import settings


def site(request):
    """Values every page needs: the absolute site URL for share links and the map tiles."""
    return {"SITE_URL": settings.SITE_URL, "MAP_TILE_URL": settings.MAP_TILE_URL}
