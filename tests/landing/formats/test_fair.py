"""FAIR as an assessment tool sees a landing page: the FAIRsFAIR object metrics that can be tested
without the internet, checked the way F-UJI (their reference implementation) looks: the
embedded schema.org JSON-LD, the signposting Link header, and content negotiation on the
landing URL. One test per metric, named after it.
"""

from __future__ import annotations

from typing import Any

import extruct
import pytest
from django.test import Client
from lxml import etree
from signposting.linkheader import find_signposting_http_link

from catalogue.models import DataLocation
from publishing.models import Publication

DOI = "10.5072/landing-formats-0001"
ARTICLE = "https://doi.org/10.1000/article.1"


@pytest.fixture
def fair_publication(publication: Publication) -> Publication:
    publication.version = "2.0"
    publication.save()
    return publication


def landing(client: Client) -> Any:
    response = client.get(f"/doi/{DOI}")
    assert response.status_code == 200
    return response


def jsonld(client: Client) -> dict[str, Any]:
    html = landing(client).content.decode()
    [data] = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    return dict(data)


def test_fsf_f1_02d_and_f3_01m_a_persistent_identifier_typed_in_signposting(
    client: Client, fair_publication: Publication
) -> None:
    header = landing(client)["Link"]
    links = find_signposting_http_link([header], f"http://testserver/doi/{DOI}")
    assert links.citeAs is not None
    assert links.citeAs.target == f"https://doi.org/{DOI}"
    assert links.citeAs.type == "text/html"
    assert f'<https://doi.org/{DOI}>; rel="cite-as"; type="text/html"' in header


def test_fsf_f2_01m_core_metadata_in_the_embedded_json_ld(
    client: Client, fair_publication: Publication
) -> None:
    data = jsonld(client)
    for name in ("name", "creator", "publisher", "datePublished", "description", "keywords"):
        assert data.get(name), name
    assert data["identifier"] == [f"https://doi.org/{DOI}"]
    assert data["@type"] == "Dataset"


def test_fsf_a1_01m_access_level_and_conditions(
    client: Client, fair_publication: Publication, settings: Any
) -> None:
    data = jsonld(client)
    assert data["isAccessibleForFree"] is True
    assert "conditionsOfAccess" not in data  # files on disk, linked: a plain download

    fair_publication.datasets.update(data_location=DataLocation.TAPE)
    data = jsonld(client)
    assert data["conditionsOfAccess"].startswith("All of the files are archived on tape")

    settings.PORTAL_DOWNLOAD_URL = ""
    data = jsonld(client)
    assert "this portal does not serve them" in data["conditionsOfAccess"]


def test_fsf_i3_01m_related_resources_as_citation(
    client: Client, fair_publication: Publication
) -> None:
    data = jsonld(client)
    assert data["citation"] == [ARTICLE]  # the article the data is a supplement to
    assert all(part["@type"] == "Dataset" for part in data["hasPart"])


def test_fsf_r1_01md_and_r1_2_01m_version_funder_provenance(
    client: Client, fair_publication: Publication
) -> None:
    data = jsonld(client)
    assert data["version"] == "2.0"
    assert data["funder"] == [
        {
            "@type": "Organization",
            "name": "European Commission",
            "@id": "https://doi.org/10.13039/501100000780",
        }
    ]
    assert data["creator"][0]["@id"].startswith("https://orcid.org/")


def test_fsf_r1_1_01m_licence_machine_readable(
    client: Client, fair_publication: Publication
) -> None:
    data = jsonld(client)
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert 'rel="license"' in landing(client)["Link"]


@pytest.mark.parametrize("accept", ["application/xml", "text/xml", "application/xml;q=0.9"])
def test_fsf_i1_01m_generic_xml_is_the_datacite_xml(
    client: Client, fair_publication: Publication, accept: str
) -> None:
    response = client.get(f"/doi/{DOI}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(accept.split(";")[0])
    root = etree.fromstring(response.content)
    assert root.tag == "{http://datacite.org/schema/kernel-4}resource"
    assert root.findtext("{http://datacite.org/schema/kernel-4}version") == "2.0"


def test_a_browser_still_gets_the_page_and_dublin_core_keeps_its_export(
    client: Client, fair_publication: Publication
) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(f"/doi/{DOI}", headers={"Accept": browser})
    assert response["Content-Type"].startswith("text/html")
    export = client.get(f"/export/dublin-core/doi/{DOI}")
    assert export.status_code == 200
    assert etree.fromstring(export.content).tag == "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"
