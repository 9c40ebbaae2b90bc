"""What a sync leaves in a real OpenSearch index: exactly the documents the database gives for
its public datasets, nothing private, nothing under embargo; the backlog when OpenSearch is down.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from catalogue.models import Dataset, SearchBacklog
from catalogue.search import backend
from catalogue.search.documents import documents
from catalogue.search.opensearch import OpenSearchBackend
from sync import live
from sync.models import SyncStatus
from tests.standins.scicat import SciCatStandIn
from tests.sync.support import (
    EMBARGO_END_FUTURE,
    add,
    pid,
)

PRIVATE = ("ada@facility.example", "11019634-dmgt", "11019634-clbt", "someone@facility.example")


@pytest.fixture
def index(settings: Any, opensearch_url: str, transactional_db: None) -> OpenSearchBackend:
    settings.OPENSEARCH_URL = opensearch_url
    settings.OPENSEARCH_INDEX = f"test-sync-docs-{uuid.uuid4().hex[:12]}"
    chosen = backend()
    assert isinstance(chosen, OpenSearchBackend)
    return chosen


def _sources(index: OpenSearchBackend) -> dict[int, dict[str, Any]]:
    index.ensure_index()
    index.refresh()
    answer = index.client.search(index=index.alias, body={"size": 100, "query": {"match_all": {}}})
    return {int(hit["_id"]): hit["_source"] for hit in answer["hits"]["hits"]}


@pytest.mark.opensearch
@pytest.mark.parametrize("full", [False, True])
def test_the_sync_indexes_exactly_the_documents_the_database_gives(
    scicat: SciCatStandIn, index: OpenSearchBackend, full: bool
) -> None:
    for n in range(7):  # three pages of three
        add(scicat, n)
    add(scicat, 7, published=False, embargo_end=EMBARGO_END_FUTURE)  # under embargo (v4: hidden)
    add(scicat, 8, published=False, embargo_end=EMBARGO_END_FUTURE)

    run = live.catalogue_sync(full=full)

    public = list(Dataset.objects.public().values_list("pk", flat=True))
    assert len(public) == 7
    assert _sources(index) == documents(public)
    assert not SearchBacklog.objects.exists()
    assert run.created == 7
    assert not [secret for secret in PRIVATE if secret in repr(_sources(index))]


@pytest.mark.opensearch
def test_an_update_and_a_withdrawal_reach_the_index(
    scicat: SciCatStandIn, index: OpenSearchBackend
) -> None:
    for n in range(4):
        add(scicat, n)
    live.catalogue_sync()
    scicat.update_dataset(pid(1), datasetName="Grazing incidence on gold")
    scicat.unpublish(pid(2))

    live.catalogue_sync()

    public = list(Dataset.objects.public().values_list("pk", flat=True))
    sources = _sources(index)
    assert sources == documents(public)
    assert {doc["pid"] for doc in sources.values()} == {pid(0), pid(1), pid(3)}
    assert {doc["title"] for doc in sources.values()} >= {"Grazing incidence on gold"}


@pytest.mark.django_db(transaction=True)
def test_pages_that_cannot_reach_opensearch_go_to_the_backlog(
    scicat: SciCatStandIn, settings: Any
) -> None:
    from catalogue.search.backends import outage
    from tests.servers import free_port

    settings.OPENSEARCH_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings.OPENSEARCH_INDEX = f"test-sync-down-{uuid.uuid4().hex[:12]}"
    for n in range(5):
        add(scicat, n)
    try:
        run = live.catalogue_sync(full=True)
    finally:
        outage.succeeded("opensearch")  # no outage left for the next test

    public = set(Dataset.objects.public().values_list("pk", flat=True))
    assert len(public) == 5
    assert set(SearchBacklog.objects.values_list("dataset_id", flat=True)) == public
    assert run.status == SyncStatus.SUCCEEDED
