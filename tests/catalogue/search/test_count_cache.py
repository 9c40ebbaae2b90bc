"""The database backend's cached totals and facet counts follow every write of the services."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.models import Dataset
from catalogue.payloads import DatasetIn, InstrumentIn, ProposalIn
from catalogue.search import DatasetQuery, SearchPage, dataset_search, facet_cache
from catalogue.services import dataset_restore, dataset_withdraw, datasets_upsert
from tests.factories import DatasetFactory

pytestmark = pytest.mark.django_db
WHEN = datetime(2024, 10, 10, 22, 5, tzinfo=UTC)
Capture = Callable[..., AbstractContextManager[Any]]


@pytest.fixture(autouse=True)
def _empty_cache(settings: Any) -> Iterator[None]:
    settings.OPENSEARCH_URL = ""
    cache.clear()
    yield
    cache.clear()


def _item(n: int, *, keywords: list[str], type: str = "raw") -> DatasetIn:
    return DatasetIn(
        pid=f"20.500.12269/cache-{n}",
        title=f"Scan {n}",
        type=type,
        description="",
        start_time=WHEN,
        size=300,
        number_of_files=0,
        keywords=keywords,
        instrument=InstrumentIn(pid="instr-p08", name="P08", unique_name="P08"),
        proposal=ProposalIn(proposal_id="11019634", title="Lipid monolayers"),
        techniques=[],
        principal_investigators=[],
        creators=[],
        scientific_metadata={"sample_temperature": {"value": 290, "unit": "K"}},
        source_updated_at=WHEN,
        files=[],
        thumbnails=[],
    )


def _upsert(capture: Capture, *items: DatasetIn) -> None:
    with capture(execute=True):
        datasets_upsert(items=list(items))


def _counts(page: SearchPage, facet: str) -> dict[str, int]:
    return {v.value: v.count for v in page.facets[facet]}


def test_an_upsert_makes_the_next_search_count_again(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    _upsert(django_capture_on_commit_callbacks, _item(1, keywords=["gold"]))
    query = DatasetQuery(conditions=("sample_temperature > 280 K",))
    first = dataset_search(query)
    assert first.total == 1
    assert _counts(first, "keyword") == {"gold": 1}

    _upsert(
        django_capture_on_commit_callbacks,
        _item(2, keywords=["gold", "silver"], type="derived"),
    )

    second = dataset_search(query)
    assert second.total == 2
    assert len(second.ids) == 2
    assert _counts(second, "keyword") == {"gold": 2, "silver": 1}
    assert _counts(second, "type") == {"raw": 1, "derived": 1}


def test_rows_saved_outside_the_services_count_too(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    _upsert(django_capture_on_commit_callbacks, _item(1, keywords=["gold"]))
    assert dataset_search(DatasetQuery()).total == 1

    DatasetFactory.create(keywords=["behind-the-back"])  # no service: a new row all the same
    assert dataset_search(DatasetQuery()).total == 2

    _upsert(django_capture_on_commit_callbacks, _item(2, keywords=["gold"]))
    page = dataset_search(DatasetQuery())
    assert page.total == 3
    assert _counts(page, "keyword")["gold"] == 2
    assert _counts(page, "keyword")["behind-the-back"] == 1


def test_withdraw_and_restore_change_the_next_counts(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    _upsert(
        django_capture_on_commit_callbacks,
        _item(1, keywords=["gold"]),
        _item(2, keywords=["gold"]),
    )
    query = DatasetQuery(filters=(("keyword", ("gold",)),))
    assert dataset_search(query).total == 2
    dataset = Dataset.objects.get(pid="20.500.12269/cache-2")

    with django_capture_on_commit_callbacks(execute=True):
        assert dataset_withdraw(dataset=dataset, reason="duplicate")
    page = dataset_search(query)
    assert page.total == 1
    assert _counts(page, "keyword") == {"gold": 1}

    dataset.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert dataset_restore(dataset=dataset)
    assert _counts(dataset_search(query), "keyword") == {"gold": 2}


def test_pages_and_sorts_share_one_entry_and_filters_do_not() -> None:
    generation = facet_cache.generation()
    plain = facet_cache.key(DatasetQuery(text="gold  scan"), generation)
    later = generation + "x"
    assert plain == facet_cache.key(
        DatasetQuery(text="gold scan", page=3, sort="-size"), generation
    )
    assert plain != facet_cache.key(DatasetQuery(text="gold"), generation)
    assert plain != facet_cache.key(
        DatasetQuery(text="gold scan", filters=(("type", ("raw",)),)), generation
    )
    assert plain != facet_cache.key(DatasetQuery(text="gold scan"), later)
    same = facet_cache.key(
        DatasetQuery(filters=(("type", ("raw", "derived")), ("year", ("2024",)))), generation
    )
    assert same == facet_cache.key(
        DatasetQuery(filters=(("year", ("2024",)), ("type", ("derived", "raw")))), generation
    )


def test_a_repeated_search_counts_nothing_again() -> None:
    DatasetFactory.create(keywords=["gold"])
    query = DatasetQuery(filters=(("keyword", ("gold",)),))
    with CaptureQueriesContext(connection) as first:
        dataset_search(query)
    with CaptureQueriesContext(connection) as second:
        page = dataset_search(DatasetQuery(filters=(("keyword", ("gold",)),), sort="-size"))

    assert page.total == 1
    assert _counts(page, "keyword") == {"gold": 1}
    counting = [q["sql"] for q in second.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counting == []
    assert len(second.captured_queries) < len(first.captured_queries)
