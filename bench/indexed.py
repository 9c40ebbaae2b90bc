"""What the machine-API benchmarks share (``api``, ``panosc``): N datasets on PostgreSQL indexed in
a throwaway OpenSearch, and each request timed against the raw OpenSearch call it makes.

:func:`indexed_catalogue` tops the database up to ``BENCH_<NAME>_DOCS`` (default N) datasets with
two scientific parameters each (the search scenario's ``_top_up``), starts OpenSearch
(``BENCH_SEARCH_HEAP``, default 2g), rebuilds the index and yields the number of public datasets.

:func:`time_requests` sends one URL in rounds, each round three ways in turn:

1. through Django's WSGI handler as a WSGI server hands it a request (:class:`bench.wsgi.Wsgi`:
   URL conf, middleware, view, JSON; start-up's objects frozen out of the garbage collector as
   ``portal/wsgi.py`` does): the server time, the target;
2. the view alone, in process (``resolve(path).func`` on a ``RequestFactory`` request: no
   middleware), wall and this process's CPU time, which other processes' load hardly moves (the
   search backend's and the database's own work happen in their processes);
3. the raw search-backend call: the very OpenSearch request the search layer sends for it, by
   opensearch-py alone, wall and CPU: the physical limit, the ratio's denominator.

With ``BENCH_VIEW_PROFILE=1`` each URL's view is also run ``BENCH_VIEW_PROFILE_CALLS`` times
(default 50) under cProfile after the timed rounds; the stats go to ``<workdir>/<key>.prof`` and
the top functions to ``<key>.txt`` beside it (only the view, not the set-up ``--profile`` covers).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench.harness import Context, Metric, Outcome, Stopwatch, Target, median, percentile

MEDIAN_TARGET = Target("<=", 30)
RATIO_TARGET = Target("<=", 1.3)
WARMUP = 3


@contextmanager
def indexed_catalogue(ctx: Context, outcome: Outcome, name: str) -> Iterator[int]:
    """The database topped up to ``BENCH_<NAME>_DOCS`` datasets, all public ones indexed in a
    throwaway OpenSearch that the settings point at until the block ends; yields their number."""
    from django.conf import settings

    from bench.databases import REPO_ROOT
    from bench.scenarios.search import _analyze, _top_up
    from catalogue.models import Dataset
    from catalogue.search.backends import _configured
    from catalogue.search.maintenance import search_index_rebuild

    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from tests.servers import OpenSearchServer

    settings.USAGE_COUNTING = False  # lists record nothing anyway; single records are not timed
    _top_up(int(os.environ.get(f"BENCH_{name.upper()}_DOCS") or ctx.n), outcome)
    _analyze()
    heap = os.environ.get("BENCH_SEARCH_HEAP", "2g")
    server = OpenSearchServer(heap_min=heap, heap_max=heap, start_timeout=300)
    server.start()
    try:
        settings.OPENSEARCH_URL = server.url
        settings.OPENSEARCH_TIMEOUT = 120  # a loaded machine: the figures are medians anyway
        settings.OPENSEARCH_INDEX = f"bench-{uuid.uuid4().hex[:8]}"
        _configured.cache_clear()
        public = Dataset.objects.public().count()
        with Stopwatch() as build:
            search_index_rebuild(batch=2000)
        outcome.note(f"index rebuilt: {public:,} public datasets in {build.wall:.0f} s")
        yield public
    finally:
        settings.OPENSEARCH_URL = ""
        _configured.cache_clear()
        server.stop()


@dataclass
class Timings:
    """Milliseconds per request: through the WSGI handler, the view alone (wall, CPU), raw."""

    client: list[float] = field(default_factory=list)
    view: list[float] = field(default_factory=list)
    view_cpu: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    raw_cpu: list[float] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)

    def extend(self, other: Timings) -> None:
        for name in ("client", "view", "view_cpu", "raw", "raw_cpu", "loads"):
            getattr(self, name).extend(getattr(other, name))

    @property
    def load(self) -> str:
        return f"{min(self.loads):.1f}-{max(self.loads):.1f}" if self.loads else "n/a"


def time_requests(
    ctx: Context, key: str, url: str, raw: Callable[[], object], rounds: int
) -> tuple[Timings, Any]:
    """``url`` timed ``rounds`` times three ways (see the module's docstring), and its last
    answer's JSON."""
    import json
    from urllib.parse import parse_qsl

    from django.test import RequestFactory
    from django.urls import resolve

    from bench.wsgi import Wsgi

    client = Wsgi()
    factory = RequestFactory()
    path, _, query = url.partition("?")
    params = dict(parse_qsl(query))
    match = resolve(path)

    def view() -> Any:
        return match.func(factory.get(url), *match.args, **match.kwargs)

    timings = Timings()
    data: Any = None
    for number in range(WARMUP + rounds):
        with Stopwatch() as through:
            status, body = client.get(path, params)
        assert status == 200, body[:500]
        with Stopwatch() as alone:
            answer = view()
        assert answer.status_code == 200, answer.content[:500]
        with Stopwatch() as backend:
            raw()
        if number >= WARMUP:
            timings.client.append(through.wall * 1000)
            timings.view.append(alone.wall * 1000)
            timings.view_cpu.append(alone.cpu * 1000)
            timings.raw.append(backend.wall * 1000)
            timings.raw_cpu.append(backend.cpu * 1000)
            if number % 10 == 0:
                timings.loads.append(os.getloadavg()[0])
        data = json.loads(body)
    timings.loads.append(os.getloadavg()[0])
    if os.environ.get("BENCH_VIEW_PROFILE"):
        _profile(ctx, key, view, int(os.environ.get("BENCH_VIEW_PROFILE_CALLS") or 50))
    return timings, data


def _profile(ctx: Context, key: str, view: Callable[[], object], calls: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        view()
    profiler.disable()
    stem = ctx.workpath / key
    profiler.dump_stats(f"{stem}.prof")
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    (ctx.workpath / f"{key}.txt").write_text(text.getvalue(), encoding="utf-8")


def metrics(prefix: str, label: str, timings: Timings) -> list[Metric]:
    """The median server time and its ratio over the raw call, with the view's wall and CPU."""
    client, raw = median(timings.client), median(timings.raw)
    return [
        Metric(
            f"{prefix}.median",
            f"{label}: median",
            client,
            "ms",
            "lower",
            MEDIAN_TARGET,
            f"p95 {percentile(timings.client, 95):.1f} ms over {len(timings.client)}; view alone "
            f"{median(timings.view):.1f} ms wall, {median(timings.view_cpu):.1f} ms CPU; raw "
            f"OpenSearch {raw:.1f} ms wall, {median(timings.raw_cpu):.1f} ms CPU; load "
            f"{timings.load}",
        ),
        Metric(
            f"{prefix}.ratio",
            f"{label} / raw OpenSearch call (medians)",
            client / raw,
            "x",
            "lower",
            RATIO_TARGET,
            f"view alone / raw {median(timings.view) / raw:.2f}x",
        ),
        Metric(
            f"{prefix}.cpu",
            f"{label}: CPU of the view (median)",
            median(timings.view_cpu),
            "ms",
            "lower",
            None,
            f"the raw call's own CPU {median(timings.raw_cpu):.1f} ms; CPU over the raw call's "
            f"CPU {median(timings.view_cpu) - median(timings.raw_cpu):.1f} ms",
        ),
    ]
