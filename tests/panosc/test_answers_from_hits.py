"""On OpenSearch a dataset list is made from the search hits' documents (panosc.datasets
``_from_hits``), not read again from the database: the answer must be the database's, to the
byte, and a dataset withdrawn after it was indexed must still be left out."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client

from catalogue.models import Dataset, ScientificParameter
from catalogue.search import backend
from catalogue.search.documents import documents, stored_parameters
from catalogue.services import dataset_withdraw
from tests.factories import InstrumentFactory
from tests.panosc.conftest import Catalogue, dataset_with

pytestmark = pytest.mark.django_db

ENERGY = {"name": "incident_energy", "value": {"between": [10000, 20000]}, "unit": "eV"}
COLD = {"name": "sample_temperature", "value": {"lt": 0}, "unit": "degC"}
FILTERS: list[dict[str, Any]] = [
    {},
    {"include": ["parameters"]},
    {"include": [{"relation": "parameters", "scope": {"where": ENERGY}}]},
    {"include": [{"relation": "parameters", "scope": {"where": {"or": [ENERGY, COLD]}}}]},
    {"include": [{"relation": "parameters", "scope": {"where": {"name": "sample_state"}}}]},
    {
        "include": [
            {
                "relation": "parameters",
                "scope": {"where": {"name": "sample_state", "value": {"ilike": "LIQ%"}}},
            }
        ]
    },
    {"include": ["instrument", "techniques", "files", "samples"]},
    {"include": [{"relation": "instrument", "scope": {"where": {"name": "P08"}}}]},
    {"include": ["parameters", "documents"], "limit": 2, "skip": 1},
    {"where": {"title": {"ilike": "%copper%"}}, "include": ["parameters"]},
]


def _answer(client: Client, filter_: dict[str, Any]) -> Any:
    response = client.get("/panosc-api/Datasets", {"filter": json.dumps(filter_)})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def indexed(settings: Any, opensearch_url: str, panosc_catalogue: Catalogue) -> Catalogue:
    """The PaNOSC catalogue and a dataset at an instrument without facility, all of it indexed in
    OpenSearch."""
    bare = InstrumentFactory.create(pid="instr-bare", unique_name="", name="Bare", facility="")
    dataset_with(
        {"sample_state": "solid", "notes": ["many", "words"]},
        pid="20.500.12269/panosc-bare",
        title="Copper notes",
        instrument=bare,
    )
    settings.OPENSEARCH_URL = opensearch_url
    settings.OPENSEARCH_INDEX = f"test-{uuid.uuid4().hex[:12]}"
    chosen = backend()
    chosen.index(list(Dataset.objects.values_list("pk", flat=True)))
    chosen.refresh()
    return panosc_catalogue


def test_answers_from_hits_are_the_databases(
    client: Client, settings: Any, indexed: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    from panosc import datasets

    def never(*args: Any) -> None:
        raise AssertionError("read from the database although the hits could tell")

    with monkeypatch.context() as patched:
        patched.setattr(datasets, "_load", never)
        from_hits = [_answer(client, f) for f in FILTERS]
    settings.OPENSEARCH_URL = ""
    from_database = [_answer(client, f) for f in FILTERS]
    for filter_, hit, database in zip(FILTERS, from_hits, from_database, strict=True):
        assert hit == database, filter_
    assert any(len(answer) >= 3 for answer in from_hits)


def test_a_dataset_withdrawn_after_it_was_indexed_is_left_out(
    client: Client, indexed: Catalogue
) -> None:
    # The index is updated after the commit, which a test's transaction never makes: the entry
    # stays, as it does for a moment (or while OpenSearch is down) after a real withdrawal.
    dataset_withdraw(dataset=indexed.cold, reason="retracted")
    for filter_ in FILTERS[:3]:
        answer = _answer(client, filter_)
        assert "20.500.12269/panosc-cold" not in [item["pid"] for item in answer]


def test_a_document_tells_its_parameters_only_when_it_holds_them_whole(
    client: Client, settings: Any, indexed: Catalogue
) -> None:
    long = dataset_with({"sample_state": "solid"}, pid="20.500.12269/panosc-long")
    # Neither a number nor a text: only the value as written tells it, and it is too long.
    ScientificParameter.objects.create(dataset=long, key_path="notes", original_value="x" * 300)
    backend().index([long.pk])
    backend().refresh()
    document = documents([long.pk, indexed.warm.pk])
    assert stored_parameters(long.pk, document[long.pk]) is None  # a value cut short
    assert stored_parameters(long.pk, document[long.pk], {"sample_state"}) is not None
    warm = stored_parameters(indexed.warm.pk, document[indexed.warm.pk])
    assert warm is not None
    assert [p.key_path for p in warm] == [
        p.key_path for p in indexed.warm.parameters.order_by("id")
    ]
    older = {**document[indexed.warm.pk]}
    older["parameters"] = [{k: v for k, v in p.items() if k != "id"} for p in older["parameters"]]
    assert stored_parameters(indexed.warm.pk, older) is None  # written before it held ids
    # The answer reads that page from the database: the value whole.
    include = {"include": ["parameters"], "where": {"pid": long.pid}}
    (answer,) = _answer(client, include)
    assert {"name": "notes", "value": "x" * 300} in [
        {k: p[k] for k in ("name", "value")} for p in answer["parameters"]
    ]
