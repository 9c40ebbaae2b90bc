"""The DataCite usage report (``manage.py usage report``) of a month with N DOIs.

Rows: N DOI publications, each with regular and machine figures for one month (January 2001, a
month no other scenario writes), written with ``bulk_create``. DataCite is a loopback HTTP server
in this process that reads each body and answers 201 with the report id (no validation: what is
timed is the portal's side).

Reported, each the median of :data:`ROUNDS` runs, beside the limit measured in the same run:

* read: :func:`usage.reporting.month_report_items` (the selector's rows made typed items)
  against the same rows fetched as plain tuples (``values_list``): the database's share;
* write: :func:`usage.report.encoded_parts` (documents, JSON, gzip, parts of 50,000) against
  ``gzip`` of the finished JSON alone: the compression nobody can skip;
* send: the whole :func:`usage.reporting.usage_report_send` (read, write, every part PUT/POSTed)
  against the sum of the three limits: the rows as tuples, gzip of the JSON, and the same
  compressed bytes POSTed with ``http.client`` on one connection.
"""

from __future__ import annotations

import gzip
import http.client
import json
import threading
import uuid
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson

from bench.harness import Context, Metric, Outcome, Stopwatch, median, time_calls

ROUNDS = 5
MONTH = date(2001, 1, 1)
PREFIX = "10.99999/bench-usage-"
REPORT_ID = str(uuid.UUID(int=1))


class _NullDataCite(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"report": {"id": REPORT_ID}}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_PUT = _answer
    do_POST = _answer


def _fill(n: int) -> None:
    from publishing.models import Publication
    from usage.models import UsageMonth

    Publication.objects.filter(doi__startswith=PREFIX).delete()
    batch = 5000
    for start in range(0, n, batch):
        publications = Publication.objects.bulk_create(
            Publication(
                doi=f"{PREFIX}{i:08d}",
                title=f"Benchmark publication {i}",
                creators=[{"name": "Franklin, Rosalind"}],
                publication_year=2000,
            )
            for i in range(start, min(n, start + batch))
        )
        UsageMonth.objects.bulk_create(
            UsageMonth(
                month=MONTH,
                publication=p,
                access_method=method,
                total_investigations=7,
                unique_investigations=3,
                total_requests=2,
                unique_requests=1,
            )
            for p in publications
            for method in ("regular", "machine")
        )


def _ms(values: list[float]) -> float:
    return median(values) * 1000


def run(ctx: Context) -> Outcome:
    from django.conf import settings

    from usage.report import MAX_ITEMS, encoded_parts, parts, report_document
    from usage.reporting import month_report_items, report_header, usage_report_send
    from usage.selectors import publication_month_figures

    outcome = Outcome()
    with Stopwatch() as filling:
        _fill(ctx.n)
    outcome.note(f"wrote {ctx.n:,} publications with 2 usage rows each in {filling.wall:.1f} s")

    fields = ("publication__doi", "publication__title", "access_method", "total_investigations")
    read = time_calls(lambda: month_report_items(month=MONTH), times=ROUNDS, warmup=1)
    rows = time_calls(
        lambda: list(publication_month_figures(month=MONTH).values_list(*fields)),
        times=ROUNDS,
        warmup=1,
    )

    items = month_report_items(month=MONTH)
    header = report_header(month=MONTH, today=date(2001, 2, 1))
    write = time_calls(lambda: list(encoded_parts(header, items)), times=ROUNDS)
    documents = [orjson.dumps(report_document(header, chunk)) for chunk in parts(items)]
    squeeze = time_calls(
        lambda: [gzip.compress(d, compresslevel=6, mtime=0) for d in documents], times=ROUNDS
    )
    bodies = [body for body, _ in encoded_parts(header, items)]
    size = sum(len(b) for b in bodies)

    server = ThreadingHTTPServer(("127.0.0.1", 0), _NullDataCite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    settings.DATACITE_USAGE_URL = f"http://127.0.0.1:{port}"
    settings.DATACITE_USAGE_TOKEN = "bench"  # noqa: S105 (the loopback server takes any)
    from usage.models import DataCiteUsageReport

    DataCiteUsageReport.objects.update_or_create(month=MONTH, defaults={"report_id": REPORT_ID})

    def raw_post() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port)
        for body in bodies:
            connection.request("POST", "/reports", body=body)
            connection.getresponse().read()
        connection.close()

    try:
        send = time_calls(lambda: usage_report_send(month=MONTH), times=ROUNDS, warmup=1)
        posted = time_calls(raw_post, times=ROUNDS, warmup=1)
    finally:
        server.shutdown()
        server.server_close()

    def ratio(mine: list[float], limit: list[float]) -> str:
        return f"{median(mine) / median(limit):.1f}x the limit ({_ms(limit):,.1f} ms)"

    everything = [median(rows) + median(squeeze) + median(posted)]

    outcome.add(
        Metric(
            "usage_report_read_ms",
            "usage report: the month's rows as typed items",
            _ms(read),
            "ms",
            detail=f"{ratio(read, rows)}: the same rows as tuples",
        ),
        Metric(
            "usage_report_write_ms",
            "usage report: SUSHI JSON, gzip, parts",
            _ms(write),
            "ms",
            detail=f"{ratio(write, squeeze)}: gzip of the finished JSON alone",
        ),
        Metric(
            "usage_report_send_ms",
            "usage report: read, write and send (loopback)",
            _ms(send),
            "ms",
            detail=f"{ratio(send, everything)}: tuples + gzip + the bodies POSTed (http.client)",
        ),
        Metric(
            "usage_report_mb",
            "usage report: compressed size",
            size / 1e6,
            "MB",
            detail=f"{len(bodies)} part(s) of at most {MAX_ITEMS:,} datasets",
        ),
    )
    outcome.note(
        f"usage report at {ctx.n:,} DOIs, medians of {ROUNDS}: read {_ms(read):,.0f} ms "
        f"({ratio(read, rows)}), write {_ms(write):,.0f} ms ({ratio(write, squeeze)}), "
        f"whole send {_ms(send):,.0f} ms ({ratio(send, everything)}), {size / 1e6:.2f} MB in "
        f"{len(bodies)} part(s)"
    )
    return outcome
