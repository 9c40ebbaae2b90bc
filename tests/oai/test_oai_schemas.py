"""The local XSD copies: complete, offline, and strict enough to catch a broken response."""

from __future__ import annotations

import importlib.resources
import json

import pytest
from lxml import etree

from publishing import kernel
from tests.oai.conftest import SCHEMAS, harvest_schema, kernel_schema

KERNEL_LISTS = {
    "resourceType": "resourceTypeGeneral",
    "relationType": "relationType",
    "relatedIdentifierType": "relatedIdentifierType",
    "contributorType": "contributorType",
    "dateType": "dateType",
    "descriptionType": "descriptionType",
    "titleType": "titleType",
    "funderIdentifierType": "funderIdentifierType",
    "nameType": "nameType",
}


def test_no_schema_reaches_for_the_network() -> None:
    imports = (
        "{http://www.w3.org/2001/XMLSchema}import",
        "{http://www.w3.org/2001/XMLSchema}include",
    )
    for path in SCHEMAS.rglob("*.xsd"):
        locations = [e.get("schemaLocation") for e in etree.parse(str(path)).iter(*imports)]
        assert all(loc and "://" not in loc for loc in locations), (path, locations)


def test_every_schema_loads() -> None:
    assert harvest_schema() is not None
    assert kernel_schema() is not None


def test_datacite_controlled_lists_are_kernel_4_7() -> None:
    """The lists the portal accepts (publishing.kernel) are exactly the 4.7 XSD's."""
    xs = {"xs": "http://www.w3.org/2001/XMLSchema"}
    checked = set()
    for path in (SCHEMAS / "datacite" / "kernel-4.7" / "include").glob("*.xsd"):
        tree = etree.parse(str(path))
        for simple in tree.iterfind("xs:simpleType", xs):
            name = simple.get("name")
            if name not in KERNEL_LISTS:
                continue
            values = {e.get("value") for e in simple.iterfind(".//xs:enumeration", xs)}
            assert kernel.controlled_list(KERNEL_LISTS[name]) == values, name
            checked.add(name)
    assert checked == set(KERNEL_LISTS)


def test_the_datacite_package_still_refuses_4_7_values() -> None:
    """Why publishing.kernel exists: when this fails, the package knows 4.7 and can be used."""
    json_schema = json.loads(
        (importlib.resources.files("datacite") / "schemas/datacite-v4.5.json").read_text("utf-8")
    )
    assert "Poster" not in json_schema["definitions"]["resourceTypeGeneral"]["enum"]


@pytest.mark.parametrize(
    "broken",
    [
        # an unknown error code
        '<error code="oops">x</error>',
        # a datestamp that is not UTC
        "<ListIdentifiers><header><identifier>oai:a.b:c</identifier>"
        "<datestamp>2024-01-01T00:00:00+01:00</datestamp></header></ListIdentifiers>",
        # a set spec with a space
        "<ListIdentifiers><header><identifier>oai:a.b:c</identifier>"
        "<datestamp>2024-01-01</datestamp><setSpec>a b</setSpec></header></ListIdentifiers>",
        # Dublin Core with an element it does not have
        "<GetRecord><record><header><identifier>oai:a.b:c</identifier>"
        "<datestamp>2024-01-01</datestamp></header><metadata>"
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:author>x</dc:author></oai_dc:dc>'
        "</metadata></record></GetRecord>",
        # a DataCite record without its required creators
        "<GetRecord><record><header><identifier>oai:a.b:c</identifier>"
        "<datestamp>2024-01-01</datestamp></header><metadata>"
        '<resource xmlns="http://datacite.org/schema/kernel-4">'
        '<identifier identifierType="DOI">10.1/x</identifier><titles><title>t</title></titles>'
        "<publisher>p</publisher><publicationYear>2024</publicationYear>"
        '<resourceType resourceTypeGeneral="Dataset"/></resource>'
        "</metadata></record></GetRecord>",
    ],
)
def test_validation_catches_a_broken_response(broken: str) -> None:
    document = (
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        "<responseDate>2024-01-01T00:00:00Z</responseDate>"
        f"<request>https://x.example/oai</request>{broken}</OAI-PMH>"
    )
    assert not harvest_schema().validate(etree.fromstring(document))
