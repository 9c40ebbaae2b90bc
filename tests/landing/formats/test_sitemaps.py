"""``/sitemap.xml`` (one urlset, or an index of pages past PAGE_SIZE) and ``/robots.txt``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from lxml import etree

from catalogue.models import Dataset
from catalogue.visibility import Visibility
from landing import sitemaps
from publishing.models import DoiState
from sitepages.models import SitePage
from tests.factories import DatasetFactory, PublicationFactory

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
pytestmark = pytest.mark.django_db


def get_xml(client: Client, path: str) -> etree._Element:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return etree.fromstring(b"".join(response.streaming_content))  # type: ignore[attr-defined]


def locs(tree: etree._Element) -> list[str]:
    return [str(e.text) for e in tree.iterfind(".//sm:loc", NS)]


@pytest.fixture(autouse=True)
def _no_site_pages(db: None) -> None:
    """The records alone: the site pages' entries are tests/sitepages' concern."""
    SitePage.objects.all().delete()


@pytest.fixture
def records(db: None) -> dict[str, Any]:
    public = DatasetFactory.create_batch(5)
    withdrawn = DatasetFactory.create(visibility=Visibility.WITHDRAWN)
    findable = PublicationFactory.create(doi="10.5072/sitemap-1")
    PublicationFactory.create(doi="10.5072/gone", visibility=Visibility.WITHDRAWN)
    PublicationFactory.create(doi="", doi_state=DoiState.DRAFT, registered_at=None)
    return {"public": public, "withdrawn": withdrawn, "findable": findable}


def test_one_urlset_lists_public_records_with_lastmod(
    client: Client, records: dict[str, Any]
) -> None:
    tree = get_xml(client, "/sitemap.xml")
    assert tree.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    urls = locs(tree)
    assert len(urls) == 6
    assert urls[0] == "http://127.0.0.1:8000/doi/10.5072/sitemap-1"
    assert not any("gone" in u for u in urls)
    assert records["withdrawn"].pid not in " ".join(urls)
    lastmods = [e.text for e in tree.iterfind(".//sm:lastmod", NS)]
    dataset = Dataset.objects.get(pid=records["public"][0].pid)
    assert dataset.modified.replace(microsecond=0).isoformat() in lastmods


def test_past_the_page_size_it_is_an_index_of_pages(
    client: Client, records: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sitemaps, "PAGE_SIZE", 2)
    index = get_xml(client, "/sitemap.xml")
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    pages = locs(index)
    assert [p.rsplit("/", 1)[1] for p in pages] == [
        "publications-1.xml",
        "datasets-1.xml",
        "datasets-2.xml",
        "datasets-3.xml",
    ]
    assert len(index.findall(".//sm:lastmod", NS)) == 4
    seen: list[str] = []
    for page in pages:
        urls = locs(get_xml(client, page.removeprefix("http://127.0.0.1:8000")))
        assert 1 <= len(urls) <= 2
        seen += urls
    assert len(seen) == len(set(seen)) == 6
    assert client.get("/sitemaps/datasets-4.xml").status_code == 404
    assert client.get("/sitemaps/datasets-0.xml").status_code == 404
    assert client.get("/sitemaps/nothing-1.xml").status_code == 404


def test_urls_are_escaped(client: Client, db: None) -> None:
    DatasetFactory.create(pid="20.500.12269/a&b<c>")
    urls = locs(get_xml(client, "/sitemap.xml"))
    assert urls == ["http://127.0.0.1:8000/datasets/20.500.12269/a&b%3Cc%3E"]


def test_empty_catalogue_is_an_empty_urlset(client: Client, db: None) -> None:
    assert locs(get_xml(client, "/sitemap.xml")) == []


def test_robots_txt(client: Client) -> None:
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in text
    for line in (
        "Disallow: /admin/",
        "Disallow: /export/",
        "Disallow: /linkset/",
        "Disallow: /files/",
        "Disallow: /download/",
        "Allow: /",
    ):
        assert line in text.splitlines()


SQLITE_SCRIPT = """
import django, os
os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'
django.setup()
from django.core.management import call_command
call_command('migrate', verbosity=0)
from tests.factories import DatasetFactory
DatasetFactory.create_batch(5)
from landing import sitemaps
sitemaps.PAGE_SIZE = 2
print(''.join(sitemaps.sitemap(sitemaps.counts())))
print(''.join(sitemaps.sitemap_page('datasets', 3)))
"""


def test_sitemap_index_on_sqlite(tmp_path: Path) -> None:
    """The default database: the windowed lastmod query and SQLite's text timestamps."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_"))}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path}/portal.sqlite3", "PORTAL_VAR_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    index, page = done.stdout.split("</sitemapindex>")
    # Three pages of datasets and three of the five site pages the migrations create.
    assert index.count("<lastmod>") == 6
    assert re.search(r"<lastmod>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00</lastmod>", index)
    assert page.count("<url>") == 1
