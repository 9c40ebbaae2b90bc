"""OAI-PMH test helpers: every response a test asks for is validated against the official XSDs.

``oai`` (a fixture) sends one request through the Django test client, checks the HTTP side
(200, ``text/xml``, UTF-8), validates the whole document with lxml against ``oai/schemas/``
(the OAI-PMH envelope strictly, and the metadata inside it, so a DataCite record is checked
against kernel 4 and Dublin Core against oai_dc) and returns the parsed tree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from lxml import etree

SCHEMAS = Path(__file__).resolve().parents[2] / "oai" / "schemas"
NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "oai_datacite": "http://schema.datacite.org/oai/oai-1.1/",
    "datacite": "http://datacite.org/schema/kernel-4",
}

Oai = Callable[..., etree._Element]


@functools.cache
def harvest_schema() -> etree.XMLSchema:
    """The schema of a whole response (``harvest.xsd`` imports all the others), loaded once."""
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "harvest.xsd")))


@functools.cache
def kernel_schema() -> etree.XMLSchema:
    """DataCite kernel 4.7 on its own (``<resource>`` documents)."""
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "datacite" / "kernel-4.7" / "metadata.xsd")))


def validate(document: bytes) -> etree._Element:
    """The parsed response; fails the test with the schema's messages when it is not valid."""
    tree = etree.fromstring(document)
    schema = harvest_schema()
    if not schema.validate(tree):
        messages = "\n".join(f"line {e.line}: {e.message}" for e in schema.error_log)
        pytest.fail(f"response is not valid OAI-PMH:\n{messages}\n{document.decode()[:3000]}")
    # The oai_datacite payload is laxly typed: check the DataCite resources inside on their own.
    for resource in tree.iterfind(".//datacite:resource", NS):
        kernel = kernel_schema()
        if not kernel.validate(etree.ElementTree(resource)):
            pytest.fail(f"DataCite resource is not valid kernel 4: {kernel.error_log}")
    return tree


def error_codes(tree: etree._Element) -> list[str]:
    return [e.get("code") for e in tree.iterfind("oai:error", NS)]


def request_attributes(tree: etree._Element) -> dict[str, str]:
    request = tree.find("oai:request", NS)
    assert request is not None
    return dict(request.attrib)


@pytest.fixture
def oai(client: Client) -> Oai:
    """``oai(verb="ListRecords", metadataPrefix="oai_dc")``: GET (or ``method="post"``) /oai."""

    def call(method: str = "get", query: str | None = None, **params: Any) -> etree._Element:
        if query is not None:
            response = client.get(f"/oai?{query}")
        elif method == "post":
            response = client.post("/oai", params)
        else:
            response = client.get("/oai", params)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        return validate(response.content)

    return call


@pytest.fixture(autouse=True)
def _oai_settings(settings: Any) -> None:
    settings.PORTAL_BASE_URL = "https://data.facility.example"
    settings.OAI_REPOSITORY_IDENTIFIER = "data.facility.example"
    settings.OAI_ADMIN_EMAIL = ["data-office@facility.example"]
    settings.OAI_PAGE_SIZE = 100
