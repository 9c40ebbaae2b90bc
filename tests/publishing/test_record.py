"""publishing.record: DataCite JSON parsed once into the typed record every format reads."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import Any

import pytest

from publishing.record import (
    Affiliation,
    AlternateIdentifier,
    DataCiteRecord,
    Funding,
    GeoPoint,
    Name,
    NameIdentifier,
    Publisher,
    RelatedIdentifier,
    Types,
    parse,
)


def test_every_attribute_is_read() -> None:
    data: dict[str, Any] = {
        "doi": "10.5072/x",
        "url": "https://portal.example/doi/10.5072/x",
        "creators": [
            {
                "name": "Franklin, Rosalind",
                "nameType": "Personal",
                "givenName": "Rosalind",
                "familyName": "Franklin",
                "nameIdentifiers": [
                    {
                        "nameIdentifier": "https://orcid.org/0000-0002-1825-0097",
                        "nameIdentifierScheme": "ORCID",
                        "schemeUri": "https://orcid.org",
                    }
                ],
                "affiliation": [
                    {
                        "name": "DESY",
                        "affiliationIdentifier": "https://ror.org/01js2sh04",
                        "affiliationIdentifierScheme": "ROR",
                    }
                ],
            }
        ],
        "titles": [{"title": "T", "lang": "en"}, {"title": "S", "titleType": "Subtitle"}],
        "publisher": {"name": "DESY"},
        "publicationYear": 2025,
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Raw"},
        "alternateIdentifiers": [
            {"alternateIdentifier": "20.500.1/abc", "alternateIdentifierType": "Handle"}
        ],
        "relatedIdentifiers": [
            {
                "relatedIdentifier": "10.1/y",
                "relatedIdentifierType": "DOI",
                "relationType": "Other",
                "relationTypeInformation": "reuses the beamline model",
            }
        ],
        "fundingReferences": [
            {
                "funderName": "EC",
                "awardNumber": {"awardNumber": "1", "awardURI": "https://a.example"},
            }
        ],
        "geoLocations": [{"geoLocationPoint": {"pointLongitude": 9.88, "pointLatitude": 53.57}}],
    }
    record = parse(data)
    assert record.creators == (
        Name(
            "Franklin, Rosalind",
            "Personal",
            "Rosalind",
            "Franklin",
            (
                NameIdentifier(
                    "https://orcid.org/0000-0002-1825-0097", "ORCID", "https://orcid.org"
                ),
            ),
            (Affiliation("DESY", "https://ror.org/01js2sh04", "ROR"),),
        ),
    )
    assert record.title == "T"
    assert record.publisher == Publisher("DESY")
    assert record.publication_year == "2025"
    assert record.types == Types("Dataset", "Raw")
    assert record.identifier == "10.5072/x"
    assert record.pid == AlternateIdentifier("20.500.1/abc", "Handle")
    assert record.related_identifiers == (
        RelatedIdentifier(
            "10.1/y", "DOI", "Other", relation_type_information="reuses the beamline model"
        ),
    )
    assert record.funding == (Funding("EC", award_number="1", award_uri="https://a.example"),)
    assert record.geo_locations[0].point == GeoPoint("9.88", "53.57")
    assert record.attributes is data


def test_entries_of_the_wrong_shape_are_skipped() -> None:
    record = parse(
        {
            "creators": ["not a mapping", {"name": ""}, {"name": " Ada "}],
            "titles": "not a list",
            "subjects": [{"subject": ""}, {"subject": "x"}],
            "publisher": "Plain publisher",
            "types": ["wrong"],
            "dates": [{"date": "", "dateType": "Issued"}, {"date": "2024", "dateType": "Issued"}],
        }
    )
    assert [c.name for c in record.creators] == ["Ada"]
    assert record.titles == ()
    assert [s.subject for s in record.subjects] == ["x"]
    assert record.publisher == Publisher("Plain publisher")
    assert record.types == Types()
    assert [d.date for d in record.dates] == ["2024"]


def test_texts_lose_the_characters_xml_forbids() -> None:
    record = parse({"titles": [{"title": " Ti\x00tle\x1b "}]})
    assert record.title == "Title"


def test_without_a_doi_the_pid_identifies() -> None:
    record = parse(
        {
            "alternateIdentifiers": [
                {"alternateIdentifier": "p/1", "alternateIdentifierType": "Other"}
            ]
        }
    )
    assert record.identifier == "p/1"
    assert DataCiteRecord().identifier == ""


def test_records_are_frozen_and_compare_by_value() -> None:
    data = {"doi": "10.5072/x", "titles": [{"title": "T"}]}
    assert parse(data) == parse(dict(data))
    with pytest.raises(FrozenInstanceError):
        parse(data).doi = "other"  # type: ignore[misc]
