"""Languages: the locale middleware's caching headers and the JavaScript catalogue served as a cacheable script.

The language comes from the switcher's cookie, then the browser's Accept-Language, then English; URLs never carry
it, so a printed QR code to /case/<ref> opens in the reader's own language.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.middleware import locale
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation.trans_real import DjangoTranslation
from django.views.i18n import JavaScriptCatalog
from django.utils.translation import gettext_lazy as _

CATALOGUE_MAX_AGE = 365 * 24 * 3600  # the URL changes with the catalogue (?v=), so browsers may keep it a year


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's, plus `Vary: Cookie`: the page's language also depends on the language cookie, not only on the
    Accept-Language header Django already varies on, so a shared cache must not hand one reader's Hindi page to
    another reader who chose Bengali."""

    def process_response(self, request, response):
        response = super().process_response(request, response)
        patch_vary_headers(response, ("Cookie",))
        return response


class SachetJavaScriptCatalog(JavaScriptCatalog):
    """Only Sachet's own strings (locale/<lang>/LC_MESSAGES/djangojs.po), not every installed app's."""

    def get(self, request, *args, **kwargs):
        self.translation = DjangoTranslation(translation.get_language(), domain=self.domain,
                                             localedirs=[str(path) for path in settings.LOCALE_PATHS])
        return self.render_to_response(self.get_context_data(**kwargs))


def javascript_catalog(request, language: str):
    """/jsi18n/<language>.js: the language is in the path, so the script is the same for everyone who asks for it
    and can be cached like a static file."""
    if language not in dict(settings.LANGUAGES):
        raise Http404(_("No such language."))
    with translation.override(language):
        response = SachetJavaScriptCatalog.as_view()(request)
    response.headers["Content-Language"] = language
    patch_cache_control(response, public=True, max_age=CATALOGUE_MAX_AGE, immutable=True)
    return response


@lru_cache(maxsize=1)
def catalogue_version() -> str:
    """A short hash of the compiled JavaScript catalogues, read once per process: a new translation gets a new URL."""
    digest = hashlib.sha256()
    for folder in settings.LOCALE_PATHS:
        for path in sorted(Path(folder).glob("*/LC_MESSAGES/djangojs.mo")):
            digest.update(path.parent.parent.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def javascript_catalog_url(language: str | None = None) -> str:
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    return f"{reverse('javascript-catalog', args=[language])}?v={catalogue_version()}"


@never_cache
@require_safe
def choose_language(request):
    """/i18n/language?language=hi&next=/case/...: the switcher's GET form. Choosing a language only sets the
    language cookie (no state changes, so no CSRF token is needed), which keeps every public page free of tokens
    and cookies, and therefore cacheable."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    language = request.GET.get("language", "")
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response
