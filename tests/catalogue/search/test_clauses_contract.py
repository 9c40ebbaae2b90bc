"""Structured clauses (catalogue/search/clauses.py): both backends answer every operator alike."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import pytest

from catalogue.models import Dataset, ScientificParameter
from catalogue.scimeta import conversion, flatten
from catalogue.search import DatasetQuery, QueryError, SearchBackend, backend, dataset_search
from catalogue.search.clauses import AllOf, AnyOf, FieldTest, NoneOf, ParameterTest, like_parts
from tests.factories import (
    DatasetFactory,
    InstrumentFactory,
    PublicationFactory,
    TechniqueFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["database", "opensearch"])
def search_backend(request: pytest.FixtureRequest, settings: Any) -> SearchBackend:
    if request.param == "opensearch":
        settings.OPENSEARCH_URL = request.getfixturevalue("opensearch_url")
        settings.OPENSEARCH_INDEX = f"test-{uuid.uuid4().hex[:12]}"
    else:
        settings.OPENSEARCH_URL = ""
    return backend()


def _dataset(metadata: dict[str, Any], **fields: Any) -> Dataset:
    dataset = DatasetFactory.create(scientific_metadata=metadata, **fields)
    ScientificParameter.objects.bulk_create(
        ScientificParameter(dataset=dataset, **dataclasses.asdict(p)) for p in flatten(metadata)
    )
    return dataset


@pytest.fixture
def catalogue(search_backend: SearchBackend) -> dict[str, Dataset]:
    saxs = TechniqueFactory.create(pid="http://purl.org/pan-science/PaNET/PaNET01188", name="SAXS")
    xas = TechniqueFactory.create(pid="http://purl.org/pan-science/PaNET/PaNET01196", name="XAS")
    p08 = InstrumentFactory.create(pid="instr-p08", unique_name="P08", name="P08 beamline")
    p10 = InstrumentFactory.create(pid="instr-p10", unique_name="P10", name="P10 beamline")
    warm = _dataset(
        {
            "sample_temperature": {"value": 295.0, "unit": "K"},
            "incident_energy": {"value": 15.0, "unit": "keV"},
            "sample_state": "solid",
            "chemical_formula": "Cu",
        },
        title="Copper foil at room temperature",
        instrument=p08,
        size=300,
        creation_time=dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
    )
    warm.techniques.add(saxs)
    cold = _dataset(
        {
            "sample_temperature": {"value": 4.2, "unit": "K"},
            "incident_energy": {"value": 8000, "unit": "eV"},
            "sample_state": "liquid",
            "chemical_formula": "He",
        },
        title="Liquid helium scattering",
        instrument=p10,
        size=100,
        creation_time=dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
    )
    cold.techniques.add(xas)
    ranged = _dataset(
        {"sample_temperature": {"value": [350, 400], "unit": "K", "type": "quantity_range"}},
        title="Heating ramp of a polymer_film",
        instrument=None,
        size=200,
        creation_time=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    ranged.techniques.add(saxs, xas)
    publication = PublicationFactory.create(doi="10.5072/Panosc-1")
    publication.datasets.add(warm)
    datasets = {"warm": warm, "cold": cold, "ranged": ranged}
    search_backend.index([d.pk for d in datasets.values()])
    search_backend.refresh()
    return datasets


def _names(catalogue: dict[str, Dataset], where: Any, **query: Any) -> set[str]:
    page = dataset_search(DatasetQuery(where=where, facets=False, per_page=100, **query))
    assert not page.degraded
    by_id = {d.pk: name for name, d in catalogue.items()}
    return {by_id[i] for i in page.ids}


def _si(value: float, unit: str) -> tuple[float, str]:
    conv = conversion(unit)
    assert conv is not None
    return conv(value), conv.si_unit


def _param(key: str, op: str, *values: float, unit: str) -> ParameterTest:
    numbers = [_si(v, unit) for v in values]
    return ParameterTest(
        key, op, numbers=tuple(n for n, _ in numbers), si_unit=numbers[0][1], unit=unit
    )


def test_parameter_between_in_another_unit(catalogue: dict[str, Dataset]) -> None:
    where = _param("incident_energy", "between", 10000, 20000, unit="eV")
    assert _names(catalogue, where) == {"warm"}


def test_parameter_compares_celsius_with_kelvin(catalogue: dict[str, Dataset]) -> None:
    assert _names(catalogue, _param("sample_temperature", "lt", 60, unit="degC")) == {
        "warm",
        "cold",
    }
    assert _names(catalogue, _param("sample_temperature", "gt", 100, unit="degC")) == {"ranged"}


def test_parameter_millikelvin_and_equality(catalogue: dict[str, Dataset]) -> None:
    assert _names(catalogue, _param("sample_temperature", "eq", 4200, unit="mK")) == {"cold"}
    assert _names(catalogue, _param("sample_temperature", "neq", 4200, unit="mK")) == {
        "warm",
        "ranged",
    }


def test_parameter_inq_and_nin_on_numbers(catalogue: dict[str, Dataset]) -> None:
    assert _names(catalogue, _param("incident_energy", "inq", 8, 15, unit="keV")) == {
        "warm",
        "cold",
    }
    assert _names(catalogue, _param("incident_energy", "nin", 8, unit="keV")) == {"warm"}


def test_parameter_range_overlaps(catalogue: dict[str, Dataset]) -> None:
    assert _names(catalogue, _param("sample_temperature", "gte", 399, unit="K")) == {"ranged"}
    assert _names(catalogue, _param("sample_temperature", "lte", 350, unit="K")) == {
        "warm",
        "cold",
        "ranged",
    }


def test_parameter_texts(catalogue: dict[str, Dataset]) -> None:
    def text(op: str, *values: str) -> set[str]:
        return _names(catalogue, ParameterTest("sample_state", op, texts=values))

    assert text("eq", "SOLID") == {"warm"}
    assert text("neq", "solid") == {"cold"}
    assert text("inq", "solid", "liquid") == {"warm", "cold"}
    assert text("nin", "solid") == {"cold"}
    assert text("like", "so%") == {"warm"}
    assert text("like", "SO%") == set()
    assert text("ilike", "SO%") == {"warm"}
    assert text("nlike", "so%") == {"cold"}
    assert text("nilike", "%LID") == {"cold"}
    assert _names(catalogue, ParameterTest("chemical_formula", "exists")) == {"warm", "cold"}


def test_or_groups_of_parameters(catalogue: dict[str, Dataset]) -> None:
    where = AnyOf(
        (
            ParameterTest("sample_state", "eq", texts=("solid",)),
            AllOf(
                (
                    ParameterTest("chemical_formula", "eq", texts=("He",)),
                    _param("sample_temperature", "lt", 10, unit="K"),
                )
            ),
        )
    )
    assert _names(catalogue, where) == {"warm", "cold"}
    assert _names(catalogue, AnyOf(())) == set()
    assert _names(catalogue, AllOf(())) == {"warm", "cold", "ranged"}
    assert _names(catalogue, NoneOf((ParameterTest("sample_state", "exists"),))) == {"ranged"}


def test_field_text_operators(catalogue: dict[str, Dataset]) -> None:
    warm = catalogue["warm"]
    assert _names(catalogue, FieldTest("pid", "eq", (warm.pid,))) == {"warm"}
    assert _names(catalogue, FieldTest("pid", "neq", (warm.pid,))) == {"cold", "ranged"}
    assert _names(catalogue, FieldTest("title", "like", ("Copper%",))) == {"warm"}
    assert _names(catalogue, FieldTest("title", "like", ("copper%",))) == set()
    assert _names(catalogue, FieldTest("title", "ilike", ("%HELIUM%",))) == {"cold"}
    assert _names(catalogue, FieldTest("title", "like", ("%polymer\\_film",))) == {"ranged"}
    assert _names(catalogue, FieldTest("title", "like", ("Liquid_helium%",))) == {"cold"}
    assert _names(catalogue, FieldTest("title", "nilike", ("%helium%",))) == {"warm", "ranged"}


def test_field_relations(catalogue: dict[str, Dataset]) -> None:
    assert _names(catalogue, FieldTest("instrument", "inq", ("P08", "P10"))) == {"warm", "cold"}
    assert _names(catalogue, FieldTest("instrument", "neq", ("P08",))) == {"cold", "ranged"}
    assert _names(catalogue, FieldTest("instrument_pid", "eq", ("instr-p10",))) == {"cold"}
    panet = "http://purl.org/pan-science/PaNET/PaNET01196"
    assert _names(catalogue, FieldTest("technique_id", "eq", (panet.upper(),))) == {
        "cold",
        "ranged",
    }
    assert _names(catalogue, FieldTest("technique", "nin", ("XAS",))) == {"warm"}
    assert _names(catalogue, FieldTest("doi", "eq", ("10.5072/panosc-1",))) == {"warm"}


def test_field_numbers_and_times(catalogue: dict[str, Dataset]) -> None:
    assert _names(catalogue, FieldTest("size", "between", (150.0, 300.0))) == {"warm", "ranged"}
    assert _names(catalogue, FieldTest("size", "nin", (100.0, 200.0))) == {"warm"}
    since = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    assert _names(catalogue, FieldTest("creation_time", "gte", (since,))) == {"cold", "ranged"}
    assert _names(catalogue, FieldTest("creation_time", "lt", (since,))) == {"warm"}


def test_clauses_combine_with_text_and_score(catalogue: dict[str, Dataset]) -> None:
    where = FieldTest("size", "gte", (100.0,))
    page = dataset_search(DatasetQuery(text="helium", where=where, facets=False))
    assert page.ids == [catalogue["cold"].pk]
    assert page.scores[catalogue["cold"].pk] > 0


def test_start_skips_any_number(catalogue: dict[str, Dataset]) -> None:
    everything = dataset_search(DatasetQuery(facets=False)).ids
    page = dataset_search(DatasetQuery(facets=False, start=1, per_page=2))
    assert page.ids == everything[1:3]


def test_unit_that_cannot_be_converted_is_a_query_error(catalogue: dict[str, Dataset]) -> None:
    with pytest.raises(QueryError, match="cannot be converted"):
        dataset_search(DatasetQuery(where=_param("sample_temperature", "gt", 1, unit="eV")))


def test_malformed_clauses_are_query_errors() -> None:
    with pytest.raises(QueryError):
        FieldTest("owner_email", "eq", ("x",))
    with pytest.raises(QueryError):
        FieldTest("size", "like", ("1%",))
    with pytest.raises(QueryError):
        FieldTest("size", "between", (1.0,))
    with pytest.raises(QueryError):
        ParameterTest("t", "like", numbers=(1.0,))
    with pytest.raises(QueryError):
        ParameterTest("", "exists")
    assert like_parts("a\\%b%_") == [("text", "a%b"), ("any", ""), ("one", "")]
