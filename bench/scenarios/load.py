"""Load test: the production stack under a crowd, an abusive client and a crawler (issue #16.8).

``python -m bench N --scenarios load --database postgres`` (after the import of N datasets):

1. Starts a throwaway Redis and OpenSearch (``tests/servers/``), builds the search index from the
   database (``search_index_rebuild``), and starts gunicorn (``portal.wsgi``, DEBUG off,
   ``BENCH_LOAD_WORKERS`` processes x ``BENCH_LOAD_THREADS`` threads) against PostgreSQL, Redis
   (cache, rate limits, usage buffer) and OpenSearch, behind a pretend proxy (``BEHIND_PROXY``:
   each client's address comes in ``X-Forwarded-For``).
2. Run 1: locust (``bench/locustfile.py``, headless, loopback) with ``BENCH_LOAD_USERS`` visitors
   (default 200) waiting ``BENCH_LOAD_WAIT`` seconds (default 2-8) between requests, mixing the
   home page, catalogue pages, searches, dataset and publication pages, exports, OAI-PMH, the API
   when ``/api/v1/`` answers and ``/robots.txt`` (the floor: the cheapest answer the stack gives,
   measured in the same run: the physical limit), plus one abusive client scraping search pages
   without pause from one address, for ``BENCH_LOAD_SECONDS`` (default 120).
3. Run 2: the same, plus a crawler (``bench/crawler.py``) at ``BENCH_LOAD_CRAWLER_RATE`` requests/s
   (default 500) from one more address.

Reported: requests/s, 5xx (target 0), the visitors' page p95 (target <= 300 ms) and per group, the
abuser's and the crawler's 429 share, the visitors' 429s (target 0), page median / floor median
(the ratio against the physical limit), and run 2's page p95 / run 1's (target <= 1.5). The whole
stack, locust and the crawler share the machine's cores: absolute figures rise with its load.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import urllib.request
from collections import Counter, defaultdict
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.harness import Context, Metric, Outcome, Stopwatch, Target, median, percentile

PAGE_P95 = Target("<=", 300.0)
SLOWDOWN = Target("<=", 1.5)
NONE = Target("<=", 0.0)
HERE = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def _targets(base: str) -> dict[str, Any]:
    """What the visitors ask for: a sample of public records and words from their titles."""
    from django.conf import settings

    from catalogue.models import Dataset
    from landing.exports import EXPORTS
    from publishing.models import Publication

    rng = random.Random(16)
    ids = list(Dataset.objects.public().values_list("pk", flat=True))
    sample = rng.sample(ids, min(len(ids), 3000))
    rows = Dataset.objects.filter(pk__in=sample).values_list("pid", "title")
    words = sorted(
        {w.lower() for _, title in rows for w in title.split() if w.isalpha() and len(w) > 4}
    )
    dois = list(
        Publication.objects.filter(doi__gt="").order_by("?").values_list("doi", flat=True)[:500]
    )
    instruments = list(
        Dataset.objects.public()
        .exclude(instrument=None)
        .values_list("instrument__name", flat=True)
        .distinct()[:20]
    )
    api = []
    first = quote(rows[0][0], safe="") if rows else ""
    for path in (
        "/api/v1/datasets",
        f"/api/v1/datasets/{first}",
        "/panosc-api/Datasets?filter=" + quote('{"limit":25}'),
        f"/panosc-api/Datasets/{first}",
        "/panosc-api/Datasets/count",
    ):
        if _status(base + path) == 200:
            api.append(path)
    return {
        "pids": [pid for pid, _ in rows],
        "dois": dois,
        "words": rng.sample(words, min(len(words), 200)) or ["sample"],
        "facets": ["", "", *(f"&instrument={name}" for name in instruments)],
        "exports": sorted(EXPORTS),
        "oai_prefix": f"oai:{settings.OAI_REPOSITORY_IDENTIFIER}:",
        "api": api,
    }


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def _gunicorn(stack: ExitStack, workdir: Path, env: dict[str, str], port: int) -> str:
    log = stack.enter_context((workdir / "gunicorn.log").open("wb"))
    command = [
        *(sys.executable, "-m", "gunicorn", "portal.wsgi"),
        *("--bind", f"127.0.0.1:{port}"),
        *("--workers", _env("BENCH_LOAD_WORKERS", "3")),
        *("--threads", _env("BENCH_LOAD_THREADS", "4")),
        *("--worker-class", "gthread", "--backlog", "2048", "--timeout", "120"),
    ]
    process = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=HERE.parent
    )
    stack.callback(_stop, process)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while _status(base + "/robots.txt") != 200:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not start: see {workdir / 'gunicorn.log'}")
        time.sleep(0.5)
    return base


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _locust(
    base: str, workdir: Path, label: str, targets: Path, crawler_rate: float
) -> tuple[list[tuple[str, int, float]], dict[str, Any] | None, float]:
    """One run: locust for BENCH_LOAD_SECONDS (and the crawler beside it when ``crawler_rate``)."""
    users = int(_env("BENCH_LOAD_USERS", "200"))
    seconds = int(_env("BENCH_LOAD_SECONDS", "120"))
    samples = workdir / f"load-{label}.jsonl"
    env = {
        **os.environ,
        "BENCH_LOAD_TARGETS": str(targets),
        "BENCH_LOAD_SAMPLES": str(samples),
    }
    locust = [
        *(sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless"),
        *("--users", str(users), "--spawn-rate", str(max(1, users // 10))),
        *("--run-time", f"{seconds}s", "--host", base, "--stop-timeout", "10"),
        *("--only-summary", "--loglevel", "WARNING"),
    ]
    crawl_out = workdir / f"crawler-{label}.json"
    with ExitStack() as stack:
        log = stack.enter_context((workdir / f"locust-{label}.log").open("wb"))
        started = time.perf_counter()
        runner = subprocess.Popen(locust, env=env, stdout=log, stderr=subprocess.STDOUT)
        crawler = None
        if crawler_rate:
            time.sleep(10)  # the crowd spawned first
            crawler = subprocess.Popen(
                [
                    *(sys.executable, "-m", "bench.crawler", base, str(crawler_rate)),
                    *(str(seconds - 15), str(crawl_out)),
                ],
                cwd=HERE.parent,
            )
        runner.wait(timeout=seconds + 120)
        wall = time.perf_counter() - started
        if crawler is not None:
            crawler.wait(timeout=120)
    rows = [json.loads(line) for line in samples.read_text().splitlines() if line.strip()]
    crawled = json.loads(crawl_out.read_text()) if crawler_rate and crawl_out.exists() else None
    return [(str(r[0]), int(r[1]), float(r[2])) for r in rows], crawled, wall


def _summary(
    outcome: Outcome, label: str, samples: list[tuple[str, int, float]], wall: float
) -> float:
    """Add one run's figures; return the visitors' page p95."""
    by_group: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter[int]] = defaultdict(Counter)
    for group, status, ms in samples:
        statuses[group][status] += 1
        if group != "abuser" and status < 400:
            by_group[group].append(ms)
    pages = [ms for g, times in by_group.items() if g.startswith("page:") for ms in times]
    visitors = [s for s in samples if s[0] != "abuser"]
    # OAI-PMH answers a harvester over its budget with 503 + Retry-After (its flow control).
    errors = sum(
        1
        for g, status, _ in samples
        if (status >= 500 and (g, status) != ("oai", 503)) or not status
    )
    limited = sum(1 for _, status, _ in visitors if status == 429)
    abuser = statuses.get("abuser", Counter())
    floor = median(by_group.get("floor", []))
    page_p95, page_median = percentile(pages, 95), median(pages)
    detail = "; ".join(
        f"{g} n={len(t)} median {median(t):.0f} p95 {percentile(t, 95):.0f}"
        for g, t in sorted(by_group.items())
    )
    outcome.add(
        Metric(
            f"load.{label}.rate",
            f"{label}: requests/s (all clients)",
            len(samples) / wall,
            "req/s",
            "higher",
            detail=f"{len(samples):,} requests in {wall:.0f} s",
        ),
        Metric(f"load.{label}.5xx", f"{label}: 5xx or no answer", errors, "", "lower", NONE),
        Metric(
            f"load.{label}.pages.p95",
            f"{label}: visitors' pages p95",
            page_p95,
            "ms",
            "lower",
            PAGE_P95,
            detail=f"median {page_median:.1f} ms; {detail}",
        ),
        Metric(f"load.{label}.floor", f"{label}: floor (/robots.txt) median", floor, "ms"),
        Metric(
            f"load.{label}.ratio",
            f"{label}: page median / floor median",
            page_median / floor if floor else float("nan"),
            "",
            "lower",
        ),
        Metric(
            f"load.{label}.visitors.429",
            f"{label}: visitors answered 429",
            limited,
            "",
            "lower",
            NONE,
            detail=f"of {len(visitors):,}",
        ),
        Metric(
            f"load.{label}.abuser.429",
            f"{label}: abusive client's requests answered 429",
            100 * abuser[429] / max(1, sum(abuser.values())),
            "%",
            "higher",
            detail=f"{dict(abuser)}",
        ),
    )
    return page_p95


def run(ctx: Context) -> Outcome:
    from django.conf import settings

    from bench.databases import REPO_ROOT
    from catalogue.models import Dataset
    from catalogue.search.backends import _configured
    from catalogue.search.maintenance import search_index_rebuild

    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from tests.servers import OpenSearchServer, RedisServer
    from tests.servers.base import free_port

    outcome = Outcome()
    heap = _env("BENCH_LOAD_HEAP", "1g")
    with ExitStack() as stack:
        redis = stack.enter_context(RedisServer())
        search = stack.enter_context(
            OpenSearchServer(heap_min=heap, heap_max=heap, start_timeout=300)
        )
        settings.OPENSEARCH_URL, settings.OPENSEARCH_INDEX = search.url, "bench-load"
        # A loaded machine takes longer than the 5 s default to create a 100,000-document index.
        timeout = _env("BENCH_LOAD_OPENSEARCH_TIMEOUT", "60")
        settings.OPENSEARCH_TIMEOUT = int(timeout)
        _configured.cache_clear()
        with Stopwatch() as build:
            search_index_rebuild(batch=2000)
        public = Dataset.objects.public().count()
        outcome.note(f"{public:,} public datasets indexed in {build.wall:.0f} s")
        env = {
            **os.environ,
            "REDIS_URL": redis.url,
            "OPENSEARCH_URL": search.url,
            "OPENSEARCH_INDEX": "bench-load",
            "OPENSEARCH_TIMEOUT": timeout,
            "BEHIND_PROXY": "true",
            "LOG_LEVEL": "WARNING",
        }
        base = _gunicorn(stack, ctx.workpath, env, free_port())
        targets = _targets(base)
        path = ctx.workpath / "load-targets.json"
        path.write_text(json.dumps(targets), encoding="utf-8")
        for pid in targets["pids"][:50]:  # each worker's first requests (imports, templates)
            _status(f"{base}/datasets/{pid}")
        outcome.note(
            f"gunicorn {_env('BENCH_LOAD_WORKERS', '3')} workers x "
            f"{_env('BENCH_LOAD_THREADS', '4')} threads; {_env('BENCH_LOAD_USERS', '200')} "
            f"visitors waiting {_env('BENCH_LOAD_WAIT', '2,8')} s, "
            f"{_env('BENCH_LOAD_SECONDS', '120')} s per run; "
            f"API paths answering: {', '.join(targets['api']) or 'none'}; "
            f"load average before: {os.getloadavg()[0]:.1f}"
        )
        first, _, wall = _locust(base, ctx.workpath, "run1", path, 0)
        p95_first = _summary(outcome, "run1", first, wall)
        outcome.note(f"load average after run 1: {os.getloadavg()[0]:.1f}")
        rate = float(_env("BENCH_LOAD_CRAWLER_RATE", "500"))
        second, crawled, wall = _locust(base, ctx.workpath, "run2", path, rate)
        p95_second = _summary(outcome, "run2", second, wall)
        outcome.note(f"load average after run 2: {os.getloadavg()[0]:.1f}")
        outcome.add(
            Metric(
                "load.slowdown",
                "run 2 / run 1: visitors' page p95 with the crawler",
                p95_second / p95_first,
                "",
                "lower",
                SLOWDOWN,
            )
        )
        if crawled:
            statuses = crawled.get("statuses", {})
            total = sum(int(v) for v in statuses.values()) or 1
            outcome.add(
                Metric(
                    "load.crawler.rate",
                    "crawler: answers/s",
                    float(crawled["rate"]),
                    "req/s",
                    "higher",
                    detail=f"asked {crawled['asked']:,} at {rate:g}/s",
                ),
                Metric(
                    "load.crawler.429",
                    "crawler: answered 429",
                    100 * int(statuses.get("429", 0)) / total,
                    "%",
                    "higher",
                    detail=f"{statuses}; median {crawled['median_ms']} ms, "
                    f"p95 {crawled['p95_ms']} ms",
                ),
            )
        settings.OPENSEARCH_URL = ""
        _configured.cache_clear()
    return outcome
