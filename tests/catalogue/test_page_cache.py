"""Whole public pages in the cache (catalogue/page_cache.py): served again without rendering,
dropped by the services that change what they show, conditional requests answered with 304."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from catalogue.models import Dataset
from catalogue.services import dataset_withdraw, search_index_after_commit
from publishing.services.drafts import publication_save
from tests.factories import DatasetFactory, PublicationFactory

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture(autouse=True)
def page_cache_on(settings: Any) -> Iterator[None]:
    settings.PORTAL_PAGE_CACHE_SECONDS = 600
    settings.PORTAL_PUBLIC_MAX_AGE = 300
    cache.clear()
    yield
    cache.clear()


def _behind_the_services_back(dataset: Dataset, title: str) -> None:
    """A change the services do not see (``modified`` kept): only the cache can explain the page."""
    Dataset.objects.filter(pk=dataset.pk).update(title=title, modified=dataset.modified)


def test_dataset_page_is_served_from_the_cache(client: Client) -> None:
    dataset = DatasetFactory.create(title="First title")
    url = f"/datasets/{dataset.pid}"
    assert "First title" in client.get(url).content.decode()

    _behind_the_services_back(dataset, "Second title")

    assert "First title" in client.get(url).content.decode()
    assert "Second title" in client.get(url + "?style=ieee").content.decode()  # not cached


def test_hits_and_misses_are_counted_for_metrics(client: Client) -> None:
    from catalogue.page_cache import LOOKUPS

    def counted(result: str) -> float:
        return float(LOOKUPS.labels(result)._value.get())

    url = f"/datasets/{DatasetFactory.create().pid}"
    hits, misses = counted("hit"), counted("miss")

    client.get(url)
    client.get(url)
    client.get(url)

    assert (counted("hit") - hits, counted("miss") - misses) == (2, 1)


def test_a_service_write_drops_the_dataset_page_and_the_home_page(
    client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    dataset = DatasetFactory.create(title="Soon withdrawn")
    url = f"/datasets/{dataset.pid}"
    client.get(url)
    assert "Soon withdrawn" in client.get("/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        dataset_withdraw(dataset=dataset, reason="wrong sample")

    assert client.get(url).status_code == 410
    assert "Soon withdrawn" not in client.get("/").content.decode()


def test_an_edited_publication_drops_the_pages_of_its_datasets(
    client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    dataset = DatasetFactory.create()
    publication = PublicationFactory.create(title="Old publication title", doi_state="draft")
    publication.datasets.add(dataset)
    url = f"/datasets/{dataset.pid}"
    assert "Old publication title" in client.get(url).content.decode()

    publication.title = "New publication title"
    with django_capture_on_commit_callbacks(execute=True):
        publication_save(publication=publication, fields=["title"])

    assert "New publication title" in client.get(url).content.decode()


def test_a_changed_dataset_drops_the_page_of_its_publication(
    client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    dataset = DatasetFactory.create(title="Member before")
    publication = PublicationFactory.create()
    publication.datasets.add(dataset)
    url = f"/doi/{publication.doi}"
    assert "Member before" in client.get(url).content.decode()
    _behind_the_services_back(dataset, "Member after")
    assert "Member before" in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        search_index_after_commit(dataset_ids=[dataset.pk])

    assert "Member after" in client.get(url).content.decode()


def test_a_current_copy_is_answered_with_304(client: Client) -> None:
    dataset = DatasetFactory.create()
    url = f"/datasets/{dataset.pid}"
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    home = client.get("/")
    assert client.get("/", HTTP_IF_NONE_MATCH=home["ETag"]).status_code == 304


def test_public_pages_may_be_kept_by_a_cdn(client: Client) -> None:
    dataset = DatasetFactory.create()
    publication = PublicationFactory.create()
    publication.datasets.add(dataset)

    for url in ("/", f"/datasets/{dataset.pid}", f"/doi/{publication.doi}"):
        for _ in range(2):  # rendered, then from the cache
            response = client.get(url)
            assert response.status_code == 200
            assert "public" in response["Cache-Control"]
            assert "max-age=300" in response["Cache-Control"]
            assert "Link" in response or url == "/"


def test_negotiated_answers_are_not_taken_from_the_page_cache(client: Client) -> None:
    dataset = DatasetFactory.create()
    url = f"/datasets/{dataset.pid}"
    client.get(url)

    response = client.get(url, HTTP_ACCEPT="application/vnd.datacite.datacite+json")

    assert response["Content-Type"].startswith("application/vnd.datacite.datacite+json")


def test_a_view_from_the_cache_is_still_counted(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: list[dict[str, Any]] = []
    monkeypatch.setattr(
        "landing.views.record_investigation", lambda request, **kw: counted.append(kw)
    )
    dataset = DatasetFactory.create()

    client.get(f"/datasets/{dataset.pid}")
    client.get(f"/datasets/{dataset.pid}")

    assert counted == [{"dataset_id": dataset.pk}] * 2


def test_a_german_page_in_the_cache_is_never_served_to_an_english_reader(client: Client) -> None:
    dataset = DatasetFactory.create(title="Kept in two languages")
    url = f"/datasets/{dataset.pid}"
    german = client.get(url, headers={"Accept-Language": "de"})
    assert '<html lang="de">' in german.content.decode()

    english = client.get(url, headers={"Accept-Language": "en"})
    assert '<html lang="en">' in english.content.decode()
    assert english["ETag"] != german["ETag"]
    for response in (german, english):
        vary = {v.strip().lower() for v in response["Vary"].split(",")}
        assert {"accept-language", "cookie"} <= vary
    # Each language is served from its own copy, and the home page too.
    _behind_the_services_back(dataset, "Changed behind the cache")
    assert '<html lang="de">' in client.get(url, headers={"Accept-Language": "de"}).content.decode()
    assert "Kept in two languages" in client.get(url).content.decode()
    assert '<html lang="de">' in client.get("/", headers={"Accept-Language": "de"}).content.decode()
    assert '<html lang="en">' in client.get("/").content.decode()


def test_a_service_write_drops_the_pages_of_every_language(
    client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    dataset = DatasetFactory.create(title="Soon withdrawn in German")
    url = f"/datasets/{dataset.pid}"
    for language in ("en", "de"):
        client.get(url, headers={"Accept-Language": language})
        client.get("/", headers={"Accept-Language": language})

    with django_capture_on_commit_callbacks(execute=True):
        dataset_withdraw(dataset=dataset, reason="wrong sample")

    for language in ("en", "de"):
        assert client.get(url, headers={"Accept-Language": language}).status_code == 410
        home = client.get("/", headers={"Accept-Language": language}).content.decode()
        assert "Soon withdrawn in German" not in home


@pytest.mark.parametrize("path", ["/instruments/", "/proposals/", "/techniques/"])
def test_browse_pages_are_kept_until_a_dataset_changes(
    client: Client, django_capture_on_commit_callbacks: Capture, path: str
) -> None:
    from tests.factories import TechniqueFactory

    first, second = DatasetFactory.create_batch(2)
    for dataset in (first, second):
        dataset.techniques.add(TechniqueFactory.create(name=f"technique of {dataset.pk}"))
    shown = {
        "/instruments/": lambda d: d.instrument.unique_name or d.instrument.name,
        "/proposals/": lambda d: d.proposal.proposal_id,
        "/techniques/": lambda d: f"technique of {d.pk}",
    }[path]
    assert shown(second) in client.get(path).content.decode()
    Dataset.objects.filter(pk=second.pk).update(visibility="withdrawn")  # the services unaware
    assert shown(second) in client.get(path).content.decode()  # the copy kept
    assert shown(second) not in client.get(path + "?page=1").content.decode()  # not cached

    with django_capture_on_commit_callbacks(execute=True):
        dataset_withdraw(dataset=first, reason="wrong sample")

    page = client.get(path).content.decode()
    assert shown(first) not in page
    assert shown(second) not in page
