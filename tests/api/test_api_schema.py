"""The OpenAPI schema (/api/schema/) describes every endpoint with examples, the docs page needs
nothing from elsewhere, and schemathesis finds no answer that breaks the schema and no 5xx.

The schemathesis run is bounded: ``MAX_EXAMPLES`` generated requests per endpoint (derandomized,
so a run is repeatable), no shrinking past what hypothesis does by default.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
import yaml
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from catalogue.models import ScientificParameter
from catalogue.scimeta import flatten
from catalogue.services import dataset_withdraw
from portal.middleware import CONTENT_SECURITY_POLICY
from tests.factories import DataFileFactory, DatasetFactory, PublicationFactory, TechniqueFactory

pytestmark = pytest.mark.django_db
MAX_EXAMPLES = 25

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture(autouse=True)
def _one_connection() -> Iterator[None]:
    """The WSGI app in this thread keeps the test's database connection (and transaction), as
    Django's test client does: no closing it at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def records() -> None:
    """A few records of every kind, one withdrawn, so generated requests find something."""
    metadata = {"sample_temperature": {"value": 295, "unit": "K"}, "mode": "single photon"}
    datasets = [
        DatasetFactory.create(pid=f"10.5072/api-{n}", scientific_metadata=metadata)
        for n in range(3)
    ]
    datasets.append(DatasetFactory.create(start_time=None, proposal=None, instrument=None))
    for dataset in datasets:
        ScientificParameter.objects.bulk_create(
            ScientificParameter(dataset=dataset, **dataclasses.asdict(p)) for p in flatten(metadata)
        )
        DataFileFactory.create(dataset=dataset)
    datasets[0].techniques.add(TechniqueFactory.create(pid="PaNET01188"))
    publication = PublicationFactory.create(
        dates=[{"date": "2025-01-01", "dateType": "Issued"}],
        registered_at=dt.datetime(2025, 1, 2, tzinfo=dt.UTC),
    )
    publication.datasets.add(datasets[0])
    dataset_withdraw(dataset=datasets[2], reason="Retracted")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_generated_requests_get_answers_the_schema_describes(case: Any, records: None) -> None:
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ]
    )


def test_every_endpoint_and_parameter_is_described_with_examples(client: Client) -> None:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    described = yaml.safe_load(response.content)
    paths = described["paths"]
    assert set(paths) == {
        "/api/v1/datasets",
        "/api/v1/datasets/{pid}",
        "/api/v1/datasets/{pid}/files",
        "/api/v1/publications",
        "/api/v1/publications/{doi}",
        "/api/v1/instruments",
        "/api/v1/proposals",
    }
    names = set()
    for path, operations in paths.items():
        operation = operations["get"]
        assert operation.get("summary"), path
        assert operation.get("description"), path
        for parameter in operation.get("parameters", []):
            names.add(parameter["name"])
            assert parameter.get("description"), (path, parameter["name"])
            assert parameter.get("examples") or parameter.get("example"), (path, parameter)
    assert {"q", "type", "instrument", "sm", "sort", "cursor", "page_size", "pid"} <= names


def test_the_docs_page_loads_nothing_from_elsewhere(client: Client) -> None:
    page = client.get("/api/docs/")
    assert page.status_code == 200
    # The portal's policy but for inline styles (Swagger UI sets them as it draws).
    assert page["Content-Security-Policy"] == CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'", "style-src 'self' 'unsafe-inline'"
    )
    html = page.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    for line in html.split('"'):
        if line.startswith(("http://", "https://", "//")):
            pytest.fail(f"the docs page loads {line}")
