"""DataCite Metadata Schema 4.7: its new values are accepted where staff enter them, kept in the
DataCite JSON and written out (the XML validated against the official kernel-4.7 XSD)."""

from __future__ import annotations

from typing import Any

import pytest
from datacite import schema45
from lxml import etree

from landing.pages import common
from landing.records import publication_record
from publishing import kernel
from publishing.cleaning import resource_types
from publishing.doi_metadata import datacite_attributes, json_field_problems
from publishing.formats.datacite_xml import SCHEMA_LOCATION, resource_xml
from publishing.formats.dublin_core import dublin_core
from publishing.metadata import publication_metadata
from publishing.record import parse
from tests.factories import PublicationFactory
from tests.oai.conftest import kernel_schema

KERNEL = "{http://datacite.org/schema/kernel-4}"
RELATED_4_7: list[dict[str, Any]] = [
    {
        "relatedIdentifier": "CSTR:31253.11.sciencedb.j00001",
        "relatedIdentifierType": "CSTR",
        "relationType": "References",
    },
    {
        "relatedIdentifier": "RRID:SCR_016308",
        "relatedIdentifierType": "RRID",
        "relationType": "Requires",
    },
    {
        "relatedIdentifier": "https://raid.org/10.80368/b1adfb3a",
        "relatedIdentifierType": "RAiD",
        "relationType": "IsPartOf",
    },
    {
        "relatedIdentifier": "swh:1:dir:d198bc9d7a6bcf6db04f476d29314f157507d505",
        "relatedIdentifierType": "SWHID",
        "relationType": "IsCompiledBy",
    },
    {
        "relatedIdentifier": "10.5072/original",
        "relatedIdentifierType": "DOI",
        "relationType": "IsTranslationOf",
    },
    {
        "relatedIdentifier": "10.5072/translated",
        "relatedIdentifierType": "DOI",
        "relationType": "HasTranslation",
    },
    {
        "relatedIdentifier": "https://example.org/metadata-forum-2025",
        "relatedIdentifierType": "URL",
        "relationType": "Other",
        "relationTypeInformation": "was presented at",
        "resourceTypeGeneral": "Event",
    },
]
DATES_4_7 = [{"date": "1578-01-01/1810-12-31", "dateType": "Coverage"}]


def parse_valid(text: str) -> etree._Element:
    tree = etree.fromstring(text.encode())
    assert kernel_schema().validate(tree), kernel_schema().error_log
    return tree


@pytest.mark.parametrize("general", ["Award", "Project", "Poster", "Presentation"])
def test_new_resource_types_are_general_types(general: str) -> None:
    assert resource_types(general.lower()) == {
        "resourceTypeGeneral": general,
        "resourceType": general,
    }


def _errors(validator: Any, attributes: dict[str, Any], attribute: str) -> list[str]:
    """The validator's complaints about ``attribute`` (not about what the example leaves out)."""
    return [
        e.message
        for e in validator.iter_errors(attributes)
        if list(e.absolute_path)[:1] == [attribute]
    ]


def test_the_package_schema_refuses_what_the_4_7_schema_accepts() -> None:
    cases = {
        "relatedIdentifiers": RELATED_4_7,
        "dates": DATES_4_7,
        "types": {"resourceTypeGeneral": "Poster", "resourceType": "Poster"},
        "contributors": [{"name": "Noether, Emmy", "contributorType": "Translator"}],
    }
    for attribute, value in cases.items():
        assert _errors(schema45.validator, {attribute: value}, attribute), attribute
        assert _errors(kernel.validator, {attribute: value}, attribute) == [], attribute


def test_the_staff_form_accepts_the_new_values() -> None:
    assert json_field_problems("related_identifiers", RELATED_4_7) == []
    assert json_field_problems("dates", DATES_4_7) == []


def test_the_staff_form_still_refuses_unknown_values() -> None:
    wrong = [{"relatedIdentifier": "x", "relatedIdentifierType": "DOI", "relationType": "Likes"}]
    problems = json_field_problems("related_identifiers", wrong)
    assert any("'Likes' is not one of" in p.message for p in problems), problems


@pytest.mark.django_db
def test_a_poster_with_every_new_value_is_registered_and_written_out() -> None:
    publication = PublicationFactory.create(
        resource_type="Poster", related_identifiers=RELATED_4_7, dates=DATES_4_7
    )
    attributes = datacite_attributes(
        publication, doi=publication.doi, url="https://portal.example/doi/x"
    )  # raises MetadataInvalid if DataCite would refuse it
    assert attributes["types"] == {"resourceTypeGeneral": "Poster", "resourceType": "Poster"}
    assert attributes["relatedIdentifiers"][: len(RELATED_4_7)] == RELATED_4_7
    assert {"date": "1578-01-01/1810-12-31", "dateType": "Coverage"} in attributes["dates"]

    record = parse(publication_metadata(publication, datasets=[]))
    tree = parse_valid(resource_xml(record))
    assert tree.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation") == (
        f"http://datacite.org/schema/kernel-4 {SCHEMA_LOCATION}"
    )
    assert SCHEMA_LOCATION == "http://schema.datacite.org/meta/kernel-4.7/metadata.xsd"
    kind = tree.find(f"{KERNEL}resourceType")
    assert kind is not None
    assert kind.get("resourceTypeGeneral") == "Poster"
    written = {
        (e.get("relatedIdentifierType"), e.get("relationType"), e.get("relationTypeInformation"))
        for e in tree.iterfind(f"{KERNEL}relatedIdentifiers/{KERNEL}relatedIdentifier")
    }
    assert written >= {
        ("CSTR", "References", None),
        ("RRID", "Requires", None),
        ("RAiD", "IsPartOf", None),
        ("SWHID", "IsCompiledBy", None),
        ("DOI", "IsTranslationOf", None),
        ("DOI", "HasTranslation", None),
        ("URL", "Other", "was presented at"),
    }
    coverage = tree.find(f"{KERNEL}dates/{KERNEL}date[@dateType='Coverage']")
    assert coverage is not None
    assert coverage.text == "1578-01-01/1810-12-31"
    assert ("type", "Poster") in dublin_core(record)

    page = common(publication_record(publication))
    assert ("was presented at", "https://example.org/metadata-forum-2025") in {
        (r.relation, r.identifier) for r in page.related
    }
    assert ("Period covered", "1578-01-01 to 1810-12-31") in {
        (d.label, d.value) for d in page.dates
    }


def test_a_translator_and_a_related_item_with_its_relation_information_are_valid() -> None:
    record = parse(
        {
            "doi": "10.5072/t",
            "creators": [{"name": "Ørsted, Hans Christian"}],
            "titles": [{"title": "Übersetzung"}],
            "publisher": {"name": "DESY"},
            "publicationYear": "2026",
            "types": {"resourceTypeGeneral": "Presentation", "resourceType": "Talk"},
            "contributors": [{"name": "Noether, Emmy", "contributorType": "Translator"}],
            "relatedItems": [
                {
                    "relatedItemType": "Text",
                    "relationType": "Cites",
                    "relationTypeInformation": "quotes",
                    "titles": [{"title": "Original"}],
                }
            ],
        }
    )
    tree = parse_valid(resource_xml(record))
    contributor = tree.find(f"{KERNEL}contributors/{KERNEL}contributor")
    assert contributor is not None
    assert contributor.get("contributorType") == "Translator"
    item = tree.find(f"{KERNEL}relatedItems/{KERNEL}relatedItem")
    assert item is not None
    assert item.get("relationTypeInformation") == "quotes"
