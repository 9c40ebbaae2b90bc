"""DataCite kernel-4 JSON of publications and datasets, checked with the ``datacite`` schema."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from datacite import schema45
from django.urls import reverse

from catalogue.models import Dataset
from publishing.addresses import dataset_url, publication_url
from publishing.cleaning import plain_text
from publishing.metadata import dataset_metadata, publication_metadata
from publishing.models import Publication
from sync.services import export_import
from tests.factories import DatasetFactory, PublicationFactory, TechniqueFactory

DEMO = Path(__file__).resolve().parents[2] / "tests" / "data" / "scicat-export"


def assert_valid(data: dict[str, Any]) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in schema45.validator.iter_errors(data)]
    assert errors == []


@pytest.mark.django_db
def test_demo_publication_is_valid_datacite() -> None:
    export_import(path=DEMO)
    publication = Publication.objects.get()
    data = publication_metadata(publication)
    assert_valid(data)
    assert data["doi"] == "10.5072/desy-pd-0001"
    assert data["url"].endswith("/doi/10.5072/desy-pd-0001")
    assert data["publisher"] == {"name": "Deutsches Elektronen-Synchrotron DESY"}
    assert data["publicationYear"] == "2025"
    assert data["creators"][0]["affiliation"][0]["affiliationIdentifier"] == (
        "https://ror.org/01js2sh04"
    )
    assert data["creators"][1]["nameIdentifiers"][0]["nameIdentifierScheme"] == "ORCID"
    assert {"date": "2025-02-03", "dateType": "Issued"} in data["dates"]
    has_part = [r for r in data["relatedIdentifiers"] if r["relationType"] == "HasPart"]
    assert [r["relatedIdentifierType"] for r in has_part] == ["Handle", "Handle"]
    assert data["rightsList"][0]["rightsIdentifier"] == "CC-BY-4.0"
    assert data["descriptions"][0]["descriptionType"] == "Abstract"


@pytest.mark.django_db
def test_demo_datasets_are_valid_datacite() -> None:
    export_import(path=DEMO)
    datasets = Dataset.objects.public().select_related("instrument").prefetch_related("techniques")
    assert datasets
    for dataset in datasets:
        data = dataset_metadata(dataset)
        assert_valid(data)
        assert "doi" not in data
        assert data["alternateIdentifiers"] == [
            {"alternateIdentifier": dataset.pid, "alternateIdentifierType": "Handle"}
        ]
        assert data["types"]["resourceTypeGeneral"] == "Dataset"


@pytest.mark.django_db
def test_dataset_metadata_names_techniques_licence_and_collection_dates() -> None:
    dataset = DatasetFactory.create(
        creators=[{"name": "Noether, Emmy", "orcid": "0000-0002-1825-0097"}],
        end_time=dt.datetime(2024, 1, 2, tzinfo=dt.UTC),
        data_format="NeXus/HDF5",
    )
    dataset.techniques.add(TechniqueFactory.create(pid="panet01253", name="GIXOS"))
    data = dataset_metadata(dataset, doi="10.5072/new-doi", part_of=["10.5072/collection"])
    assert_valid(data)
    assert data["doi"] == "10.5072/new-doi"
    assert data["creators"] == [
        {
            "name": "Noether, Emmy",
            "nameType": "Personal",
            "givenName": "Emmy",
            "familyName": "Noether",
            "nameIdentifiers": [
                {
                    "nameIdentifier": "https://orcid.org/0000-0002-1825-0097",
                    "nameIdentifierScheme": "ORCID",
                    "schemeUri": "https://orcid.org",
                }
            ],
        }
    ]
    assert {
        "subject": "GIXOS",
        "subjectScheme": "PaNET",
        "schemeUri": "http://purl.org/pan-science/PaNET/",
        "valueUri": "http://purl.org/pan-science/PaNET/PaNET01253",
    } in data["subjects"]
    assert data["rightsList"][0]["rightsUri"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["dates"][0]["dateType"] == "Collected"
    assert "/" in data["dates"][0]["date"]
    assert data["formats"] == ["NeXus/HDF5"]
    assert {
        "relatedIdentifier": "10.5072/collection",
        "relatedIdentifierType": "DOI",
        "relationType": "IsPartOf",
    } in data["relatedIdentifiers"]


@pytest.mark.django_db
def test_dataset_without_people_is_credited_to_the_facility(settings: Any) -> None:
    settings.PORTAL_PUBLISHER = "Example Light Source"
    dataset = DatasetFactory.create(creators=[], principal_investigators=[], license="")
    data = dataset_metadata(dataset)
    assert_valid(data)
    assert data["creators"] == [{"name": "Example Light Source", "nameType": "Organizational"}]
    assert "rightsList" not in data


@pytest.mark.django_db
def test_untidy_publication_json_becomes_valid_datacite() -> None:
    publication = PublicationFactory.create(
        title="  Scan\x01 of <b>sample</b>  ",
        abstract="<p>First &amp; second</p><p>Mail me: someone@example.org\x0b</p>",
        creators=[
            {"givenName": "Ada", "familyName": "Lovelace", "affiliation": ["DESY", "DESY"]},
            {"nameIdentifiers": [{"nameIdentifier": "x"}]},  # no name: left out
            {
                "name": "Carberry, Josiah",
                "nameType": "Human",  # not a DataCite name type: dropped
                "nameIdentifiers": [
                    {"nameIdentifier": "0000-0002-1825-0097", "nameIdentifierScheme": "orcid"},
                    {"nameIdentifier": "no scheme"},
                ],
            },
        ],
        publisher="",
        publication_year=None,
        resource_type="text",
        subjects=["optics", {"subject": "optics"}, {"subject": ""}, 7],
        rights=[{"rightsUri": "https://creativecommons.org/licenses/by/4.0/"}, {}],
        related_identifiers=[
            {
                "relatedIdentifier": "10.1/x",
                "relatedIdentifierType": "doi",
                "relationType": "Cites",
            },
            {"relatedIdentifier": "x", "relatedIdentifierType": "DOI", "relationType": "Likes"},
            {"relatedIdentifier": "y", "relationType": "Cites"},
            {
                "relatedIdentifier": "https://example.org/s",
                "relatedIdentifierType": "URL",
                "relationType": "Cites",
                "schemeUri": "https://example.org",  # only allowed with HasMetadata
            },
        ],
        funding_references=[
            {
                "funderName": "EU",
                "funderIdentifier": "https://ror.org/00k4n6c32",
                "funderIdentifierType": "ROR",
                "awardNumber": {"awardNumber": "101", "awardURI": "https://cordis.europa.eu/p/1"},
            },
            {"awardNumber": "no funder"},
        ],
    )
    data = publication_metadata(publication, datasets=[])
    assert_valid(data)
    assert data["titles"] == [{"title": "Scan of sample"}]
    assert data["descriptions"] == [
        {
            "description": "First & second\nMail me: [e-mail address removed]",
            "descriptionType": "Abstract",
        }
    ]
    assert data["creators"][0] == {
        "name": "Lovelace, Ada",
        "givenName": "Ada",
        "familyName": "Lovelace",
        "affiliation": [{"name": "DESY"}],
    }
    assert data["creators"][1]["nameIdentifiers"] == [
        {
            "nameIdentifier": "https://orcid.org/0000-0002-1825-0097",
            "nameIdentifierScheme": "ORCID",
            "schemeUri": "https://orcid.org",
        }
    ]
    assert "nameType" not in data["creators"][1]
    assert data["publisher"]["name"]
    assert data["publicationYear"] == "2025"  # from registered_at
    assert data["types"] == {"resourceTypeGeneral": "Text", "resourceType": "Text"}
    assert data["subjects"] == [{"subject": "optics"}]
    assert [r["relatedIdentifier"] for r in data["relatedIdentifiers"]] == [
        "10.1/x",
        "https://example.org/s",
    ]
    assert "schemeUri" not in data["relatedIdentifiers"][1]
    assert data["fundingReferences"] == [
        {
            "funderName": "EU",
            "funderIdentifier": "https://ror.org/00k4n6c32",
            "funderIdentifierType": "ROR",
            "awardNumber": "101",
            "awardUri": "https://cordis.europa.eu/p/1",
        }
    ]


@pytest.mark.django_db
def test_publication_without_creators_names_its_publisher() -> None:
    publication = PublicationFactory.create(creators=[], publisher="DESY", resource_type="")
    data = publication_metadata(publication, datasets=[])
    assert_valid(data)
    assert data["creators"] == [{"name": "DESY", "nameType": "Organizational"}]
    assert data["types"] == {"resourceTypeGeneral": "Dataset", "resourceType": "Dataset"}


@pytest.mark.django_db
def test_prefetched_records_need_no_queries(django_assert_num_queries: Any) -> None:
    DatasetFactory.create_batch(3)
    datasets = list(
        Dataset.objects.select_related("instrument").prefetch_related("techniques").order_by("id")
    )
    publication = PublicationFactory.create()
    with django_assert_num_queries(0):
        for dataset in datasets:
            dataset_metadata(dataset)
        publication_metadata(publication, datasets=datasets)


def test_landing_page_urls_match_the_url_configuration(settings: Any) -> None:
    settings.PORTAL_BASE_URL = "https://data.example"
    pid = "20.500.12269/a b?c#d&é"
    assert dataset_url(pid) == "https://data.example" + reverse("landing:dataset", args=[pid])
    doi = "10.5072/x(1);y"
    assert publication_url(doi) == "https://data.example" + reverse(
        "landing:publication", args=[doi]
    )


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain", "plain"),
        ("<script>x</script>a<br>b<STYLE a=1>p {}</style >", "a\nb"),
        ("a &lt;b&gt; &#x1; c", "a <b> c"),
        ("tab\there  and\r\nthere\n\n\n\nend", "tab here and\nthere\n\nend"),
        ("\ufffe\ud800ok\x1f", "ok"),
        ("write to a.b+c@mail.example.org", "write to [e-mail address removed]"),
    ],
)
def test_plain_text(raw: str, clean: str) -> None:
    assert plain_text(raw) == clean


@pytest.mark.django_db
def test_contributors_and_geo_locations_reach_the_datacite_json_cleaned() -> None:
    from publishing import kernel

    publication = PublicationFactory.create(
        contributors=[
            {"name": "Noether, Emmy", "nameType": "Personal", "contributorType": "ContactPerson"},
            {"name": "No role"},  # DataCite requires a contributorType: left out
            {"name": "Wrong role", "contributorType": "Boss"},  # not on the 4.7 list: left out
            {"familyName": "Curie", "givenName": "Marie", "contributorType": "Translator"},
        ],
        geo_locations=[
            {"geoLocationPlace": "Grenoble", "geoLocationPoint": {"pointLatitude": "45.2"}},
            {"geoLocationPoint": {"pointLatitude": 45.2, "pointLongitude": "5.7"}},
            {
                "geoLocationBox": {
                    "westBoundLongitude": 0,
                    "eastBoundLongitude": 1,
                    "southBoundLatitude": 50,
                    "northBoundLatitude": 40,  # south of the south edge: left out
                }
            },
            {"geoLocationPoint": {"pointLatitude": 91, "pointLongitude": 0}},  # out of range
        ],
    )
    data = publication_metadata(publication, datasets=[])

    assert list(kernel.validator.iter_errors(data)) == []
    assert data["contributors"] == [
        {"name": "Noether, Emmy", "nameType": "Personal", "contributorType": "ContactPerson"},
        {
            "name": "Curie, Marie",
            "givenName": "Marie",
            "familyName": "Curie",
            "contributorType": "Translator",
        },
    ]
    assert data["geoLocations"] == [
        {"geoLocationPlace": "Grenoble"},
        {"geoLocationPoint": {"pointLongitude": 5.7, "pointLatitude": 45.2}},
    ]
