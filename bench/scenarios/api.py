"""REST API: a list page of 100 datasets at N datasets on PostgreSQL + OpenSearch.

``python -m bench N --scenarios api --database postgres``. The database is topped up to
``BENCH_API_DOCS`` (default N) datasets with two scientific parameters each (the search scenario's
``_top_up``), the OpenSearch index rebuilt from it, then each page is requested in turn as

1. ``GET /api/v1/datasets?...&page_size=100`` through the portal (Django's WSGI handler,
   :class:`bench.wsgi.Wsgi`: URL conf, middleware, parameter parsing, the search layer, the
   public-id check, the rows from the hits and their JSON) -- the server time;
2. the very same OpenSearch request the search layer sends for it (keyset page, ``search_after``),
   by opensearch-py alone: the raw search-backend call, the physical limit of this answer.

The set-up and the timing are :mod:`bench.indexed`'s (shared with the other scenario; it
also times the view alone, wall and CPU). ``--scenarios apis`` runs both on one index.

Pages: the first page of everything (newest first), a facet filter, a unit condition, a text
search by relevance, and a page deep in the list (a cursor at about N/2, reached by the cursor of
the hit there). Targets: median <= 30 ms; API / raw <= 1.3. Absolute figures depend on the load of
the machine; the ratio is measured in the same run, request for request.

Figures (2026-12-03 08:05-08:17 UTC, ``BENCH_API_DOCS=100000 python -m bench 2000 --skip-generate
--scenarios api --database postgres --requests 80``, 98,988 public datasets, load 15-17 on 2 CPUs
shared with other work): API / raw OpenSearch 1.23 (first page), 1.36 (facet), 1.41 (unit
condition), 1.29 (text), 1.27 (cursor at 49,494), 1.34 over all; medians 265-840 ms with the raw
call at 200-650 ms, inflated by the load (the 30 ms target cannot be judged on this machine).

With the public check of a page as one array parameter (catalogue/id_lists.py), 2026-12-03
10:36-10:45 UTC, ``BENCH_APIS_DOCS=100000 python -m bench 2000 --skip-generate --scenarios apis
--database postgres --requests 80`` (98,988 public datasets, load 18-20): API / raw OpenSearch
1.23 (first page), 1.56 (facet), 1.24 (unit condition), 1.27 (text), 1.35 (cursor), 1.30 over
all (the view alone, without middleware, 1.19); median 262 ms against a raw call of 202 ms, both
inflated by the load. What load hardly moves: the view's CPU, 4.9 ms per page of 100 (the raw
call's own 1.5 ms of it), so about 3.4 ms of Python per page over the search.

On a quiet machine, 2026-12-03 13:31-13:36 UTC (``BENCH_APIS_DOCS=100000 python -m bench 2000
--skip-generate --scenarios apis --database postgres --requests 200``: 98,988 public datasets,
load 2.2-2.6, which is the benchmark's own processes), timed through the WSGI handler: median
19.4 ms over all pages (target 30), API / raw OpenSearch 1.28 over all (target 1.3): 1.27
(first page), 1.31 (facet), 1.53 (unit condition, whose raw call is the shortest, 10.3 ms), 1.20
(text), 1.32 (cursor at 49,494); the view's CPU 4.1 ms per page of 100 (the raw call's own 1.5).
With the young generation collected every 50,000 allocations (``portal/wsgi.py``), two runs at
13:51-13:55 and 13:55-13:59 UTC, on a host then slower (raw calls ~20 ms): median 25.9 and 25.3
ms, API / raw 1.28 and 1.26 over all (single pages 1.13-1.35).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from bench.harness import Context, Outcome
from bench.indexed import Timings, indexed_catalogue, metrics, time_requests

PAGE = 100


def _pages() -> dict[str, str]:
    return {
        "first": "",
        "facet": "type=raw",
        "condition": "sm=sample_temperature+<+0+degC",
        "text": "q=reflectivity",
    }


def _query(params: str) -> Any:
    from django.http import QueryDict

    from catalogue.search import DatasetQuery
    from catalogue.search_params import SearchRequest

    parsed = SearchRequest.parse(QueryDict(params)).query
    return DatasetQuery(
        text=parsed.text,
        filters=parsed.filters,
        conditions=parsed.conditions,
        sort=parsed.sort,
        per_page=PAGE,
        facets=False,
        keyset=True,
    )


def _raw(query: Any) -> Any:
    """The OpenSearch request the search layer sends for this keyset page, by opensearch-py."""
    from catalogue.search import backend
    from catalogue.search.opensearch import keyset
    from catalogue.search.opensearch.compiler import request_body, sort_clause

    chosen: Any = backend()
    sort = query.effective_sort
    body = {**request_body(query), "sort": sort_clause(sort), "size": query.per_page + 1}
    if query.after is not None:
        body["search_after"] = keyset.search_after(sort, query.after)
    return partial(chosen.client.search, index=chosen.alias, body=body)


def _deep_cursor(public: int) -> tuple[str, Any]:
    """A cursor (and its query) at about the middle of the whole list, from the hit there."""
    import dataclasses

    from api.cursors import Cursor
    from catalogue.search import backend
    from catalogue.search.opensearch import keyset
    from catalogue.search.opensearch.compiler import sort_clause

    chosen: Any = backend()
    query = _query("")
    sort = query.effective_sort
    after: Any = None
    reached = 0
    while reached < public // 2:
        size = min(10_000, public // 2 - reached)
        body: dict[str, Any] = {
            "query": {"match_all": {}},
            "sort": sort_clause(sort),
            "size": size,
            "_source": False,
            "track_total_hits": False,
        }
        if after is not None:
            body["search_after"] = after
        hits = chosen.client.search(index=chosen.alias, body=body)["hits"]["hits"]
        if not hits:
            break
        after, reached = hits[-1]["sort"], reached + len(hits)
    key = keyset.key_of(sort, after)
    cursor = Cursor(key, False, sort).encode()
    return f"cursor={cursor}", dataclasses.replace(query, after=key)


def run(ctx: Context) -> Outcome:
    outcome = Outcome()
    if ctx.database != "postgres":
        outcome.note("the API benchmark runs on PostgreSQL + OpenSearch only")
        return outcome
    with indexed_catalogue(ctx, outcome, "api") as public:
        measure(ctx, outcome, public)
    return outcome


def measure(ctx: Context, outcome: Outcome, public: int) -> None:
    """The pages timed against their raw OpenSearch calls, on the index of ``public`` datasets."""
    pages = {key: (params, _query(params)) for key, params in _pages().items()}
    pages["deep"] = _deep_cursor(public)
    rounds = max(20, ctx.requests // 4)
    every = Timings()
    for key, (params, query) in pages.items():
        url = f"/api/v1/datasets?page_size={PAGE}" + (f"&{params}" if params else "")
        timings, data = time_requests(ctx, f"api.{key}", url, _raw(query), rounds)
        every.extend(timings)
        shown = f"API datasets {key} ({len(data['results'])} of {data['count']:,})"
        outcome.add(*metrics(f"api.{key}", shown, timings))
    outcome.add(*metrics("api", f"API list pages of {PAGE} at {public:,} datasets", every))
