"""Fixtures of the search page's tests: a small catalogue with facets and scientific metadata."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from catalogue import scimeta
from catalogue.models import Dataset, ScientificParameter
from catalogue.search import backend
from catalogue.search import database as database_search
from catalogue.selectors import PARAMETER_KEYS_CACHE
from tests.factories import DatasetFactory, InstrumentFactory, ProposalFactory, TechniqueFactory

HX = {"HX-Request": "true"}


def with_parameters(dataset: Dataset, metadata: dict[str, Any]) -> Dataset:
    """Store ``metadata`` as the dataset's scientific metadata and its queryable parameters."""
    dataset.scientific_metadata = metadata
    dataset.save(update_fields=["scientific_metadata"])
    ScientificParameter.objects.bulk_create(
        ScientificParameter(
            dataset=dataset,
            key_path=p.key_path,
            original_value=p.original_value,
            unit=p.unit,
            number=p.number,
            number_max=p.number_max,
            si_value=p.si_value,
            si_value_max=p.si_value_max,
            si_unit=p.si_unit,
            text_value=p.text_value,
        )
        for p in scimeta.flatten(metadata)
    )
    return dataset


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """Per-process caches of what the catalogue holds must not outlive a test's database: the key
    list of the autocomplete, and the database backend's stored units (which decide whether a
    condition's unit is incompatible)."""

    def clear() -> None:
        cache.delete(PARAMETER_KEYS_CACHE)
        database_search._units_cache.clear()

    clear()
    yield
    clear()


@pytest.fixture
def catalogue(db: None) -> dict[str, Dataset]:
    return make_catalogue()


def make_catalogue() -> dict[str, Dataset]:
    """Four public datasets on two instruments, with temperatures and energies in various units."""
    p08 = InstrumentFactory.create(
        pid="p08", unique_name="P08", name="P08 High-resolution diffraction"
    )
    p21 = InstrumentFactory.create(
        pid="p21", unique_name="P21", name="P21 Swedish materials beamline"
    )
    gixos = TechniqueFactory.create(pid="panet01253", name="grazing incidence X-ray scattering")
    proposal = ProposalFactory.create(proposal_id="11019634", title="Lipid monolayers")
    when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    monolayer = DatasetFactory.create(
        pid="20.500.12269/ui-monolayer",
        title="GIXOS pseudo reflectivity of DPPG monolayer",
        keywords=["GIXOS", "lipid"],
        instrument=p08,
        proposal=proposal,
        start_time=when,
        data_location="disk",
    )
    monolayer.techniques.add(gixos)
    warm = DatasetFactory.create(
        pid="20.500.12269/ui-warm",
        title="Reflectivity of a warm lipid film",
        keywords=["lipid"],
        instrument=p08,
        start_time=when + dt.timedelta(days=1),
        data_location="tape",
    )
    cold = DatasetFactory.create(
        pid="20.500.12269/ui-cold",
        title="Powder diffraction of a cold cathode",
        keywords=["battery"],
        instrument=p21,
        start_time=dt.datetime(2023, 3, 1, tzinfo=dt.UTC),
        data_location="disk",
    )
    undated = DatasetFactory.create(
        pid="20.500.12269/ui-undated",
        title="Undated tomography",
        keywords=["tomography"],
        instrument=p21,
        start_time=None,
    )
    with_parameters(
        monolayer,
        {
            "sample_temperature": {"value": 295, "unit": "K"},
            "incident_energy": {"value": 15000, "unit": "eV"},
            "sample_name": "DPPG on water",
        },
    )
    with_parameters(
        warm,
        {
            "sample_temperature": {"value": 40, "unit": "degC"},
            "incident_energy": {"value": 25, "unit": "keV"},
        },
    )
    with_parameters(cold, {"sample_temperature": {"value": 80, "unit": "K"}})
    return {"monolayer": monolayer, "warm": warm, "cold": cold, "undated": undated}


@pytest.fixture(params=["database", "opensearch"])
def any_backend(request: pytest.FixtureRequest, settings: Any) -> str:
    """Run the test once with each search backend (OpenSearch: a real, throwaway server)."""
    if request.param == "opensearch":
        settings.OPENSEARCH_URL = request.getfixturevalue("opensearch_url")
        settings.OPENSEARCH_INDEX = f"test-ui-{uuid.uuid4().hex[:12]}"
    else:
        settings.OPENSEARCH_URL = ""
    return str(request.param)


@pytest.fixture
def indexed(any_backend: str, catalogue: dict[str, Dataset]) -> dict[str, Dataset]:
    """The catalogue, in the index of the backend under test."""
    chosen = backend()
    chosen.index([d.pk for d in catalogue.values()])
    refresh = getattr(chosen, "refresh", None)
    if refresh is not None:
        refresh()
    return catalogue
