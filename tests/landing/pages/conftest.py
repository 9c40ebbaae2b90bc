"""Records for the landing-page tests: a publication of two datasets with all a page shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from catalogue.models import DataFile, Dataset, Technique
from publishing.models import Publication
from tests.factories import DataFileFactory, DatasetFactory, PublicationFactory

DOWNLOAD_PATTERN = "https://dcache.example.org:2880/pnfs/public/{source_folder}/{path}"
ORCID = "0000-0002-1825-0097"
ROR = "https://ror.org/01js2sh04"


@dataclass
class Landing:
    publication: Publication
    datasets: list[Dataset]

    @property
    def url(self) -> str:
        return f"/doi/{self.publication.doi}"


@pytest.fixture
def downloads_on(settings: pytest.FixtureRequest) -> str:
    settings.PORTAL_DOWNLOAD_URL = DOWNLOAD_PATTERN  # type: ignore[attr-defined]
    return DOWNLOAD_PATTERN


def make_dataset(**fields: object) -> Dataset:
    dataset = DatasetFactory.create(
        description="Pseudo reflectivity of a lipid monolayer, measured with GIXOS.",
        creators=[{"name": "Lovelace, Ada", "orcid": ORCID}],
        scientific_metadata={"energy": {"value": 15000, "unit": "eV"}},
        **fields,
    )
    technique, _ = Technique.objects.get_or_create(pid="PaNET01188", name="X-ray reflectivity")
    dataset.techniques.add(technique)
    return dataset


@pytest.fixture
def landing(db: None) -> Landing:
    return make_landing()


def make_landing() -> Landing:
    first = make_dataset(title="Silicon wafer with native oxide", data_location="disk")
    second = make_dataset(title="Water surface at 293 K", data_location="tape")
    for dataset in (first, second):
        files = DataFileFactory.build_batch(3, dataset=dataset)
        DataFile.objects.bulk_create(files)
        Dataset.objects.filter(pk=dataset.pk).update(number_of_files=3)
    publication = PublicationFactory.create(
        doi="10.5072/landing-0001",
        title="Compiled X-ray reflectivity training data",
        abstract="Raw X-ray reflectivity curves with their fits, for machine learning.",
        creators=[
            {
                "name": "Franklin, Rosalind",
                "nameType": "Personal",
                "givenName": "Rosalind",
                "familyName": "Franklin",
                "nameIdentifiers": [
                    {
                        "nameIdentifier": f"https://orcid.org/{ORCID}",
                        "nameIdentifierScheme": "ORCID",
                    }
                ],
                "affiliation": [
                    {
                        "name": "Deutsches Elektronen-Synchrotron DESY",
                        "affiliationIdentifier": ROR,
                        "affiliationIdentifierScheme": "ROR",
                    }
                ],
            }
        ],
        subjects=[{"subject": "X-ray reflectivity"}, {"subject": "machine learning"}],
        rights=[
            {
                "rights": "Creative Commons Attribution 4.0 International",
                "rightsUri": "https://creativecommons.org/licenses/by/4.0/",
                "rightsIdentifier": "cc-by-4.0",
            }
        ],
        related_identifiers=[
            {
                "relatedIdentifier": "10.1107/S1600576722000000",
                "relatedIdentifierType": "DOI",
                "relationType": "IsSupplementTo",
            },
            {
                "relatedIdentifier": "10.5072/landing-0000",
                "relatedIdentifierType": "DOI",
                "relationType": "IsNewVersionOf",
            },
        ],
        funding_references=[
            {"funderName": "European Research Council", "awardNumber": "ERC-2024-123"}
        ],
        registered_at=dt.datetime(2025, 2, 3, tzinfo=dt.UTC),
    )
    publication.datasets.set([first, second])
    return Landing(publication, [first, second])
