"""Landing pages, ``/datasets/<pid>`` and ``/doi/<doi>``: server time (warm) and HTML size.

The records are made here, whatever N is (the scenario needs only the migrated database):

* a dataset of 1,000 files (with scientific metadata, a technique, a creator with an ORCID iD);
* a typical publication: 5 such datasets of 200 files;
* a big publication: 50 datasets of 10,000 files each (500,000 file rows, ``COPY`` on PostgreSQL).

``django.test.Client`` drives the real URL conf and middleware (DEBUG off), with
``PORTAL_DOWNLOAD_URL`` set so the pages carry download links and "download all" lists; every
request is timed from the call to the full body, after warm-up requests (the citation cache and
the parsed styles are warm, as on a live site). Also measured: a page of files by htmx, the
page with ``Accept: application/x-bibtex`` (content negotiation), and the streamed Metalink of
the big publication (500,000 files). The load average is recorded with the figures: on a shared
machine they are pessimistic.
"""

from __future__ import annotations

import hashlib
import io
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.harness import Context, Metric, Outcome, Target, median, percentile, time_calls

PAGE_TARGET = Target("<=", 20)
BIG_TARGET = Target("<=", 60)
SIZE_TARGET = Target("<=", 100)  # kB
WARMUP = 5
DOWNLOAD_URL = "https://dcache.example.org:2880/pnfs/public/{source_folder}/{path}"
BIG_DATASETS = 50
BIG_FILES = 10_000


def _dataset(tag: str, n: int, files: int) -> Any:
    from catalogue.models import Dataset, Instrument, Proposal, Technique

    instrument, _ = Instrument.objects.get_or_create(
        pid="bench-landing-p08",
        defaults={"unique_name": "P08", "name": "P08 High-resolution diffraction"},
    )
    proposal, _ = Proposal.objects.get_or_create(
        proposal_id="bench-11019634", defaults={"title": "Lipid monolayers"}
    )
    technique, _ = Technique.objects.get_or_create(
        pid="PaNET01188", defaults={"name": "X-ray reflectivity"}
    )
    start = datetime(2024, 10, 10, tzinfo=UTC) + timedelta(hours=n)
    dataset = Dataset.objects.create(
        pid=f"20.500.12269/bench-landing-{tag}-{n:03d}",
        title=f"GIXOS pseudo reflectivity of a DPPG monolayer, {tag} {n}",
        description="Pseudo reflectivity derived from GIXOS of a DPPG monolayer on a buffer "
        "surface, with the fitted electron density profile.",
        type="derived",
        start_time=start,
        end_time=start + timedelta(hours=2),
        creation_time=start,
        size=files * 1_834_221,
        number_of_files=files,
        keywords=["GIXOS", "reflectivity", "lipid monolayer"],
        license="CC-BY-4.0",
        source_folder=f"/asap3/petra3/p08/2024/data/11019634/{tag}/{n:03d}",
        data_format="NeXus/HDF5",
        instrument=instrument,
        proposal=proposal,
        creators=[{"name": "Lovelace, Ada", "orcid": "0000-0002-1825-0097"}],
        data_location="disk" if n % 3 else "tape",
        scientific_metadata={
            "surface_pressure": {"value": 35, "unit": "mN/m"},
            "sample_temperature": {"value": 21.85, "unit": "degC"},
            "incident_energy": {"value": 15000, "unit": "eV"},
        },
    )
    dataset.techniques.add(technique)
    _files(dataset.pk, files)
    return dataset


def _files(dataset_id: int, count: int) -> None:
    from django.db import connection

    from catalogue.models import DataFile

    rows = (
        (
            dataset_id,
            f"raw/scan_{i // 1000:03d}/frame_{i:06d}.h5",
            1_834_221,
            hashlib.sha256(f"{dataset_id}/{i}".encode()).hexdigest(),
            "sha256",
        )
        for i in range(count)
    )
    if connection.vendor == "postgresql":
        buffer = io.StringIO("".join("\t".join(map(str, row)) + "\n" for row in rows))
        with connection.cursor() as cursor:
            copy = cursor.cursor.copy(  # psycopg 3
                "COPY catalogue_datafile (dataset_id, path, size, checksum, checksum_algorithm) "
                "FROM STDIN"
            )
            with copy as writer:
                writer.write(buffer.getvalue())
        return
    DataFile.objects.bulk_create(
        (
            DataFile(dataset_id=d, path=p, size=s, checksum=c, checksum_algorithm=a)
            for d, p, s, c, a in rows
        ),
        batch_size=5000,
    )


def _publication(doi: str, datasets: list[Any]) -> Any:
    from publishing.models import Publication

    publication = Publication.objects.create(
        doi=doi,
        title=f"Compiled X-ray reflectivity data ({len(datasets)} datasets)",
        abstract="Raw and derived X-ray reflectivity curves of lipid monolayers, with fits.",
        creators=[
            {
                "name": "Franklin, Rosalind",
                "nameType": "Personal",
                "nameIdentifiers": [
                    {
                        "nameIdentifier": "https://orcid.org/0000-0002-1825-0097",
                        "nameIdentifierScheme": "ORCID",
                    }
                ],
                "affiliation": [
                    {
                        "name": "Deutsches Elektronen-Synchrotron DESY",
                        "affiliationIdentifier": "https://ror.org/01js2sh04",
                        "affiliationIdentifierScheme": "ROR",
                    }
                ],
            }
        ],
        publisher="Photon Science Facility",
        publication_year=2025,
        resource_type="Dataset",
        subjects=[{"subject": "X-ray reflectivity"}],
        rights=[
            {
                "rights": "Creative Commons Attribution 4.0 International",
                "rightsUri": "https://creativecommons.org/licenses/by/4.0/",
            }
        ],
        related_identifiers=[
            {
                "relatedIdentifier": "10.1107/S1600576722000000",
                "relatedIdentifierType": "DOI",
                "relationType": "IsSupplementTo",
            }
        ],
        registered_at=datetime(2025, 2, 3, tzinfo=UTC),
    )
    publication.datasets.set(datasets)
    return publication


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def run(ctx: Context) -> Outcome:
    from django.db import connection
    from django.test import Client, override_settings

    outcome = Outcome()
    started = time.perf_counter()
    single = _dataset("single", 0, 1000)
    typical = _publication(
        "10.5072/bench-landing-typical", [_dataset("typical", n, 200) for n in range(5)]
    )
    big = _publication(
        "10.5072/bench-landing-big",
        [_dataset("big", n, BIG_FILES) for n in range(BIG_DATASETS)],
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    outcome.note(
        f"records made in {time.perf_counter() - started:.1f} s "
        f"({BIG_DATASETS * BIG_FILES + 2000:,} file rows); {_load()} before the requests"
    )

    pages = [
        ("dataset", "dataset of 1,000 files", f"/datasets/{single.pid}", {}, PAGE_TARGET),
        ("publication", "publication of 5 datasets", f"/doi/{typical.doi}", {}, PAGE_TARGET),
        (
            "big",
            f"publication of {BIG_DATASETS} datasets x {BIG_FILES:,} files",
            f"/doi/{big.doi}",
            {},
            BIG_TARGET,
        ),
        (
            "files",
            "a page of files (htmx)",
            f"/files/{single.pid}?files=last",
            {"HX-Request": "true"},
            PAGE_TARGET,
        ),
        (
            "bibtex",
            "publication as BibTeX (Accept)",
            f"/doi/{typical.doi}",
            {"Accept": "application/x-bibtex"},
            None,
        ),
    ]
    with override_settings(PORTAL_DOWNLOAD_URL=DOWNLOAD_URL):
        client = Client()
        for key, label, url, headers, target in pages:
            response = client.get(url, headers=headers)
            if response.status_code != 200:
                outcome.note(f"{url}: status {response.status_code}; not measured")
                continue
            size_kb = len(response.content) / 1000

            def request(url: str = url, headers: dict[str, str] = headers) -> None:
                client.get(url, headers=headers).content  # noqa: B018

            times = ctx.requests if key in {"dataset", "publication", "big"} else 50
            ms = [s * 1000 for s in time_calls(request, times=times, warmup=WARMUP)]
            outcome.add(
                Metric(
                    f"landing.{key}.median",
                    f"landing {label}: median",
                    median(ms),
                    "ms",
                    "lower",
                    target,
                    f"p95 {percentile(ms, 95):.1f} ms over {times} requests",
                ),
                Metric(f"landing.{key}.p95", f"landing {label}: p95", percentile(ms, 95), "ms"),
            )
            if key in {"dataset", "publication", "big"}:
                outcome.add(
                    Metric(
                        f"landing.{key}.size",
                        f"landing {label}: HTML size",
                        size_kb,
                        "kB",
                        "lower",
                        SIZE_TARGET,
                    )
                )
            print(f"landing {label}: median {median(ms):.1f} ms, {size_kb:.1f} kB", flush=True)

        # The big publication's Metalink, streamed: 500,000 files.
        begun = time.perf_counter()
        streamed: Any = client.get(f"/download/metalink/doi/{big.doi}")
        total = sum(len(chunk) for chunk in streamed.streaming_content)
        seconds = time.perf_counter() - begun
        outcome.add(
            Metric(
                "landing.metalink_big.seconds",
                f"Metalink of {BIG_DATASETS * BIG_FILES:,} files: time to stream",
                seconds,
                "s",
                "lower",
                detail=f"{total / 1e6:.0f} MB",
            )
        )
    outcome.note(_load() + " after the requests")
    return outcome
