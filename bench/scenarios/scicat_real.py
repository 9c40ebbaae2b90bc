"""The live sync against the real SciCat backend: how close it comes to paging SciCat itself.

A real SciCat (``BENCH_SCICAT_VERSION``: ``v4.17.1``, the default, or ``v5.2.1``) on FerretDB,
started with the scicat-real kit (``tests/scicat_real/kit.py``) in a work directory of its own,
``bench/out/scicat-<version>-n<N>/``, kept between runs with its database: the backend is seeded
once with N raw datasets, each with one origdatablock of 10 files, the last 10% unpublished, one
instrument and one proposal, and seeded again only when its counts (asked through the API) or the
recorded seeding differ. The backend is stopped (the kit's down.sh) at the end. The portal reads it
in ``BENCH_SCICAT_MODE``: ``v3`` (default, with the admin account), ``v4-account``
(``/api/v4/datasets`` with the admin account) or ``v4`` (anonymous). Without OpenSearch:
``OPENSEARCH_URL`` is left empty (the database search backend needs no index), so this is the
catalogue, the syncing process and the database only.

Seeding (``BENCH_SCICAT_SEED``): ``clone``, the default, is the test kit's
``tests/scicat_real/clone.py`` (``clone_bulk``): dataset 0 with its block, the instrument and the
proposal through SciCat's API, then datasets 1..N-1 as copies of what SciCat stored for it (the
per-dataset values of ``seed.dataset_payload(n)`` / ``seed.file_list(n, 10)``, new ids,
``updatedAt`` one minute apart up to now) inserted through FerretDB's wire protocol: 10,000 in
about 10 s. ``api`` sends every
dataset and block through the API with ``seed_bulk`` (8 threads), which costs O(N) per dataset on
FerretDB: 1.4 datasets/s at N=500 (a block POST took 1.5 s, 1 s of it FerretDB's CPU, at 520
datasets), so N=10,000 would take most of a day.

Measured, ``BENCH_SCICAT_RUNS`` times (default 3) in turn, each on an empty portal database:

* the full sync ``sync.live.catalogue_sync(full=True)``, recording every HTTP request it makes
  (a response hook on its session: method, exact URL, body, status);
* the physical limit: the same requests replayed with httpx, in the same order, on one
  connection, one after the other, each body read in full and JSON-decoded (orjson, as the sync
  does): what any client of this SciCat must wait for to read what the sync reads;
* their ratio (target: the sync at most 1.3 times the raw paging), from the medians, and the
  median of each sync's ratio to the raw paging right after it.

Then an incremental sync with nothing changed, a check that the portal holds exactly the seeded
public pids each with its 10 files, the CPU seconds per public record of the syncing process,
SciCat's node process, FerretDB and PostgreSQL (``/proc/<pid>/stat``), the same for the raw
paging, and the peak RSS of the syncing process during the full syncs (``VmHWM``, reset first).

``make bench N=10000 BENCH_ARGS="--scenarios scicat --database postgres"``. Not in the default
scenarios: it needs go, node >= 20 and npm, and a cold kit cache builds for minutes. The bench
also generates (or reuses) its synthetic export for N first, which this scenario does not read
(9 s at N=10,000).

Measured at N=10,000 (9,000 public datasets, 90,000 files), v3 with the admin account, 2 CPUs
shared with other engineers' work (load 0.8-3), PostgreSQL 15 throwaway server. A full sync is
209 requests: 19 dataset pages of 500, 91 origdatablocks and 91 attachments requests of up to
100 pids, the instrument and the proposal once, two fields-only listings (the unpublished
records, every public pid), the login, the release probe and the published data.

* SciCat v4.17.1, three runs (sync / raw paging right after it): 862 / 678 s (the first sync on
  a just-started backend), 592 / 600 s, 797 / 742 s. Medians: raw paging 678 s, full sync
  797 s, **ratio 1.17** (per run 1.27, 0.99, 1.07; target 1.3); 11.3 public records/s (raw
  paging 13.3/s). Incremental sync with nothing changed: 17.3 s (11 requests; 7 records in the
  overlap window, whose one origdatablocks request costs what any does, below). CPU per public
  record: syncing process 0.35 ms, SciCat (node) 2.4 ms, FerretDB 97 ms, PostgreSQL 0.44 ms;
  during the raw paging SciCat 2.0 ms and FerretDB 94 ms. Peak RSS of the syncing process
  144 MB.
* SciCat v5.2.1, three runs (the first two from an invocation stopped from outside during its
  third, the last from ``BENCH_SCICAT_RUNS=1``): 572 / 496 s, 700 / 644 s, 589 / 570 s. Medians:
  raw paging 570 s, full sync 589 s, **ratio 1.03** (per run 1.15, 1.09, 1.03); 15.3 public
  records/s (raw paging 15.8/s). Incremental sync with nothing changed: 27.1 s (11 requests; on
  5.2.1 the release probe's one-record public listing alone takes 3.6 s on FerretDB). CPU per
  public record (last run): syncing process 0.38 ms, SciCat 1.3 ms, FerretDB 90 ms, PostgreSQL
  0.44 ms; raw paging SciCat 1.3 ms, FerretDB 90 ms. Peak RSS 122 MB. The origdatablocks
  requests are 481 s of the 570 s (5.3 s each: FerretDB ignores 5.2.1's ``datasetId`` index for
  the filter), the dataset pages 75 s.

Where the time goes: FerretDB, whose CPU is 96% of all the CPU per record. The origdatablocks
requests are 576 s of v4.17.1's 678 s of raw paging (6.3 s each), the dataset pages 91 s (4.8 s
each), everything else 11 s. FerretDB's SQLite backend pushes no filter but ``_id`` down to SQLite
(``explain``: ``filterPushdown: false``, a SCAN), so every request decodes the whole collection,
whatever it asks for: an origdatablocks request for 100 pids took 4.5-5.2 s at 10,000 blocks, one
for 250 pids 4.6 s; a page of 1,000 datasets 3.4 s, as one of 500 (500 pids of this bench's
length make an 18 KB URL, which SciCat's Node answers with 431). SciCat 4.17.1 declares no index
on ``OrigDatablock.datasetId`` at all (5.2.1 does), so a MongoDB behind a 4.17.1 scans that
collection for every one of those requests too, if much faster per document. The syncing process's
own work (page imports 2.8 s, mapping 0.8 s, JSON decoding 0.5 s per full sync) is under 1% of the
wall time: the sync is not the bottleneck, and the gap between a sync and the raw paging next to
it is FerretDB's run-to-run noise (its CPU per run 785-998 s for the same 209 requests).

Over 400 lines as one scenario with its figures in the docstring: seeding is the test kit's
(``tests/scicat_real/seed.py``, ``clone.py``), what is here is recording the sync's requests,
replaying them raw, and the report.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.databases import process_tree_cpu
from bench.harness import Context, Metric, Outcome, Target, median
from bench.timers import FunctionTimers, Timed

VERSION_ENV = "BENCH_SCICAT_VERSION"
MODE_ENV = "BENCH_SCICAT_MODE"
RUNS_ENV = "BENCH_SCICAT_RUNS"
SEED_ENV = "BENCH_SCICAT_SEED"
MODES = ("v3", "v4-account", "v4")
PREFIX = "bench"
FILES_PER_DATASET = 10
PRIVATE_SHARE = 0.10
SEED_WORKERS = 8
RATIO_TARGET = Target("<=", 1.3)
USER_AGENT = "photon-data-portal-sync"  # what the sync's session sends
SEEDED_MARKER = "bench-seeded.json"
SEED_FORMAT = 2  # a seeded backend of another format is seeded again


# -- the backend ------------------------------------------------------------------------------


def _choice() -> tuple[str, str, int]:
    version = os.environ.get(VERSION_ENV, "v4.17.1")
    if not version.startswith("v"):
        version = f"v{version}"
    mode = os.environ.get(MODE_ENV, "v3")
    if mode not in MODES:
        raise SystemExit(f"{MODE_ENV}={mode!r}: expected one of {', '.join(MODES)}")
    runs = int(os.environ.get(RUNS_ENV, "3"))
    if runs < 1:
        raise SystemExit(f"{RUNS_ENV} must be at least 1")
    return version, mode, runs


def _pids(workdir: Path) -> dict[str, int]:
    """The kit's processes (``WORKDIR/pids``: lines ``PID NAME``), by name."""
    found: dict[str, int] = {}
    for line in (workdir / "pids").read_text().splitlines():
        pid, _, name = line.strip().partition(" ")
        if pid.isdigit() and name:
            found[name.strip()] = int(pid)
    return found


@dataclass(frozen=True)
class Plan:
    """What the backend is seeded with: ``public`` published datasets, then ``private`` ones."""

    public: int
    private: int
    files: int = FILES_PER_DATASET
    prefix: str = PREFIX

    @classmethod
    def for_n(cls, n: int) -> Plan:
        private = round(n * PRIVATE_SHARE)
        return cls(public=n - private, private=private)

    @property
    def n(self) -> int:
        return self.public + self.private

    def public_pids(self) -> set[str]:
        from tests.scicat_real.seed import dataset_pid

        return {dataset_pid(n, prefix=self.prefix) for n in range(self.public)}

    def to_json(self) -> dict[str, Any]:
        return {
            "public": self.public,
            "private": self.private,
            "files": self.files,
            "prefix": self.prefix,
        }


def _counts(seeder: Any) -> tuple[int, int]:
    """All datasets and the published ones, as the admin account counts them."""
    admin = seeder.admin
    total = admin.get("/api/v3/datasets/count")
    public = admin.get("/api/v3/datasets/count", filter={"where": {"isPublished": True}})
    return int(total["count"]), int(public["count"])


def _seeded(backend: Any, plan: Plan, outcome: Outcome) -> None:
    """Seed the backend with ``plan`` unless it already holds exactly that."""
    from tests.scicat_real.seed import Seeder, seed_bulk

    how = os.environ.get(SEED_ENV, "clone")
    if how not in {"clone", "api"}:
        raise SystemExit(f"{SEED_ENV}={how!r}: expected clone or api")
    marker = backend.workdir / SEEDED_MARKER
    seeder = Seeder(backend.url, backend.accounts, timeout=600)
    try:
        total, public = _counts(seeder)
        try:
            recorded = json.loads(marker.read_text())
        except (OSError, ValueError):
            recorded = {}
        same = recorded.get("plan") == plan.to_json() and recorded.get("format") == SEED_FORMAT
        if same and (total, public) == (plan.n, plan.public):
            outcome.note(
                f"backend already seeded ({total:,} datasets, {public:,} published, "
                f"{recorded.get('how')}; {backend.workdir})"
            )
            return
        marker.unlink(missing_ok=True)
        if total:
            deleted = backend.wipe()
            print(f"    wiped the backend ({sum(deleted.values()):,} documents)", flush=True)
        print(
            f"    seeding {plan.n:,} datasets ({plan.private:,} unpublished) x {plan.files} "
            f"files ({how})",
            flush=True,
        )
        began = time.perf_counter()
        if how == "clone":
            from tests.scicat_real.clone import CLONE_BATCH, clone_bulk

            cloned = [0]

            def cloning(count: int) -> None:
                cloned[0] += count
                if count >= CLONE_BATCH:
                    print(f"    {cloned[0]:,} / {plan.n:,} datasets", flush=True)

            clone_bulk(
                seeder,
                ("127.0.0.1", backend.mongo_port),
                n_public=plan.public,
                n_private=plan.private,
                files_per_dataset=plan.files,
                prefix=plan.prefix,
                progress=cloning,
            )
        else:
            done = [0]

            def progress(count: int) -> None:
                done[0] += count
                if done[0] % 100 == 0 or done[0] == plan.n:
                    rate = done[0] / (time.perf_counter() - began)
                    print(f"    {done[0]:,} / {plan.n:,} seeded ({rate:.1f}/s)", flush=True)

            seed_bulk(
                seeder,
                n_public=plan.public,
                n_private=plan.private,
                files_per_dataset=plan.files,
                prefix=plan.prefix,
                workers=SEED_WORKERS,
                progress=progress,
            )
        seconds = time.perf_counter() - began
        total, public = _counts(seeder)
        if (total, public) != (plan.n, plan.public):
            raise RuntimeError(
                f"seeded {plan.n:,} datasets ({plan.public:,} published), but the backend counts "
                f"{total:,} ({public:,})"
            )
        marker.write_text(json.dumps({"plan": plan.to_json(), "how": how, "format": SEED_FORMAT}))
        outcome.note(
            f"seeded {plan.n:,} datasets in {seconds:.0f} s ({how}; not timed; "
            f"{SEED_ENV}=api seeds every one through SciCat's API)"
        )
    finally:
        seeder.close()


# -- what the sync asks for -------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One HTTP request the sync made, as sent."""

    method: str
    url: str
    body: bytes | None
    authorized: bool
    status: int

    @property
    def kind(self) -> str:
        """The route, with a mark for fields-only listings (``GET /api/v3/datasets [fields]``)."""
        parts = urlsplit(self.url)  # the sync's lists carry ids in filters, never in paths
        fields = "%22fields%22" in parts.query or '"fields"' in parts.query
        return f"{self.method} {parts.path}{' [fields]' if fields else ''}"

    @property
    def login(self) -> bool:
        return self.method == "POST" and self.url.endswith("/auth/login")


class Recorder:
    """Every request of the sync's sessions (a response hook on each ``SciCatApi``'s session),
    and the wall time of its API calls by route."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.seconds: dict[str, float] = defaultdict(float)
        self._undo: list[Callable[[], None]] = []

    def hook(self, response: Any, *args: Any, **kwargs: Any) -> Any:
        sent = response.request
        body = sent.body.encode() if isinstance(sent.body, str) else sent.body
        self.requests.append(
            Request(
                sent.method,
                sent.url,
                body,
                "Authorization" in sent.headers,
                response.status_code,
            )
        )
        return response

    def __enter__(self) -> Recorder:
        from sync.scicat.client import Client

        init, call = Client.__init__, Client._call
        recorder = self

        def recording_init(self: Any, *args: Any, **kwargs: Any) -> None:
            init(self, *args, **kwargs)
            self.session.hooks["response"].append(recorder.hook)

        def timed_call(self: Any, method: str, path: str, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return call(self, method, path, **kwargs)
            finally:
                fields = "fields" in str((kwargs.get("params") or {}).get("filter", ""))
                kind = f"{method} {path}{' [fields]' if fields else ''}"
                recorder.seconds[kind] += time.perf_counter() - started

        Client.__init__ = recording_init  # type: ignore[method-assign]
        Client._call = timed_call  # type: ignore[method-assign]

        def undo() -> None:
            Client.__init__ = init  # type: ignore[method-assign]
            Client._call = call  # type: ignore[method-assign]

        self._undo.append(undo)
        return self

    def __exit__(self, *exc: object) -> None:
        while self._undo:
            self._undo.pop()()


# Where the sync's time goes: wall time inside these functions (bench.timers).
TIMED: tuple[Timed, ...] = (
    ("sync.scicat.client", "decode", "JSON decoding (orjson; inside the API calls)"),
    ("sync.scicat.relations", "Relations._page", "reading a page's relations (HTTP, decoding)"),
    ("sync.steps", "prepare", "mapping a page (reader thread)"),
    ("sync.steps", "import_page", "page import: database transaction (main thread)"),
    ("sync.steps", "records_write", "of which database writes (records_write)"),
    ("sync.steps", "import_unpublished", "unpublished records (v3, fields only)"),
    ("sync.steps", "published_data", "published data"),
    ("sync.steps", "listing_pass", "listing pass (every public pid)"),
    ("sync.runs", "catalogue_statistics_refresh", "planner statistics (ANALYZE)"),
)


# -- the physical limit -----------------------------------------------------------------------


@dataclass
class Replay:
    seconds: float
    bytes: int
    by_kind: dict[str, float] = field(default_factory=dict)
    decode: float = 0.0


def replay(requests: list[Request], *, timeout: float = 120) -> Replay:
    """The same requests, in order, with httpx on one connection: each body read in full and
    decoded. The login (if the sync logged in) is replayed too, and its token used after it."""
    import httpx
    import orjson

    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    token = ""
    by_kind: dict[str, float] = defaultdict(float)
    size = 0
    decoding = 0.0
    with httpx.Client(limits=limits, timeout=timeout, headers=headers) as client:
        started = time.perf_counter()
        for request in requests:
            began = time.perf_counter()
            extra = {"Authorization": f"Bearer {token}"} if request.authorized and token else {}
            if request.body is not None:
                extra["Content-Type"] = "application/json"
            response = client.request(
                request.method, request.url, content=request.body, headers=extra
            )
            content = response.content  # read in full
            if response.status_code != request.status:
                raise RuntimeError(
                    f"replay: {request.method} {request.url[:200]} answered "
                    f"{response.status_code}, the sync got {request.status}: {content[:300]!r}"
                )
            decoded = time.perf_counter()
            document = orjson.loads(content) if content.strip() else None
            decoding += time.perf_counter() - decoded
            if request.login and isinstance(document, dict):
                token = str(document["access_token"])
            size += len(content)
            by_kind[request.kind] += time.perf_counter() - began
        seconds = time.perf_counter() - started
    return Replay(seconds, size, dict(by_kind), decoding)


def _same_urls(requests: list[Request]) -> int:
    """How many URLs httpx would send other than as the sync's requests sent them."""
    import httpx

    differ = 0
    for request in requests:
        parts = urlsplit(request.url)
        sent = parts.path + (f"?{parts.query}" if parts.query else "")
        if httpx.URL(request.url).raw_path.decode("ascii") != sent:
            differ += 1
    return differ


# -- measuring --------------------------------------------------------------------------------


class Cpu:
    """CPU seconds of some processes (with their children) between two readings."""

    def __init__(self, processes: dict[str, int]) -> None:
        self.processes = processes
        self._before: dict[str, float] = {}
        self.seconds: dict[str, float] = {}

    def __enter__(self) -> Cpu:
        self._own = time.process_time()
        self._before = {n: process_tree_cpu(p) or 0.0 for n, p in self.processes.items()}
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = {"syncing process": time.process_time() - self._own}
        for name, pid in self.processes.items():
            self.seconds[name] = (process_tree_cpu(pid) or 0.0) - self._before[name]


def _reset_peak_rss() -> bool:
    """Reset this process's peak resident set (Linux: ``5`` to ``/proc/self/clear_refs``)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _postmaster() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = 'data_directory'")
        row = cursor.fetchone()
    assert row is not None
    return int((Path(row[0]) / "postmaster.pid").read_text(encoding="ascii").split()[0])


def _empty_catalogue() -> int:
    from django.core.management import call_command

    from catalogue.models import Dataset

    count = Dataset.objects.count()
    if count:
        call_command("flush", interactive=False, verbosity=0)
    return count


def _point(url: str, mode: str, accounts: dict[str, Any], workdir: Path) -> None:
    """The portal's SCICAT_* settings, pointing at the backend in ``mode``."""
    from django.conf import settings

    admin = accounts["admin"]
    account = mode != "v4"
    settings.SCICAT_URL = url
    settings.SCICAT_API_VERSION = "v3" if mode == "v3" else "v4"
    settings.SCICAT_BACKEND_VERSION = "auto"
    settings.SCICAT_USERNAME = admin.username if account else ""
    settings.SCICAT_PASSWORD = admin.password if account else ""
    settings.SCICAT_TOKEN = ""
    settings.OPENSEARCH_URL = ""
    settings.REDIS_URL = ""
    settings.VAR_DIR = workdir


@dataclass
class Round:
    sync: float
    raw: Replay
    public: int
    cpu: dict[str, float]
    raw_cpu: dict[str, float]
    requests: int
    retries: int
    timers: dict[str, float]
    http: dict[str, float]


def _check(plan: Plan, files_expected: bool) -> list[str]:
    """What the portal holds that differs from the seeded public records."""
    from django.db.models import Count

    from catalogue.models import Dataset

    expected = plan.public_pids()
    public = dict(
        Dataset.objects.public().annotate(files_n=Count("files")).values_list("pid", "files_n")
    )
    problems = []
    missing, extra = expected - set(public), set(public) - expected
    if missing:
        problems.append(f"{len(missing):,} seeded public pids missing, e.g. {sorted(missing)[:3]}")
    if extra:
        problems.append(f"{len(extra):,} public pids not seeded as public: {sorted(extra)[:3]}")
    want = plan.files if files_expected else 0
    wrong = {pid: n for pid, n in public.items() if pid in expected and n != want}
    if wrong:
        sample = list(wrong.items())[:3]
        problems.append(f"{len(wrong):,} datasets without exactly {want} files, e.g. {sample}")
    return problems


@contextlib.contextmanager
def _backend(version: str, workdir: Path) -> Iterator[Any]:
    from tests.scicat_real.kit import SciCatBackend

    backend = SciCatBackend(version, workdir=workdir)
    backend.start()
    try:
        yield backend
    finally:
        backend.stop()  # the kit's down.sh; the work directory (and its database) stays


def run(ctx: Context) -> Outcome:
    from catalogue.models import DataFile, Dataset
    from sync import live
    from sync.runs import Progress

    version, mode, runs = _choice()
    plan = Plan.for_n(ctx.n)
    outcome = Outcome()
    workdir = ctx.workpath.parent / f"scicat-{version}-n{ctx.n}"
    removed = _empty_catalogue()
    if removed:
        outcome.note(f"emptied the catalogue first ({removed:,} datasets from earlier scenarios)")

    with _backend(version, workdir) as backend:
        outcome.note(
            f"SciCat {version} on FerretDB (scicat-real kit) started in "
            f"{backend.startup_seconds:.1f} s; work directory {workdir}"
        )
        _seeded(backend, plan, outcome)
        _point(backend.url, mode, backend.accounts, ctx.workpath)
        kit = _pids(workdir)
        processes = {"SciCat (node)": kit["scicat"], "FerretDB": kit["ferretdb"]}
        if ctx.database == "postgres":
            processes["PostgreSQL"] = _postmaster()
        # Anonymous readers get no files of these blocks: 4.x has no public route for them, 5.x
        # shows only blocks that are themselves isPublished, which the seeded ones are not.
        files_expected = mode != "v4"

        done = [0]

        def advance(records: int) -> None:
            step = max(1000, ctx.n // 10)
            if (done[0] + records) // step > done[0] // step:
                print(f"      {done[0] + records:,} records synced", flush=True)
            done[0] += records

        progress = Progress(advance=advance)
        rounds: list[Round] = []
        peak = 0.0
        rss_reset = True
        recordings: list[list[Request]] = []
        for number in range(1, runs + 1):
            if number > 1:
                _empty_catalogue()
            rss_reset = _reset_peak_rss() and rss_reset
            done[0] = 0
            print(f"    round {number}: full sync", flush=True)
            with Recorder() as recorder, FunctionTimers(TIMED) as timers, Cpu(processes) as cpu:
                started = time.perf_counter()
                record = live.catalogue_sync(full=True, trigger="bench", progress=progress)
                sync_seconds = time.perf_counter() - started
            peak = max(peak, _peak_rss_mb())
            public = Dataset.objects.public().count()
            requests = recorder.requests
            recordings.append(requests)
            print(f"    round {number}: raw paging, {len(requests)} requests", flush=True)
            with Cpu(processes) as raw_cpu:
                raw = replay(requests)
            rounds.append(
                Round(
                    sync_seconds,
                    raw,
                    public,
                    cpu.seconds,
                    raw_cpu.seconds,
                    record.requests,
                    record.retries,
                    dict(timers.seconds),
                    dict(recorder.seconds),
                )
            )
            print(
                f"    round {number}: full sync {sync_seconds:.1f} s ({public:,} public, "
                f"{len(requests)} requests), raw paging {raw.seconds:.1f} s, "
                f"ratio {sync_seconds / raw.seconds:.2f}",
                flush=True,
            )

        problems = _check(plan, files_expected)
        files = DataFile.objects.count()
        with Recorder() as incremental_recorder:
            started = time.perf_counter()
            incremental = live.catalogue_sync(trigger="bench")
            incremental_seconds = time.perf_counter() - started

    _report(
        outcome,
        ctx=ctx,
        version=version,
        mode=mode,
        plan=plan,
        rounds=rounds,
        recordings=recordings,
        peak=peak,
        rss_reset=rss_reset,
        problems=problems,
        files=files,
        incremental=incremental,
        incremental_seconds=incremental_seconds,
        incremental_requests=incremental_recorder.requests,
    )
    return outcome


def _report(
    outcome: Outcome,
    *,
    ctx: Context,
    version: str,
    mode: str,
    plan: Plan,
    rounds: list[Round],
    recordings: list[list[Request]],
    peak: float,
    rss_reset: bool,
    problems: list[str],
    files: int,
    incremental: Any,
    incremental_seconds: float,
    incremental_requests: list[Request],
) -> None:
    where = f"SciCat {version} {mode}"
    sync = median([r.sync for r in rounds])
    raw = median([r.raw.seconds for r in rounds])
    public = rounds[-1].public
    requests = recordings[-1]
    each = ", ".join(f"{r.sync:.1f}/{r.raw.seconds:.1f}" for r in rounds)
    ratios = ", ".join(f"{r.sync / r.raw.seconds:.2f}" for r in rounds)
    outcome.add(
        Metric(
            "scicat.raw",
            f"{where}: raw paging, the sync's requests with httpx (median)",
            raw,
            "s",
            detail=f"{len(requests)} requests, {rounds[-1].raw.bytes / 1e6:.1f} MB, "
            f"runs: {', '.join(f'{r.raw.seconds:.2f}' for r in rounds)} s",
        ),
        Metric(
            "scicat.sync",
            f"{where}: full sync into an empty database (median)",
            sync,
            "s",
            detail=f"runs (sync/raw s): {each}",
        ),
        Metric(
            "scicat.ratio",
            "full sync / raw paging (the medians)",
            sync / raw,
            "x",
            "lower",
            RATIO_TARGET,
            f"per run: {ratios}",
        ),
        Metric(
            "scicat.ratio_paired",
            "full sync / raw paging right after it (median of the runs)",
            median([r.sync / r.raw.seconds for r in rounds]),
            "x",
            "lower",
            RATIO_TARGET,
        ),
        Metric(
            "scicat.rate",
            "full sync: public records/s",
            public / sync,
            "/s",
            "higher",
            detail=f"{public:,} public records",
        ),
        Metric("scicat.rate_all", "full sync: all N / wall time", ctx.n / sync, "/s", "higher"),
        Metric(
            "scicat.raw_rate",
            "raw paging: public records/s",
            public / raw,
            "/s",
            "higher",
        ),
        Metric(
            "scicat.incremental",
            "incremental sync, nothing changed: wall time",
            incremental_seconds,
            "s",
            detail=f"{incremental.requests} requests",
        ),
    )
    names = list(rounds[0].cpu)
    for name in names:
        per_record = median([1000 * r.cpu[name] / max(1, r.public) for r in rounds])
        outcome.add(
            Metric(
                f"scicat.cpu.{name.split()[0].lower()}",
                f"full sync: CPU per record, {name}",
                per_record,
                "ms",
            )
        )
    total = median([1000 * sum(r.cpu.values()) / max(1, r.public) for r in rounds])
    outcome.add(Metric("scicat.cpu.total", "full sync: CPU per record, all of them", total, "ms"))
    for name in names:
        if name == "syncing process":
            continue
        per_record = median([1000 * r.raw_cpu[name] / max(1, r.public) for r in rounds])
        outcome.add(
            Metric(
                f"scicat.raw_cpu.{name.split()[0].lower()}",
                f"raw paging: CPU per record, {name}",
                per_record,
                "ms",
            )
        )
    outcome.add(
        Metric(
            "scicat.peak_rss",
            "full sync: peak RSS of the syncing process",
            peak,
            "MB",
            detail="VmHWM reset before each sync" if rss_reset else "VmHWM since the start",
        )
    )
    differ = _same_urls(requests)
    same_sequence = all([r.url for r in rec] == [r.url for r in requests] for rec in recordings)
    outcome.note(
        f"N = {ctx.n:,} seeded datasets ({plan.public:,} published, {plan.private:,} not), "
        f"one origdatablock of {plan.files} files each; OPENSEARCH_URL empty (no search index: "
        "the database search backend needs none)"
    )
    outcome.note(
        f"full sync: {public:,} public records, {files:,} files, {rounds[-1].requests} requests "
        f"({rounds[-1].retries} retried); "
        + ("matches the seeded catalogue" if not problems else "MISMATCH: " + "; ".join(problems))
    )
    outcome.note(
        "requests per run: "
        + ", ".join(f"{kind} x{n}" for kind, n in _kinds(requests).items())
        + ("; the same URLs in every run" if same_sequence else "; the URLs DIFFER between runs")
        + (f"; {differ} URLs httpx would send otherwise" if differ else "")
    )
    outcome.note(
        "raw paging by route (median s): "
        + "; ".join(
            f"{kind} {median([r.raw.by_kind.get(kind, 0.0) for r in rounds]):.2f}"
            for kind in _kinds(requests)
        )
        + f"; of which JSON decoding {median([r.raw.decode for r in rounds]):.2f}"
    )
    outcome.note(
        "the sync's API calls by route (median wall s, reader thread and main thread): "
        + "; ".join(
            f"{kind} {median([r.http.get(kind, 0.0) for r in rounds]):.2f}"
            for kind in sorted(rounds[-1].http, key=lambda k: -rounds[-1].http[k])
        )
    )
    outcome.note(
        "where the sync's time went (median wall s; the reader thread overlaps the main thread): "
        + "; ".join(
            f"{label} {median([r.timers.get(label, 0.0) for r in rounds]):.2f}"
            for label in rounds[-1].timers
        )
    )
    outcome.note(
        "CPU seconds per run (sync | raw paging): "
        + " / ".join(
            ", ".join(f"{n} {r.cpu[n]:.1f}" for n in names)
            + " | "
            + ", ".join(f"{n} {r.raw_cpu[n]:.1f}" for n in names)
            for r in rounds
        )
    )
    changed = incremental.created + incremental.updated + incremental.withdrawn
    outcome.note(
        f"incremental: {incremental.requests} requests ("
        + ", ".join(f"{kind} x{n}" for kind, n in _kinds(incremental_requests).items())
        + f"), {incremental.fetched} records re-read, {changed} changed"
        + ("" if not changed else " (MISMATCH: nothing changed in the catalogue)")
    )
    from django.conf import settings

    outcome.note(
        f"page size {settings.SCICAT_PAGE_SIZE}, id page size {settings.SCICAT_ID_PAGE_SIZE}; "
        f"load average {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs shared by this process, "
        "SciCat, FerretDB and the database)"
    )


def _kinds(requests: list[Request]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for request in requests:
        counts[request.kind] = counts.get(request.kind, 0) + 1
    return counts
