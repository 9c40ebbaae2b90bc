"""OpenSearch specifics: the mapping, deep pages past the walk limit, the index command."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.management import call_command

from catalogue.search import DatasetQuery, QueryError, backend, dataset_search
from catalogue.search.opensearch import INDEX_VERSION, OpenSearchBackend
from tests.factories import DatasetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(settings: Any, opensearch_url: str) -> OpenSearchBackend:
    settings.OPENSEARCH_URL = opensearch_url
    settings.OPENSEARCH_INDEX = f"test-index-{uuid.uuid4().hex[:10]}"
    chosen = backend()
    assert isinstance(chosen, OpenSearchBackend)
    return chosen


def test_middle_pages_past_the_walk_limit_say_how_to_get_there(
    index: OpenSearchBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalogue.search.opensearch import paging

    monkeypatch.setattr(paging, "MAX_WINDOW", 4)
    monkeypatch.setattr(paging, "DEEP_LIMIT", 8)
    datasets = DatasetFactory.create_batch(30)
    index.index([d.pk for d in datasets])
    index.refresh()
    everything = dataset_search(DatasetQuery(per_page=50)).ids
    assert dataset_search(DatasetQuery(per_page=3, page=3)).ids == everything[6:9]
    with pytest.raises(QueryError, match="sort the other way"):
        dataset_search(DatasetQuery(per_page=3, page=5))
    # Near the end is read backwards, whatever the limit.
    assert dataset_search(DatasetQuery(per_page=3, page=10)).ids == everything[27:30]


def test_mapping_is_explicit_and_strict(index: OpenSearchBackend) -> None:
    name = index.ensure_index()
    mapping = index.client.indices.get_mapping(index=name)[name]["mappings"]
    assert mapping["dynamic"] == "strict"
    properties = mapping["properties"]
    assert properties["parameters"]["type"] == "nested"
    assert properties["title"]["analyzer"] == "english"
    assert "prefix" in properties["title"]["fields"]
    assert properties["identifiers"]["normalizer"] == "lower"
    assert name.startswith(f"{index.alias}-{INDEX_VERSION}-")


def test_index_command_reports_the_alias(
    index: OpenSearchBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    DatasetFactory.create_batch(3)
    call_command("search_index", "--rebuild", "--no-progress")
    call_command("search_index")
    out = capsys.readouterr().out
    assert f"{index.alias} -> {index.alias}-{INDEX_VERSION}-" in out
    assert "3 documents" in out
    assert "backlog 0" in out


def test_index_command_without_opensearch_says_so(settings: Any) -> None:
    from django.core.management.base import CommandError

    settings.OPENSEARCH_URL = ""
    with pytest.raises(CommandError, match="OPENSEARCH_URL"):
        call_command("search_index", "--rebuild")
