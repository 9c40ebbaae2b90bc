"""OAI-PMH harvest benchmark: a full ``ListRecords`` harvest in ``oai_dc``, page by page.

Run on its own (no export is generated, the rows are written straight into the database)::

    python -m bench.oai 1000000                   # PostgreSQL (the throwaway test server)
    python -m bench.oai 100000 --database sqlite

or as the ``oai`` scenario of the harness (``python -m bench N --scenarios oai``), where it reads
the datasets the import left and tops them up to N the same way.

The rows: datasets are written with ``COPY`` (PostgreSQL; ``bulk_create`` on SQLite) straight
into ``catalogue_dataset``, every column the model has, with realistic text (some descriptions
in HTML), 40 instruments at three facilities, a technique each, one in 97 withdrawn, seven
records to a datestamp (so pages split ties); then 200 publications of five datasets each.

The harvest runs in this process, each request handed to Django's WSGI handler as a WSGI server
would (the real URL conf and middleware, DEBUG off; not ``django.test.Client``, which keeps a
little memory per request and would hide whether the view does): the first page (which counts
the list), then every page its resumption token asks for, until the list ends; each request is
timed from the call to the full body. The
harvest is checked: as many records as the list holds, datestamps never decreasing. The
resident memory is sampled along the way (flat memory: the last sample minus the one after the
first hundred pages). Then a few pages of a set-selective and a date-selective harvest, and
``GetRecord``.

Over 400 lines as one benchmark runnable on its own: filling the rows, the harvest, and its
report, each used once by ``run``/``main``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.harness import Context, Metric, Outcome, Stopwatch, Target, median, percentile
from bench.wsgi import Wsgi

RATE_TARGET = Target(">=", 3000, database="postgres")
PAGE_TARGET_MS = Target("<=", 200, database="postgres")
BASE_TIME = datetime(2021, 1, 1, tzinfo=UTC)
PER_DATESTAMP = 7
INSTRUMENTS = 40
FACILITIES = ("PETRA III", "FLASH", "European XFEL")
_TOKEN = re.compile(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>")
_DATESTAMP = re.compile(rb"<datestamp>([^<]+)</datestamp>")
_WORDS = [
    *("reflectivity", "tomography", "diffraction", "scattering", "spectroscopy", "imaging"),
    *("nanocrystals", "monolayer", "catalyst", "battery", "protein", "membrane", "alloy"),
    *("thin-film", "perovskite", "operando", "in-situ"),
]


# -- rows ------------------------------------------------------------------------------------------


def _instruments() -> list[int]:
    from catalogue.models import Instrument

    Instrument.objects.bulk_create(
        [
            Instrument(
                pid=f"bench-oai-instr-{n:02d}",
                unique_name=f"B{n:02d}",
                name=f"B{n:02d} beamline",
                facility=FACILITIES[n % len(FACILITIES)],
            )
            for n in range(INSTRUMENTS)
        ],
        ignore_conflicts=True,
    )
    return list(
        Instrument.objects.filter(pid__startswith="bench-oai-instr-")
        .order_by("pid")
        .values_list("id", flat=True)
    )


def _techniques() -> list[int]:
    from catalogue.models import Technique

    Technique.objects.bulk_create(
        [Technique(pid=f"panet{1000 + n:05d}", name=f"technique {n}") for n in range(20)],
        ignore_conflicts=True,
    )
    return list(
        Technique.objects.filter(pid__startswith="panet0")
        .order_by("pid")
        .values_list("id", flat=True)
    )


def _values(n: int, rng: random.Random, instruments: list[int]) -> dict[str, Any]:
    """The explicit column values of dataset number ``n``."""
    moment = BASE_TIME + timedelta(seconds=n // PER_DATESTAMP)
    words = rng.sample(_WORDS, 3)
    description = f"{' '.join(words).capitalize()} measured on sample {n % 997} at 295 K. " * 3
    if n % 10 == 0:
        description = f"<p>{description}</p><p>Contact the <b>beamline</b> &amp; staff.</p>"
    withdrawn = n % 97 == 0
    return {
        "pid": f"20.500.12269/bench-oai-{n:09d}",
        "title": f"{words[0].capitalize()} of {words[1]} sample {n}",
        "description": description,
        "type": "raw" if n % 3 else "derived",
        "creation_time": moment,
        "start_time": moment - timedelta(hours=1),
        "end_time": moment,
        "size": 1024 * (n % 5000 + 1),
        "number_of_files": n % 50 + 1,
        "keywords": json.dumps(words),
        "license": "CC-BY-4.0",
        "run_number": str(400000 + n),
        "source_folder": f"/data/bench/{n // 1000}/{n}",
        "data_format": "NeXus/HDF5",
        "instrument_id": instruments[n % len(instruments)],
        "principal_investigators": json.dumps(["Noether, Emmy"]),
        "creators": json.dumps(
            [{"name": "Lovelace, Ada"}, {"name": "Noether, Emmy", "orcid": "0000-0002-1825-0097"}]
        ),
        "data_location": "disk",
        "embargo_end": moment,
        "scientific_metadata": "{}",
        "created": moment,
        "modified": moment,
        "visibility": "withdrawn" if withdrawn else "public",
        "withdrawn_reason": "Benchmark withdrawal" if withdrawn else "",
        "withdrawn_at": moment if withdrawn else None,
        "withdrawn_by": "staff" if withdrawn else "",
    }


def _columns() -> list[tuple[str, Any]]:
    """Every column of ``catalogue_dataset`` but the id, with a new row's default value."""
    from django.db.models import JSONField

    from catalogue.models import Dataset

    out = []
    for field in Dataset._meta.concrete_fields:
        if field.primary_key:
            continue
        default = field.get_default() if field.has_default() else (None if field.null else "")
        if isinstance(field, JSONField):
            default = json.dumps(default if default is not None else None)
        out.append((str(field.column), default))
    return out


def _rows(start: int, stop: int, instruments: list[int], seed: int) -> Iterator[tuple[Any, ...]]:
    columns = _columns()
    rng = random.Random(seed * 1_000_003 + start)
    for n in range(start, stop):
        values = _values(n, rng, instruments)
        yield tuple(values.get(column, default) for column, default in columns)


def fill(target: int, *, seed: int = 1, say: Any = print) -> int:
    """Write datasets until there are ``target`` of them; the number written."""
    from django.db import connection, transaction

    from catalogue.models import Dataset
    from publishing.models import Publication

    existing = Dataset.objects.count()
    if existing >= target:
        return 0
    instruments, techniques = _instruments(), _techniques()
    first_id = (Dataset.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    columns = [column for column, _ in _columns()]
    chunk = 100_000
    with transaction.atomic():
        for start in range(existing, target, chunk):
            stop = min(start + chunk, target)
            rows = _rows(start, stop, instruments, seed)
            if connection.vendor == "postgresql":
                sql = f"COPY catalogue_dataset ({', '.join(columns)}) FROM STDIN"
                with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                Dataset.objects.bulk_create(
                    [Dataset(**_attributes(columns, row)) for row in rows], batch_size=2000
                )
            say(f"    {stop:,} / {target:,} datasets")
        through = Dataset.techniques.through
        ids = Dataset.objects.filter(id__gte=first_id).values_list("id", flat=True).iterator(10_000)
        batch: list[Any] = []
        for dataset_id in ids:
            batch.append(
                through(
                    dataset_id=dataset_id, technique_id=techniques[dataset_id % len(techniques)]
                )
            )
            if len(batch) == 10_000:
                through.objects.bulk_create(batch)
                batch = []
        through.objects.bulk_create(batch)
        sample = list(
            Dataset.objects.public().filter(id__gte=first_id).values_list("id", flat=True)[:1000]
        )
        for p in range(min(200, len(sample) // 5)):
            publication = Publication.objects.create(
                doi=f"10.5072/bench-oai-{first_id}-{p}",
                title=f"Benchmark publication {p}",
                abstract="Datasets published together for the benchmark.",
                creators=[{"name": "Franklin, Rosalind", "nameType": "Personal"}],
                publisher="Photon Science Facility",
                publication_year=2024,
                resource_type="Dataset",
                registered_at=BASE_TIME,
            )
            publication.datasets.set(sample[p * 5 : p * 5 + 5])
    return target - existing


def _attributes(columns: list[str], row: tuple[Any, ...]) -> dict[str, Any]:
    """A row of :func:`_rows` as model attributes (JSON columns decoded), for ``bulk_create``."""
    from django.db.models import JSONField

    from catalogue.models import Dataset

    fields = {f.column: f for f in Dataset._meta.concrete_fields}
    return {
        fields[column].attname: json.loads(value)
        if isinstance(fields[column], JSONField) and isinstance(value, str)
        else value
        for column, value in zip(columns, row, strict=True)
    }


# -- the harvest -----------------------------------------------------------------------------------


def _rss_mb() -> float:
    """This process's resident memory now (Linux ``/proc``), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _expected_size() -> int:
    from oai.selectors import Listing, list_size
    from oai.sets import EVERYTHING

    return list_size(Listing(EVERYTHING))


def harvest(client: Wsgi, first: dict[str, str], *, max_pages: int | None = None) -> dict[str, Any]:
    """Follow a list from ``first`` to its end (or ``max_pages``): timings, records, memory."""
    timings: list[float] = []
    records = 0
    memory: list[tuple[int, float]] = []
    last_stamp = b""
    ordered = True
    params: dict[str, str] = first
    while True:
        started = time.perf_counter()
        status, body = client.get("/oai", params)
        timings.append(time.perf_counter() - started)
        if status != 200 or b"<error" in body:
            raise RuntimeError(f"OAI-PMH error: {body[:500]!r}")
        records += body.count(b"<record>")
        stamps = _DATESTAMP.findall(body)
        if stamps and (stamps[0] < last_stamp or stamps != sorted(stamps)):
            ordered = False
        last_stamp = stamps[-1] if stamps else last_stamp
        if len(timings) % 100 == 0:
            memory.append((len(timings), _rss_mb()))
        if len(timings) % 1000 == 0:
            print(f"    {len(timings):,} pages, {records:,} records", flush=True)
        token = _TOKEN.search(body)
        if token is None or (max_pages is not None and len(timings) >= max_pages):
            break
        params = {"verb": first["verb"], "resumptionToken": token.group(1).decode()}
    memory.append((len(timings), _rss_mb()))
    return {"timings": timings, "records": records, "ordered": ordered, "memory": memory}


def _prepare_database(outcome: Outcome) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with Stopwatch() as vacuum, connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    outcome.note(f"VACUUM ANALYZE before the harvest: {vacuum.wall:.1f} s")


def run(ctx: Context) -> Outcome:
    outcome = Outcome()
    with Stopwatch() as filling:
        written = fill(ctx.n)
    if written:
        outcome.note(
            f"wrote {written:,} datasets directly (COPY / bulk_create) in {filling.wall:.1f} s "
            f"({written / filling.wall:,.0f} rows/s)"
        )
    _prepare_database(outcome)
    expected = _expected_size()
    client = Wsgi()
    client.get("/oai", {"verb": "Identify"})  # warm-up: URL conf, settings, connection

    print(f"    harvesting {expected:,} records", flush=True)
    with Stopwatch() as whole:
        full = harvest(client, {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    timings_ms = [1000 * t for t in full["timings"]]
    if full["records"] != expected or not full["ordered"]:
        outcome.note(
            f"HARVEST WRONG: {full['records']:,} records of {expected:,}, "
            f"datestamps {'in order' if full['ordered'] else 'OUT OF ORDER'}"
        )
    settled = next((mb for page, mb in full["memory"] if page >= 100), full["memory"][0][1])
    growth = full["memory"][-1][1] - settled
    outcome.add(
        Metric(
            "oai.rate",
            "oai: full ListRecords oai_dc harvest, records/s",
            full["records"] / whole.wall,
            "/s",
            "higher",
            RATE_TARGET,
            f"{full['records']:,} records in {len(timings_ms):,} pages, {whole.wall:.1f} s",
        ),
        Metric("oai.records", "oai: records harvested", full["records"], "", "higher"),
        Metric("oai.page_median", "oai: page of 100, median", median(timings_ms), "ms"),
        Metric("oai.page_p95", "oai: page of 100, p95", percentile(timings_ms, 95), "ms"),
        Metric(
            "oai.page_max",
            "oai: page of 100, slowest",
            max(timings_ms),
            "ms",
            target=PAGE_TARGET_MS,
        ),
        Metric("oai.first_page", "oai: first page (counts the list)", timings_ms[0], "ms"),
        Metric(
            "oai.cpu_share",
            "oai: own CPU / wall (rest: waiting for the database)",
            100 * whole.cpu / whole.wall,
            "%",
        ),
        Metric(
            "oai.rss_growth",
            "oai: memory growth over the harvest (after page 100 to the end)",
            growth,
            "MB",
        ),
    )
    outcome.note(
        "memory (page: RSS MB): "
        + ", ".join(
            f"{page}: {mb:.0f}" for page, mb in full["memory"][:: max(1, len(full["memory"]) // 12)]
        )
    )

    selective = [
        (
            "set",
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "set": "instrument:bench-oai-instr-07",
            },
        ),
        ("facility", {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "facility:FLASH"}),
        (
            "from",
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": (BASE_TIME + timedelta(seconds=ctx.n // PER_DATESTAMP // 2)).strftime(
                    "%Y-%m-%dT%H:%M:%SZ"
                ),
            },
        ),
        ("datacite", {"verb": "ListRecords", "metadataPrefix": "oai_datacite"}),
        ("identifiers", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}),
    ]
    for key, params in selective:
        result = harvest(client, params, max_pages=50)
        ms = [1000 * t for t in result["timings"]]
        outcome.add(
            Metric(
                f"oai.{key}_page",
                f"oai: {key} ({' '.join(f'{k}={v}' for k, v in params.items() if k != 'verb')}), "
                "median page",
                median(ms),
                "ms",
                target=PAGE_TARGET_MS,
                detail=f"first page {ms[0]:.0f} ms, p95 {percentile(ms, 95):.0f} ms",
            )
        )
    from catalogue.models import Dataset

    pids = list(Dataset.objects.order_by("?").values_list("pid", flat=True)[:50])
    from oai.selectors import oai_identifier

    get = []
    for pid in pids:
        started = time.perf_counter()
        client.get(
            "/oai",
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": oai_identifier(pid)},
        )
        get.append(1000 * (time.perf_counter() - started))
    outcome.add(Metric("oai.get_record", "oai: GetRecord, median", median(get), "ms"))
    return outcome


# -- on its own ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    from bench.databases import BenchError, child_environment, provision
    from bench.harness import table

    parser = argparse.ArgumentParser(prog="python -m bench.oai", description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, help="datasets in the database")
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    args = parser.parse_args(argv)
    workdir = args.out / f"oai-{args.database}-n{args.n}"
    workdir.mkdir(parents=True, exist_ok=True)
    outcome = Outcome()
    try:
        with provision(args.database, workdir) as database:
            env = child_environment(database, workdir)
            print(f"{database.label}; work directory {workdir}", flush=True)
            ctx = Context(
                database=args.database,
                database_label=database.label,
                export="",
                n=args.n,
                summary={},
                requests=0,
                workdir=str(workdir),
            )
            for scenario in ("setup", "oai"):
                context_path = workdir / f"{scenario}.context.json"
                result_path = workdir / f"{scenario}.result.json"
                ctx.dump(context_path)
                command = [
                    sys.executable,
                    "-m",
                    "bench.child",
                    scenario,
                    str(context_path),
                    str(result_path),
                ]
                completed = subprocess.run(command, env=env, check=False)
                if completed.returncode != 0:
                    raise BenchError(f"{scenario} failed (exit {completed.returncode})")
                result = Outcome.from_json(json.loads(result_path.read_text(encoding="utf-8")))
                outcome.metrics.extend(result.metrics)
                outcome.notes.extend(result.notes)
    except BenchError as exc:
        print(exc, file=sys.stderr)
        return 1
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"\nOAI-PMH benchmark, N = {args.n:,} datasets ({args.database}); "
        f"children peak RSS {peak:.0f} MB\n"
    )
    print(table({args.database: outcome}))
    print("\nNotes:\n" + "\n".join(f"  {note}" for note in outcome.notes))
    saved = args.out / "results" / f"{time.strftime('%Y%m%dT%H%M%S')}-oai-n{args.n}.json"
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(
        json.dumps({"n": args.n, "results": outcome.to_json()}, indent=1), encoding="utf-8"
    )
    print(f"\nsaved: {saved}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
