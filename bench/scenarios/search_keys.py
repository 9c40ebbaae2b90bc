"""The condition builder's key autocomplete at N datasets with ten parameters each (1,000,000
parameter rows at N=100,000).

Datasets are written directly (``bench.oai.fill``), then ten scientific-metadata parameters each,
drawn from 60 keys in several units (COPY on PostgreSQL, ``bulk_create`` on SQLite); rows already
there are kept. Timed: the cold key list (the GROUP BY behind ``parameter_key_suggestions``, paid
once per process every five minutes), warm prefix lookups, and ``/search/keys?key=...`` requests
through the WSGI handler, plus the search page's first request on a cold key cache.
"""

from __future__ import annotations

import random
from functools import partial
from typing import Any

from bench.harness import (
    Context,
    Metric,
    Outcome,
    Stopwatch,
    Target,
    median,
    percentile,
    time_calls,
)

PER_DATASET = 10
PREFIXES = ("temp", "sample_t", "energy", "det", "p", "x", "wave", "zzz")
# (key, unit, SI unit, factor to SI)
KEYS: list[tuple[str, str, str, float]] = [
    (f"{group}.{name}", unit, si, factor)
    for group in ("sample", "beam", "detector", "environment", "scan", "analysis")
    for name, unit, si, factor in (
        ("temperature", "K", "K", 1.0),
        ("energy", "keV", "kg*m**2/s**2", 1.602176634e-16),
        ("pressure", "mbar", "kg/(m*s**2)", 100.0),
        ("distance", "mm", "m", 1e-3),
        ("wavelength", "angstrom", "m", 1e-10),
        ("exposure_time", "s", "s", 1.0),
        ("field", "T", "kg/(A*s**2)", 1.0),
        ("count_rate", "", "", 1.0),
        ("sample_temperature", "degC", "K", 1.0),
        ("mode", "", "", 0.0),
    )
]


def _parameter_rows(dataset_ids: list[int], seed: int) -> Any:
    rng = random.Random(seed)
    for dataset_id in dataset_ids:
        for key, unit, si_unit, factor in rng.sample(KEYS, PER_DATASET):
            if factor == 0.0:
                yield (dataset_id, key, "continuous", "", None, None, None, None, "", "continuous")
                continue
            number = round(rng.uniform(1, 500), 3)
            si = number + 273.15 if unit == "degC" else number * factor
            yield (dataset_id, key, str(number), unit, number, None, si, None, si_unit, "")


def fill_parameters(*, say: Any = print) -> int:
    """Give every dataset without parameters ten of them; the number of rows written."""
    from django.db import connection, transaction

    from catalogue.models import Dataset, ScientificParameter

    ids = list(
        Dataset.objects.filter(parameters__isnull=True).values_list("id", flat=True).distinct()
    )
    columns = (
        "dataset_id, key_path, original_value, unit, number, number_max, si_value, "
        "si_value_max, si_unit, text_value"
    )
    written = 0
    with transaction.atomic():
        for start in range(0, len(ids), 50_000):
            rows = list(_parameter_rows(ids[start : start + 50_000], seed=start))
            if connection.vendor == "postgresql":
                sql = f"COPY catalogue_scientificparameter ({columns}) FROM STDIN"
                with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                names = [c.strip() for c in columns.split(",")]
                ScientificParameter.objects.bulk_create(
                    [ScientificParameter(**dict(zip(names, row, strict=True))) for row in rows],
                    batch_size=5000,
                )
            written += len(rows)
            say(f"    {written:,} parameters")
    return written


def run(ctx: Context) -> Outcome:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from bench.oai import fill
    from catalogue.models import ScientificParameter
    from catalogue.search import DatasetQuery, dataset_search
    from catalogue.selectors import (
        PARAMETER_KEYS_CACHE,
        dataset_table_page,
        parameter_key_suggestions,
    )

    outcome = Outcome()
    with Stopwatch() as filling:
        fill(ctx.n)
        written = fill_parameters()
    if written:
        outcome.note(f"wrote {written:,} parameter rows directly in {filling.wall:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE catalogue_scientificparameter")
            cursor.execute("VACUUM ANALYZE catalogue_dataset")
    rows = ScientificParameter.objects.count()

    def cold() -> None:
        cache.delete(PARAMETER_KEYS_CACHE)
        parameter_key_suggestions("temp")

    cold_ms = [1000 * t for t in time_calls(cold, times=5, warmup=1)]
    client = Client()
    warm_ms: list[float] = []
    endpoint_ms: list[float] = []
    for prefix in PREFIXES:
        warm_ms += [
            1000 * t
            for t in time_calls(partial(parameter_key_suggestions, prefix), times=50, warmup=2)
        ]
        request = partial(client.get, "/search/keys", {"key": prefix}, headers={"HX-Request": "1"})
        endpoint_ms += [
            1000 * t for t in time_calls(request, times=max(10, ctx.requests // 8), warmup=2)
        ]

    def cold_page() -> None:
        cache.delete(PARAMETER_KEYS_CACHE)
        client.get("/datasets/")

    def warm_page() -> None:
        client.get("/datasets/")

    page_cold_ms = [1000 * t for t in time_calls(cold_page, times=5, warmup=1)]
    page_warm_ms = [1000 * t for t in time_calls(warm_page, times=20, warmup=2)]
    # What of the page is the search itself (backend and rows), and how big the page is.
    search_ms = [
        1000 * t
        for t in time_calls(partial(dataset_table_page, DatasetQuery()), times=20, warmup=2)
    ]
    found = dataset_search(DatasetQuery())
    html_kb = len(client.get("/datasets/").content) / 1024
    outcome.note(
        "facet values returned: "
        + ", ".join(f"{name} {len(values)}" for name, values in found.facets.items())
        + f"; page {html_kb:,.0f} kB"
    )
    detail = f"{rows:,} parameter rows, {len(KEYS)} keys"
    outcome.add(
        Metric("keys_cold_ms", "key list, cold (GROUP BY)", median(cold_ms), "ms", detail=detail),
        Metric(
            "keys_warm_p95_ms",
            "prefix lookup, warm (p95)",
            percentile(warm_ms, 95),
            "ms",
            target=Target("<=", 5),
        ),
        Metric(
            "keys_endpoint_ms",
            "/search/keys request (median)",
            median(endpoint_ms),
            "ms",
            target=Target("<=", 20),
        ),
        Metric(
            "keys_endpoint_p95_ms", "/search/keys request (p95)", percentile(endpoint_ms, 95), "ms"
        ),
        Metric("page_cold_keys_ms", "/datasets/ with a cold key cache", median(page_cold_ms), "ms"),
        Metric(
            "page_warm_keys_ms", "/datasets/ with the key list cached", median(page_warm_ms), "ms"
        ),
        Metric("page_search_ms", "of which the search and rows", median(search_ms), "ms"),
    )
    return outcome
