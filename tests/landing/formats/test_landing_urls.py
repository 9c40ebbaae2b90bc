"""The machine side as it is served on the landing URLs themselves (wired in landing/views.py)."""

from __future__ import annotations

import extruct
import pytest
import rispy
from django.test import Client
from signposting.linkheader import find_signposting_http_link

from catalogue.models import Dataset
from catalogue.visibility import Visibility
from publishing.models import Publication

DOI_PATH = "/doi/10.5072/landing-formats-0001"


def test_page_embeds_jsonld_opengraph_and_highwire(
    client: Client, publication: Publication
) -> None:
    response = client.get(DOI_PATH)
    assert response.status_code == 200
    assert "Accept" in response["Vary"]
    html = response.content.decode()
    data = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld", "opengraph"])
    [dataset] = [d for d in data["json-ld"] if d.get("@type") == "Dataset"]
    assert dataset["sameAs"] == "https://doi.org/10.5072/landing-formats-0001"
    [og] = data["opengraph"]
    properties = dict(og["properties"])
    assert properties["og:url"].endswith(DOI_PATH)
    assert 'name="citation_doi" content="10.5072/landing-formats-0001"' in html
    found = find_signposting_http_link([response["Link"]], "http://testserver/")
    assert str(found.citeAs.target) == "https://doi.org/10.5072/landing-formats-0001"


@pytest.mark.parametrize(
    "path", [DOI_PATH, "/doi/10.5072/LANDING-FORMATS-0001", "/doi/10.5072%2Flanding-formats-0001"]
)
def test_doi_in_any_spelling_negotiates(
    client: Client, publication: Publication, path: str
) -> None:
    response = client.get(path, headers={"Accept": "application/x-bibtex"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert b"doi = {10.5072/landing-formats-0001}" in response.content


def test_dataset_url_negotiates(client: Client, dataset: Dataset) -> None:
    response = client.get(
        f"/datasets/{dataset.pid}", headers={"Accept": "application/x-research-info-systems"}
    )
    assert response.status_code == 200
    assert rispy.loads(response.content.decode())[0]["title"] == dataset.title


def test_unknown_type_is_406_on_the_landing_url(client: Client, publication: Publication) -> None:
    response = client.get(DOI_PATH, headers={"Accept": "application/pdf"})
    assert response.status_code == 406


def test_withdrawn_landing_url(client: Client, publication: Publication) -> None:
    Publication.objects.filter(pk=publication.pk).update(
        visibility=Visibility.WITHDRAWN, withdrawn_reason="Superseded"
    )
    assert client.get(DOI_PATH, headers={"Accept": "application/x-bibtex"}).status_code == 410
    page = client.get(DOI_PATH)
    assert page.status_code == 410
    assert b"Superseded" in page.content
