"""FAIR Signposting read by the ``signposting`` library: the Link header and both linksets."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from signposting import find_signposting_html, find_signposting_http, find_signposting_linkset
from signposting.linkheader import find_signposting_http_link

from landing import signposting
from landing.records import dataset_record, publication_record
from publishing.models import Publication
from tests.full_records import CREATORS, make_publication

DOI_URL = "https://doi.org/10.5072/landing-formats-0001"


def test_level_1_header_of_a_publication(publication: Publication) -> None:
    record = publication_record(publication)
    found = find_signposting_http_link([signposting.link_header(record)], record.url)
    assert str(found.citeAs.target) == DOI_URL
    described = {str(d.type): str(d.target) for d in found.describedBy}
    assert described["application/vnd.datacite.datacite+xml"].endswith(
        "/export/datacite-xml/doi/10.5072/landing-formats-0001"
    )
    assert set(described) >= {
        "application/vnd.datacite.datacite+json",
        "application/ld+json",
        "application/x-bibtex",
        "application/x-research-info-systems",
        "application/vnd.citationstyles.csl+json",
    }
    assert [str(a.target) for a in found.authors] == ["https://orcid.org/0000-0002-1825-0097"]
    assert str(found.license.target) == "https://creativecommons.org/licenses/by/4.0/"
    assert {str(t.target) for t in found.types} == {
        "https://schema.org/Dataset",
        "https://schema.org/AboutPage",
    }
    items = sorted(str(i.target) for i in found.items)
    assert len(items) == 6
    assert all(i.startswith("https://data.example.org/pub/") for i in items)
    assert {str(i.type) for i in found.items} == {"application/x-hdf5"}
    linksets = {str(ls.type): str(ls.target) for ls in found.linksets}
    assert set(linksets) == {"application/linkset+json", "application/linkset"}


def test_header_stays_small_with_many_authors_and_files(db: None, downloads: str) -> None:
    many = [
        {
            "name": f"Person{n}, A",
            "nameType": "Personal",
            "nameIdentifiers": [
                {
                    "nameIdentifier": f"0000-0002-1825-{n:04d}",
                    "nameIdentifierScheme": "ORCID",
                }
            ],
        }
        for n in range(30)
    ]
    publication = make_publication(files=15, datasets=2, creators=many, doi="10.5072/big")
    record = publication_record(publication)
    header = signposting.link_header(record)
    found = find_signposting_http_link([header], record.url)
    assert found.authors == frozenset()
    assert found.items == frozenset()
    assert len(found.linksets) == 2
    assert len(header) < 3000
    # The linkset has them all.
    full = signposting.linkset_json(record)
    assert full.count('"href": "https://orcid.org/') == 30
    assert full.count('"href": "https://data.example.org/pub/') == 30


def test_header_without_download_pattern_has_no_items(
    publication: Publication, settings: Any
) -> None:
    settings.PORTAL_DOWNLOAD_URL = ""
    found = find_signposting_http_link(
        [signposting.link_header(publication_record(publication))], "http://testserver/"
    )
    assert found.items == frozenset()


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_level_2_linksets_over_http(live_server: Any, publication: Publication, fmt: str) -> None:
    record = publication_record(publication)
    url = live_server.url + signposting.linkset_url(record, fmt)
    response = requests.get(url, timeout=10)
    assert response.headers["Content-Type"].startswith(signposting.LINKSET_TYPES[fmt])
    found = find_signposting_linkset(url)
    landing = found.for_context(record.url)
    assert str(landing.citeAs.target) == DOI_URL
    assert len(landing.describedBy) == 7
    assert len(landing.items) == 6
    assert [str(a.target) for a in landing.authors] == ["https://orcid.org/0000-0002-1825-0097"]
    assert landing.license is not None
    assert len(landing.types) == 2
    # Each export describes the landing page back; each file belongs to it.
    for described in landing.describedBy:
        back = found.for_context(described.target)
        assert {str(s.target) for s in back.describes} == {record.url}
    for item in landing.items:
        assert str(found.for_context(item.target).collection.target) == record.url


def test_a_dataset_cites_its_handle(publication: Publication) -> None:
    dataset = publication.datasets.order_by("pid").first()
    assert dataset is not None
    record = dataset_record(dataset)
    found = find_signposting_http_link([signposting.link_header(record)], record.url)
    assert str(found.citeAs.target) == f"https://hdl.handle.net/{dataset.pid}"
    assert len(found.items) == 3


def test_landing_page_serves_the_header(live_server: Any, publication: Publication) -> None:
    found = find_signposting_http(f"{live_server.url}/doi/10.5072/landing-formats-0001")
    assert str(found.citeAs.target) == DOI_URL
    assert len(found.describedBy) == 7


def test_urls_that_cannot_go_in_a_header_are_left_out() -> None:
    # Percent-encoded, a URL cannot end its <...> or add parameters.
    assert signposting.clean_uri('https://ex.org/a>b; rel="x"') == (
        "https://ex.org/a%3Eb;%20rel=%22x%22"
    )
    assert signposting.clean_uri("javascript:alert(1)") == ""
    assert signposting.clean_uri("https://ex.org/Müller") == "https://ex.org/M%C3%BCller"


def test_creators_fixture_has_one_orcid() -> None:
    assert sum(1 for c in CREATORS if c.get("nameIdentifiers")) == 1


def test_a_draft_without_doi_gets_no_machine_links(db: None) -> None:
    draft = make_publication(doi="", doi_state="draft", registered_at=None)
    record = publication_record(draft)
    found = find_signposting_http_link([signposting.link_header(record)], "http://testserver/")
    assert found.describedBy == frozenset()
    assert found.linksets == frozenset()


def test_page_head_repeats_the_links(live_server: Any, publication: Publication) -> None:
    found = find_signposting_html(f"{live_server.url}/doi/10.5072/landing-formats-0001")
    assert str(found.citeAs.target) == DOI_URL
    assert len(found.describedBy) == 7
    assert len(found.linksets) == 2
    assert found.items == frozenset()  # files only in the header and the linkset
