"""The PaNOSC search API (/panosc-api/): every endpoint and operator, units, scores, bad input."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from catalogue.models import Dataset
from catalogue.search import backend
from tests.factories import DatasetFactory
from tests.panosc.conftest import SAXS, Catalogue

pytestmark = pytest.mark.django_db


def _get(client: Client, path: str, status: int = 200, **params: Any) -> Any:
    query = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    response = client.get(f"/panosc-api/{path}", query)
    assert response.status_code == status, response.content
    return response.json()


def _pids(items: list[dict[str, Any]]) -> list[str]:
    return [item["pid"].rsplit("-", 1)[-1] for item in items]


def test_datasets_list_public_ones_newest_first_with_a_neutral_score(
    client: Client, panosc_catalogue: Catalogue
) -> None:
    found = _get(client, "Datasets")
    assert _pids(found) == ["ranged", "cold", "warm"]
    first = found[0]
    assert first["isPublic"] is True
    assert first["score"] == 0.5
    assert first["creationDate"] == "2025-01-01T00:00:00.000Z"
    assert _get(client, "Datasets/count") == {"count": 3}


def test_limit_and_skip_are_not_capped(client: Client, panosc_catalogue: Catalogue) -> None:
    assert _pids(_get(client, "Datasets", filter={"limit": 1, "skip": 1})) == ["cold"]
    assert _pids(_get(client, "Datasets", filter={"skip": 2})) == ["warm"]
    assert len(_get(client, "Datasets", filter={"limit": 1000})) == 3
    error = _get(client, "Datasets", 400, filter={"limit": 1001})
    assert "limit" in error["error"]["message"]


def test_where_on_dataset_properties(client: Client, panosc_catalogue: Catalogue) -> None:
    def pids(where: dict[str, Any]) -> set[str]:
        return set(_pids(_get(client, "Datasets", filter={"where": where})))

    assert pids({"pid": "20.500.12269/panosc-cold"}) == {"cold"}
    assert pids({"pid": {"neq": "20.500.12269/panosc-cold"}}) == {"warm", "ranged"}
    assert pids({"title": {"like": "Liquid%"}}) == {"cold"}
    assert pids({"title": {"ilike": "%COPPER%"}}) == {"warm"}
    assert pids({"title": {"nlike": "%i%"}}) == set()
    assert pids({"pid": {"inq": ["20.500.12269/panosc-cold", "x"]}}) == {"cold"}
    assert pids({"pid": {"nin": ["20.500.12269/panosc-cold"]}}) == {"warm", "ranged"}
    assert pids({"creationDate": {"gte": "2024-05-01"}}) == {"cold", "ranged"}
    assert pids({"creationDate": {"between": ["2024-01-01", "2024-04-01"]}}) == {"warm"}
    assert pids({"or": [{"text": "helium"}, {"text": "polymer"}]}) == {"cold", "ranged"}
    assert pids({"and": [{"text": "copper"}, {"isPublic": True}]}) == {"warm"}
    assert pids({"isPublic": False}) == set()
    count = _get(client, "Datasets/count", where={"title": {"ilike": "%he%"}})
    assert count == {"count": 2}


def test_energy_between_in_ev_matches_kev_and_answers_in_ev(
    client: Client, panosc_catalogue: Catalogue
) -> None:
    where = {"name": "incident_energy", "value": {"between": [10000, 20000]}, "unit": "eV"}
    found = _get(
        client,
        "Datasets",
        filter={"include": [{"relation": "parameters", "scope": {"where": where}}]},
    )
    assert _pids(found) == ["warm"]
    assert found[0]["parameters"] == [
        {
            "id": found[0]["parameters"][0]["id"],
            "name": "incident_energy",
            "value": 15000,
            "unit": "eV",
            "datasetId": "20.500.12269/panosc-warm",
        }
    ]


def test_celsius_against_kelvin_as_the_reference_writes_it(
    client: Client, panosc_catalogue: Catalogue
) -> None:
    scope = {
        "where": {
            "and": [{"name": "sample_temperature"}, {"value": {"lt": 60}}, {"unit": "celsius"}]
        }
    }
    found = _get(
        client, "Datasets", filter={"include": [{"relation": "parameters", "scope": scope}]}
    )
    assert _pids(found) == ["cold", "warm"]
    values = {d["pid"][-4:]: d["parameters"][0] for d in found}
    assert values["warm"]["value"] == 22
    assert values["warm"]["unit"] == "celsius"
    assert values["cold"]["value"] == pytest.approx(-268.95)


def test_millikelvin_and_degc_spelling(client: Client, panosc_catalogue: Catalogue) -> None:
    def pids(value: Any, unit: str) -> list[str]:
        where = {"name": "sample_temperature", "value": value, "unit": unit}
        include = [{"relation": "parameters", "scope": {"where": where}}]
        return _pids(_get(client, "Datasets", filter={"include": include}))

    assert pids(4200, "mK") == ["cold"]
    assert pids({"gt": 100}, "degC") == ["ranged"]
    assert pids({"gte": 22}, "°C") == ["ranged", "warm"]


def test_or_groups_of_parameters(client: Client, panosc_catalogue: Catalogue) -> None:
    where = {
        "or": [
            {"and": [{"name": "sample_state"}, {"value": "solid"}]},
            {"and": [{"name": "chemical_formula"}, {"value": "He"}]},
            {"and": [{"name": "sample_temperature"}, {"value": {"gt": 370}}, {"unit": "K"}]},
        ]
    }
    include = [{"relation": "parameters", "scope": {"where": where}}]
    found = _get(client, "Datasets", filter={"include": include})
    assert _pids(found) == ["ranged", "warm"]
    warm = found[1]
    assert {p["name"] for p in warm["parameters"]} == {"sample_state"}
    assert found[0]["parameters"][0]["value"] == [350, 400]


def test_parameters_text_operators(client: Client, panosc_catalogue: Catalogue) -> None:
    def pids(value: Any) -> list[str]:
        include = [
            {"relation": "parameters", "scope": {"where": {"name": "sample_state", "value": value}}}
        ]
        return _pids(_get(client, "Datasets", filter={"include": include}))

    assert pids("SOLID") == ["warm"]
    assert pids({"neq": "solid"}) == ["cold"]
    assert pids({"inq": ["solid", "liquid"]}) == ["cold", "warm"]
    assert pids({"nin": ["solid"]}) == ["cold"]
    assert pids({"like": "liq%"}) == ["cold"]
    assert pids({"ilike": "LIQ%"}) == ["cold"]
    assert pids({"nilike": "LIQ%"}) == ["warm"]


def test_techniques_carry_panet_ids_and_match_them(
    client: Client, panosc_catalogue: Catalogue
) -> None:
    include = [{"relation": "techniques", "scope": {"where": {"panetId": SAXS}}}]
    found = _get(client, "Datasets", filter={"include": include})
    assert _pids(found) == ["warm"]
    assert found[0]["techniques"] == [
        {"pid": SAXS, "name": "small angle x-ray scattering", "panetId": SAXS}
    ]
    short = [{"relation": "techniques", "scope": {"where": {"pid": "panet01196"}}}]
    assert _pids(_get(client, "Datasets", filter={"include": short})) == ["cold"]
    every = _get(client, "Datasets", filter={"include": ["techniques"]})
    cold = next(d for d in every if d["pid"].endswith("cold"))
    assert cold["techniques"][0]["panetId"] == "http://purl.org/pan-science/PaNET/PaNET01196"
    names = [{"relation": "techniques", "scope": {"where": {"name": {"ilike": "%absorption"}}}}]
    assert _pids(_get(client, "Datasets", filter={"include": names})) == ["cold"]


def test_instrument_and_samples_includes(client: Client, panosc_catalogue: Catalogue) -> None:
    include = [{"relation": "instrument", "scope": {"where": {"name": "P10"}}}]
    found = _get(client, "Datasets", filter={"include": include})
    assert _pids(found) == ["cold"]
    assert found[0]["instrument"] == {
        "pid": "instr-p10",
        "name": "P10",
        "facility": "PETRA III",
    }
    samples = [{"relation": "samples", "scope": {"where": {"name": "copper"}}}]
    assert _get(client, "Datasets", filter={"include": samples}) == []
    assert _get(client, "Datasets", filter={"include": ["samples"]})[0]["samples"] == []


def test_files_only_of_their_own_dataset(client: Client, panosc_catalogue: Catalogue) -> None:
    include = [{"relation": "files", "scope": {"where": {"text": "file1"}}}]
    found = _get(client, "Datasets", filter={"include": include})
    assert _pids(found) == ["warm"]
    assert [f["name"] for f in found[0]["files"]] == ["panosc-file1.hdf"]
    every = _get(client, "Datasets", filter={"include": ["files"]})
    names = {d["pid"][-4:]: [f["name"] for f in d["files"]] for d in every}
    assert names == {
        "nged": [],
        "cold": ["scan_cold.h5"],
        "warm": ["panosc-file1.hdf", "panosc-file2.hdf"],
    }
    pid = quote("20.500.12269/panosc-warm", safe="")
    files = _get(client, f"Datasets/{pid}/files")
    assert [(f["name"], f["path"], f["size"]) for f in files] == [
        ("panosc-file1.hdf", "raw", 10),
        ("panosc-file2.hdf", "raw", 20),
    ]
    assert _get(client, f"Datasets/{pid}/files/count") == {"count": 2}
    assert _get(client, f"Datasets/{pid}/files/count", where={"size": {"gt": 15}}) == {"count": 1}
    assert (
        _get(client, "Datasets/20.500.12269/panosc-warm/files", filter={"limit": 1})[0]["name"]
        == "panosc-file1.hdf"
    )


def test_dataset_by_pid_raw_or_encoded_and_withdrawn_or_unknown_404(
    client: Client, panosc_catalogue: Catalogue
) -> None:
    assert _get(client, "Datasets/20.500.12269/panosc-cold")["title"] == "Liquid helium scattering"
    encoded = quote("20.500.12269/panosc-cold", safe="")
    assert _get(client, f"Datasets/{encoded}")["pid"] == "20.500.12269/panosc-cold"
    for pid in ("20.500.12269/panosc-withdrawn", "20.500.12269/nothing"):
        error = _get(client, f"Datasets/{quote(pid, safe='')}", 404)["error"]
        assert error["code"] == "MODEL_NOT_FOUND"
        _get(client, f"Datasets/{quote(pid, safe='')}/files", 404)
        _get(client, f"Datasets/{quote(pid, safe='')}/files/count", 404)


def test_query_scores_strictly_between_zero_and_one_sorted(
    client: Client, panosc_catalogue: Catalogue
) -> None:
    found = _get(client, "Datasets", filter={"query": "copper lipid"})
    assert _pids(found) == ["warm"]
    scores = [d["score"] for d in _get(client, "Datasets", query="scattering")]
    assert scores
    assert all(0 < s < 1 for s in scores)
    assert scores == sorted(scores, reverse=True)
    documents = _get(client, "Documents", filter={"query": "lipid"})
    assert [d["pid"] for d in documents] == ["10.5072/panosc-document1"]
    assert 0 < documents[0]["score"] < 1
    instruments = _get(client, "Instruments", query="P08")
    assert [i["name"] for i in instruments] == ["P08"]
    assert 0 < instruments[0]["score"] < 1


def test_documents_with_members_persons_affiliations_and_datasets(
    client: Client, panosc_catalogue: Catalogue
) -> None:
    found = _get(
        client,
        "Documents",
        filter={
            "include": [
                {"relation": "members", "scope": {"include": ["person", "affiliation"]}},
                "datasets",
            ]
        },
    )
    assert [d["pid"] for d in found] == ["10.5072/panosc-document1"]  # never the draft
    document = found[0]
    assert document["type"] == "publication"
    assert document["isPublic"] is True
    member = document["members"][0]
    assert member["person"]["orcid"] == "https://orcid.org/0000-0002-1825-0097"
    assert member["person"]["fullName"] == "Franklin, Rosalind"
    assert member["affiliation"]["name"] == "King's College London"
    assert member["role"] == "Creator"
    contributor = document["members"][1]  # a contributor: its DataCite role
    assert contributor["role"] == "DataCollector"
    assert contributor["person"]["fullName"] == "Gosling, Raymond"
    assert contributor["person"]["id"] == "10.5072/panosc-document1/contributors/1"
    assert sorted(_pids(document["datasets"])) == ["cold", "warm"]  # not the withdrawn one
    assert _get(client, "Documents/count") == {"count": 1}
    assert _get(client, "Documents/count", where={"title": {"like": "Draft%"}}) == {"count": 0}
    assert _get(client, "Documents/10.5072/panosc-document1")["title"] == "PaNOSC lipid publication"
    _get(client, "Documents/10.5072/nothing", 404)


def test_documents_filtered_by_their_datasets(client: Client, panosc_catalogue: Catalogue) -> None:
    scope = {
        "where": {"title": {"ilike": "%helium%"}},
        "include": [{"relation": "techniques", "scope": {"where": {"name": "x-ray absorption"}}}],
    }
    found = _get(
        client, "Documents", filter={"include": [{"relation": "datasets", "scope": scope}]}
    )
    assert [_pids(d["datasets"]) for d in found] == [["cold"]]
    nothing = {"where": {"title": "no such title"}}
    assert (
        _get(client, "Documents", filter={"include": [{"relation": "datasets", "scope": nothing}]})
        == []
    )
    include = [{"relation": "documents", "scope": {"where": {"pid": "10.5072/PANOSC-DOCUMENT1"}}}]
    datasets = _get(client, "Datasets", filter={"include": include})
    assert _pids(datasets) == ["cold", "warm"]
    assert datasets[0]["documents"][0]["pid"] == "10.5072/panosc-document1"


def test_instruments(client: Client, panosc_catalogue: Catalogue) -> None:
    assert [i["name"] for i in _get(client, "Instruments")] == ["P08", "P10"]
    assert _get(client, "Instruments", filter={"where": {"name": {"inq": ["P10"]}}}) == [
        {"pid": "instr-p10", "name": "P10", "facility": "PETRA III", "score": 0.5}
    ]
    assert _get(client, "Instruments/count", where={"facility": "PETRA III"}) == {"count": 2}
    assert _get(client, "Instruments/instr-p08")["name"] == "P08"
    _get(client, "Instruments/instr-nothing", 404)


@pytest.mark.parametrize(
    ("path", "params", "words"),
    [
        ("Datasets", {"filter": "{not json"}, "not valid JSON"),
        ("Datasets", {"filter": "[1]"}, "JSON object"),
        ("Datasets", {"filter": {"where": {"owner": "x"}}}, "not a property of Dataset"),
        ("Datasets", {"filter": {"where": {"title": {"regexp": "x"}}}}, "Unknown operator"),
        ("Datasets", {"filter": {"where": {"title": {"gt": 1, "lt": 2}}}}, "one operator"),
        ("Datasets", {"filter": {"where": {"size": {"like": "1%"}}}}, "does not apply"),
        ("Datasets", {"filter": {"where": {"creationDate": {"gt": "yesterday"}}}}, "ISO 8601"),
        ("Datasets", {"filter": {"where": {"and": {}}}}, "non-empty list"),
        ("Datasets", {"filter": {"include": [{"relation": "owners"}]}}, "not a relation"),
        (
            "Datasets",
            {"filter": {"include": [{"relation": "files", "scope": {"where": {"x": 1}}}]}},
            "not a property of File",
        ),
        ("Datasets", {"filter": {"limit": -1}}, "limit"),
        ("Datasets", {"filter": {"limit": "ten"}}, "whole number"),
        ("Datasets", {"filter": {"order": "title"}}, "not offered"),
        (
            "Datasets",
            {
                "filter": {
                    "include": [
                        {
                            "relation": "parameters",
                            "scope": {
                                "where": {
                                    "name": "sample_temperature",
                                    "value": {"gt": 1},
                                    "unit": "blorps",
                                }
                            },
                        }
                    ]
                }
            },
            "Unknown unit",
        ),
        (
            "Datasets",
            {
                "filter": {
                    "include": [
                        {
                            "relation": "parameters",
                            "scope": {
                                "where": {
                                    "name": "sample_temperature",
                                    "value": {"gt": 1},
                                    "unit": "eV",
                                }
                            },
                        }
                    ]
                }
            },
            "cannot be converted",
        ),
        (
            "Datasets",
            {
                "filter": {
                    "include": [
                        {"relation": "parameters", "scope": {"where": {"value": {"gt": 1}}}}
                    ]
                }
            },
            "names one parameter",
        ),
        (
            "Datasets",
            {
                "filter": {
                    "include": [
                        {
                            "relation": "parameters",
                            "scope": {"where": {"name": "t", "value": {"between": [1]}}},
                        }
                    ]
                }
            },
            "two values",
        ),
        ("Datasets", {"filter": {"query": 5}}, "string"),
        ("Datasets/count", {"where": "{bad"}, "not valid JSON"),
        ("Documents", {"filter": {"where": {"type": {"gt": "a"}}}}, "does not apply"),
        (
            "Documents",
            {"filter": {"include": [{"relation": "members", "scope": {"where": {"role": "x"}}}]}},
            "not offered",
        ),
        ("Instruments", {"filter": {"include": ["datasets"]}}, "not a relation"),
        ("Instruments/count", {"where": {"name": {"nin": []}}}, "at least one"),
    ],
)
def test_malformed_input_is_a_400_naming_the_part(
    client: Client, panosc_catalogue: Catalogue, path: str, params: dict[str, Any], words: str
) -> None:
    error = _get(client, path, 400, **params)["error"]
    assert error["statusCode"] == 400
    assert words in error["message"]


def test_cors_and_method(client: Client, panosc_catalogue: Catalogue) -> None:
    response = client.get("/panosc-api/Datasets")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert client.post("/panosc-api/Datasets").status_code == 405


def test_lists_and_counts_are_not_capped_at_100(client: Client, settings: Any) -> None:
    settings.OPENSEARCH_URL = ""
    DatasetFactory.create_batch(150, title="Bulk reflectivity")
    assert _get(client, "Datasets/count") == {"count": 150}
    assert _get(client, "Datasets/count", where={"title": "Bulk reflectivity"}) == {"count": 150}
    assert len(_get(client, "Datasets", filter={"limit": 150})) == 150
    assert len(_get(client, "Datasets", filter={"skip": 120})) == 30


@pytest.mark.parametrize("search", ["database", "opensearch"])
def test_unit_conversion_on_both_backends(
    client: Client,
    panosc_catalogue: Catalogue,
    settings: Any,
    request: pytest.FixtureRequest,
    search: str,
) -> None:
    if search == "opensearch":
        settings.OPENSEARCH_URL = request.getfixturevalue("opensearch_url")
        settings.OPENSEARCH_INDEX = f"test-{uuid.uuid4().hex[:12]}"
        chosen = backend()
        chosen.index(list(Dataset.objects.values_list("pk", flat=True)))
        chosen.refresh()
    energy = {"name": "incident_energy", "value": {"between": [10000, 20000]}, "unit": "eV"}
    cold = {"name": "sample_temperature", "value": {"lt": 0}, "unit": "degC"}

    def pids(where: dict[str, Any], **more: Any) -> list[str]:
        include = [{"relation": "parameters", "scope": {"where": where}}]
        return _pids(_get(client, "Datasets", filter={"include": include, **more}))

    assert pids(energy) == ["warm"]
    assert pids(cold) == ["cold"]
    assert pids({"or": [energy, cold]}) == ["cold", "warm"]
    scored = _get(client, "Datasets", filter={"query": "helium"})
    assert _pids(scored) == ["cold"]
    assert 0 < scored[0]["score"] < 1


ODD_FILTERS = [
    "null",
    "{}",
    '{"where": null}',
    '{"where": {"and": [{}]}}',
    '{"where": {"or": [{"pid": null}]}}',
    '{"where": {"size": {"gt": "big"}}}',
    '{"where": {"size": {"inq": [1e400]}}}',
    '{"where": {"creationDate": {"between": ["2024-01-01", 5]}}}',
    '{"where": {"title": {"like": 5}}}',
    '{"where": {"text": {"gt": 1}}}',
    '{"include": "parameters"}',
    '{"include": [{"relation": "parameters", "scope": {"where": {"name": "x", "value": [1, 2]}}}]}',
    '{"include": [{"relation": "parameters", "scope": {"where": {"and": [{"name": "x"}, '
    '{"or": [{"value": 1}, {"value": 2}]}]}}}]}',
    '{"include": [{"relation": "parameters", "scope": '
    '{"where": {"name": "x", "value": {"gt": true}}}}]}',
    '{"include": [{"relation": "parameters", "scope": '
    '{"where": {"name": "x", "unit": {"gt": "K"}}}}]}',
    '{"include": [{"relation": "files", "scope": {"where": {"id": "inf"}}}]}',
    '{"include": [{"relation": "files", "scope": {"where": {"id": {"inq": ["nan", 2]}}}}]}',
    '{"include": [{"relation": "files", "scope": {"include": ["x"]}}]}',
    '{"include": [{"relation": "techniques", "scope": "x"}]}',
    '{"include": [{"relation": "documents", "scope": {"where": {"releaseDate": {"gt": "x"}}}}]}',
    '{"include": [{"relation": "instrument", "scope": {"where": {"name": {"between": [1, 2]}}}}]}',
    '{"limit": 0}',
    '{"skip": "x"}',
    '{"query": "\\"unbalanced"}',
    '{"query": "NOT"}',
    '{"where": {"pid": "' + "x" * 30000 + '"}}',
    "[" * 5000,
]


@pytest.mark.parametrize(
    "model", ["Datasets", "Documents", "Instruments", "Datasets/20.500.12269%2Fpanosc-warm"]
)
def test_odd_filters_never_answer_5xx(
    client: Client, panosc_catalogue: Catalogue, model: str
) -> None:
    for raw in ODD_FILTERS:
        response = client.get(f"/panosc-api/{model}", {"filter": raw})
        assert response.status_code in (200, 400, 404), (model, raw[:80], response.content[:300])
        count = client.get("/panosc-api/Datasets/count", {"where": raw})
        assert count.status_code in (200, 400), (raw[:80], count.content[:300])


def test_a_documents_datasets_bring_their_own_relations(
    client: Client, panosc_catalogue: Catalogue
) -> None:
    scope = {"include": ["files", "techniques", "parameters"]}
    (document,) = _get(
        client, "Documents", filter={"include": [{"relation": "datasets", "scope": scope}]}
    )
    warm = next(d for d in document["datasets"] if d["pid"].endswith("warm"))
    assert [f["name"] for f in warm["files"]] == ["panosc-file1.hdf", "panosc-file2.hdf"]
    assert [t["name"] for t in warm["techniques"]] == ["small angle x-ray scattering"]
    assert "sample_temperature" in [p["name"] for p in warm["parameters"]]


def test_the_documents_of_a_page_cost_the_same_queries_for_one_dataset_or_many(
    client: Client, panosc_catalogue: Catalogue
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(limit: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            found = _get(client, "Datasets", filter={"include": ["documents"], "limit": limit})
        assert len(found) == limit
        return len(captured.captured_queries)

    queries(3)  # what a first request reads once
    assert queries(1) == queries(3)
    found = _get(client, "Datasets", filter={"include": ["documents"]})
    assert {d["pid"].rsplit("-", 1)[-1]: len(d["documents"]) for d in found} == {
        "ranged": 0,
        "cold": 1,
        "warm": 1,
    }
