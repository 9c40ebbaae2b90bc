"""The hourly check for reviews whose records the catalogue deleted (``review check``): N records
under review (``BENCH_REVIEW_RECORDS``, default N), four a review, every one still in the
catalogue (the steady state: what the check costs every hour).

Rows: the reservations, their records and the reviews written directly (``bulk_create``, DOIs
``10.99999/bench-review-*``); the catalogue is the SciCat stand-in (tests/standins/scicat, 4.17.1,
a thread of this process) holding the records under embargo, read with an account (v4).

Reported, each the median of :data:`ROUNDS` runs, beside the limit measured in the same run:

* the whole :func:`review.withdrawals.reviews_check` (open reviews read a page at a time, their
  records' pids asked 100 to a list call with ``fields: ["pid"]``, nothing to mark);
* the limit: the very same list calls made with ``http.client`` on one connection with the
  token and their answers parsed as JSON, nothing else (the stand-in's own work is in both);
* CPU per record of the whole check (this process: the portal's side and the stand-in's).

On PostgreSQL, 2 cores shared with seven other engineers' work (absolute figures inflated by the
load, the ratios measured within one run): at 2,000 records in 500 reviews, when every review was
settled (four queries each) 8.88 s against 0.15 s raw (ratio 57.6, load 26); settling only the
reviews with a record deleted now or marked before, 1.05 s against 0.48 s (ratio 2.17, 70 us CPU
per record, load 21-23); at 10,000 records in 2,500 reviews (``BENCH_REVIEW_RECORDS=10000``),
7.73 s against 5.28 s (ratio 1.46, 92 us CPU per record, load 31-37).
"""

from __future__ import annotations

import http.client
import json
import os
from urllib.parse import urlencode

from bench.harness import Context, Metric, Outcome, Stopwatch, median

ROUNDS = 3
PER_REVIEW = 4
PREFIX = "20.500.12269/bench-review-"
USERNAME, PASSWORD = "bench-sync", "bench-password"


def _fill(records: int, standin: object) -> list[str]:
    from django.utils import timezone

    from publishing.models import DoiState, Publication, ReservedDataset
    from review.models import Review

    Review.objects.filter(publication__doi__startswith="10.99999/bench-review-").delete()
    Publication.objects.filter(doi__startswith="10.99999/bench-review-").delete()
    now = timezone.now()
    reviews = (records + PER_REVIEW - 1) // PER_REVIEW
    publications = Publication.objects.bulk_create(
        Publication(
            doi=f"10.99999/bench-review-{i:06d}",
            title="Data under embargo",
            publisher="Bench facility",
            publication_year=now.year,
            doi_state=DoiState.RESERVED,
            reserved=True,
            registered_at=now,
        )
        for i in range(reviews)
    )
    Review.objects.bulk_create(Review(publication=p) for p in publications)
    pids = [f"{PREFIX}{i:08d}" for i in range(records)]
    ReservedDataset.objects.bulk_create(
        ReservedDataset(publication=publications[i // PER_REVIEW], pid=pid)
        for i, pid in enumerate(pids)
    )
    for pid in pids:
        standin.put_dataset(  # type: ignore[attr-defined]
            {"pid": pid, "type": "raw", "datasetName": pid, "isPublished": False}
        )
    return pids


def run(ctx: Context) -> Outcome:
    from django.conf import settings

    from review.withdrawals import reviews_check
    from sync.scicat import filters
    from tests.standins.scicat import SciCatStandIn

    records = int(os.environ.get("BENCH_REVIEW_RECORDS", str(ctx.n)))
    outcome = Outcome()
    with SciCatStandIn(accounts={USERNAME: PASSWORD}) as standin:
        settings.SCICAT_URL = standin.url
        settings.SCICAT_API_VERSION = "v4"
        settings.SCICAT_BACKEND_VERSION = "4"
        settings.SCICAT_USERNAME = USERNAME
        settings.SCICAT_PASSWORD = PASSWORD
        settings.SCICAT_TOKEN = ""
        settings.SCICAT_TIMEOUT = 120
        with Stopwatch() as filling:
            pids = _fill(records, standin)
        outcome.note(f"wrote {records:,} records under review in {filling.wall:.1f} s")
        port = int(standin.url.rsplit(":", 1)[1])
        queries = [
            urlencode(
                {
                    "filter": filters.dumps(
                        {
                            "where": {"pid": filters.one_of(chunk)},
                            "fields": ["pid"],
                            "limits": filters.limits(
                                "/api/v4/datasets", limit=len(chunk), order=("pid",)
                            ),
                        }
                    )
                }
            )
            for chunk in filters.chunks(sorted(pids))
        ]

        def raw() -> int:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            body = json.dumps({"username": USERNAME, "password": PASSWORD})
            connection.request(
                "POST", "/api/v3/auth/login", body, {"Content-Type": "application/json"}
            )
            token = json.loads(connection.getresponse().read())["access_token"]
            seen = 0
            for query in queries:
                connection.request(
                    "GET", f"/api/v4/datasets?{query}", headers={"Authorization": f"Bearer {token}"}
                )
                seen += len(json.loads(connection.getresponse().read()))
            connection.close()
            return seen

        checks: list[Stopwatch] = []
        limits: list[Stopwatch] = []
        for _ in range(ROUNDS):
            with Stopwatch() as check:
                report = reviews_check()
            with Stopwatch() as limit:
                seen = raw()
            checks.append(check)
            limits.append(limit)
        assert report.records == records, report
        assert report.deleted == 0, report
        assert seen == records, seen
    wall = median([c.wall for c in checks])
    limit_wall = median([c.wall for c in limits])
    cpu_us = median([c.cpu for c in checks]) / max(1, records) * 1e6
    outcome.add(
        Metric(
            "review_check_s",
            "review check: every open review's records asked of the catalogue",
            wall,
            "s",
            detail=f"{wall / limit_wall:.2f}x the limit ({limit_wall:.2f} s): the same list "
            f"calls made with http.client",
        ),
        Metric(
            "review_check_cpu_us",
            "review check: CPU per record (portal and in-process stand-in)",
            cpu_us,
            "us",
        ),
    )
    outcome.note(
        f"review check at {records:,} records in {report.reviews:,} reviews "
        f"({len(queries)} list calls), medians of {ROUNDS}: {wall:.2f} s against the raw "
        f"calls' {limit_wall:.2f} s (ratio {wall / limit_wall:.2f}), CPU {cpu_us:,.0f} us per "
        "record"
    )
    return outcome
