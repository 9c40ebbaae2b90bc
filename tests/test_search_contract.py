"""One contract, two backends: the database and a real OpenSearch answer the same way."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from catalogue.models import Dataset
from catalogue.search import DatasetQuery, QueryError, SearchBackend, backend, dataset_search
from catalogue.services import dataset_withdraw
from tests.factories import DatasetFactory, ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["database", "opensearch"])
def search_backend(request: pytest.FixtureRequest, settings: Any) -> SearchBackend:
    if request.param == "opensearch":
        # opensearch_url deletes the test's indices afterwards
        settings.OPENSEARCH_URL = request.getfixturevalue("opensearch_url")
        settings.OPENSEARCH_INDEX = f"test-{uuid.uuid4().hex[:12]}"
    else:
        settings.OPENSEARCH_URL = ""
    return backend()


@pytest.fixture
def catalogue(search_backend: SearchBackend) -> list[Dataset]:
    proposal = ProposalFactory(proposal_id="11019634")
    datasets = [
        DatasetFactory.create(
            title="GIXOS pseudo reflectivity of DPPG monolayer",
            size=300,
            keywords=["GIXOS", "lipid"],
            proposal=proposal,
        ),
        DatasetFactory.create(
            title="Tomography of a lithium cathode", size=100, keywords=["battery"]
        ),
        DatasetFactory.create(title="Reflectivity of silicon oxide", size=200, keywords=["XRR"]),
        DatasetFactory.create(
            title="Undated powder diffraction", size=50, start_time=None, keywords=["powder"]
        ),
    ]
    _reindex(search_backend, datasets)
    return datasets


def _reindex(search_backend: SearchBackend, datasets: list[Dataset]) -> None:
    search_backend.index([d.pk for d in datasets])
    if hasattr(search_backend, "refresh"):
        search_backend.refresh()


def _pids(**query: Any) -> list[str]:
    page = dataset_search(DatasetQuery(**query))
    by_id = Dataset.objects.in_bulk(page.ids)
    return [by_id[i].pid for i in page.ids]


def test_default_order_is_newest_first_with_undated_last(catalogue: list[Dataset]) -> None:
    assert _pids() == [catalogue[2].pid, catalogue[1].pid, catalogue[0].pid, catalogue[3].pid]


def test_sort_by_size(catalogue: list[Dataset]) -> None:
    assert _pids(sort="size") == [d.pid for d in sorted(catalogue, key=lambda d: d.size)]
    assert _pids(sort="-size")[0] == catalogue[0].pid


def test_text_matches_title_words_case_insensitively(catalogue: list[Dataset]) -> None:
    assert _pids(text="dppg") == [catalogue[0].pid]
    assert set(_pids(text="reflectivity")) == {catalogue[0].pid, catalogue[2].pid}


def test_text_matches_keywords(catalogue: list[Dataset]) -> None:
    assert _pids(text="battery") == [catalogue[1].pid]


def test_identifier_matches_unquoted(catalogue: list[Dataset]) -> None:
    assert _pids(text=catalogue[1].pid) == [catalogue[1].pid]
    assert _pids(text="11019634") == [catalogue[0].pid]


def test_paging_and_total(catalogue: list[Dataset]) -> None:
    first = dataset_search(DatasetQuery(per_page=3, page=1))
    second = dataset_search(DatasetQuery(per_page=3, page=2))
    assert (first.total, len(first.ids), len(second.ids)) == (4, 3, 1)
    assert set(first.ids).isdisjoint(second.ids)
    assert (second.first, second.last, second.num_pages) == (4, 4, 2)


def test_withdrawn_dataset_leaves_the_results(
    catalogue: list[Dataset], search_backend: SearchBackend
) -> None:
    dataset_withdraw(dataset=catalogue[0], reason="Retracted")
    _reindex(search_backend, [catalogue[0]])
    assert catalogue[0].pid not in _pids()
    assert dataset_search(DatasetQuery()).total == 3


def test_unknown_sort_is_a_query_error(catalogue: list[Dataset]) -> None:
    with pytest.raises(QueryError, match="sort"):
        dataset_search(DatasetQuery(sort="owner_email"))


def test_unreachable_opensearch_falls_back_to_the_database(settings: Any) -> None:
    DatasetFactory(title="Still findable")
    settings.OPENSEARCH_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.OPENSEARCH_INDEX = f"down-{uuid.uuid4().hex[:8]}"
    page = dataset_search(DatasetQuery(text="findable"))
    assert page.degraded
    assert page.total == 1


def test_deep_pages_match_the_forward_order(search_backend: SearchBackend) -> None:
    datasets = DatasetFactory.create_batch(7)
    datasets.append(DatasetFactory.create(start_time=None))
    _reindex(search_backend, datasets)
    for sort in ("-start_time", "start_time", "size", "-title"):
        everything = dataset_search(DatasetQuery(sort=sort, per_page=10)).ids
        paged = [
            i
            for page in (1, 2, 3)
            for i in dataset_search(DatasetQuery(sort=sort, per_page=3, page=page)).ids
        ]
        assert paged == everything, sort
