"""Per-client rate limits: the middleware in front of search, OAI-PMH, exports, dataset and DOI
pages and the APIs.

Every request that falls into a class of traffic (:func:`classify`) costs points, counted per
client (:mod:`lib.client_address`: the address, an IPv6 /64) in a sliding window in Redis
(:mod:`operations.rate_counters`). Cheap requests cost 1 point; deep search pages and searches
with many facet values or conditions cost more, as do long API pages and OAI-PMH list requests,
so a crawler walking page 9,000 of a search runs out long before a visitor does. Each class has
its own budget (``RATE_LIMIT_<CLASS>`` points per ``RATE_LIMIT_WINDOW`` seconds; 0: no limit).
Clients in ``RATE_LIMIT_EXEMPT_NETWORKS`` (known good harvesters, the facility's own monitors) are
never limited. The home page, statistics, sitemaps, robots.txt, the bulk dumps, static files and
the health and metrics endpoints are not limited: the sitemaps and dumps are where crawlers are
sent instead.

A client over its budget gets, with ``Retry-After`` (seconds) and ``Cache-Control: no-store``:

- under ``/api/`` and ``/panosc-api/``: 429 with RFC 9457 problem details
  (``application/problem+json``);
- at ``/oai``: 503, which is how the OAI-PMH specification (section 3.1.2.2) tells a harvester
  to wait: harvesting tools (sickle, pyoai, OpenAIRE's and BASE's harvesters) retry after
  ``Retry-After`` on a 503, while a 429 stops most of them;
- elsewhere: 429 with a short HTML page.

Nothing is limited without Redis (``RATE_LIMIT_REDIS_URL``, by default ``REDIS_URL``) or with
``RATE_LIMIT=false``. When Redis does not answer, requests are let through (the limiter fails
open) and a warning is logged, at most once a minute per process.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.loader import render_to_string
from django.utils.translation import get_language, get_language_from_request, gettext, override

from catalogue.search import FACETS
from lib.client_address import client_key, in_networks, remote_address
from lib.whole_numbers import parse_whole_number
from operations.instruments import RATE_LIMITED
from operations.rate_counters import Decision, RateCounters

if TYPE_CHECKING:
    from lib.client_address import Network

logger = logging.getLogger(__name__)

API_PREFIXES = ("/api/", "/panosc-api/")
# Search pages: one point, plus one per ten pages deep (at most SEARCH_DEPTH_CAP), plus one per
# two facet values or conditions past the first two (at most SEARCH_FILTER_CAP), plus one for
# the longest pages.
SEARCH_DEPTH_CAP = 20
SEARCH_FILTER_CAP = 10
# OAI-PMH: a list request reads a page of records; the other verbs read one or none.
OAI_COSTS = {"ListRecords": 5, "ListIdentifiers": 2}
# APIs: one point, plus one per 100 results asked for, plus one per 1,000 skipped (at most 20).
API_EXTRA_CAP = 20
# The restage pages (tape/): a request form sent costs an e-mail, so it costs more than a page.
RESTAGE_COST = 10

_counters: dict[str, RateCounters] = {}
_last_warning = 0.0
# When each (class, client) refusal was last logged: once a minute each, so a crawler at 500
# requests a second writes one line a minute, not 30,000.
_last_refusal_logged: dict[tuple[str, str], float] = {}
_REFUSAL_LOG_SECONDS = 60.0
_REFUSAL_LOG_SIZE = 10_000
# Refusals remembered in this process: (class, client) -> (the cheapest cost refused, when a
# request of that cost fits again, the limit and window it was counted against). A request
# costing at least as much cannot fit before then (refused requests add nothing and the counts
# only fade), so it is refused without asking Redis: a crawler at hundreds of requests a second
# costs a dictionary lookup each.
_refused: dict[tuple[str, str], tuple[int, float, tuple[int, int]]] = {}
_REFUSED_SIZE = 10_000
# The HTML refusal page by (language, seconds): rendered once, not once a request.
_pages: dict[tuple[str, int], str] = {}


def _number(params: QueryDict, name: str, default: int) -> int:
    return parse_whole_number(params.get(name, "").strip(), default)


def _search_cost(params: QueryDict) -> int:
    page = _number(params, "page", 1)
    filters = sum(len(params.getlist(facet)) for facet in FACETS) + len(params.getlist("sm"))
    cost = 1 + min(page // 10, SEARCH_DEPTH_CAP)
    cost += min(max(filters - 2, 0) // 2, SEARCH_FILTER_CAP)
    if _number(params, "per_page", 0) >= 100:
        cost += 1
    return cost


def _api_cost(params: QueryDict) -> int:
    asked = max(_number(params, "limit", 0), _number(params, "page_size", 0))
    skipped = max(_number(params, "offset", 0), _number(params, "skip", 0))
    return 1 + min(asked // 100 + skipped // 1000, API_EXTRA_CAP)


def classify(path: str, params: QueryDict) -> tuple[str, int] | None:
    """The class of traffic ``path`` belongs to and what the request costs; None: not limited."""
    if path.startswith(API_PREFIXES):
        return "api", _api_cost(params)
    if path == "/oai":
        return "oai", OAI_COSTS.get(params.get("verb", ""), 1)
    if path in ("/datasets/", "/publications/"):
        return "search", _search_cost(params)
    if path.startswith(("/export/", "/linkset/", "/download/")):
        return "exports", 1
    if path.startswith(("/datasets/", "/doi/", "/files/", "/search/keys")):
        return "pages", 1
    if path.startswith("/restage/"):  # each request form sent may cost an e-mail (tape/)
        return "pages", RESTAGE_COST
    return None


def _limits() -> dict[str, int]:
    return {
        "search": settings.RATE_LIMIT_SEARCH,
        "pages": settings.RATE_LIMIT_PAGES,
        "exports": settings.RATE_LIMIT_EXPORTS,
        "oai": settings.RATE_LIMIT_OAI,
        "api": settings.RATE_LIMIT_API,
    }


def _counters_for(url: str) -> RateCounters:
    counters = _counters.get(url)
    if counters is None:
        counters = _counters[url] = RateCounters(url)
    return counters


def _warn_redis_down(exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 60:
        _last_warning = now
        logger.warning("rate limit: Redis did not answer, requests are let through (%s)", exc)


def check(request: HttpRequest) -> tuple[str, Decision] | None:
    """Count ``request`` against its client's budget; None when it is not limited at all."""
    if not settings.RATE_LIMIT or not settings.RATE_LIMIT_REDIS_URL:
        return None
    classified = classify(request.path, request.GET)
    if classified is None:
        return None
    bucket, cost = classified
    limit = _limits()[bucket]
    if limit <= 0:
        return None
    address = remote_address(
        request.META, behind_proxy=settings.BEHIND_PROXY, proxies=settings.PROXY_NETWORKS
    )
    exempt: tuple[Network, ...] = settings.RATE_LIMIT_EXEMPT_NETWORKS
    if in_networks(address, exempt):
        return None
    client = client_key(address)
    budget = (limit, settings.RATE_LIMIT_WINDOW)
    decision = _still_refused(bucket, client, cost, budget)
    if decision is None:
        try:
            decision = _counters_for(settings.RATE_LIMIT_REDIS_URL).hit(
                bucket=bucket,
                client=client,
                cost=cost,
                limit=limit,
                window=settings.RATE_LIMIT_WINDOW,
                now=None,
            )
        except redis.RedisError as exc:
            _warn_redis_down(exc)
            return None
        if not decision.allowed:
            _remember_refusal(bucket, client, cost, budget, decision)
    if not decision.allowed:
        RATE_LIMITED.labels(bucket).inc()
        _log_refusal(bucket, client, cost, decision)
    return bucket, decision


def _still_refused(bucket: str, client: str, cost: int, budget: tuple[int, int]) -> Decision | None:
    """The refusal this process remembers for a request of ``cost``, if it still holds."""
    remembered = _refused.get((bucket, client))
    if remembered is None:
        return None
    cheapest, until, counted = remembered
    wait = until - time.monotonic()
    if wait <= 0 or counted != budget:
        del _refused[(bucket, client)]
        return None
    if cost < cheapest:
        return None  # a cheaper request may fit sooner: Redis tells
    limit = budget[0]
    return Decision(allowed=False, limit=limit, used=limit, retry_after=max(1, math.ceil(wait)))


def _remember_refusal(
    bucket: str, client: str, cost: int, budget: tuple[int, int], decision: Decision
) -> None:
    if len(_refused) >= _REFUSED_SIZE:
        _refused.clear()
    until = time.monotonic() + decision.retry_after - 1  # retry_after is rounded up
    known = _refused.get((bucket, client))
    if known is None or cost <= known[0]:
        _refused[(bucket, client)] = (cost, until, budget)


def forget_refusals() -> None:
    """Drop what this process remembers of refusals (and its rendered refusal pages)."""
    _refused.clear()
    _pages.clear()


def _log_refusal(bucket: str, client: str, cost: int, decision: Decision) -> None:
    now = time.monotonic()
    if now - _last_refusal_logged.get((bucket, client), -_REFUSAL_LOG_SECONDS) < 60:
        return
    if len(_last_refusal_logged) >= _REFUSAL_LOG_SIZE:
        _last_refusal_logged.clear()
    _last_refusal_logged[(bucket, client)] = now
    logger.info(
        "rate limit: %s requests refused for %s (more in the next minute are not logged)",
        bucket,
        client,
        extra={
            "client": client,
            "bucket": bucket,
            "cost": cost,
            "limit": decision.limit,
            "retry_after": decision.retry_after,
        },
    )


def _detail(retry: int) -> str:
    return gettext(
        "Too many requests from your address. Please wait %(seconds)d seconds before trying "
        "again. Harvesting everything? The bulk metadata dumps are at %(dumps)s."
    ) % {"seconds": retry, "dumps": f"{settings.PORTAL_BASE_URL}/dumps/"}


def _page(retry: int) -> str:
    key = (get_language() or settings.LANGUAGE_CODE, retry)
    page = _pages.get(key)
    if page is None:
        if len(_pages) >= 1000:
            _pages.clear()
        page = _pages[key] = render_to_string(
            "operations/rate_limited.html",
            {"seconds": retry, "PORTAL_NAME": settings.PORTAL_NAME, "detail": _detail(retry)},
        )
    return page


def refusal(request: HttpRequest, bucket: str, decision: Decision) -> HttpResponse:
    """The answer to a client over its budget, in the form its kind of client understands."""
    retry = decision.retry_after
    # The limiter runs before the locale middleware: the language is chosen here, as it would be
    # (the visitor's for pages; machine answers in LANGUAGE_CODE), not left to whatever this
    # thread's last request activated.
    machine = bucket in {"api", "oai", "exports"}
    language = settings.LANGUAGE_CODE if machine else get_language_from_request(request)
    with override(language):
        response = _refusal(request, bucket, retry)
    response.headers["Retry-After"] = str(retry)
    response.headers["Cache-Control"] = "no-store"
    # Django's request log would write a warning per refusal; ours writes one a minute.
    response._has_been_logged = True  # type: ignore[attr-defined]
    response.rate_limited = True  # type: ignore[attr-defined]  # for the latency histogram
    return response


def _refusal(request: HttpRequest, bucket: str, retry: int) -> HttpResponse:
    if bucket == "api":
        problem = {
            "type": "about:blank",
            "title": "Too Many Requests",
            "status": 429,
            "detail": _detail(retry),
            "instance": request.path,
        }
        response = HttpResponse(
            json.dumps(problem), status=429, content_type="application/problem+json"
        )
        # The APIs answer scripts on any site (CORS): they must be able to read the refusal
        # and its Retry-After too, not only a network error.
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "Retry-After"
    elif bucket == "oai":
        response = HttpResponse(
            _detail(retry), status=503, content_type="text/plain; charset=utf-8"
        )
    else:
        response = HttpResponse(_page(retry), status=429)
    return response


def rate_limit(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        checked = check(request)
        if checked is not None and not checked[1].allowed:
            return refusal(request, *checked)
        return get_response(request)

    return middleware
