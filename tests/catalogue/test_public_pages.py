"""The public pages: what a visitor (or a harvester following links) gets back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import DataFile, Dataset, Thumbnail
from catalogue.search import FACETS, SearchPage
from catalogue.services import dataset_withdraw
from publishing.models import Publication
from publishing.services.withdrawal import publication_withdraw
from sync.services import export_import
from tests.demo import DEMO_DOI, DEMO_EXPORT, DEMO_PID, EMBARGOED_PID, PRIVATE_STRINGS
from tests.factories import (
    DataFileFactory,
    DatasetFactory,
    InstrumentFactory,
    ProposalFactory,
    PublicationFactory,
    TechniqueFactory,
)

pytestmark = pytest.mark.django_db


HX = {"HX-Request": "true"}


def dataset_url(dataset: Dataset) -> str:
    return reverse("landing:dataset", args=[dataset.pid])


def text(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def demo(media_root: Path) -> None:
    report = export_import(path=DEMO_EXPORT)
    assert not report.errors


def datasets_on_page(response: Any) -> list[str]:
    """The PIDs in the catalogue table, in order."""
    cells = re.findall(
        r'<th scope="row" class="cell-pid"[^>]*><a href="[^"]*">(.*?)</a>', text(response)
    )
    return [cell.replace("<wbr>", "") for cell in cells]


# -- the dataset table --------------------------------------------------------------------------


def test_dataset_table_lists_public_datasets_with_every_column(client: Client) -> None:
    dataset = DatasetFactory.create(
        pid="20.500.12269/abc-1",
        title="GIXOS of DPPG",
        run_number="406970625",
        source_folder="/data/p08/2024/dppg",
        size=1_834_221,
        start_time=dt.datetime(2024, 10, 10, 21, 40, tzinfo=dt.UTC),
        type="derived",
        proposal=ProposalFactory(proposal_id="11019634"),
    )
    Thumbnail.objects.create(
        dataset=dataset,
        source_id="t1",
        caption="Curve",
        image="thumbnails/ab/abc.png",
        content_digest="abc",
    )

    response = client.get("/datasets/")

    assert response.status_code == 200
    body = text(response)
    # Cell text as read, without the line-break hints and the date/clock spans.
    plain = re.sub(r"<(wbr|/?span[^>]*)>", "", body)
    for value in (
        "20.500.12269/abc-1",
        "GIXOS of DPPG",
        "406970625",
        "/data/p08/2024/dppg",
        "1.8 MB",
        "2024-10-10 21:40",
        "derived",
        "11019634",
    ):
        assert value in plain
    assert 'src="/media/thumbnails/ab/abc.png"' in body
    assert 'href="/datasets/20.500.12269/abc-1"' in body


def test_dataset_table_shows_range_and_total(client: Client) -> None:
    DatasetFactory.create_batch(30)

    body = text(client.get("/datasets/"))

    assert "<strong>1 \N{EN DASH} 25</strong> of <strong>30</strong>" in body
    assert 'data-total="30"' in body


def test_dataset_table_does_not_list_withdrawn_datasets(client: Client) -> None:
    kept = DatasetFactory.create()
    gone = DatasetFactory.create()
    dataset_withdraw(dataset=gone, reason="Mislabelled sample")

    response = client.get("/datasets/")

    assert datasets_on_page(response) == [kept.pid]
    assert 'data-total="1"' in text(response)


def test_dataset_table_is_newest_first_by_default(client: Client) -> None:
    old = DatasetFactory.create(start_time=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    new = DatasetFactory.create(start_time=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))

    response = client.get("/datasets/")

    assert datasets_on_page(response) == [new.pid, old.pid]
    assert re.search(
        r'<th scope="col" class="col-start_time" aria-sort="descending">', text(response)
    )


def test_dataset_table_sorts_by_size_ascending(client: Client) -> None:
    big = DatasetFactory.create(size=3000)
    small = DatasetFactory.create(size=10)
    middle = DatasetFactory.create(size=200)

    response = client.get("/datasets/?sort=size")

    assert datasets_on_page(response) == [small.pid, middle.pid, big.pid]
    assert 'class="col-size" aria-sort="ascending"' in text(response)


def test_dataset_table_sorts_by_title_descending(client: Client) -> None:
    a = DatasetFactory.create(title="Alpha")
    b = DatasetFactory.create(title="Beta")

    response = client.get("/datasets/?sort=-title")

    assert datasets_on_page(response) == [b.pid, a.pid]
    assert 'class="col-title" aria-sort="descending"' in text(response)


def test_sorted_column_header_links_to_the_reverse_order(client: Client) -> None:
    DatasetFactory.create()

    body = text(client.get("/datasets/?sort=pid&per_page=50"))

    assert 'href="/datasets/?sort=-pid&amp;per_page=50"' in body


def test_dataset_table_pages(client: Client) -> None:
    datasets = DatasetFactory.create_batch(25)
    newest_first = [d.pid for d in reversed(datasets)]

    response = client.get("/datasets/?per_page=10&page=2")

    assert datasets_on_page(response) == newest_first[10:20]
    body = text(response)
    assert "<strong>11 \N{EN DASH} 20</strong> of <strong>25</strong>" in body
    assert 'href="/datasets/?per_page=10&amp;page=3"' in body  # next
    assert 'href="/datasets/?per_page=10"' in body  # first and previous


def test_dataset_table_last_page_has_no_next_link(client: Client) -> None:
    DatasetFactory.create_batch(12)

    body = text(client.get("/datasets/?per_page=10&page=2"))

    assert "<strong>11 \N{EN DASH} 12</strong> of <strong>12</strong>" in body
    assert '<span class="disabled">Next</span>' in body
    assert '<span class="disabled">Last</span>' in body


@pytest.mark.parametrize("per_page", [10, 25, 50, 100])
def test_dataset_table_shows_the_chosen_number_per_page(client: Client, per_page: int) -> None:
    DatasetFactory.create_batch(101)

    response = client.get(f"/datasets/?per_page={per_page}")

    assert len(datasets_on_page(response)) == per_page
    assert f'<option value="{per_page}" selected>' in text(response)


def test_dataset_table_filters_by_text(client: Client) -> None:
    match = DatasetFactory.create(title="Tomography of a battery cathode")
    DatasetFactory.create(title="Reflectivity of a lipid monolayer")

    response = client.get("/datasets/?q=cathode")

    assert datasets_on_page(response) == [match.pid]
    assert 'value="cathode"' in text(response)


def test_dataset_table_filter_with_no_match_says_so(client: Client) -> None:
    DatasetFactory.create()

    response = client.get("/datasets/?q=nothingmatchesthis")

    assert response.status_code == 200
    assert "No datasets match “nothingmatchesthis”" in text(response)
    assert 'data-total="0"' in text(response)


def test_unknown_sort_is_a_400_with_a_clear_message(client: Client) -> None:
    DatasetFactory.create()

    response = client.get("/datasets/?sort=bogus")

    assert response.status_code == 400
    body = text(response)
    assert "is not a way to sort these results" in body
    assert 'role="alert"' in body
    assert len(datasets_on_page(response)) == 1  # still shows the table, in the default order


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-1",
        "page=0",
        "page=99999999999999999999999",
        "page=1.5",
        "per_page=7",
        "per_page=abc",
        "per_page=100000",
        "per_page=",
        "sort=",
        "q=%00",
        "q=" + "x" * 10_000,
        "page=2&page=abc",
    ],
)
def test_bad_table_parameters_never_fail(client: Client, query: str) -> None:
    # Search text the query language refuses is a 400:
    # tests/catalogue/search_page/test_bad_input.py.
    DatasetFactory.create_batch(3)

    response = client.get(f"/datasets/?{query}")

    assert response.status_code == 200


def test_page_beyond_the_end_shows_the_last_page_with_a_notice(client: Client) -> None:
    datasets = DatasetFactory.create_batch(12)

    response = client.get("/datasets/?per_page=10&page=50")

    assert response.status_code == 200
    assert datasets_on_page(response) == [d.pid for d in reversed(datasets)][10:]
    assert "There is no page 50; this is the last page, 2." in text(response)


def test_invalid_per_page_falls_back_to_25_and_says_so(client: Client) -> None:
    DatasetFactory.create_batch(30)

    response = client.get("/datasets/?per_page=7")

    assert len(datasets_on_page(response)) == 25
    assert "Showing 25 datasets per page" in text(response)


def test_long_search_text_is_cut_with_a_notice(client: Client) -> None:
    response = client.get("/datasets/?q=" + "y" * 10_000)

    assert response.status_code == 200
    assert "The search text was cut to its first 500 characters." in text(response)


def test_htmx_request_gets_only_the_search_area_partial(client: Client) -> None:
    DatasetFactory.create_batch(3)

    response = client.get("/datasets/?sort=size", headers=HX)

    body = text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="search-area"')
    assert '<div id="results"' in body
    assert "<html" not in body
    assert 'id="dataset-search"' not in body
    assert len(datasets_on_page(response)) == 3
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client: Client) -> None:
    response = client.get("/datasets/", headers={**HX, "HX-History-Restore-Request": "true"})

    assert "<html" in text(response)


def test_table_links_work_without_javascript(client: Client) -> None:
    DatasetFactory.create_batch(30)

    body = text(client.get("/datasets/"))

    # Every htmx link carries the same URL as a real href.
    hx_gets = re.findall(r'<a [^>]*href="([^"]*)" data-hx-get="([^"]*)"', body)
    assert hx_gets
    assert all(href == hx_get for href, hx_get in hx_gets)
    assert 'action="/datasets/" method="get"' in body


def test_degraded_search_shows_a_notice(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    dataset = DatasetFactory.create()
    from catalogue import selectors

    real = selectors.dataset_search

    def degraded(query: Any) -> SearchPage:
        return dataclasses.replace(real(query), degraded=True)

    monkeypatch.setattr(selectors, "dataset_search", degraded)

    response = client.get("/datasets/")

    assert response.status_code == 200
    assert "Search is running in a reduced mode." in text(response)
    assert datasets_on_page(response) == [dataset.pid]


def test_dataset_table_makes_the_same_number_of_queries_for_100_rows(client: Client) -> None:
    def queries(per_page: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/datasets/?per_page={per_page}")
        assert len(datasets_on_page(response)) == min(per_page, Dataset.objects.count())
        return len(captured)

    for dataset in DatasetFactory.create_batch(100):
        Thumbnail.objects.create(
            dataset=dataset, source_id="t", image=f"thumbnails/{dataset.pk}.png", content_digest="x"
        )
    queries(10)  # the condition builder's key list is then cached
    assert queries(10) == queries(100)
    # count, ids, rows, thumbnails, and the facet counts (at most one query per facet)
    assert queries(100) <= 4 + len(FACETS)


# -- a dataset's page ---------------------------------------------------------------------------


def test_dataset_page_with_a_slash_in_its_pid(client: Client) -> None:
    dataset = DatasetFactory.create(pid="20.500.12269/7e562979-2cf9-4b99-8a24-efef7eefb988")

    response = client.get("/datasets/20.500.12269/7e562979-2cf9-4b99-8a24-efef7eefb988")

    assert response.status_code == 200
    assert dataset.title in text(response)


def test_dataset_page_shows_every_public_field(client: Client) -> None:
    technique = TechniqueFactory.create(pid="panet01253", name="grazing incidence X-ray scattering")
    dataset = DatasetFactory.create(
        title="GIXOS of DPPG",
        description="Pseudo reflectivity of a monolayer.",
        type="derived",
        start_time=dt.datetime(2024, 10, 10, 21, 40, tzinfo=dt.UTC),
        end_time=dt.datetime(2024, 10, 10, 23, 50, tzinfo=dt.UTC),
        size=1_834_221,
        number_of_files=3,
        keywords=["GIXOS", "lipid monolayer"],
        license="CC-BY-4.0",
        run_number="386498992",
        source_folder="/asap3/p08/dppg_35",
        data_format="NeXus/HDF5",
        instrument=InstrumentFactory(name="P08 High-resolution diffraction", facility="PETRA III"),
        proposal=ProposalFactory(
            proposal_id="11019634", title="Lipid monolayers", pi_name="Noether, Emmy"
        ),
        principal_investigators=["Meitner, Lise"],
        creators=[{"name": "Lovelace, Ada", "orcid": "0000-0002-1825-0097"}],
        data_location="tape",
        embargo_end=dt.datetime(2024, 10, 11, tzinfo=dt.UTC),
    )
    dataset.techniques.add(technique)

    body = text(client.get(dataset_url(dataset)))

    for value in (
        "GIXOS of DPPG",
        "Pseudo reflectivity of a monolayer.",
        "derived",
        "2024-10-10 21:40",
        "2024-10-10 23:50",
        "1.8 MB",
        "1,834,221 bytes",
        "CC-BY-4.0",
        "386498992",
        "/asap3/p08/dppg_35",
        "NeXus/HDF5",
        "P08 High-resolution diffraction",
        "PETRA III",
        "11019634",
        "Lipid monolayers",
        "Noether, Emmy",
        "Meitner, Lise",
        "grazing incidence X-ray scattering",
        "panet01253",
        "Lovelace, Ada",
        "Archived on tape",
        "2024-10-11",
    ):
        assert value in body, value
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in body
    # The keywords as tags of their own ("GIXOS" is also in the title, so a bare search for it
    # could not fail).
    tags = re.search(r'<ul class="tags">(.*?)</ul>', body, re.DOTALL)
    assert tags is not None
    assert "<li>GIXOS</li>" in tags.group(1)
    assert "<li>lipid monolayer</li>" in tags.group(1)


def test_dataset_page_shows_scientific_metadata_as_a_tree_with_units(client: Client) -> None:
    dataset = DatasetFactory.create(
        scientific_metadata={
            "surface_pressure": {"value": 45, "unit": "mN/m"},
            "detector": {"name": "Pilatus 100k", "distance": {"v": 1.2, "u": "m"}},
            "range": {"value": [1, 2], "unit": "cm", "type": "quantity_range"},
            "temperature": {"value": 21.85, "unit": "degC"},
        }
    )

    body = text(client.get(dataset_url(dataset)))

    assert (
        '<span class="tree-key">surface_pressure</span> <span class="tree-value">45 '
        '<span class="tree-unit">mN/m</span>' in body
    )
    assert '<summary class="tree-key">detector</summary><ul class="tree">' in body
    assert (
        '<span class="tree-key">distance</span> <span class="tree-value">1.2 '
        '<span class="tree-unit">m</span>' in body
    )
    assert '1 \N{EN DASH} 2 <span class="tree-unit">cm</span>' in body
    assert '21.85 <span class="tree-unit">°C</span>' in body


def test_dataset_page_escapes_metadata(client: Client) -> None:
    dataset = DatasetFactory.create(
        title="<script>alert(1)</script>", scientific_metadata={"<b>": "<img src=x onerror=y>"}
    )

    body = text(client.get(dataset_url(dataset)))

    assert "<script>alert(1)</script>" not in body
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=y&gt;" in body


def test_dataset_page_links_thumbnails_by_url(client: Client) -> None:
    dataset = DatasetFactory.create()
    Thumbnail.objects.create(
        dataset=dataset,
        source_id="t1",
        caption="Detector image",
        image="thumbnails/ab/abcdef.png",
        content_digest="abcdef",
    )

    body = text(client.get(dataset_url(dataset)))

    assert '<img src="/media/thumbnails/ab/abcdef.png" alt="Detector image"' in body
    assert "base64" not in body


def test_dataset_page_lists_its_public_publications(client: Client) -> None:
    dataset = DatasetFactory.create()
    shown = PublicationFactory.create(title="Shown publication")
    hidden = PublicationFactory.create(title="Withdrawn publication")
    shown.datasets.add(dataset)
    hidden.datasets.add(dataset)
    publication_withdraw(publication=hidden, reason="test")

    body = text(client.get(dataset_url(dataset)))

    assert "Shown publication" in body
    assert f'href="/doi/{shown.doi}"' in body
    assert "Withdrawn publication" not in body


def make_files(dataset: Dataset, count: int) -> None:
    DataFile.objects.bulk_create(
        DataFile(
            dataset=dataset,
            path=f"scan_{n:05d}.h5",
            size=n,
            checksum=f"{n:064x}",
            checksum_algorithm="sha256",
        )
        for n in range(count)
    )


def file_paths(response: Any) -> list[str]:
    return re.findall(r'<th scope="row" class="cell-path">([^<]*)</th>', text(response))


def test_dataset_page_shows_the_first_100_files_by_path(client: Client) -> None:
    dataset = DatasetFactory.create()
    make_files(dataset, 250)

    response = client.get(dataset_url(dataset))

    assert file_paths(response) == [f"scan_{n:05d}.h5" for n in range(100)]
    body = text(response)
    assert "250 files, sorted by path" in body
    assert "sha256" in body
    assert f"{5:064x}" in body


def test_files_next_page_continues_after_the_last_file(client: Client) -> None:
    dataset = DatasetFactory.create()
    make_files(dataset, 250)
    first = client.get(dataset_url(dataset))
    next_url = re.search(r'<a href="([^"]*files_after=\d+)[^"]*" data-hx-get', text(first))
    assert next_url

    second = client.get(next_url.group(1).replace("&amp;", "&"))

    assert file_paths(second) == [f"scan_{n:05d}.h5" for n in range(100, 200)]


def test_files_last_page_and_previous_page(client: Client) -> None:
    dataset = DatasetFactory.create()
    make_files(dataset, 250)

    last = client.get(f"{dataset_url(dataset)}?files=last")
    assert file_paths(last) == [f"scan_{n:05d}.h5" for n in range(150, 250)]
    previous_url = re.search(r'<a href="([^"]*files_before=\d+)[^"]*" data-hx-get', text(last))
    assert previous_url
    previous = client.get(previous_url.group(1))

    assert file_paths(previous) == [f"scan_{n:05d}.h5" for n in range(50, 150)]


def test_files_pages_cost_the_same_queries_with_10000_files(client: Client) -> None:
    small, large = DatasetFactory.create(), DatasetFactory.create()
    make_files(small, 150)
    make_files(large, 10_000)
    last_of_large = DataFile.objects.filter(dataset=large).order_by("path", "id")[5000]

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, headers=HX)
        assert len(file_paths(response)) == 100
        return len(captured)

    small_last = DataFile.objects.filter(dataset=small).order_by("path", "id")[20]
    assert queries(f"{dataset_url(large)}?files_after={last_of_large.pk}") == queries(
        f"{dataset_url(small)}?files_after={small_last.pk}"
    )
    assert queries(f"{dataset_url(large)}?files_after={last_of_large.pk}") <= 4
    # No query reads every file: each is a count or limited to a page (plus one).
    with CaptureQueriesContext(connection) as captured:
        client.get(f"{dataset_url(large)}?files_after={last_of_large.pk}", headers=HX)
    for query in captured.captured_queries:
        sql = query["sql"].upper()
        if "DATAFILE" in sql and "COUNT(" not in sql:
            assert "LIMIT" in sql


def test_files_htmx_request_gets_only_the_files_partial(client: Client) -> None:
    dataset = DatasetFactory.create()
    make_files(dataset, 150)

    response = client.get(f"{dataset_url(dataset)}?files=last", headers=HX)

    body = text(response)
    assert body.lstrip().startswith('<section id="files"')
    assert "<html" not in body
    assert len(file_paths(response)) == 100


@pytest.mark.parametrize(
    "query",
    [
        "files_after=abc",
        "files_after=999999999",
        "files_before=-3",
        "files=everything",
        "files_after=&files_before=x",
    ],
)
def test_bad_files_cursor_shows_the_first_page(client: Client, query: str) -> None:
    dataset = DatasetFactory.create()
    make_files(dataset, 120)

    response = client.get(f"{dataset_url(dataset)}?{query}")

    assert response.status_code == 200
    assert file_paths(response)[0] == "scan_00000.h5"


def test_files_of_another_dataset_are_not_a_cursor(client: Client) -> None:
    dataset, other = DatasetFactory.create(), DatasetFactory.create()
    make_files(dataset, 120)
    foreign = DataFileFactory.create(dataset=other, path="zzz.h5")

    response = client.get(f"{dataset_url(dataset)}?files_after={foreign.pk}")

    assert file_paths(response)[0] == "scan_00000.h5"


def test_dataset_link_with_a_trailing_slash_redirects(client: Client) -> None:
    dataset = DatasetFactory.create(pid="20.500.12269/abc-9")

    response = client.get("/datasets/20.500.12269/abc-9/")

    assert response.status_code == 302
    assert response["Location"] == dataset_url(dataset)


def test_unknown_dataset_is_a_404_page(client: Client) -> None:
    response = client.get("/datasets/20.500.12269/does-not-exist")

    assert response.status_code == 404
    body = text(response)
    assert "Not found" in body
    assert "20.500.12269/does-not-exist" in body
    assert '<html lang="en">' in body


def test_withdrawn_dataset_is_a_410_tombstone_with_reason_and_date(client: Client) -> None:
    dataset = DatasetFactory.create(
        title="Mislabelled tomography", description="Secret description"
    )
    dataset_withdraw(dataset=dataset, reason="The sample was mislabelled.")
    dataset.refresh_from_db()
    assert dataset.withdrawn_at is not None

    response = client.get(dataset_url(dataset))

    assert response.status_code == 410
    body = text(response)
    assert "Mislabelled tomography" in body
    assert "The sample was mislabelled." in body
    assert dataset.withdrawn_at.strftime("%Y-%m-%d") in body
    assert "Secret description" not in body


# -- publications -------------------------------------------------------------------------------


def test_publication_list_shows_title_doi_year_creators_and_dataset_count(client: Client) -> None:
    publication = PublicationFactory.create(title="Training data", publication_year=2025)
    publication.datasets.add(*DatasetFactory.create_batch(2))
    withdrawn = DatasetFactory.create()
    publication.datasets.add(withdrawn)
    dataset_withdraw(dataset=withdrawn, reason="test")

    response = client.get("/publications/")

    assert response.status_code == 200
    body = text(response)
    assert "Training data" in body
    assert publication.doi in body
    assert "<dd>2025</dd>" in body
    assert "Franklin, Rosalind" in body
    assert "<dt>Datasets</dt><dd>2</dd>" in body


def test_publication_list_pages(client: Client) -> None:
    [PublicationFactory.create() for _ in range(30)]

    first = client.get("/publications/")
    second = client.get("/publications/?page=2")
    bad = client.get("/publications/?page=abc")

    assert text(first).count('class="publication-item"') == 25
    assert text(second).count('class="publication-item"') == 5
    assert bad.status_code == 200


def test_publication_list_hides_withdrawn_publications(client: Client) -> None:
    publication_withdraw(publication=PublicationFactory.create(title="Gone"), reason="test")

    assert "Gone" not in text(client.get("/publications/"))


def test_publication_page_with_a_slash_in_its_doi(client: Client) -> None:
    publication = PublicationFactory.create(doi="10.5072/desy-pd-0001", title="Pilot publication")

    response = client.get("/doi/10.5072/desy-pd-0001")

    assert response.status_code == 200
    assert publication.title in text(response)


def test_publication_page_with_an_encoded_slash(client: Client) -> None:
    PublicationFactory.create(doi="10.5072/desy-pd-0001", title="Pilot publication")

    response = client.get("/doi/10.5072%2Fdesy-pd-0001")

    assert response.status_code == 200
    assert "Pilot publication" in text(response)


def test_publication_page_doi_is_case_insensitive(client: Client) -> None:
    PublicationFactory.create(doi="10.5072/desy-pd-0001", title="Pilot publication")

    response = client.get("/doi/10.5072/DESY-PD-0001")

    assert response.status_code == 200
    assert re.search(
        r'<link rel="canonical" href="[^"]*/doi/10\.5072/desy-pd-0001"', text(response)
    )


def test_publication_page_shows_datacite_metadata(client: Client) -> None:
    publication = PublicationFactory.create(
        creators=[
            {
                "name": "Carberry, Josiah",
                "nameIdentifiers": [
                    {
                        "nameIdentifier": "https://orcid.org/0000-0002-1825-0097",
                        "nameIdentifierScheme": "ORCID",
                    }
                ],
                "affiliation": [
                    {"name": "DESY", "affiliationIdentifier": "https://ror.org/01js2sh04"}
                ],
            }
        ],
        publisher="Photon Science Facility",
        publication_year=2025,
        abstract="A compiled dataset.",
        subjects=[{"subject": "X-ray reflectivity"}],
        rights=[
            {"rights": "CC BY 4.0", "rightsUri": "https://creativecommons.org/licenses/by/4.0/"}
        ],
        related_identifiers=[
            {
                "relatedIdentifier": "10.1107/S1600576722000000",
                "relatedIdentifierType": "DOI",
                "relationType": "IsSupplementTo",
            }
        ],
    )

    body = text(client.get(f"/doi/{publication.doi}"))

    for value in (
        "Carberry, Josiah",
        "DESY",
        "Photon Science Facility",
        "2025",
        "A compiled dataset.",
        "X-ray reflectivity",
        "CC BY 4.0",
        "is supplement to",
    ):
        assert value in body, value
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in body
    assert 'href="https://ror.org/01js2sh04"' in body
    assert 'href="https://doi.org/10.1107/S1600576722000000"' in body
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in body


def test_publication_page_never_links_a_javascript_url(client: Client) -> None:
    publication = PublicationFactory.create(
        rights=[{"rights": "Evil", "rightsUri": "javascript:alert(1)"}],
        related_identifiers=[
            {
                "relatedIdentifier": "javascript:alert(2)",
                "relatedIdentifierType": "URL",
                "relationType": "References",
            }
        ],
    )

    body = text(client.get(f"/doi/{publication.doi}"))

    assert "javascript:alert(1)" not in body
    assert 'href="javascript:' not in body


def test_publication_page_lists_only_public_datasets(client: Client) -> None:
    publication = PublicationFactory.create()
    shown = DatasetFactory.create(title="Public scan")
    gone = DatasetFactory.create(title="Withdrawn scan")
    publication.datasets.add(shown, gone)
    dataset_withdraw(dataset=gone, reason="test")

    body = text(client.get(f"/doi/{publication.doi}"))

    assert "Public scan" in body
    assert dataset_url(shown) in body
    assert "Withdrawn scan" not in body


def test_unknown_doi_is_a_404_page(client: Client) -> None:
    response = client.get("/doi/10.5072/nothing-here")

    assert response.status_code == 404
    assert "10.5072/nothing-here" in text(response)


def test_withdrawn_publication_is_a_410_tombstone_with_reason(client: Client) -> None:
    publication = PublicationFactory.create(title="Retracted collection")
    publication_withdraw(publication=publication, reason="Duplicate of another DOI.")

    response = client.get(f"/doi/{publication.doi}")

    assert response.status_code == 410
    assert "Retracted collection" in text(response)
    assert "Duplicate of another DOI." in text(response)


# -- the demo catalogue: every page, nothing private --------------------------------------------


def demo_urls() -> list[str]:
    urls = ["/", "/datasets/", "/publications/", "/datasets/?per_page=100&sort=size"]
    urls += [dataset_url(d) for d in Dataset.objects.all()]
    urls += [f"/doi/{p.doi}" for p in Publication.objects.all()]
    return urls


@pytest.mark.usefixtures("demo")
def test_every_demo_page_answers_200(client: Client) -> None:
    for url in demo_urls():
        assert client.get(url).status_code == 200, url


@pytest.mark.usefixtures("demo")
def test_no_page_shows_e_mail_addresses_or_access_groups(client: Client) -> None:
    for url in demo_urls():
        body = text(client.get(url))
        for private in PRIVATE_STRINGS:
            assert private not in body, (url, private)
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", body), url


@pytest.mark.usefixtures("demo")
def test_embargoed_demo_dataset_is_not_found(client: Client) -> None:
    response = client.get(f"/datasets/{EMBARGOED_PID}")

    assert response.status_code == 404
    assert "embargo" not in text(client.get("/datasets/")).lower()


@pytest.mark.usefixtures("demo")
def test_demo_dataset_page_shows_its_thumbnail_and_files(client: Client) -> None:
    body = text(client.get(f"/datasets/{DEMO_PID}"))

    assert re.search(r'<img src="/media/thumbnails/[0-9a-f]{2}/[0-9a-f]{64}\.png"', body)
    assert "dppg_35_pseudo_refl.dat" in body


@pytest.mark.usefixtures("demo")
def test_demo_publication_page_links_its_datasets(client: Client) -> None:
    body = text(client.get(f"/doi/{DEMO_DOI.upper()}"))

    assert "/datasets/20.500.12269/1f0e7a52-5d1c-4c3e-9b1e-2f7d9b0c1a11" in body
    assert "/datasets/20.500.12269/b77dfdb1-7271-4858-b72b-71624dfeaa28" in body


def test_e_mail_addresses_in_free_text_are_masked(client: Client) -> None:
    dataset = DatasetFactory.create(
        description="Contact jane.doe@facility.example for details.",
        scientific_metadata={"operator": "john@facility.example"},
    )

    body = text(client.get(dataset_url(dataset)))

    assert "@facility.example" not in body
    assert "[e-mail address removed]" in body


# -- what every page carries --------------------------------------------------------------------


@pytest.mark.usefixtures("demo")
def test_pages_have_no_inline_script_or_style(client: Client) -> None:
    for url in [*demo_urls(), "/datasets/nothing", "/datasets/?sort=bogus"]:
        body = text(client.get(url))
        # The one inline script allowed is data, not code: the schema.org JSON-LD.
        assert not re.search(
            r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))[^>]*>", body
        ), url
        assert "<style" not in body, url
        assert not re.search(r"\sstyle=", body), url
        assert not re.search(r"\son[a-z]+=", body), url
        assert "cdn" not in body.lower(), url


def test_pages_carry_the_content_security_policy(client: Client) -> None:
    response = client.get("/datasets/")

    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_pages_answer_head_requests(client: Client) -> None:
    publication = PublicationFactory.create()

    assert client.head("/").status_code == 200
    assert client.head(f"/doi/{publication.doi}").status_code == 200


def test_pages_refuse_post(client: Client) -> None:
    assert client.post("/datasets/").status_code == 405
