"""The browse pages: instruments, proposals and techniques with counts and links into the search."""

from __future__ import annotations

import pytest
from django.test import Client

from catalogue.services import dataset_withdraw
from tests.factories import DatasetFactory, InstrumentFactory, ProposalFactory, TechniqueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue() -> None:
    p08 = InstrumentFactory.create(
        pid="p08", unique_name="P08", name="High resolution", facility="PETRA III"
    )
    proposal = ProposalFactory.create(
        proposal_id="11019634", title="Lipid films", pi_name="Franklin, Rosalind"
    )
    xrr = TechniqueFactory.create(pid="PaNET01188", name="x-ray reflectivity")
    for _ in range(2):
        DatasetFactory.create(instrument=p08, proposal=proposal).techniques.add(xrr)
    gone = DatasetFactory.create(instrument=InstrumentFactory.create(unique_name="P99"))
    dataset_withdraw(dataset=gone, reason="Retracted")


def test_instruments_are_counted_and_link_into_the_search(client: Client, catalogue: None) -> None:
    body = client.get("/instruments/").content.decode()
    assert "P08" in body
    assert "PETRA III" in body
    assert 'href="/datasets/?instrument=P08"' in body
    assert "2 datasets" in body
    assert "P99" not in body  # only withdrawn datasets


def test_proposals_show_title_pi_and_count(client: Client, catalogue: None) -> None:
    body = client.get("/proposals/").content.decode()
    assert "Lipid films" in body
    assert "Franklin, Rosalind" in body
    assert 'href="/datasets/?proposal=11019634"' in body


def test_techniques_link_panet_and_the_search(client: Client, catalogue: None) -> None:
    body = client.get("/techniques/").content.decode()
    assert 'href="http://purl.org/pan-science/PaNET/PaNET01188"' in body
    assert 'href="/datasets/?technique=x-ray+reflectivity"' in body


def test_the_home_page_links_the_browse_pages(client: Client, catalogue: None) -> None:
    body = client.get("/").content.decode()
    for path in ("/instruments/", "/proposals/", "/techniques/"):
        assert f'href="{path}"' in body


def test_a_page_past_the_end_shows_the_last(client: Client, catalogue: None) -> None:
    assert client.get("/proposals/?page=999").status_code == 200


def test_favicon_ico_leads_to_the_icon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
