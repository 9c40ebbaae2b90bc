"""Atom feeds of new datasets, new publications and of any search, as a feed reader parses them."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest
from django.test import Client

from catalogue.services import dataset_withdraw
from tests.factories import DatasetFactory, PublicationFactory

pytestmark = pytest.mark.django_db


def _feed(client: Client, url: str) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_new_datasets_feed_lists_public_datasets_newest_first(client: Client) -> None:
    older = DatasetFactory.create(title="Older one", creators=[{"name": "Lovelace, Ada"}])
    newer = DatasetFactory.create(title="Newer one")
    gone = DatasetFactory.create(title="Withdrawn one")
    dataset_withdraw(dataset=gone, reason="Retracted")

    feed = _feed(client, "/feeds/datasets.atom")

    assert feed.version == "atom10"
    assert [e.title for e in feed.entries] == [newer.title, older.title]
    entry = feed.entries[1]
    assert entry.link.endswith(f"/datasets/{older.pid}")
    assert entry.author == "Lovelace, Ada"


def test_new_publications_feed_links_the_doi_pages(client: Client) -> None:
    publication = PublicationFactory.create(
        doi="10.5072/feed-0001", registered_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    )
    feed = _feed(client, "/feeds/publications.atom")
    assert [e.title for e in feed.entries] == [publication.title]
    assert feed.entries[0].link.endswith("/doi/10.5072/feed-0001")
    assert feed.entries[0].id == "https://doi.org/10.5072/feed-0001"


def test_a_search_has_a_feed_and_the_search_page_links_it(client: Client) -> None:
    DatasetFactory.create(title="Lipid monolayer", keywords=["lipid"])
    DatasetFactory.create(title="Battery cathode", keywords=["battery"])

    page = client.get("/datasets/?q=lipid").content.decode()
    assert 'href="/feeds/search.atom?q=lipid"' in page
    assert "Subscribe to this search" in page

    feed = _feed(client, "/feeds/search.atom?q=lipid")
    assert [e.title for e in feed.entries] == ["Lipid monolayer"]
    assert "lipid" in feed.feed.title


def test_a_search_feed_that_cannot_run_answers_400(client: Client) -> None:
    response = client.get('/feeds/search.atom?q="unbalanced')
    assert response.status_code == 400
    assert b"cannot run" in response.content
