from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from django.views.static import serve

from operations.health import healthz, readyz
from operations.metrics import metrics
from operations.views import dump_file, dumps_index, dumps_json

# The admin is the portal's: its header and titles name the portal, not Django.
admin.site.site_header = settings.PORTAL_NAME
admin.site.site_title = settings.PORTAL_NAME
admin.site.index_title = "Staff administration"


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """The SVG icon. Its address is asked when a browser asks, not when the URLs are loaded:
    with hashed static files it exists only once ``collectstatic`` has run."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    # Browsers and crawlers ask for /favicon.ico whatever the page says: the SVG icon.
    path("favicon.ico", favicon),
    path("metrics", metrics, name="metrics"),
    # The language switcher's form posts here (a cookie, then back to the page). No CSRF token:
    # the form sits on pages kept whole in the cache, and choosing a language changes nothing else.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("dumps/", dumps_index, name="dumps"),
    path("dumps/index.json", dumps_json, name="dumps_json"),
    path("dumps/<str:name>", dump_file, name="dump_file"),
    # The machine interfaces before the pages' catch-all prefixes: a harvester's or a script's
    # request is resolved by its first segment instead of after every page pattern is tried.
    path("oai", include("oai.urls")),
    path("panosc-api/", include("panosc.urls")),
    path("api/", include("api.urls")),
    path("", include("landing.urls")),
    path("", include("home.urls")),
    path("", include("catalogue.urls")),
    path("", include("publishing.urls")),
    path("", include("stats.urls")),
    path("", include("review.urls")),
    path("", include("tape.urls")),
    path("", include("sitepages.urls")),
]

if settings.PORTAL_SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>thumbnails/.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
