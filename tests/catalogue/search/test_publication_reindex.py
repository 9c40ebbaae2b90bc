"""A dataset's index entry carries its publications' DOIs: publishing changes reach the index."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from catalogue.models import Dataset
from catalogue.search import DatasetQuery, backend, dataset_search
from catalogue.visibility import WithdrawnBy
from publishing.payloads import PublicationIn
from publishing.services.from_catalogue import publication_upsert
from publishing.services.withdrawal import publication_restore, publication_withdraw
from tests.factories import DatasetFactory, PublicationFactory

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[Any]]


@pytest.fixture
def opensearch(settings: Any, opensearch_url: str) -> None:
    settings.OPENSEARCH_URL = opensearch_url
    settings.OPENSEARCH_INDEX = f"test-{uuid.uuid4().hex[:12]}"


def _found(doi: str) -> list[str]:
    search = backend()
    search.refresh()
    page = dataset_search(DatasetQuery(text=f"doi:{doi}", facets=False))
    assert not page.degraded
    return list(Dataset.objects.filter(pk__in=page.ids).values_list("pid", flat=True))


@pytest.mark.usefixtures("opensearch")
def test_withdrawing_and_restoring_a_publication_updates_its_datasets_dois(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    dataset = DatasetFactory.create()
    publication = PublicationFactory.create(doi="10.5072/reindex-0001")
    publication.datasets.add(dataset)
    backend().index([dataset.pk])
    assert _found("10.5072/reindex-0001") == [dataset.pid]

    with django_capture_on_commit_callbacks(execute=True):
        publication_withdraw(publication=publication, reason="Wrong sample", by=WithdrawnBy.STAFF)
    assert _found("10.5072/reindex-0001") == []

    with django_capture_on_commit_callbacks(execute=True):
        publication_restore(publication=publication)
    assert _found("10.5072/reindex-0001") == [dataset.pid]


@pytest.mark.usefixtures("opensearch")
def test_a_publication_from_the_catalogue_makes_its_datasets_findable_by_doi(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    first, second = DatasetFactory.create(), DatasetFactory.create()
    backend().index([first.pk, second.pk])
    item = PublicationIn(
        doi="10.5072/reindex-0002",
        title="Catalogue publication",
        dataset_pids=[first.pid],
    )
    with django_capture_on_commit_callbacks(execute=True):
        publication_upsert(item=item)
    assert _found("10.5072/reindex-0002") == [first.pid]

    # The catalogue moves the DOI to the other dataset: the first one loses it.
    moved = PublicationIn(
        doi="10.5072/reindex-0002", title="Catalogue publication", dataset_pids=[second.pid]
    )
    with django_capture_on_commit_callbacks(execute=True):
        publication_upsert(item=moved)
    assert _found("10.5072/reindex-0002") == [second.pid]
