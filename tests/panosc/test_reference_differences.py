"""What SciCat's own PaNOSC implementation (SciCatProject/panosc-search-api) gets wrong.

Tried over the same records, the reference ignores ``where`` on SciCat 4.17, caps lists and counts
at 100, answers 500 for ``degC``/``mK`` units, attaches other (even private) datasets' files,
lists a private publication, and scores everything 0. One test per item; each says what the
reference does.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from catalogue.visibility import Visibility
from publishing.models import DoiState
from tests.factories import DatasetFactory, InstrumentFactory, PublicationFactory
from tests.panosc.conftest import Catalogue

pytestmark = pytest.mark.django_db


def _get(client: Client, path: str, status: int = 200, **params: Any) -> Any:
    query = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    response = client.get(f"/panosc-api/{path}", query)
    assert response.status_code == status, response.content[:500]
    return response.json()


def _tails(items: list[dict[str, Any]]) -> list[str]:
    return [item["pid"].rsplit("-", 1)[-1] for item in items]


def test_where_narrows_every_list_and_count(client: Client, panosc_catalogue: Catalogue) -> None:
    """The reference on SciCat 4.17 answers every record whatever the ``where``."""
    helium = {"title": {"ilike": "%helium%"}}
    assert _tails(_get(client, "Datasets", filter={"where": helium})) == ["cold"]
    assert _get(client, "Datasets/count", where=helium) == {"count": 1}
    nothing = {"pid": "20.500.12269/no-such-dataset"}
    assert _get(client, "Datasets", filter={"where": nothing}) == []
    assert _get(client, "Datasets/count", where=nothing) == {"count": 0}
    assert _get(client, "Documents", filter={"where": {"title": {"like": "Nothing%"}}}) == []
    assert _get(client, "Documents/count", where={"title": {"like": "PaNOSC%"}}) == {"count": 1}
    p10 = _get(client, "Instruments", filter={"where": {"name": "P10"}})
    assert [i["name"] for i in p10] == ["P10"]
    assert _get(client, "Instruments/count", where={"name": "P10"}) == {"count": 1}


def test_lists_and_counts_go_past_100(client: Client, settings: Any) -> None:
    """The reference answers at most 100 records, and counts no further than 100."""
    settings.OPENSEARCH_URL = ""
    instrument = InstrumentFactory.create(unique_name="P21", name="P21 beamline")
    DatasetFactory.create_batch(130, title="Bulk diffraction", instrument=instrument)
    assert _get(client, "Datasets/count") == {"count": 130}
    assert _get(client, "Datasets/count", where={"title": "Bulk diffraction"}) == {"count": 130}
    listed = _get(client, "Datasets", filter={"limit": 1000})
    assert len(listed) == len({d["pid"] for d in listed}) == 130
    assert len(_get(client, "Datasets", filter={"skip": 100, "limit": 100})) == 30
    include = [{"relation": "instrument", "scope": {"where": {"name": "P21"}}}]
    assert len(_get(client, "Datasets", filter={"include": include, "limit": 500})) == 130


def test_degc_and_millikelvin_answer_200_converted(
    client: Client, panosc_catalogue: Catalogue
) -> None:
    """The reference answers 500 for ``degC``, ``°C`` and ``mK``; here they convert both ways:
    conditions against kelvin, and the values answered in the unit asked for."""

    def find(where: dict[str, Any]) -> list[dict[str, Any]]:
        include = [{"relation": "parameters", "scope": {"where": where}}]
        return _get(client, "Datasets", filter={"include": include})

    for unit in ("degC", "°C", "celsius"):
        found = find({"name": "sample_temperature", "value": {"lt": 0}, "unit": unit})
        assert _tails(found) == ["cold"], unit
        assert found[0]["parameters"][0]["unit"] == unit
        assert found[0]["parameters"][0]["value"] == pytest.approx(4.2 - 273.15)
    millikelvin = find({"name": "sample_temperature", "value": {"lt": 5000}, "unit": "mK"})
    assert _tails(millikelvin) == ["cold"]
    assert millikelvin[0]["parameters"][0] | {"id": 0} == {
        "id": 0,
        "name": "sample_temperature",
        "value": pytest.approx(4200),
        "unit": "mK",
        "datasetId": "20.500.12269/panosc-cold",
    }


def test_files_are_only_the_datasets_own_never_a_withdrawn_ones(
    client: Client, panosc_catalogue: Catalogue
) -> None:
    """The reference attaches files of other datasets, private ones among them, to a dataset."""
    every = _get(client, "Datasets", filter={"include": ["files"], "limit": 1000})
    files = {d["pid"]: sorted(f["name"] for f in d["files"]) for d in every}
    assert files == {
        panosc_catalogue.warm.pid: ["panosc-file1.hdf", "panosc-file2.hdf"],
        panosc_catalogue.cold.pid: ["scan_cold.h5"],
        panosc_catalogue.ranged.pid: [],
    }
    # The withdrawn dataset's file matches no scope, answers under no pid, and counts nowhere.
    secret = [{"relation": "files", "scope": {"where": {"text": "withdrawn-secret"}}}]
    assert _get(client, "Datasets", filter={"include": secret}) == []
    withdrawn = quote(panosc_catalogue.withdrawn.pid, safe="")
    _get(client, f"Datasets/{withdrawn}/files", 404)
    _get(client, f"Datasets/{withdrawn}/files/count", 404)
    for dataset in (panosc_catalogue.warm, panosc_catalogue.cold, panosc_catalogue.ranged):
        pid = quote(dataset.pid, safe="")
        own = _get(client, f"Datasets/{pid}/files", filter={"limit": 1000})
        assert sorted(f["name"] for f in own) == files[dataset.pid]
        assert _get(client, f"Datasets/{pid}/files/count") == {"count": len(files[dataset.pid])}
        single = _get(client, f"Datasets/{pid}", filter={"include": ["files"]})
        assert sorted(f["name"] for f in single["files"]) == files[dataset.pid]
    body = json.dumps(every)
    assert "withdrawn-secret" not in body


def test_no_private_publication_is_listed(client: Client, panosc_catalogue: Catalogue) -> None:
    """The reference lists a publication that is not public. Here only public DOIs are
    documents: never a draft (with or without a DOI), a reservation for a record under embargo,
    or a withdrawn publication, in lists, counts, single records or a dataset's documents."""
    warm = panosc_catalogue.warm
    private = [
        PublicationFactory.create(
            doi="10.5072/panosc-private-draft", doi_state=DoiState.DRAFT, registered_at=None
        ),
        PublicationFactory.create(
            doi="10.5072/panosc-private-reserved", doi_state=DoiState.RESERVED, reserved=True
        ),
        PublicationFactory.create(
            doi="10.5072/panosc-private-withdrawn",
            doi_state=DoiState.HIDDEN,
            visibility=Visibility.WITHDRAWN,
            withdrawn_reason="retracted",
        ),
    ]
    for publication in private:
        publication.datasets.add(warm)
    public = [panosc_catalogue.publication.doi]
    listed = _get(client, "Documents", filter={"limit": 1000})
    assert [d["pid"] for d in listed] == public
    assert _get(client, "Documents/count") == {"count": 1}
    assert _get(client, "Documents", filter={"where": {"title": {"like": "%"}}, "limit": 10}) == (
        listed
    )
    for publication in private:
        _get(client, f"Documents/{quote(publication.doi, safe='')}", 404)
        assert _get(client, "Documents/count", where={"pid": publication.doi}) == {"count": 0}
        include = [{"relation": "documents", "scope": {"where": {"pid": publication.doi}}}]
        assert _get(client, "Datasets", filter={"include": include}) == []
    with_documents = _get(
        client, f"Datasets/{quote(warm.pid, safe='')}", filter={"include": ["documents"]}
    )
    assert [d["pid"] for d in with_documents["documents"]] == public
    assert "private" not in json.dumps(with_documents)


def test_scores_are_strictly_between_0_and_1(client: Client, panosc_catalogue: Catalogue) -> None:
    """The reference scores every result 0, which the federated search service (keeping only
    scores in (0, 1)) drops. Here a ``query`` scores by relevance, best first, and without one
    every result scores the neutral 0.5."""
    for model, query in (
        ("Datasets", "scattering"),
        ("Documents", "lipid"),
        ("Instruments", "P10 PETRA"),
    ):
        scored = _get(client, model, filter={"query": query, "limit": 1000})
        scores = [item["score"] for item in scored]
        assert scores, model
        assert all(0 < score < 1 for score in scores), (model, scores)
        assert scores == sorted(scores, reverse=True), model
        assert {item["score"] for item in _get(client, model)} == {0.5}, model
