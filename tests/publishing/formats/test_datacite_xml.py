"""DataCite JSON as kernel-4 XML, validated against the official XSD."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from datacite import schema45
from lxml import etree

from catalogue.models import Dataset
from publishing.formats.datacite_xml import resource_document, resource_xml
from publishing.metadata import dataset_metadata, publication_metadata
from publishing.models import Publication
from publishing.record import parse
from sync.services import export_import
from tests.oai.conftest import kernel_schema

DEMO = Path(__file__).resolve().parents[3] / "tests" / "data" / "scicat-export"
KERNEL = "{http://datacite.org/schema/kernel-4}"

FULL: dict[str, Any] = {
    "doi": "10.5072/full-example",
    "url": "https://data.facility.example/doi/10.5072/full-example",
    "alternateIdentifiers": [
        {"alternateIdentifier": "20.500.12269/abc", "alternateIdentifierType": "Handle"}
    ],
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
                    "schemeUri": "https://ror.org",
                }
            ],
        },
        {"name": "Beamline team <P08> & friends", "nameType": "Organizational", "lang": "en"},
    ],
    "titles": [
        {"title": "Main title", "lang": "en"},
        {"title": "Untertitel", "titleType": "Subtitle", "lang": "de"},
    ],
    "publisher": {
        "name": "DESY",
        "publisherIdentifier": "https://ror.org/01js2sh04",
        "publisherIdentifierScheme": "ROR",
        "schemeUri": "https://ror.org/",
    },
    "publicationYear": "2025",
    "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Raw data"},
    "subjects": [
        {
            "subject": "X-ray reflectivity",
            "subjectScheme": "PaNET",
            "schemeUri": "http://purl.org/pan-science/PaNET/",
            "valueUri": "http://purl.org/pan-science/PaNET/PaNET01253",
        },
        {"subject": "Physical sciences", "classificationCode": "1.3", "lang": "en"},
    ],
    "contributors": [
        {"name": "DESY", "nameType": "Organizational", "contributorType": "HostingInstitution"},
        {"name": "Noether, Emmy", "contributorType": "ContactPerson", "givenName": "Emmy"},
    ],
    "dates": [
        {"date": "2025-02-03", "dateType": "Issued"},
        {"date": "2024-10-10/2024-10-11", "dateType": "Collected", "dateInformation": "beamtime"},
    ],
    "language": "en",
    "relatedIdentifiers": [
        {
            "relatedIdentifier": "10.1107/S1600576722000000",
            "relatedIdentifierType": "DOI",
            "relationType": "IsSupplementTo",
            "resourceTypeGeneral": "JournalArticle",
        },
        {
            "relatedIdentifier": "https://example.org/schema",
            "relatedIdentifierType": "URL",
            "relationType": "HasMetadata",
            "relatedMetadataScheme": "NeXus",
            "schemeUri": "https://manual.nexusformat.org/",
            "schemeType": "XSD",
        },
    ],
    "sizes": ["2 GB", "520 files"],
    "formats": ["NeXus/HDF5"],
    "version": "1.0",
    "rightsList": [
        {
            "rights": "Creative Commons Attribution 4.0 International",
            "rightsUri": "https://creativecommons.org/licenses/by/4.0/",
            "rightsIdentifier": "CC-BY-4.0",
            "rightsIdentifierScheme": "SPDX",
            "schemeUri": "https://spdx.org/licenses/",
            "lang": "en",
        }
    ],
    "descriptions": [
        {"description": "Line one\nLine two & more", "descriptionType": "Abstract", "lang": "en"},
        {"description": "Measured at P08.", "descriptionType": "TechnicalInfo"},
    ],
    "geoLocations": [
        {
            "geoLocationPlace": "Hamburg",
            "geoLocationPoint": {"pointLongitude": 9.88, "pointLatitude": 53.57},
            "geoLocationBox": {
                "westBoundLongitude": 9.8,
                "eastBoundLongitude": 9.9,
                "southBoundLatitude": 53.5,
                "northBoundLatitude": 53.6,
            },
            "geoLocationPolygon": [
                {"polygonPoint": {"pointLongitude": 9.8, "pointLatitude": 53.5}},
                {"polygonPoint": {"pointLongitude": 9.9, "pointLatitude": 53.5}},
                {"polygonPoint": {"pointLongitude": 9.9, "pointLatitude": 53.6}},
                {"polygonPoint": {"pointLongitude": 9.8, "pointLatitude": 53.5}},
                {"inPolygonPoint": {"pointLongitude": 9.85, "pointLatitude": 53.55}},
            ],
        }
    ],
    "fundingReferences": [
        {
            "funderName": "European Commission",
            "funderIdentifier": "https://doi.org/10.13039/501100000780",
            "funderIdentifierType": "Crossref Funder ID",
            "awardNumber": "101004728",
            "awardUri": "https://cordis.europa.eu/project/id/101004728",
            "awardTitle": "LEAPS-INNOV",
        }
    ],
    "relatedItems": [
        {
            "relationType": "IsPublishedIn",
            "relatedItemType": "Journal",
            "relatedItemIdentifier": {
                "relatedItemIdentifier": "1600-5767",
                "relatedItemIdentifierType": "ISSN",
            },
            "creators": [{"name": "IUCr", "nameType": "Organizational"}],
            "titles": [{"title": "Journal of Applied Crystallography"}],
            "publicationYear": "2022",
            "volume": "55",
            "issue": "1",
            "number": "7",
            "numberType": "Article",
            "firstPage": "1",
            "lastPage": "10",
            "publisher": "IUCr",
            "edition": "1",
            "contributors": [{"name": "Editor, An", "contributorType": "Editor"}],
        }
    ],
    "schemaVersion": "http://datacite.org/schema/kernel-4",
}


def parse_valid(text: str | bytes) -> etree._Element:
    tree = etree.fromstring(text.encode() if isinstance(text, str) else text)
    schema = kernel_schema()
    assert schema.validate(tree), schema.error_log
    return tree


def test_every_kernel_property_is_written_validly() -> None:
    assert schema45.validator.is_valid(FULL)
    tree = parse_valid(resource_document(parse(FULL)))
    written = {etree.QName(child).localname for child in tree}
    expected = set(FULL) - {"doi", "url", "types", "schemaVersion"}
    assert written == expected | {"identifier", "resourceType"}
    identifier = tree.find(f"{KERNEL}identifier")
    assert identifier is not None
    assert (identifier.text, identifier.get("identifierType")) == ("10.5072/full-example", "DOI")
    assert tree.findtext(f"{KERNEL}creators/{KERNEL}creator[2]/{KERNEL}creatorName") == (
        "Beamline team <P08> & friends"
    )


def test_without_a_doi_the_first_alternate_identifier_identifies() -> None:
    data = {**FULL, "doi": ""}
    tree = parse_valid(resource_xml(parse(data)))
    identifier = tree.find(f"{KERNEL}identifier")
    assert identifier is not None
    assert (identifier.text, identifier.get("identifierType")) == ("20.500.12269/abc", "Handle")
    assert tree.find(f"{KERNEL}alternateIdentifiers") is None


def test_values_the_schema_would_refuse_are_left_out() -> None:
    data = {
        **FULL,
        "language": "English (UK)",
        "titles": [{"title": "T\x00itle\x1b", "lang": "en_GB"}],
        "fundingReferences": [{"funderName": "F", "funderIdentifier": "x"}],
    }
    tree = parse_valid(resource_xml(parse(data)))
    assert tree.find(f"{KERNEL}language") is None
    title = tree.find(f"{KERNEL}titles/{KERNEL}title")
    assert title is not None
    assert (title.text, title.get("{http://www.w3.org/XML/1998/namespace}lang")) == ("Title", None)
    funder = tree.find(f".//{KERNEL}funderIdentifier")
    assert funder is not None
    assert funder.get("funderIdentifierType") == "Other"


@pytest.mark.django_db
def test_demo_records_are_valid_kernel_4() -> None:
    export_import(path=DEMO)
    publications = list(Publication.objects.all())
    datasets = list(Dataset.objects.all())
    # The demo export holds both kinds: an empty catalogue would make the loops below vacuous.
    assert publications
    assert datasets
    for publication in publications:
        tree = parse_valid(resource_xml(parse(publication_metadata(publication))))
        identifier = tree.find(f"{KERNEL}identifier")
        assert identifier is not None
        assert (identifier.text, identifier.get("identifierType")) == (publication.doi, "DOI")
    for dataset in datasets:
        tree = parse_valid(resource_document(parse(dataset_metadata(dataset))))
        identifier = tree.find(f"{KERNEL}identifier")
        assert identifier is not None
        assert identifier.text == dataset.pid
