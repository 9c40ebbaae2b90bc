"""The landing pages as a visitor gets them: content, identifiers, files, downloads, tombstones."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from lxml import etree

from catalogue.models import DataFile, Dataset
from catalogue.services import dataset_withdraw
from publishing.services.withdrawal import publication_withdraw
from tests.factories import DatasetFactory, PublicationFactory
from tests.landing.pages.conftest import ORCID, ROR, Landing

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
METALINK = "{urn:ietf:params:xml:ns:metalink}"


def text(response: Any) -> str:
    return str(response.content.decode())


def streamed(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def make_files(dataset: Dataset, count: int) -> None:
    DataFile.objects.bulk_create(
        DataFile(
            dataset=dataset,
            path=f"scan_{n:05d}.h5",
            size=1000 + n,
            checksum=f"{n:064x}",
            checksum_algorithm="sha256",
        )
        for n in range(count)
    )
    Dataset.objects.filter(pk=dataset.pk).update(number_of_files=count)


def file_paths(response: Any) -> list[str]:
    return re.findall(r'<th scope="row" class="cell-path">(?:<a [^>]*>)?([^<]*)', text(response))


# -- a publication's page -----------------------------------------------------------------------


def test_publication_page_shows_what_the_data_is_and_who_made_it(
    client: Client, landing: Landing
) -> None:
    body = text(client.get(landing.url))

    for value in (
        "Compiled X-ray reflectivity training data",
        "Franklin, Rosalind",
        "Deutsches Elektronen-Synchrotron DESY",
        "Photon Science Facility",
        "2025",
        "Raw X-ray reflectivity curves with their fits",
        "X-ray reflectivity",
        "machine learning",
        "European Research Council, grant ERC-2024-123",
        "Silicon wafer with native oxide",
        "Water surface at 293 K",
        "2025-02-03",
    ):
        assert value in body, value
    assert f'href="https://orcid.org/{ORCID}"' in body
    assert f'href="{ROR}"' in body
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in body
    assert 'href="https://doi.org/10.5072/landing-0001"' in body


def test_publication_page_names_relations_in_words_with_links(
    client: Client, landing: Landing
) -> None:
    body = text(client.get(landing.url))

    assert "This publication is supplement to" in body
    assert 'href="https://doi.org/10.1107/S1600576722000000"' in body
    # Versions are shown too.
    assert "This publication is a new version of" in body
    assert 'href="https://doi.org/10.5072/landing-0000"' in body


def test_publication_page_shows_its_datasets_key_metadata(client: Client, landing: Landing) -> None:
    body = text(client.get(landing.url))

    first = landing.datasets[0]
    assert f'href="/datasets/{first.pid}"' in body
    assert first.instrument is not None
    assert first.instrument.name in body
    assert first.proposal is not None
    assert first.proposal.proposal_id in body
    assert "http://purl.org/pan-science/PaNET/PaNET01188" in body
    # Totals and where the data is.
    assert "6</strong> files" in body
    assert "Online (on disk)" in body
    assert "Archived on tape" in body
    assert "staging" in body


@pytest.mark.parametrize(
    "path",
    ["/doi/10.5072/landing-0001", "/doi/10.5072/LANDING-0001", "/doi/10.5072%2Flanding-0001"],
)
def test_doi_is_case_insensitive_and_the_slash_may_be_encoded(
    client: Client, landing: Landing, path: str
) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert 'rel="canonical" href="http://127.0.0.1:8000/doi/10.5072/landing-0001"' in text(response)


def test_publication_page_has_citation_box_and_export_links(
    client: Client, landing: Landing
) -> None:
    body = text(client.get(landing.url))

    assert 'id="citation"' in body
    assert "Franklin, R." in body  # APA by default
    for label in ("APA", "Harvard", "MLA", "Vancouver", "Chicago", "IEEE"):
        assert f">{label}</a>" in body
    for label in ("BibTeX", "RIS", "CSL-JSON", "DataCite XML", "DataCite JSON", "Dublin Core"):
        assert f">{label}</a>" in body, label


def test_citation_style_is_swapped_by_htmx_and_linked_without_javascript(
    client: Client, landing: Landing
) -> None:
    page = text(client.get(landing.url))
    assert f'href="{landing.url}?style=ieee#cite" data-hx-get="{landing.url}?style=ieee"' in page

    partial = client.get(f"{landing.url}?style=ieee", headers=HX)
    assert text(partial).lstrip().startswith('<div id="citation"')
    assert 'data-style="ieee"' in text(partial)

    full = text(client.get(f"{landing.url}?style=ieee"))
    assert "<!doctype html>" in full
    assert 'data-style="ieee"' in full


def test_unknown_citation_style_falls_back_to_apa(client: Client, landing: Landing) -> None:
    response = client.get(f"{landing.url}?style=<script>")

    assert response.status_code == 200
    assert 'data-style="apa"' in text(response)


def test_page_carries_json_ld_meta_tags_and_signposting(client: Client, landing: Landing) -> None:
    import extruct

    response = client.get(landing.url)
    body = text(response)

    data = extruct.extract(body, syntaxes=["json-ld"], uniform=True)["json-ld"]
    assert data[0]["@type"] == "Dataset"
    assert data[0]["name"] == "Compiled X-ray reflectivity training data"
    assert '<meta name="citation_title"' in body
    assert '<meta property="og:title"' in body
    assert 'rel="cite-as"' in response["Link"]
    assert "Accept" in response["Vary"]


def test_page_link_header_reads_as_signposting(
    client: Client, landing: Landing, downloads_on: str
) -> None:
    from signposting.linkheader import find_signposting_http_link

    dataset = landing.datasets[0]
    response = client.get(f"/datasets/{dataset.pid}")

    found = find_signposting_http_link(
        [response["Link"]], f"http://127.0.0.1:8000/datasets/{dataset.pid}"
    )
    assert found.citeAs is not None
    assert found.describedBy
    assert {str(item.target) for item in found.items} >= {
        f"https://dcache.example.org:2880/pnfs/public/{dataset.source_folder.lstrip('/')}/{f.path}"
        for f in DataFile.objects.filter(dataset=dataset)
    }


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/x-bibtex", "application/x-bibtex"),
        ("application/vnd.datacite.datacite+xml", "application/vnd.datacite.datacite+xml"),
        ("text/x-bibliography; style=ieee", "text/x-bibliography"),
    ],
)
def test_landing_url_negotiates_content(
    client: Client, landing: Landing, accept: str, media_type: str
) -> None:
    response = client.get(landing.url, headers={"Accept": accept})

    assert response.status_code == 200
    assert response["Content-Type"].startswith(media_type)


def test_unknown_media_type_is_406(client: Client, landing: Landing) -> None:
    response = client.get(landing.url, headers={"Accept": "application/x-unknown"})

    assert response.status_code == 406


def test_many_datasets_are_paged_and_htmx_gets_the_next_page(client: Client) -> None:
    publication = PublicationFactory.create()
    publication.datasets.set(DatasetFactory.create_batch(45))
    url = f"/doi/{publication.doi}"

    first = text(client.get(url))
    assert first.count('class="dataset-card"') == 20
    assert f'href="{url}?datasets=2#datasets"' in first

    partial = text(client.get(f"{url}?datasets=3", headers=HX))
    assert partial.lstrip().startswith('<section id="datasets"')
    assert partial.count('class="dataset-card"') == 5


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999", "2%00"])
def test_bad_dataset_page_numbers_never_fail(client: Client, landing: Landing, page: str) -> None:
    assert client.get(f"{landing.url}?datasets={page}").status_code == 200


def test_unknown_doi_is_404(client: Client) -> None:
    assert client.get("/doi/10.5072/nothing-here").status_code == 404


# -- a dataset's page ---------------------------------------------------------------------------


def test_tape_explanation_links_the_data_contact_when_configured(
    client: Client, landing: Landing, settings: Any
) -> None:
    dataset = landing.datasets[1]  # on tape
    assert "mailto:" not in text(client.get(f"/datasets/{dataset.pid}"))

    settings.PORTAL_DATA_CONTACT = "mailto:data@facility.example"
    body = text(client.get(f"/datasets/{dataset.pid}"))
    assert '<a href="mailto:data@facility.example">Ask the data management team</a>' in body


def test_dataset_page_shows_content_files_and_location(
    client: Client, landing: Landing, downloads_on: str
) -> None:
    dataset = landing.datasets[1]  # on tape
    body = text(client.get(f"/datasets/{dataset.pid}"))

    for value in (
        dataset.title,
        dataset.pid,
        "Lovelace, Ada",
        "Archived on tape",
        "staging",
        "X-ray reflectivity",
        "energy",
        "eV",
        "Compiled X-ray reflectivity training data",  # the publication that contains it
    ):
        assert value in body, value
    assert len(file_paths(client.get(f"/datasets/{dataset.pid}"))) == 3
    folder = dataset.source_folder.lstrip("/")
    first = DataFile.objects.filter(dataset=dataset).order_by("path").first()
    assert first is not None
    # Through the portal's counting redirect (tests/landing/pages/test_file_download.py), which
    # sends the visitor on to the storage URL.
    assert f'href="/download/file/datasets/{dataset.pid}?path={first.path}"' in body
    redirect = client.get(f"/download/file/datasets/{dataset.pid}?path={first.path}")
    assert redirect["Location"] == (
        f"https://dcache.example.org:2880/pnfs/public/{folder}/{first.path}"
    )
    assert f"/download/metalink/datasets/{dataset.pid}" in body


def test_without_a_download_pattern_there_are_no_download_links(
    client: Client, landing: Landing, settings: Any
) -> None:
    settings.PORTAL_DOWNLOAD_URL = ""
    body = text(client.get(f"/datasets/{landing.datasets[0].pid}"))

    assert "/download/" not in body
    assert "does not link them for download" in body
    assert "work right away" not in body
    assert client.get(f"/download/metalink/datasets/{landing.datasets[0].pid}").status_code == 404


def test_dataset_with_10000_files_pages_them_at_constant_cost(client: Client) -> None:
    dataset = DatasetFactory.create()
    make_files(dataset, 10_050)
    url = f"/datasets/{dataset.pid}"

    page = client.get(url)
    assert page.status_code == 200
    assert len(file_paths(page)) == 100
    assert len(page.content) < 100_000
    last = client.get(f"/files/{dataset.pid}?files=last", headers=HX)
    assert file_paths(last)[-1] == "scan_10049.h5"
    assert len(file_paths(last)) == 100
    middle = DataFile.objects.filter(dataset=dataset).order_by("path", "id")[5000]
    with CaptureQueriesContext(connection) as captured:
        after = client.get(f"/files/{dataset.pid}?files_after={middle.pk}", headers=HX)
    assert file_paths(after)[0] == "scan_05001.h5"
    assert len(captured) <= 5
    for query in captured.captured_queries:
        sql = query["sql"].upper()
        if "DATAFILE" in sql and "COUNT(" not in sql:
            assert "LIMIT" in sql


def test_files_route_without_htmx_goes_to_the_dataset_page(
    client: Client, landing: Landing
) -> None:
    pid = landing.datasets[0].pid
    response = client.get(f"/files/{pid}?files=last")

    assert response.status_code == 302
    assert response["Location"] == f"/datasets/{pid}?files=last#files"


def test_a_publication_card_loads_its_files_into_its_own_slot(
    client: Client, landing: Landing
) -> None:
    dataset = landing.datasets[0]
    headers = {**HX, "HX-Target": f"files-slot-{dataset.pk}"}
    partial = text(client.get(f"/files/{dataset.pid}", headers=headers))

    assert f'<section id="files-{dataset.pk}"' in partial
    assert "<h4" in partial


@pytest.mark.parametrize(
    "query", ["?files_after=abc", "?files_before=-3", "?files_after=99999999999999999999999"]
)
def test_bad_file_cursors_never_fail(client: Client, landing: Landing, query: str) -> None:
    assert client.get(f"/datasets/{landing.datasets[0].pid}{query}").status_code == 200
    assert client.get(f"/files/{landing.datasets[0].pid}{query}", headers=HX).status_code == 200


def test_dataset_pid_with_trailing_slash_redirects(client: Client, landing: Landing) -> None:
    pid = landing.datasets[0].pid
    response = client.get(f"/datasets/{pid}/")

    assert response.status_code == 302
    assert response["Location"] == f"/datasets/{pid}"


def test_landing_pages_show_no_private_field(client: Client, landing: Landing) -> None:
    dataset = landing.datasets[0]
    Dataset.objects.filter(pk=dataset.pk).update(
        description="Contact owner@facility.example for details."
    )
    for url in (landing.url, f"/datasets/{dataset.pid}"):
        body = text(client.get(url))
        assert "owner@facility.example" not in body
        assert "accessGroups" not in body
        assert "ownerGroup" not in body


# -- "download all" -----------------------------------------------------------------------------


def test_metalink_lists_every_file_with_size_and_sha256(
    client: Client, landing: Landing, downloads_on: str
) -> None:
    response = client.get(f"/download/metalink/doi/{landing.publication.doi}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/metalink4+xml"
    assert 'filename="10.5072_landing-0001.meta4"' in response["Content-Disposition"]
    root = etree.fromstring(streamed(response))
    files = root.findall(f"{METALINK}file")
    assert len(files) == 6
    first = files[0]
    assert "/" in first.get("name")  # one folder per dataset
    assert first.find(f"{METALINK}size").text == "2048"
    assert first.find(f"{METALINK}hash").get("type") == "sha-256"
    assert first.find(f"{METALINK}url").text.startswith("https://dcache.example.org:2880/pnfs/")


def test_metalink_validates_against_rfc_5854_shape(
    client: Client, landing: Landing, downloads_on: str
) -> None:
    body = streamed(client.get(f"/download/metalink/datasets/{landing.datasets[0].pid}"))
    root = etree.fromstring(body)

    assert root.tag == f"{METALINK}metalink"
    assert root.find(f"{METALINK}published") is not None
    for element in root.findall(f"{METALINK}file"):
        assert ".." not in element.get("name").split("/")
        assert element.find(f"{METALINK}url") is not None


def test_aria2_input_file_has_out_and_checksum_lines(
    client: Client, landing: Landing, downloads_on: str
) -> None:
    dataset = landing.datasets[0]
    response = client.get(f"/download/aria2/datasets/{dataset.pid}")

    body = streamed(response).decode()
    assert response["Content-Type"].startswith("text/plain")
    urls = [line for line in body.splitlines() if line.startswith("https://")]
    assert len(urls) == 3
    assert body.count("\n  out=") == 3
    assert re.search(r"\n  checksum=sha-256=[0-9a-f]{64}\n", body)


def test_json_manifest_lists_datasets_and_files(
    client: Client, landing: Landing, downloads_on: str
) -> None:
    response = client.get(f"/download/json/doi/{landing.publication.doi.upper()}")

    data = json.loads(streamed(response))
    assert response["Content-Type"] == "application/json"
    assert data["identifier"] == "10.5072/landing-0001"
    assert [len(d["files"]) for d in data["datasets"]] == [3, 3]
    file = data["datasets"][0]["files"][0]
    assert file["checksum"]["algorithm"] == "sha-256"
    assert file["url"].startswith("https://dcache.example.org")


def test_files_that_cannot_be_linked_safely_are_left_out(client: Client, downloads_on: str) -> None:
    dataset = DatasetFactory.create(source_folder="/public/ds")
    DataFile.objects.bulk_create(
        [
            DataFile(dataset=dataset, path="../../etc/passwd", size=1),
            DataFile(dataset=dataset, path="ok.h5", size=2, checksum="x", checksum_algorithm="md5"),
        ]
    )
    body = streamed(client.get(f"/download/aria2/datasets/{dataset.pid}")).decode()

    assert "passwd" not in body
    assert "ok.h5" in body
    assert "checksum=" not in body  # "x" is no md5 digest


def test_download_lists_of_unknown_or_withdrawn_records_are_404(
    client: Client, landing: Landing, downloads_on: str
) -> None:
    dataset = landing.datasets[0]
    assert client.get(f"/download/zip/datasets/{dataset.pid}").status_code == 404
    assert client.get("/download/metalink/datasets/nope").status_code == 404
    dataset_withdraw(dataset=dataset, reason="Wrong sample")
    assert client.get(f"/download/metalink/datasets/{dataset.pid}").status_code == 404


# -- tombstones ---------------------------------------------------------------------------------


def test_withdrawn_publication_is_a_410_tombstone_with_reason_and_citation(
    client: Client, landing: Landing
) -> None:
    publication_withdraw(publication=landing.publication, reason="Data superseded by v2")

    response = client.get("/doi/10.5072/LANDING-0001")

    assert response.status_code == 410
    body = text(response)
    assert "Data superseded by v2" in body
    assert "Compiled X-ray reflectivity training data" in body
    assert "How it was cited" in body
    assert "Franklin, R." in body
    assert "Silicon wafer" not in body  # no datasets, no files
    assert "/download/" not in body
    assert response["Link"] == '<https://doi.org/10.5072/landing-0001>; rel="cite-as"'


def test_withdrawn_dataset_is_a_410_tombstone(client: Client, landing: Landing) -> None:
    dataset = landing.datasets[0]
    dataset_withdraw(dataset=dataset, reason="Wrong sample")

    response = client.get(f"/datasets/{dataset.pid}")

    assert response.status_code == 410
    assert "Wrong sample" in text(response)
    assert "scan_" not in text(response)


def test_withdrawn_record_asked_for_as_bibtex_is_410(client: Client, landing: Landing) -> None:
    publication_withdraw(publication=landing.publication, reason="Superseded")

    response = client.get(landing.url, headers={"Accept": "application/x-bibtex"})

    assert response.status_code == 410


@pytest.mark.parametrize(
    "path",
    [
        "/doi/10.5072/%00abc",
        "/datasets/20.500.12269/%00x",
        "/files/%00",
        "/download/metalink/doi/%00",
        "/download/aria2/datasets/%00",
        "/doi/" + "x" * 5000,
        "/datasets/" + "y/" * 2000,
        "/doi/10.5072/%FF%FE",
        "/datasets/%C0%AF",
    ],
)
def test_bad_identifiers_never_fail(client: Client, landing: Landing, path: str) -> None:
    assert client.get(path).status_code in {301, 302, 400, 404}


def _queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_publication_page_costs_the_same_queries_for_3_or_25_datasets(
    client: Client, downloads_on: str
) -> None:
    small, large = PublicationFactory.create(), PublicationFactory.create()
    small.datasets.set(DatasetFactory.create_batch(3))
    large.datasets.set(DatasetFactory.create_batch(25))
    for dataset in large.datasets.all():
        make_files(dataset, 50)
    client.get(f"/doi/{small.doi}")  # warm the citation caches

    few, many = _queries(client, f"/doi/{small.doi}"), _queries(client, f"/doi/{large.doi}")

    assert len(few) == len(many), "\n".join(many)
    assert len(many) <= 12, "\n".join(many)


def test_dataset_page_costs_the_same_queries_for_500_or_5000_files(
    client: Client, downloads_on: str
) -> None:
    # (A dataset of a few files lists them in its JSON-LD and Link header: a query more or two.)
    small, large = DatasetFactory.create(), DatasetFactory.create()
    make_files(small, 500)
    make_files(large, 5000)

    few = _queries(client, f"/datasets/{small.pid}")
    many = _queries(client, f"/datasets/{large.pid}")

    assert len(few) == len(many), "\n".join(many)
    assert len(many) <= 14, "\n".join(many)
