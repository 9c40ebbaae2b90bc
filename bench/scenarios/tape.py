"""Data locality from the tape system (``tape locality``): N datasets, each with
``BENCH_TAPE_FILES`` files (default 10), asked of a Tape REST API with archiveinfo.

Rows: N public datasets written directly (``bulk_create``, pids ``bench-tape-*``) with their
files; the storage is the loopback stand-in of the WLCG Tape REST API (tests/standins/tape.py,
a thread of this process), which knows every file: a third on disk and tape, a third on tape, a
third split within the dataset.

Reported, each the median of :data:`ROUNDS` runs, beside the limit measured in the same run:

* the whole :func:`tape.locality.datasets_locality_check` over the N datasets (paths built from
  ``PORTAL_TAPE_PATH``, archiveinfo in batches of 1,000 paths, one ``DatasetLocality`` per
  dataset upserted, the catalogue's data location set where it changed);
* the limit: the very same archiveinfo bodies POSTed with ``http.client`` on one connection and
  their answers parsed as JSON, nothing else (the stand-in's own work is in both);
* CPU per dataset of the whole check (this process: the portal's side and the stand-in's).

At N=2,000 x 10 files on PostgreSQL under load 23-26 (2 cores shared): one file query per
dataset, 13.95 s against 0.36 s raw (ratio 38.9), 1,248 us CPU per dataset; one file query per
round of 200 datasets, 5.28 s against 0.41 s (ratio 12.9), 371 us CPU per dataset. What is left
is mostly the per-dataset upsert and the location update (one statement per round each) and the
client's JSON; absolute figures are inflated by the load.
"""

from __future__ import annotations

import http.client
import json
import os
from typing import Any

from bench.harness import Context, Metric, Outcome, Stopwatch, median

ROUNDS = 3
PREFIX = "bench-tape-"
PATTERN = "/pnfs/site/public/{source_folder}/{path}"


def _fill(n: int, files: int, standin: Any) -> list[int]:
    from catalogue.models import DataFile, Dataset

    Dataset.objects.filter(pid__startswith=PREFIX).delete()
    ids: list[int] = []
    batch = 2000
    for start in range(0, n, batch):
        datasets = Dataset.objects.bulk_create(
            Dataset(
                pid=f"{PREFIX}{i:08d}",
                title=f"Benchmark dataset on tape {i}",
                type="raw",
                number_of_files=files,
                size=files * 1000,
                source_folder=f"/data/bench/{i}",
                data_location="tape",
            )
            for i in range(start, min(n, start + batch))
        )
        rows = []
        for i, d in enumerate(datasets, start=start):
            for f in range(files):
                path = f"scan_{f:04d}.h5"
                rows.append(DataFile(dataset=d, path=path, size=1000))
                split = i % 3 == 2 and f % 2 == 1
                locality = "DISK_AND_TAPE" if i % 3 == 0 or split else "TAPE"
                standin.put(f"/pnfs/site/public/data/bench/{i}/{path}", locality)
        DataFile.objects.bulk_create(rows, batch_size=5000)
        ids.extend(d.pk for d in datasets)
    return ids


def run(ctx: Context) -> Outcome:
    from django.conf import settings
    from django.db.models import Count

    from tape import wlcg
    from tape.locality import dataset_paths, datasets_locality_check
    from tests.standins.tape import TapeStandIn

    files = int(os.environ.get("BENCH_TAPE_FILES", "10"))
    outcome = Outcome()
    with TapeStandIn() as standin:
        settings.PORTAL_TAPE_REST_URL = f"{standin.url}/api/v1"
        settings.PORTAL_TAPE_TOKEN = ""
        settings.PORTAL_TAPE_TIMEOUT = 120
        settings.PORTAL_TAPE_PATH = PATTERN
        settings.OPENSEARCH_URL = ""  # the index is not what is measured here
        with Stopwatch() as filling:
            ids = _fill(ctx.n, files, standin)
        outcome.note(f"wrote {ctx.n:,} datasets with {files} files each in {filling.wall:.1f} s")

        from catalogue.models import Dataset

        paths = [
            p for d in Dataset.objects.filter(pk__in=ids).order_by("pk") for p in dataset_paths(d)
        ]
        unknown = sum(1 for p in paths if standin.locality(p) is None)
        bodies = [
            json.dumps({"paths": paths[i : i + wlcg.BATCH]}).encode()
            for i in range(0, len(paths), wlcg.BATCH)
        ]
        port = int(standin.url.rsplit(":", 1)[1])

        def raw() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            for body in bodies:
                connection.request(
                    "POST",
                    "/api/v1/archiveinfo",
                    body=body,
                    headers={"Content-Type": "application/json"},
                )
                json.loads(connection.getresponse().read())
            connection.close()

        checks: list[Stopwatch] = []
        limits: list[Stopwatch] = []
        for _ in range(ROUNDS):
            wlcg._clients.clear()
            with Stopwatch() as check:
                report = datasets_locality_check(dataset_ids=ids)
            with Stopwatch() as limit:
                raw()
            checks.append(check)
            limits.append(limit)
        assert report.checked == len(ids), report
    wall = median([c.wall for c in checks])
    limit_wall = median([c.wall for c in limits])
    cpu_us = median([c.cpu for c in checks]) / max(1, len(ids)) * 1e6
    counts = dict(
        Dataset.objects.filter(pk__in=ids)
        .values_list("data_location")
        .annotate(n=Count("pk"))
        .values_list("data_location", "n")
    )
    outcome.add(
        Metric(
            "tape_locality_s",
            "tape locality: archiveinfo for every file, stored per dataset",
            wall,
            "s",
            detail=f"{wall / limit_wall:.2f}x the limit ({limit_wall:.2f} s): the same "
            f"archiveinfo bodies POSTed with http.client",
        ),
        Metric(
            "tape_locality_cpu_us",
            "tape locality: CPU per dataset (portal and in-process stand-in)",
            cpu_us,
            "us",
        ),
    )
    outcome.note(
        f"tape locality at {ctx.n:,} datasets x {files} files ({len(paths):,} paths, "
        f"{len(bodies)} archiveinfo calls, {unknown} unknown to the storage), medians of "
        f"{ROUNDS}: {wall:.2f} s against the raw calls' {limit_wall:.2f} s "
        f"(ratio {wall / limit_wall:.2f}), CPU {cpu_us:,.0f} us per dataset; locations {counts}"
    )
    return outcome
