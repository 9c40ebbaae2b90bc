"""The visitor's language: English or German on the pages, English in every machine format.

Django's :class:`~django.middleware.locale.LocaleMiddleware` picks the language from the
switcher's cookie (``LANGUAGE_COOKIE_NAME``, set by ``/i18n/setlang/``), else from the browser's
``Accept-Language``; URLs carry no language prefix, so DOI targets, OAI-PMH, API and sitemap
addresses never change. Pages therefore vary on ``Accept-Language`` and ``Cookie``: a shared
cache must not hand a German page to an English reader (``catalogue/page_cache.py`` puts the
language into its keys for the same reason).

Machine paths (APIs, OAI-PMH, exports, linksets, feeds, sitemaps, dumps, download lists, CSV,
health and metrics) are answered in ``LANGUAGE_CODE`` whatever the request says, and without the
language ``Vary``: a harvester gets the same bytes from every client.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

# Path prefixes whose answers are for programs: always in LANGUAGE_CODE, never varied by language.
MACHINE_PREFIXES = (
    "/api/",
    "/oai",
    "/panosc-api/",
    "/export/",
    "/linkset/",
    "/download/",
    "/feeds/",
    "/sitemap",
    "/robots.txt",
    "/dumps/index.json",
    "/metrics",
    "/healthz",
    "/readyz",
    "/favicon.ico",
)
# Below these prefixes, files for programs (a dump, a chart's numbers).
_MACHINE_SUFFIXES = {"/dumps/": "", "/statistics/": ".csv"}


def is_machine_path(path: str) -> bool:
    """Whether ``path`` answers in a machine format (language-neutral, never translated)."""
    if path.startswith(MACHINE_PREFIXES):
        return True
    for prefix, suffix in _MACHINE_SUFFIXES.items():
        if path.startswith(prefix) and path != prefix and path.endswith(suffix):
            return True
    return False


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, with machine paths kept in ``LANGUAGE_CODE`` and pages varied by cookie too."""

    def process_request(self, request: HttpRequest) -> None:
        if is_machine_path(request.path_info):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return
        super().process_request(request)

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if is_machine_path(request.path_info):
            return response
        response = super().process_response(request, response)
        # The switcher's cookie chooses the language as much as Accept-Language does.
        patch_vary_headers(response, ("Cookie",))
        return response
