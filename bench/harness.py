"""What every benchmark shares: timing helpers, metrics with targets, and the scenario registry.

A scenario is a function ``run(ctx: Context) -> Outcome`` in a module of :mod:`bench.scenarios`,
registered here by name and dotted path. The parent process (which never sets Django up) only
reads the registry; each scenario runs in a child process (:mod:`bench.child`) configured for one
database, which imports just that scenario's module. A new benchmark (search, OAI-PMH, landing
pages, the live sync) is one module with a ``run`` function plus one :func:`register` line below.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Better = Literal["higher", "lower"]


# -- numbers ------------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100), interpolating between the two nearest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def time_calls(call: Callable[[], object], *, times: int, warmup: int = 0) -> list[float]:
    """Seconds each of ``times`` calls took, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        call()
    out = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        out.append(time.perf_counter() - started)
    return out


class Stopwatch:
    """Wall-clock and this process's CPU seconds of a ``with`` block."""

    wall: float = 0.0
    cpu: float = 0.0

    def __enter__(self) -> Stopwatch:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


# -- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """``value`` must be ``>=`` or ``<=`` this bound; on one database only, or on every one."""

    op: Literal[">=", "<="]
    bound: float
    database: str | None = None

    def applies(self, database: str) -> bool:
        return self.database is None or self.database == database

    def met(self, value: float) -> bool:
        return value >= self.bound if self.op == ">=" else value <= self.bound

    def __str__(self) -> str:
        where = f" ({self.database})" if self.database else ""
        return f"{self.op} {_number(self.bound)}{where}"


@dataclass
class Metric:
    key: str
    label: str
    value: float
    unit: str = ""
    better: Better = "lower"
    target: Target | None = None
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Metric:
        target = data.get("target")
        return cls(**{**data, "target": Target(**target) if target else None})


@dataclass
class Outcome:
    """What one scenario reports: figures for the table, and notes worth reading."""

    metrics: list[Metric] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *metrics: Metric) -> None:
        self.metrics.extend(metrics)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def to_json(self) -> dict[str, Any]:
        return {"metrics": [m.to_json() for m in self.metrics], "notes": self.notes}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outcome:
        return cls([Metric.from_json(m) for m in data["metrics"]], list(data["notes"]))


# -- what a child is told -----------------------------------------------------------------------


@dataclass
class Context:
    database: str  # "sqlite" or "postgres"
    database_label: str  # e.g. "PostgreSQL 15.18 (throwaway: fsync=off)"
    export: str
    n: int
    summary: dict[str, Any]
    requests: int
    workdir: str
    profile: bool = False

    @property
    def workpath(self) -> Path:
        return Path(self.workdir)

    def dump(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Context:
        return cls(**json.loads(path.read_text(encoding="utf-8")))


# -- the registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    target: str  # "package.module:function"
    description: str
    requires: tuple[str, ...] = ()  # scenarios whose data this one reads, run before it


REGISTRY: dict[str, Scenario] = {}


def register(scenario: Scenario) -> Scenario:
    if scenario.name in REGISTRY:
        raise ValueError(f"scenario {scenario.name!r} registered twice")
    REGISTRY[scenario.name] = scenario
    return scenario


def plan(names: Iterable[str]) -> list[Scenario]:
    """The scenarios to run for ``names``, with what they require first, in registry order."""
    wanted: set[str] = set()

    def want(name: str) -> None:
        if name not in REGISTRY:
            raise KeyError(f"unknown scenario {name!r}; known: {', '.join(REGISTRY)}")
        if name not in wanted:
            wanted.add(name)
            for required in REGISTRY[name].requires:
                want(required)

    for name in names:
        want(name)
    return [s for s in REGISTRY.values() if s.name in wanted]


register(
    Scenario(
        "setup",
        "bench.scenarios.setup:run",
        "migrate and collectstatic on an empty database (always runs first)",
    )
)
register(
    Scenario(
        "import",
        "bench.scenarios.imports:run",
        "sync.services.export_import of the export, then the same export again",
        requires=("setup",),
    )
)
register(
    Scenario(
        "catalogue",
        "bench.scenarios.catalogue:run",
        "/datasets/ catalogue table: server time over many requests, several sorts and filters",
        requires=("import",),
    )
)
register(
    Scenario(
        "oai",
        "bench.oai:run",
        "OAI-PMH: a full ListRecords oai_dc harvest (datasets written directly up to N), "
        "selective harvests and GetRecord (also on its own: python -m bench.oai N)",
        requires=("setup",),
    )
)
register(
    Scenario(
        "panosc",
        "bench.scenarios.panosc:run",
        "PaNOSC search API parameter queries at N datasets (PostgreSQL + OpenSearch): server time "
        "and the ratio over the raw OpenSearch call",
        requires=("import",),
    )
)
register(
    Scenario(
        "api",
        "bench.scenarios.api:run",
        "REST API list pages of 100 datasets at N datasets (PostgreSQL + OpenSearch): server time "
        "and the ratio over the raw OpenSearch call",
        requires=("import",),
    )
)
register(
    Scenario(
        "apis",
        "bench.scenarios.apis:run",
        "the api and panosc scenarios on one index (BENCH_APIS_DOCS, default N): one top-up and "
        "index build for both",
        requires=("import",),
    )
)
register(
    Scenario(
        "search",
        "bench.scenarios.search:run",
        "search page (text, facets, unit conditions) on the database backend at N, then OpenSearch "
        "at BENCH_SEARCH_DOCS (default N; rows topped up directly): rebuild rate, page and raw "
        "OpenSearch times",
        requires=("import",),
    )
)
register(
    Scenario(
        "sync",
        "bench.scenarios.sync:run",
        "live sync (sync.live.catalogue_sync) of the export from a SciCat stand-in over HTTP into "
        "the database and OpenSearch, then an incremental sync with nothing changed",
        requires=("setup",),
    )
)
register(
    Scenario(
        "machine",
        "bench.scenarios.machine:run",
        "landing pages for machines: citations, content negotiation, exports, linksets, "
        "sitemap (datasets topped up to N as the OAI-PMH benchmark writes them)",
        requires=("setup",),
    )
)
register(
    Scenario(
        "landing",
        "bench.scenarios.landing:run",
        "landing pages /datasets/<pid> and /doi/<doi> (a dataset, a publication of 5 datasets, "
        "one of 50 datasets x 10,000 files): warm server time and HTML size; the big Metalink",
        requires=("setup",),
    )
)
register(
    Scenario(
        "search_keys",
        "bench.scenarios.search_keys:run",
        "the condition builder's key autocomplete (/search/keys) over N datasets x 10 parameters "
        "written directly: cold key list, warm lookups, requests",
        requires=("setup",),
    )
)
register(
    Scenario(
        "stats",
        "bench.scenarios.stats:run",
        "the statistics page at BENCH_STATS_DOCS datasets (default N; the import's, topped up "
        "directly): the aggregates' refresh (wall, CPU per dataset), the page with and without "
        "filters (first and warm), and its SQL alone",
        requires=("import",),
    )
)
register(
    Scenario(
        "usage",
        "bench.scenarios.usage:run",
        "usage counting: time recording adds to a landing page (off, Redis buffer, in-process "
        "buffer, in turn), the recording call against one RPUSH; N events drained and aggregated",
        requires=("setup",),
    )
)

register(
    Scenario(
        "usage_report",
        "bench.scenarios.usage_report:run",
        "the DataCite usage report of a month with N DOIs (rows written directly): reading the "
        "figures, writing the gzip SUSHI parts, sending them to a loopback server; each against "
        "its limit measured in the same run",
        requires=("setup",),
    )
)

register(
    Scenario(
        "tape",
        "bench.scenarios.tape:run",
        "data locality from the tape system: N datasets of BENCH_TAPE_FILES files (default 10) "
        "asked of a loopback WLCG Tape REST API (archiveinfo in batches), stored per dataset; "
        "against the same archiveinfo calls made raw in the same run, CPU per dataset",
        requires=("setup",),
    )
)

register(
    Scenario(
        "review_check",
        "bench.scenarios.review_check:run",
        "the hourly check for reviews whose records were deleted: BENCH_REVIEW_RECORDS records "
        "under review (default N, four a review) asked of a loopback SciCat (pids, 100 a call); "
        "against the same list calls made raw in the same run, CPU per record",
        requires=("setup",),
    )
)

register(
    Scenario(
        "scicat",
        "bench.scenarios.scicat_real:run",
        "live sync from a real SciCat (BENCH_SCICAT_VERSION v4.17.1 or v5.2.1, BENCH_SCICAT_MODE "
        "v3, v4-account or v4; kit in ../shared/scicat-real, seeded once with N datasets): the "
        "full sync against the same requests replayed with httpx, incremental, CPU per process",
        requires=("setup",),
    )
)

register(
    Scenario(
        "load",
        "bench.scenarios.load:run",
        "load test: gunicorn + PostgreSQL + Redis + OpenSearch at N datasets, locust with "
        "BENCH_LOAD_USERS visitors (default 200) and an abusive client for BENCH_LOAD_SECONDS "
        "(default 120), then again with a crawler at BENCH_LOAD_CRAWLER_RATE requests/s (500)",
        requires=("import",),
    )
)

DEFAULT_SCENARIOS = ("import", "catalogue")


# -- the report ---------------------------------------------------------------------------------


def _number(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _cell(metric: Metric | None) -> str:
    if metric is None:
        return "-"
    unit = f" {metric.unit}" if metric.unit else ""
    return f"{_number(metric.value)}{unit}"


def _ratio(first: Metric | None, second: Metric | None) -> str:
    if first is None or second is None or not first.value or math.isnan(first.value):
        return ""
    if math.isnan(second.value):
        return ""
    return f"{second.value / first.value:.2f}x"


def _verdict(metric: Metric, database: str) -> str:
    target = metric.target
    if target is None or not target.applies(database) or math.isnan(metric.value):
        return ""
    return "ok" if target.met(metric.value) else "MISSED"


def table(results: dict[str, Outcome]) -> str:
    """One row per metric, one column per database, the ratio of the last to the first column."""
    databases = list(results)
    order: list[str] = []
    by_db: dict[str, dict[str, Metric]] = {}
    for database, outcome in results.items():
        by_db[database] = {m.key: m for m in outcome.metrics}
        order.extend(m.key for m in outcome.metrics if m.key not in order)
    header = ["metric", *databases]
    if len(databases) == 2:
        header.append(f"{databases[1]}/{databases[0]}")
    header += ["target", "verdict"]
    rows = [header]
    for key in order:
        metrics = [by_db[db].get(key) for db in databases]
        first = next(m for m in metrics if m is not None)
        row = [first.label, *(_cell(m) for m in metrics)]
        if len(databases) == 2:
            row.append(_ratio(metrics[0], metrics[1]))
        verdicts = [
            f"{db}: {v}"
            for db, m in zip(databases, metrics, strict=True)
            if m is not None and (v := _verdict(m, db))
        ]
        row += [str(first.target) if first.target else "", ", ".join(verdicts)]
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    numeric = len(databases) + (1 if len(databases) == 2 else 0)
    lines = []
    for number, row in enumerate(rows):
        cells = [
            cell.rjust(width) if 1 <= i <= numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)
