"""/api/v1/datasets: the search page's parameters through the same search layer, by cursor."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from catalogue.models import Dataset, ScientificParameter
from catalogue.scimeta import flatten
from catalogue.search import SearchBackend, backend
from catalogue.search.backends import outage
from catalogue.services import dataset_withdraw
from tests.factories import DatasetFactory, InstrumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _opensearch_considered_up() -> Iterator[None]:
    outage.succeeded("reset")
    yield
    outage.succeeded("reset")


@pytest.fixture(params=["database", "opensearch"])
def search_backend(request: pytest.FixtureRequest, settings: Any) -> SearchBackend:
    if request.param == "opensearch":
        settings.OPENSEARCH_URL = request.getfixturevalue("opensearch_url")
        settings.OPENSEARCH_INDEX = f"test-{uuid.uuid4().hex[:12]}"
        # The suite's first OpenSearch user (tests/api sorts first) makes the first index on a
        # server just started: on a loaded machine that takes longer than the 5 s default.
        settings.OPENSEARCH_TIMEOUT = 60
    else:
        settings.OPENSEARCH_URL = ""
    return backend()


@pytest.fixture
def catalogue(search_backend: SearchBackend) -> list[Dataset]:
    p08 = InstrumentFactory.create(unique_name="P08")
    datasets = [
        DatasetFactory.create(
            title=f"Reflectivity of lipid {n}",
            instrument=p08 if n % 2 else None,
            scientific_metadata={"sample_temperature": {"value": 290 + n, "unit": "K"}},
        )
        for n in range(9)
    ]
    datasets.append(DatasetFactory.create(title="Tomography of a cathode", start_time=None))
    for dataset in datasets:
        ScientificParameter.objects.bulk_create(
            ScientificParameter(dataset=dataset, **dataclasses.asdict(p))
            for p in flatten(dataset.scientific_metadata)
        )
    search_backend.index([d.pk for d in datasets])
    search_backend.refresh()
    return datasets


def pids(client: Client, url: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Every pid of a cursor walk from ``url``, and its pages."""
    seen: list[str] = []
    pages = []
    next_url: str | None = url
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.content
        page = response.json()
        pages.append(page)
        seen += [d["pid"] for d in page["results"]]
        next_url = page["next"]
    return seen, pages


def test_filters_and_order_are_the_search_pages(client: Client, catalogue: list[Dataset]) -> None:
    everything, pages = pids(client, "/api/v1/datasets?page_size=3")
    assert len(pages) == 4
    assert pages[0]["count"] == 10
    assert pages[0]["previous"] is None
    newest_first = sorted(catalogue[:9], key=lambda d: d.start_time or 0, reverse=True)
    assert everything == [d.pid for d in newest_first] + [catalogue[9].pid]
    p08, _ = pids(client, "/api/v1/datasets?instrument=P08&sort=start_time")
    assert p08 == [d.pid for d in catalogue[:9] if d.instrument_id]
    warm, _ = pids(client, "/api/v1/datasets?sm=sample_temperature+>+22+degC&sort=pid")
    assert warm == sorted(d.pid for d in catalogue[:9] if 290 + int(d.title[-1]) > 295.15)
    text, _ = pids(client, "/api/v1/datasets?q=tomography")
    assert text == [catalogue[9].pid]


def test_previous_links_walk_back(client: Client, catalogue: list[Dataset]) -> None:
    forward, pages = pids(client, "/api/v1/datasets?page_size=4&sort=size")
    back: list[str] = []
    url = pages[-1]["previous"]
    while url:
        page = client.get(url).json()
        back = [d["pid"] for d in page["results"]] + back
        url = page["previous"]
    assert back + [d["pid"] for d in pages[-1]["results"]] == forward


def test_a_withdrawn_dataset_is_not_listed(
    client: Client, catalogue: list[Dataset], search_backend: SearchBackend
) -> None:
    dataset_withdraw(dataset=catalogue[0], reason="gone")
    search_backend.index([catalogue[0].pk])
    search_backend.refresh()
    listed, _ = pids(client, "/api/v1/datasets?page_size=1000")
    assert catalogue[0].pid not in listed
    assert len(listed) == 9


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("sort=owner", "sort"),
        ("page_size=0", "page_size"),
        ("page_size=1001", "page_size"),
        ("cursor=%%%", "cursor"),
        ("cursor=eyJrIjpbMV0sImIiOmZhbHNlLCJzIjoicGlkIn0", "cursor"),  # another sort's
        ("q=%22open", ""),
        ("sm=sample_temperature+>+20+parsecs", ""),
    ],
)
def test_bad_parameters_are_400_problems(
    client: Client, catalogue: list[Dataset], query: str, parameter: str
) -> None:
    response = client.get(f"/api/v1/datasets?{query}")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["detail"]
    assert problem.get("parameter", "") == parameter


def test_creator_and_start_time_range_are_the_search_pages(
    client: Client, catalogue: list[Dataset]
) -> None:
    first, second = catalogue[0], catalogue[1]
    Dataset.objects.filter(pk=first.pk).update(creators=[{"name": "Lovelace, Ada"}])
    Dataset.objects.filter(pk=second.pk).update(creators=[{"name": "Curie, Marie"}])
    backend().index([first.pk, second.pk])
    backend().refresh()
    ada, _ = pids(client, "/api/v1/datasets?creator=Lovelace,+Ada")
    assert ada == [first.pid]
    both, _ = pids(client, "/api/v1/datasets?creator=Lovelace,+Ada&creator=Curie,+Marie")
    assert set(both) == {first.pid, second.pid}
    assert first.start_time is not None
    day = first.start_time.date().isoformat()
    within, _ = pids(client, f"/api/v1/datasets?start_from={day}&start_to={day}")
    assert first.pid in within
    assert all(
        d.start_time is not None and d.start_time.date().isoformat() == day
        for d in Dataset.objects.filter(pid__in=within)
    )
    response = client.get("/api/v1/datasets?start_from=yesterday")
    assert response.status_code == 400


def test_schema_names_the_creator_and_date_parameters(client: Client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/datasets"]["get"]["parameters"]}
    examples = [e["value"] for e in parameters["creator"]["examples"].values()]
    assert examples == [["Lovelace, Ada"]]
    assert {"start_from", "start_to"} <= set(parameters)
