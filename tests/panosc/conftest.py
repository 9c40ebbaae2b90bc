"""A small public catalogue for the PaNOSC API tests, and what it must never show."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from catalogue.models import Dataset, ScientificParameter
from catalogue.scimeta import flatten
from catalogue.services import dataset_withdraw
from publishing.models import DoiState, Publication
from tests.factories import (
    DataFileFactory,
    DatasetFactory,
    InstrumentFactory,
    PublicationFactory,
    TechniqueFactory,
)

SAXS = "http://purl.org/pan-science/PaNET/PaNET01188"
XAS = "http://purl.org/pan-science/PaNET/PaNET01196"


def dataset_with(metadata: dict[str, Any], **fields: Any) -> Dataset:
    dataset = DatasetFactory.create(scientific_metadata=metadata, **fields)
    ScientificParameter.objects.bulk_create(
        ScientificParameter(dataset=dataset, **dataclasses.asdict(p)) for p in flatten(metadata)
    )
    return dataset


@dataclasses.dataclass
class Catalogue:
    warm: Dataset
    cold: Dataset
    ranged: Dataset
    withdrawn: Dataset
    publication: Publication
    draft: Publication


@pytest.fixture
def panosc_catalogue(db: None, settings: Any) -> Catalogue:
    settings.OPENSEARCH_URL = ""
    return build_catalogue()


def build_catalogue() -> Catalogue:
    """Three public datasets (parameters in K, keV, eV, a range, texts), a withdrawn one, a public
    publication holding them and a draft one."""
    saxs = TechniqueFactory.create(pid=SAXS, name="small angle x-ray scattering")
    xas = TechniqueFactory.create(pid="PaNET01196", name="x-ray absorption")
    p08 = InstrumentFactory.create(pid="instr-p08", unique_name="P08", name="P08 beamline")
    p10 = InstrumentFactory.create(pid="instr-p10", unique_name="P10", name="P10 beamline")
    warm = dataset_with(
        {
            "sample_temperature": {"value": 295.15, "unit": "K"},
            "incident_energy": {"value": 15.0, "unit": "keV"},
            "sample_state": "solid",
            "chemical_formula": "Cu",
        },
        pid="20.500.12269/panosc-warm",
        title="Copper foil lipid monolayer at room temperature",
        instrument=p08,
        creation_time=dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
        start_time=dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
    )
    warm.techniques.add(saxs)
    DataFileFactory.create(dataset=warm, path="raw/panosc-file1.hdf", size=10)
    DataFileFactory.create(dataset=warm, path="raw/panosc-file2.hdf", size=20)
    cold = dataset_with(
        {
            "sample_temperature": {"value": 4.2, "unit": "K"},
            "incident_energy": {"value": 8000, "unit": "eV"},
            "sample_state": "liquid",
        },
        pid="20.500.12269/panosc-cold",
        title="Liquid helium scattering",
        instrument=p10,
        creation_time=dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
        start_time=dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
    )
    cold.techniques.add(xas)
    DataFileFactory.create(dataset=cold, path="scan_cold.h5", size=30)
    ranged = dataset_with(
        {"sample_temperature": {"value": [350, 400], "unit": "K", "type": "quantity_range"}},
        pid="20.500.12269/panosc-ranged",
        title="Heating ramp of a polymer film",
        instrument=None,
        creation_time=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        start_time=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    withdrawn = dataset_with(
        {"sample_temperature": {"value": 295.15, "unit": "K"}},
        pid="20.500.12269/panosc-withdrawn",
        title="Copper withdrawn",
        instrument=p08,
    )
    DataFileFactory.create(dataset=withdrawn, path="raw/withdrawn-secret.hdf")
    dataset_withdraw(dataset=withdrawn, reason="retracted")
    publication = PublicationFactory.create(
        doi="10.5072/panosc-document1",
        title="PaNOSC lipid publication",
        abstract="Copper and helium.",
        creators=[
            {
                "name": "Franklin, Rosalind",
                "nameType": "Personal",
                "givenName": "Rosalind",
                "familyName": "Franklin",
                "nameIdentifiers": [
                    {
                        "nameIdentifier": "https://orcid.org/0000-0002-1825-0097",
                        "nameIdentifierScheme": "ORCID",
                    }
                ],
                "affiliation": [{"name": "King's College London"}],
            }
        ],
        contributors=[
            {
                "name": "Gosling, Raymond",
                "nameType": "Personal",
                "givenName": "Raymond",
                "familyName": "Gosling",
                "contributorType": "DataCollector",
            }
        ],
    )
    publication.datasets.add(warm, cold, withdrawn)
    draft = PublicationFactory.create(
        doi="", title="Draft copper publication", doi_state=DoiState.DRAFT, registered_at=None
    )
    draft.datasets.add(warm)
    return Catalogue(warm, cold, ranged, withdrawn, publication, draft)
