"""Whole public pages kept in Django's cache (Redis in production) until what they show changes.

The home page, the browse pages, a dataset's page and a publication's page are rendered once and
then served from the cache (``PORTAL_PAGE_CACHE_SECONDS``, off in development) to every visitor
who asks for the plain HTML page: no query string, no htmx part, ``Accept`` choosing HTML. The
pages show nothing that depends on who asks but the language (English or German,
``portal/locale.py``), so one copy per language serves everyone: the key holds the active
language, and an invalidation drops the copies of every language.

Invalidation comes from the services that write, once their transaction commits:
:func:`invalidate_after_commit` is called by :func:`catalogue.services.search_index_after_commit`
(every write to datasets, and through ``publishing.services.indexing`` every change of a
publication, with its member datasets) and drops the pages of those datasets, of the publications
that contain them, the home page and the browse pages (whose counts any dataset may change). The
key also holds the record's ``modified`` time, so a row saved outside the services (the admin, a
test factory) is never answered from an older copy; what the services do not see (the monthly
usage figures) is bounded by the time to live.

Each stored page keeps its ETag (a digest of the body) and the time it was rendered
(``Last-Modified``): :func:`respond` answers a conditional request with 304. :func:`public`
marks an answer cacheable by a CDN in front (``Cache-Control: public``).

Every lookup is counted by result on ``/metrics`` (``portal_page_cache_lookups_total{result}``,
hit or miss): the hit ratio tells whether the time to live or the cache's memory is too small.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import get_language
from prometheus_client import Counter

from catalogue.models import Dataset

_PREFIX = "page:v2"
# Headers of the rendered page that the stored copy keeps (the rest is set on every answer).
_KEPT_HEADERS = ("Content-Type", "Link", "Content-Language")
LOOKUPS = Counter(
    "portal_page_cache_lookups",
    "Lookups of a whole page (home, dataset, publication, site page) in the cache, by result.",
    ["result"],
)


@dataclass(frozen=True, slots=True)
class StoredPage:
    """A rendered page as kept in the cache."""

    body: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str
    rendered_at: datetime


def enabled() -> bool:
    return int(settings.PORTAL_PAGE_CACHE_SECONDS) > 0


def cacheable(request: HttpRequest) -> bool:
    """Whether ``request`` asks for the plain page every visitor gets (HTML wanted is the
    caller's check: it knows how the page negotiates)."""
    return (
        enabled()
        and request.method in {"GET", "HEAD"}
        and not request.GET
        and not request.headers.get("HX-Request")
    )


def _stamp(modified: datetime | None) -> str:
    return f"{modified.timestamp():.6f}" if modified is not None else "-"


def _language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def home_key(language: str | None = None) -> str:
    """The home page's key in ``language`` (the active one when not given)."""
    return f"{_PREFIX}:{language or _language()}:home"


# The browse pages (catalogue/browse.py): their counts change with any dataset, as the home page's.
BROWSE_PAGES = ("instruments", "proposals", "techniques")


def browse_key(page: str, language: str | None = None) -> str:
    """A browse page's key (its first page, without a query) in ``language``."""
    return f"{_PREFIX}:{language or _language()}:browse:{page}"


def dataset_key(pk: int, modified: datetime | None) -> str:
    return f"{_PREFIX}:{_language()}:dataset:{pk}:{_stamp(modified)}"


def publication_key(pk: int, modified: datetime | None) -> str:
    return f"{_PREFIX}:{_language()}:publication:{pk}:{_stamp(modified)}"


def site_page_key(slug: str, language: str) -> str:
    """A staff-edited site page (sitepages) in one language; dropped by its services on save."""
    return f"{_PREFIX}:site:{slug}:{language}"


def _pointer(language: str, kind: str, pk: int) -> str:
    """Where the key of the page stored for a record is remembered (to drop it by id alone)."""
    return f"{_PREFIX}:{language}:{kind}-key:{pk}"


def get(key: str) -> StoredPage | None:
    found = cache.get(key)
    page = found if isinstance(found, StoredPage) else None
    LOOKUPS.labels("hit" if page is not None else "miss").inc()
    return page


def store(key: str, response: HttpResponse) -> StoredPage | None:
    """Keep a rendered 200 page under ``key``; None (nothing kept) for any other answer."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    body = response.content
    page = StoredPage(
        body=body,
        headers=tuple((h, response[h]) for h in _KEPT_HEADERS if h in response),
        etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        rendered_at=timezone.now().replace(microsecond=0),
    )
    seconds = int(settings.PORTAL_PAGE_CACHE_SECONDS)
    language, kind, rest = [*key.removeprefix(_PREFIX + ":").split(":", 2), ""][:3]
    pointers = {key: page}
    if kind in {"dataset", "publication"}:
        pointers[_pointer(language, kind, int(rest.split(":")[0]))] = key  # type: ignore[assignment]
    cache.set_many(pointers, seconds)
    return page


def respond(request: HttpRequest, page: StoredPage) -> HttpResponse:
    """The stored page as an answer, or 304 when the visitor's copy is current."""
    match = request.headers.get("If-None-Match", "")
    if match:
        fresh = page.etag in {tag.strip().removeprefix("W/") for tag in match.split(",")}
    else:
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        fresh = since is not None and page.rendered_at.timestamp() <= since
    response = HttpResponse(status=304) if fresh else HttpResponse(page.body)
    for name, value in page.headers:
        if not fresh or name != "Content-Type":
            response[name] = value
    response["ETag"] = page.etag
    response["Last-Modified"] = http_date(page.rendered_at.timestamp())
    return public(response)


def public(response: HttpResponse) -> HttpResponse:
    """Let browsers and a CDN in front keep the answer for ``PORTAL_PUBLIC_MAX_AGE`` seconds."""
    seconds = int(settings.PORTAL_PUBLIC_MAX_AGE)
    if seconds > 0 and not response.has_header("Cache-Control"):
        patch_cache_control(response, public=True, max_age=seconds)
    return response


def _drop(dataset_ids: list[int], publication_ids: list[int]) -> None:
    containing = Dataset.objects.filter(pk__in=dataset_ids, publications__isnull=False)
    # The reverse side of publishing's many-to-many, read by name: no import of a higher layer.
    publications = set(publication_ids).union(
        containing.values_list("publications", flat=True).distinct()
    )
    languages = _languages()
    pointers = [_pointer(lang, "dataset", pk) for pk in dataset_ids for lang in languages]
    pointers += [_pointer(lang, "publication", pk) for pk in publications for lang in languages]
    found = cache.get_many(pointers)
    homes = [home_key(lang) for lang in languages]
    homes += [browse_key(page, lang) for page in BROWSE_PAGES for lang in languages]
    cache.delete_many([*homes, *pointers, *(str(key) for key in found.values())])


def invalidate_after_commit(
    *, dataset_ids: Iterable[int] = (), publication_ids: Iterable[int] = ()
) -> None:
    """Drop the stored pages of these records, of the publications containing the datasets, and
    the home page, once the current transaction commits (at once outside one)."""
    if not enabled():
        return
    datasets, publications = sorted(set(dataset_ids)), sorted(set(publication_ids))
    transaction.on_commit(lambda: _drop(datasets, publications), robust=True)


def drop_after_commit(keys: Iterable[str]) -> None:
    """Drop the pages stored under ``keys`` once the current transaction commits."""
    if not enabled():
        return
    dropped = sorted(set(keys))
    transaction.on_commit(lambda: cache.delete_many(dropped), robust=True)
