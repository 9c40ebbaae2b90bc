"""The catalogue table, ``/datasets/``: server time of the whole request and response, in process.

``django.test.Client`` drives the real URL conf and middleware (DEBUG off, as in production); each
request is timed from the client's call to the rendered body, after warm-up requests. Variants: the
default table (newest first), other sorts, a later and the last page, ``q`` filters and the htmx
partial. For every variant one more request runs with a query recorder: the number of queries,
their time, and the slowest one, whose plan (``EXPLAIN ANALYZE`` on PostgreSQL, ``EXPLAIN QUERY
PLAN`` on SQLite) is written to ``catalogue-plans.txt`` in the database's work directory.

On PostgreSQL the tables are ``VACUUM ANALYZE``d first, as autovacuum would have done by the time a
visitor comes after a bulk load.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from bench.harness import Context, Metric, Outcome, Target, median, percentile, time_calls

TARGET_MS = Target("<=", 50, database="postgres")
WARMUP = 5
PER_PAGE = 25


@dataclass(frozen=True)
class Variant:
    key: str
    label: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    main: bool = False


def variants(public: int) -> list[Variant]:
    last = max(1, -(-public // PER_PAGE))
    later = min(200, last)
    return [
        Variant("default", "newest first (default)", "/datasets/", main=True),
        Variant("oldest", "oldest first", "/datasets/?sort=start_time"),
        Variant("title", "sorted by name", "/datasets/?sort=title"),
        Variant("size", "largest first", "/datasets/?sort=-size"),
        Variant("proposal", "sorted by proposal", "/datasets/?sort=proposal"),
        Variant("page", f"page {later:,}", f"/datasets/?page={later}"),
        Variant("last", f"last page ({last:,})", f"/datasets/?page={last}"),
        Variant("q_common", "q=tomography", "/datasets/?q=tomography"),
        Variant("q_rare", "q=DPPG", "/datasets/?q=DPPG"),
        Variant("q_two", "q=gold nanocrystals", "/datasets/?q=gold+nanocrystals"),
        Variant("htmx", "htmx partial", "/datasets/", {"HTTP_HX_REQUEST": "true"}),
    ]


@dataclass
class _Recorder:
    """A ``connection.execute_wrapper`` keeping each query's SQL, parameters and duration."""

    queries: list[tuple[float, str, Any]] = field(default_factory=list)

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((time.perf_counter() - started, sql, params))


def _plan(sql: str, params: Any) -> str:
    from django.db import connection

    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())


def _rows(body: bytes) -> int:
    tbody = re.search(rb"<tbody>(.*?)</tbody>", body, re.DOTALL)
    return tbody.group(1).count(b"<tr") if tbody else 0


def _prepare_database(outcome: Outcome) -> None:
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            analyzed = bool(cursor.fetchone()[0])
        outcome.note(
            "SQLite planner statistics (ANALYZE): "
            + ("present" if analyzed else "none; nothing in the portal runs ANALYZE")
        )
    if connection.vendor != "postgresql":
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    outcome.note(f"VACUUM ANALYZE before the requests: {time.perf_counter() - started:.1f} s")


def run(ctx: Context) -> Outcome:
    from django.db import connection
    from django.test import Client

    from catalogue.models import Dataset

    outcome = Outcome()
    _prepare_database(outcome)
    public = Dataset.objects.public().count()
    client = Client()
    plans: list[str] = []
    for variant in variants(public):
        response = client.get(variant.url, **variant.headers)  # type: ignore[arg-type]
        if response.status_code != 200:
            outcome.note(f"{variant.url}: status {response.status_code}; not measured")
            continue
        rows = _rows(response.content)

        def request(variant: Variant = variant) -> None:
            client.get(variant.url, **variant.headers).content  # type: ignore[arg-type]  # noqa: B018

        times = ctx.requests if variant.main else max(20, ctx.requests // 4)
        seconds = time_calls(request, times=times, warmup=WARMUP)
        ms = [s * 1000 for s in seconds]

        recorders = []
        for _ in range(3):
            recorder = _Recorder()
            with connection.execute_wrapper(recorder):
                request()
            recorders.append(recorder)
        db_ms = median([sum(q[0] for q in r.queries) * 1000 for r in recorders])
        slowest = max(recorders[-1].queries, key=lambda q: q[0])
        plans.append(
            f"== {variant.label}: {variant.url} (slowest query, {slowest[0] * 1000:.1f} ms)\n"
            f"{slowest[1]}\n{slowest[2]!r}\n{_plan(slowest[1], slowest[2])}\n"
        )
        prefix = f"catalogue.{variant.key}"
        outcome.add(
            Metric(
                f"{prefix}.median",
                f"/datasets/ {variant.label}: median",
                median(ms),
                "ms",
                "lower",
                TARGET_MS,
                f"p95 {percentile(ms, 95):.1f} ms over {times} requests, {rows} rows",
            ),
            Metric(f"{prefix}.p95", f"/datasets/ {variant.label}: p95", percentile(ms, 95), "ms"),
            Metric(
                f"{prefix}.db", f"/datasets/ {variant.label}: time in queries (median)", db_ms, "ms"
            ),
        )
        outcome.note(
            f"{variant.label}: {len(recorders[-1].queries)} queries, slowest "
            f"{slowest[0] * 1000:.1f} ms; {rows} rows shown"
        )
    path = ctx.workpath / "catalogue-plans.txt"
    path.write_text("\n".join(plans), encoding="utf-8")
    outcome.note(f"query plans of the slowest query per variant: {path}")
    return outcome
