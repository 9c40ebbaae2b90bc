"""The import: ``sync.services.export_import`` of the whole export into an empty database, then the
same export again, which must change nothing.

Reported: datasets/s over all N records read (public or not) and files/s over the files stored,
the median rate of the 500-record pages ``export_import`` works in (its ``on_progress`` calls), the
share of the wall time this process spent on its own CPU (the rest is waiting for the database),
the second import's time and the number of rows it wrote, and whether the stored counts match
what the generator says it wrote. ``BENCH_IMPORT_ONCE=1`` leaves the second import out (for the
scenarios that only need the data: at 100,000 datasets it takes minutes).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from bench.generate import Summary
from bench.harness import Context, Metric, Outcome, Stopwatch, Target, median, percentile

RATE_TARGET = Target(">=", 500)


def _counts() -> dict[str, int]:
    from catalogue.models import DataFile, Dataset, ScientificParameter, Thumbnail
    from publishing.models import Publication

    return {
        "datasets": Dataset.objects.count(),
        "public": Dataset.objects.public().count(),
        "files": DataFile.objects.count(),
        "parameters": ScientificParameter.objects.count(),
        "thumbnails": Thumbnail.objects.count(),
        "publications": Publication.objects.count(),
    }


def _fingerprint() -> tuple[Any, ...]:
    """What must not move when nothing changes: row counts, the newest ``modified``, max ids."""
    from django.db.models import Max

    from catalogue.models import DataFile, Dataset, ScientificParameter

    return (
        _counts(),
        Dataset.objects.aggregate(Max("modified"), Max("id")),
        DataFile.objects.aggregate(Max("id")),
        ScientificParameter.objects.aggregate(Max("id")),
    )


class _WriteCounter:
    """A ``connection.execute_wrapper`` that counts INSERT / UPDATE / DELETE / COPY statements."""

    def __init__(self) -> None:
        self.writes = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE", "COPY C"):
            self.writes += 1
        return execute(sql, params, many, context)


def _database_megabytes() -> float:
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return float(cursor.fetchone()[0]) / 1e6
    name = Path(str(settings.DATABASES["default"]["NAME"]))
    return sum(p.stat().st_size for p in name.parent.glob(name.name + "*")) / 1e6


def run(ctx: Context) -> Outcome:
    from django.conf import settings
    from django.db import connection

    from sync.services import export_import

    summary = Summary.from_json(ctx.summary)
    outcome = Outcome()
    export = Path(ctx.export)

    pages: list[tuple[int, float]] = []
    mark = [time.perf_counter()]

    def on_progress(records: int) -> None:
        now = time.perf_counter()
        pages.append((records, now - mark[0]))
        mark[0] = now
        done = sum(r for r, _ in pages)
        if len(pages) % 20 == 0 or done == ctx.n:
            print(f"    {done:,} / {ctx.n:,} records", flush=True)

    with Stopwatch() as first:
        report = export_import(path=export, on_progress=on_progress)
    counts = _counts()

    rate = ctx.n / first.wall
    page_rates = [records / seconds for records, seconds in pages if seconds > 0]
    page_seconds = [seconds for _, seconds in pages]
    outcome.add(
        Metric(
            "import.rate",
            "import: datasets/s (all N records)",
            rate,
            "/s",
            "higher",
            RATE_TARGET,
            f"{ctx.n:,} records in {first.wall:.1f} s",
        ),
        Metric(
            "import.files_rate",
            "import: files/s (files stored)",
            counts["files"] / first.wall,
            "/s",
            "higher",
        ),
        Metric("import.seconds", "import: wall time", first.wall, "s"),
        Metric(
            "import.page_rate",
            "import: median rate of a 500-record page",
            median(page_rates),
            "/s",
            "higher",
        ),
        Metric(
            "import.page_p95",
            "import: p95 time of a 500-record page",
            percentile(page_seconds, 95),
            "s",
        ),
        Metric(
            "import.cpu_share",
            "import: own CPU / wall (rest: waiting for the database)",
            100 * first.cpu / first.wall,
            "%",
        ),
        Metric(
            "import.db_size", "import: database size after the import", _database_megabytes(), "MB"
        ),
    )

    # Records with an elapsed embargo are public only where the policy says so.
    lifted = settings.PORTAL_PUBLISH_ON_EMBARGO_END
    expected = {"public": summary.public + (summary.elapsed_unpublished if lifted else 0)}
    if not lifted:
        expected.update(files=summary.public_files, thumbnails=summary.public_thumbnails)
    mismatches = [
        f"{key}: stored {counts[key]:,}, expected {want:,}"
        for key, want in expected.items()
        if counts[key] != want
    ]
    if report.failed:
        mismatches.append(f"{report.failed} records failed: {report.errors[:3]}")
    outcome.note(
        f"first import: {report.created:,} created, {report.not_public:,} not public, "
        f"{report.failed} failed; stored {counts['datasets']:,} datasets, {counts['files']:,} "
        f"files, {counts['parameters']:,} parameters, {counts['thumbnails']:,} thumbnails, "
        f"{counts['publications']} publications; "
        + ("matches the export" if not mismatches else "MISMATCH: " + "; ".join(mismatches))
    )

    if os.environ.get("BENCH_IMPORT_ONCE", "") not in {"", "0"}:
        outcome.note("second import left out (BENCH_IMPORT_ONCE)")
        return outcome
    before = _fingerprint()
    writes = _WriteCounter()
    with connection.execute_wrapper(writes), Stopwatch() as second:
        again = export_import(path=export)
    after = _fingerprint()
    changed = (
        again.created
        + again.updated
        + again.withdrawn
        + again.publications.created
        + again.publications.updated
        + writes.writes
        + (before != after)
    )
    outcome.add(
        Metric("reimport.seconds", "second import (same export): wall time", second.wall, "s"),
        Metric("reimport.rate", "second import: datasets/s", ctx.n / second.wall, "/s", "higher"),
        Metric(
            "reimport.changes",
            "second import: rows written / records changed",
            changed,
            "",
            "lower",
            Target("<=", 0),
        ),
    )
    outcome.note(
        f"second import: {again.unchanged:,} unchanged, {again.created} created, "
        f"{again.updated} updated, {again.withdrawn} withdrawn, {writes.writes} write statements; "
        + ("nothing changed" if changed == 0 else "SOMETHING CHANGED")
    )
    return outcome
