"""The home page (home/views.py): counts, a search box, the latest publications and datasets."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from catalogue.services import dataset_withdraw
from tests.factories import DatasetFactory, PublicationFactory

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return str(response.content.decode())


def test_home_page_shows_counts_and_a_search_box(client: Client) -> None:
    DatasetFactory.create_batch(3)
    PublicationFactory.create()

    response = client.get("/")

    assert response.status_code == 200
    body = text(response)
    assert 'action="/datasets/"' in body
    assert 'name="q"' in body
    assert re.search(r'stat-number">3</span> public datasets', body)
    assert re.search(r'stat-number">1</span> publication<', body)
    assert re.search(r'stat-number">3</span> instruments', body)


def test_home_page_lists_latest_publications_and_datasets(client: Client) -> None:
    dataset = DatasetFactory.create(title="Newest reflectivity scan")
    publication = PublicationFactory.create(title="A citable collection")

    body = text(client.get("/"))

    assert "Newest reflectivity scan" in body
    assert reverse("landing:dataset", args=[dataset.pid]) in body
    assert "A citable collection" in body
    assert f"/doi/{publication.doi}" in body


def test_home_page_does_not_count_withdrawn_datasets(client: Client) -> None:
    DatasetFactory.create()
    dataset_withdraw(dataset=DatasetFactory.create(), reason="test")

    body = text(client.get("/"))

    assert re.search(r'stat-number">1</span> public dataset<', body)


def test_for_machines_page_names_every_interface_and_the_footer_links_it(client: Client) -> None:
    body = client.get("/for-machines/").content.decode()
    for path in (
        "/oai?verb=Identify",
        "/sitemap.xml",
        "/api/v1/datasets",
        "/panosc-api/Datasets",
        "/feeds/datasets.atom",
        "/feeds/publications.atom",
        "/api/schema/",
        "/api/docs/",
        "/dumps/",
        "/dumps/index.json",
    ):
        assert f'href="{path}"' in body, path
    assert 'href="/for-machines/"' in client.get("/instruments/").content.decode()
