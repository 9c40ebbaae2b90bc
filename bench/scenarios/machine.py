"""The machine-readable side of the landing pages: citations, content negotiation, exports,
linksets, the sitemap.

Rows: whatever the earlier scenarios left, topped up to N datasets (with 200 publications of five
datasets) the way the OAI-PMH benchmark writes them (``bench.oai.fill``: ``COPY`` on PostgreSQL).
Requests are handed to Django's WSGI handler (real URL conf and middleware, DEBUG off) and timed
from the call to the full body, after warm-up.

Reported:

* what the machine side adds to a landing page (head tags, JSON-LD, Link header, citation);
* citations: the cost of :func:`landing.citation.cite` for a record not seen before with the style
  already parsed (what a landing page pays after a record changed), per style and the slowest
  style's median; the first citation in a process (the style parsed too); a repeated one (cached);
* content negotiation on ``/datasets/<pid>`` and ``/doi/<doi>`` per ``Accept`` type (median of
  all types, and the slowest), and ``406``;
* an export download, the publication's JSON linkset;
* ``/sitemap.xml`` (an index past 10,000 URLs) and one full page of 10,000 URLs, with its size.
"""

from __future__ import annotations

import functools
import time
from typing import Any

from bench.harness import Context, Metric, Outcome, Target, median, time_calls
from bench.wsgi import Wsgi

REQUESTS = 30
WARMUP = 3
ACCEPT = (
    "application/vnd.datacite.datacite+xml",
    "application/vnd.datacite.datacite+json",
    "application/ld+json",
    "application/vnd.citationstyles.csl+json",
    "application/x-bibtex",
    "application/x-research-info-systems",
    "text/x-bibliography",
    "text/x-bibliography; style=chicago",
)


def _ms(values: list[float]) -> float:
    return median(values) * 1000


def _citations(outcome: Outcome) -> None:
    from catalogue.models import Dataset
    from landing import citation
    from landing.records import dataset_record

    datasets = list(
        Dataset.objects.public().select_related("instrument", "proposal").order_by("id")[:200]
    )
    records = [dataset_record(d) for d in datasets]
    citation.clear_caches()
    started = time.perf_counter()
    citation.cite(records[0], "apa")
    first = (time.perf_counter() - started) * 1000
    for key in citation.STYLES:  # parse every style once
        citation.cite(records[0], key)
    per_style: dict[str, float] = {}
    for key in citation.STYLES:
        times = []
        for record in records[1:]:
            started = time.perf_counter()
            citation.cite(record, key)
            times.append(time.perf_counter() - started)
        per_style[key] = _ms(times)
    cached = time_calls(lambda: citation.cite(records[1], "apa"), times=200)
    slowest = max(per_style, key=per_style.__getitem__)
    outcome.add(
        Metric(
            "cite_new_record_ms",
            "citation of a new record, slowest style (median)",
            per_style[slowest],
            "ms",
            target=Target("<=", 10),
            detail=", ".join(f"{k} {v:.2f}" for k, v in per_style.items()),
        ),
        Metric("cite_first_ms", "first citation in a process (style parsed)", first, "ms"),
        Metric("cite_cached_ms", "citation again (cached)", _ms(cached), "ms"),
    )


def _negotiation(outcome: Outcome, client: Wsgi) -> None:
    from catalogue.models import Dataset
    from publishing.addresses import absolute_url, dataset_url, publication_url
    from publishing.models import Publication

    dataset = Dataset.objects.public().order_by("id").first()
    publication = Publication.objects.public().exclude(doi="").order_by("id").first()
    assert dataset is not None
    assert publication is not None
    paths = {
        "dataset": dataset_url(dataset.pid).removeprefix(absolute_url("")),
        "publication": publication_url(publication.doi).removeprefix(absolute_url("")),
    }
    for kind, path in paths.items():
        medians = {}
        for accept in ACCEPT:
            status, _ = client.get(path, accept=accept)
            assert status == 200, (path, accept, status)
            medians[accept] = _ms(
                time_calls(
                    functools.partial(client.get, path, accept=accept),
                    times=REQUESTS,
                    warmup=WARMUP,
                )
            )
        slowest = max(medians, key=medians.__getitem__)
        outcome.add(
            Metric(
                f"negotiate_{kind}_ms",
                f"content negotiation, {kind} (median over types)",
                median(list(medians.values())),
                "ms",
                target=Target("<=", 20),
                detail=f"slowest {slowest}: {medians[slowest]:.1f} ms",
            )
        )
    status, _ = client.get(paths["dataset"], accept="image/png")
    assert status == 406
    for key, label, path in (
        (
            "export_download_ms",
            "export download (/export/datacite-xml/doi/...)",
            f"/export/datacite-xml/doi/{publication.doi}",
        ),
        (
            "linkset_ms",
            "publication linkset (application/linkset+json)",
            f"/linkset/json/doi/{publication.doi}",
        ),
    ):
        ms = _ms(time_calls(functools.partial(client.get, path), times=REQUESTS, warmup=WARMUP))
        outcome.add(Metric(key, label, ms, "ms", target=Target("<=", 20)))


def _page_parts(outcome: Outcome) -> None:
    """What the machine side adds to one landing page: head tags, JSON-LD, Link header, citation."""
    from catalogue.models import Dataset
    from landing.citation import cite
    from landing.meta import head_html
    from landing.records import publication_record, record_for_pid
    from landing.schemaorg import jsonld_script
    from landing.signposting import link_header
    from publishing.models import Publication

    dataset = Dataset.objects.public().order_by("id").first()
    publication = Publication.objects.public().exclude(doi="").order_by("id").first()
    assert dataset is not None
    assert publication is not None
    for kind, make in (
        ("dataset", lambda: record_for_pid(dataset.pid)),
        ("publication", lambda: publication_record(publication)),
    ):
        record = make()
        assert record is not None

        def parts(record: Any = record) -> None:
            head_html(record)
            jsonld_script(record)
            link_header(record)
            cite(record)

        outcome.add(
            Metric(
                f"page_parts_{kind}_ms",
                f"head tags + JSON-LD + Link header + citation, {kind}",
                _ms(time_calls(parts, times=REQUESTS, warmup=WARMUP)),
                "ms",
                target=Target("<=", 5),
            )
        )


def _sitemap(outcome: Outcome, client: Wsgi) -> None:
    status, body = client.get("/sitemap.xml")
    assert status == 200
    index = _ms(time_calls(lambda: client.get("/sitemap.xml"), times=5, warmup=1))
    status, page = client.get("/sitemaps/datasets-1.xml")
    assert status == 200
    full_page = _ms(time_calls(lambda: client.get("/sitemaps/datasets-1.xml"), times=5, warmup=1))
    pages = body.count(b"/sitemaps/datasets-")
    last = f"/sitemaps/datasets-{max(pages, 1)}.xml"
    assert client.get(last)[0] == 200
    last_page = _ms(time_calls(lambda: client.get(last), times=5, warmup=1))
    outcome.add(
        Metric(
            "sitemap_ms",
            "/sitemap.xml (" + ("index" if b"<sitemapindex" in body else "one urlset") + ")",
            index,
            "ms",
            target=Target("<=", 1000),
        ),
        Metric(
            "sitemap_page_ms",
            f"a sitemap page of {page.count(b'<url>'):,} URLs",
            full_page,
            "ms",
            target=Target("<=", 1000),
            detail=f"{len(page) / 1e6:.2f} MB",
        ),
        Metric("sitemap_last_ms", f"the last sitemap page ({last})", last_page, "ms"),
    )


def run(ctx: Context) -> Outcome:
    from django.db import connection

    from bench.oai import fill

    outcome = Outcome()
    written = fill(ctx.n, say=lambda text: None)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    outcome.note(f"{written:,} datasets written to reach N={ctx.n:,}")
    client = Wsgi()
    _citations(outcome)
    _negotiation(outcome, client)
    _page_parts(outcome)
    _sitemap(outcome, client)
    return outcome
