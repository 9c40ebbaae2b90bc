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


def test_an_older_index_gets_the_creator_subfield_in_place(index: OpenSearchBackend) -> None:
    """An index made before the creator facet: the subfield is put into its mapping on first
    use; a document indexed since is counted, one indexed before only after a rebuild."""
    from catalogue.search.opensearch.mapping import MAPPING, SETTINGS

    old = {**MAPPING, "properties": {**MAPPING["properties"]}}
    old["properties"]["creators"] = {"type": "text", "copy_to": "text"}
    name = f"{index.alias}-{INDEX_VERSION}-old"
    index.client.indices.create(index=name, body={"settings": SETTINGS, "mappings": old})
    index.client.indices.put_alias(index=name, name=index.alias)
    before = DatasetFactory.create(creators=[{"name": "Curie, Marie"}])
    index.client.index(
        index=name,
        id=str(before.pk),
        body={"id": before.pk, "creators": ["Curie, Marie"]},
        refresh=True,
    )
    assert index.ensure_index() == name
    mapping = index.client.indices.get_mapping(index=name)[name]["mappings"]["properties"]
    assert mapping["creators"]["fields"]["raw"]["type"] == "keyword"
    since = DatasetFactory.create(creators=[{"name": "Curie, Marie"}])
    index.index([since.pk])
    index.refresh()
    counts = {v.value: v.count for v in dataset_search(DatasetQuery()).facets["creator"]}
    assert counts == {"Curie, Marie": 1}
    call_command("search_index", "--rebuild", "--no-progress")
    counts = {v.value: v.count for v in dataset_search(DatasetQuery()).facets["creator"]}
    assert counts == {"Curie, Marie": 2}


def test_an_older_index_gets_the_parameter_row_fields_in_place(index: OpenSearchBackend) -> None:
    """An index made before documents held each parameter's row id and numbers: they are put
    into its nested mapping on first use, and documents written since carry them."""
    from catalogue.search.opensearch.mapping import ADDED_PROPERTIES, MAPPING, SETTINGS

    old = {**MAPPING, "properties": {**MAPPING["properties"]}}
    nested = MAPPING["properties"]["parameters"]
    kept = {
        k: v for k, v in nested["properties"].items() if k not in ADDED_PROPERTIES["parameters"]
    }
    old["properties"]["parameters"] = {**nested, "properties": kept}
    name = f"{index.alias}-{INDEX_VERSION}-old"
    index.client.indices.create(index=name, body={"settings": SETTINGS, "mappings": old})
    index.client.indices.put_alias(index=name, name=index.alias)
    assert index.ensure_index() == name
    mapping = index.client.indices.get_mapping(index=name)[name]["mappings"]["properties"]
    assert {"id", "number", "number_max"} <= set(mapping["parameters"]["properties"])
    dataset = DatasetFactory.create()
    dataset.parameters.create(key_path="sample_temperature", original_value="4.2", number=4.2)
    index.index([dataset.pk])
    stored = index.client.get(index=index.alias, id=str(dataset.pk))["_source"]
    assert stored["parameters"][0]["number"] == 4.2
