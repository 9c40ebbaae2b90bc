"""One contract, two backends: the database and a real OpenSearch answer the same way."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from catalogue.models import Dataset, ScientificParameter
from catalogue.scimeta import flatten
from catalogue.search import (
    FACETS,
    SORTS,
    DatasetQuery,
    QueryError,
    SearchBackend,
    backend,
    dataset_search,
)
from catalogue.search.backends import outage
from catalogue.services import dataset_withdraw
from tests.factories import (
    DatasetFactory,
    InstrumentFactory,
    ProposalFactory,
    PublicationFactory,
    TechniqueFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _opensearch_considered_up() -> Iterator[None]:
    """A test that took OpenSearch down must not send the next ones to the database."""
    outage.succeeded("reset")
    yield
    outage.succeeded("reset")


@pytest.fixture(params=["database", "opensearch"])
def search_backend(request: pytest.FixtureRequest, settings: Any) -> SearchBackend:
    if request.param == "opensearch":
        # opensearch_url deletes the test's indices afterwards
        settings.OPENSEARCH_URL = request.getfixturevalue("opensearch_url")
        settings.OPENSEARCH_INDEX = f"test-{uuid.uuid4().hex[:12]}"
    else:
        settings.OPENSEARCH_URL = ""
    return backend()


@pytest.fixture
def catalogue(search_backend: SearchBackend) -> list[Dataset]:
    proposal = ProposalFactory(proposal_id="11019634")
    datasets = [
        DatasetFactory.create(
            title="GIXOS pseudo reflectivity of DPPG monolayer",
            size=300,
            keywords=["GIXOS", "lipid"],
            proposal=proposal,
        ),
        DatasetFactory.create(
            title="Tomography of a lithium cathode", size=100, keywords=["battery"]
        ),
        DatasetFactory.create(title="Reflectivity of silicon oxide", size=200, keywords=["XRR"]),
        DatasetFactory.create(
            title="Undated powder diffraction", size=50, start_time=None, keywords=["powder"]
        ),
    ]
    _reindex(search_backend, datasets)
    return datasets


def _reindex(search_backend: SearchBackend, datasets: list[Dataset]) -> None:
    search_backend.index([d.pk for d in datasets])
    if hasattr(search_backend, "refresh"):
        search_backend.refresh()


def _pids(**query: Any) -> list[str]:
    page = dataset_search(DatasetQuery(**query))
    assert not page.degraded
    by_id = Dataset.objects.in_bulk(page.ids)
    return [by_id[i].pid for i in page.ids]


def test_default_order_is_newest_first_with_undated_last(catalogue: list[Dataset]) -> None:
    assert _pids() == [catalogue[2].pid, catalogue[1].pid, catalogue[0].pid, catalogue[3].pid]


def test_sort_by_size(catalogue: list[Dataset]) -> None:
    assert _pids(sort="size") == [d.pid for d in sorted(catalogue, key=lambda d: d.size)]
    assert _pids(sort="-size")[0] == catalogue[0].pid


def test_text_matches_title_words_case_insensitively(catalogue: list[Dataset]) -> None:
    assert _pids(text="dppg") == [catalogue[0].pid]
    assert set(_pids(text="reflectivity")) == {catalogue[0].pid, catalogue[2].pid}


def test_text_matches_keywords(catalogue: list[Dataset]) -> None:
    assert _pids(text="battery") == [catalogue[1].pid]


def test_identifier_matches_unquoted(catalogue: list[Dataset]) -> None:
    assert _pids(text=catalogue[1].pid) == [catalogue[1].pid]
    assert _pids(text="11019634") == [catalogue[0].pid]


def test_paging_and_total(catalogue: list[Dataset]) -> None:
    first = dataset_search(DatasetQuery(per_page=3, page=1))
    second = dataset_search(DatasetQuery(per_page=3, page=2))
    assert (first.total, len(first.ids), len(second.ids)) == (4, 3, 1)
    assert set(first.ids).isdisjoint(second.ids)
    assert (second.first, second.last, second.num_pages) == (4, 4, 2)


def test_withdrawn_dataset_leaves_the_results(
    catalogue: list[Dataset], search_backend: SearchBackend
) -> None:
    dataset_withdraw(dataset=catalogue[0], reason="Retracted")
    _reindex(search_backend, [catalogue[0]])
    assert catalogue[0].pid not in _pids()
    assert dataset_search(DatasetQuery()).total == 3


def test_unknown_sort_is_a_query_error(catalogue: list[Dataset]) -> None:
    with pytest.raises(QueryError, match="sort"):
        dataset_search(DatasetQuery(sort="owner_email"))


def test_unreachable_opensearch_falls_back_to_the_database(settings: Any) -> None:
    DatasetFactory(title="Still findable")
    settings.OPENSEARCH_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.OPENSEARCH_INDEX = f"down-{uuid.uuid4().hex[:8]}"
    page = dataset_search(DatasetQuery(text="findable"))
    assert page.degraded
    assert page.total == 1


def test_deep_pages_match_the_forward_order(search_backend: SearchBackend) -> None:
    datasets = DatasetFactory.create_batch(7)
    datasets.append(DatasetFactory.create(start_time=None))
    _reindex(search_backend, datasets)
    for sort in ("-start_time", "start_time", "size", "-title"):
        everything = dataset_search(DatasetQuery(sort=sort, per_page=10)).ids
        paged = [
            i
            for page in (1, 2, 3)
            for i in dataset_search(DatasetQuery(sort=sort, per_page=3, page=page)).ids
        ]
        assert paged == everything, sort


# -- the query language -----------------------------------------------------------------------


def test_phrases_or_and_not(catalogue: list[Dataset]) -> None:
    assert _pids(text='"pseudo reflectivity"') == [catalogue[0].pid]
    assert _pids(text='"reflectivity pseudo"') == []
    assert set(_pids(text="battery OR powder")) == {catalogue[1].pid, catalogue[3].pid}
    assert _pids(text="reflectivity NOT dppg") == [catalogue[2].pid]
    assert _pids(text="reflectivity -dppg") == [catalogue[2].pid]
    assert set(_pids(text="(battery OR gixos) AND lithium")) == {catalogue[1].pid}


def test_english_stemming(catalogue: list[Dataset]) -> None:
    assert _pids(text="monolayers") == [catalogue[0].pid]


def test_field_filters(catalogue: list[Dataset]) -> None:
    assert _pids(text="title:silicon") == [catalogue[2].pid]
    assert _pids(text="keyword:lipid") == [catalogue[0].pid]
    assert _pids(text="title:lipid") == []
    assert _pids(text="proposal:11019634") == [catalogue[0].pid]
    instrument = catalogue[1].instrument
    assert instrument is not None
    assert _pids(text=f"instrument:{instrument.unique_name.lower()}") == [catalogue[1].pid]
    assert _pids(text=f"pid:{catalogue[2].pid.upper()}") == [catalogue[2].pid]


def test_prefix_wildcard(catalogue: list[Dataset]) -> None:
    assert _pids(text="dpp*") == [catalogue[0].pid]
    assert _pids(text="title:tomo*") == [catalogue[1].pid]
    assert _pids(text="lith*") == [catalogue[1].pid]


def test_doi_of_a_publication_matches_unquoted(
    catalogue: list[Dataset], search_backend: SearchBackend
) -> None:
    publication = PublicationFactory.create(doi="10.5072/desy-pd-0001")
    publication.datasets.add(catalogue[2])
    _reindex(search_backend, [catalogue[2]])
    assert _pids(text="10.5072/desy-pd-0001") == [catalogue[2].pid]
    assert _pids(text="doi:10.5072/DESY-PD-0001") == [catalogue[2].pid]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('"unbalanced', "never closed"),
        ("(dppg OR xrr", "never closed"),
        ("dppg)", "closes no"),
        ("owner:someone", "Unknown field"),
        ("//", "no letters"),
        ("x" * 10_000, "shorten"),
        ("dppg AND", "both sides"),
        ("*", "before the *"),
    ],
)
def test_bad_queries_say_what_to_change(catalogue: list[Dataset], text: str, says: str) -> None:
    with pytest.raises(QueryError, match=says):
        dataset_search(DatasetQuery(text=text))


def test_highlights_mark_matches_escaped(search_backend: SearchBackend) -> None:
    dataset = DatasetFactory.create(title="<b>DPPG</b> monolayer & more")
    _reindex(search_backend, [dataset])
    page = dataset_search(DatasetQuery(text="dppg"))
    (fragment,) = page.highlights[dataset.pk]["title"]
    assert "<mark>DPPG</mark>" in fragment
    assert "&lt;b&gt;" in fragment
    assert "<b>" not in fragment


def test_relevance_ranks_title_matches_first(search_backend: SearchBackend) -> None:
    in_description = DatasetFactory.create(
        title="Powder scan", description="Calibration next to a perovskite film."
    )
    in_title = DatasetFactory.create(title="Perovskite film", description="A scan.")
    _reindex(search_backend, [in_description, in_title])
    assert _pids(text="perovskite") == [in_title.pid, in_description.pid]


# -- facets ------------------------------------------------------------------------------------


@pytest.fixture
def faceted(search_backend: SearchBackend) -> dict[str, Dataset]:
    p08 = InstrumentFactory.create(unique_name="P08")
    p10 = InstrumentFactory.create(unique_name="P10")
    xrr = TechniqueFactory.create(name="x-ray reflectivity")
    saxs = TechniqueFactory.create(name="SAXS")
    when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    rows = {
        "a": DatasetFactory.create(
            instrument=p08, keywords=["lipid"], start_time=when, data_location="disk"
        ),
        "b": DatasetFactory.create(
            instrument=p08, keywords=["lipid", "gold"], start_time=when.replace(year=2023)
        ),
        "c": DatasetFactory.create(
            instrument=p10, keywords=["gold"], start_time=when, data_location="tape", type="derived"
        ),
        "gone": DatasetFactory.create(instrument=p10, keywords=["lipid"], start_time=when),
    }
    rows["a"].techniques.add(xrr)
    rows["b"].techniques.add(xrr, saxs)
    rows["c"].techniques.add(saxs)
    rows["gone"].techniques.add(saxs)
    dataset_withdraw(dataset=rows["gone"], reason="Retracted")
    _reindex(search_backend, list(rows.values()))
    return rows


def _facets(**query: Any) -> dict[str, dict[str, int]]:
    page = dataset_search(DatasetQuery(**query))
    assert not page.degraded
    return {name: {v.value: v.count for v in values} for name, values in page.facets.items()}


def test_facet_counts_cover_public_records_only(faceted: dict[str, Dataset]) -> None:
    facets = _facets()
    assert facets["instrument"] == {"P08": 2, "P10": 1}
    assert facets["technique"] == {"x-ray reflectivity": 2, "SAXS": 2}
    assert facets["keyword"] == {"lipid": 2, "gold": 2}
    assert facets["year"] == {"2024": 2, "2023": 1}
    assert facets["location"] == {"disk": 2, "tape": 1}
    assert facets["type"] == {"raw": 2, "derived": 1}
    assert set(FACETS) == set(facets)


def test_values_within_a_facet_combine_with_or(faceted: dict[str, Dataset]) -> None:
    page = dataset_search(DatasetQuery(filters=(("keyword", ("lipid", "gold")),)))
    assert page.total == 3
    page = dataset_search(DatasetQuery(filters=(("year", ("2023", "2024")),)))
    assert page.total == 3


def test_facets_combine_with_and_and_keep_their_own_counts(faceted: dict[str, Dataset]) -> None:
    filters = (("instrument", ("P08",)), ("keyword", ("gold",)))
    page = dataset_search(DatasetQuery(filters=filters))
    assert page.ids == [faceted["b"].pk]
    facets = _facets(filters=filters)
    # Each facet counts with the other facets' selections, not its own.
    assert facets["instrument"] == {"P08": 1, "P10": 1}
    assert facets["keyword"] == {"lipid": 2, "gold": 1}
    assert facets["technique"] == {"x-ray reflectivity": 1, "SAXS": 1}
    assert {v.value for v in page.facets["instrument"] if v.selected} == {"P08"}


def test_facets_apply_to_text_results(faceted: dict[str, Dataset]) -> None:
    page = dataset_search(DatasetQuery(text="reflectivity", filters=(("technique", ("SAXS",)),)))
    assert set(page.ids) == {faceted["b"].pk, faceted["c"].pk}


# -- scientific-metadata conditions -------------------------------------------------------------


@pytest.fixture
def measured(search_backend: SearchBackend) -> dict[str, Dataset]:
    rows = {
        "warm": _with_metadata(
            {
                "sample_temperature": {"value": 295, "unit": "K"},
                "incident_energy": {"value": 15000, "unit": "eV"},
                "sample": {"name": "DPPG on water"},
            }
        ),
        "cold": _with_metadata(
            {
                "sample_temperature": {"value": -10, "unit": "°C"},
                "incident_energy": {"value": 8, "unit": "keV"},
                "sample": {"name": "gold film"},
            }
        ),
        "range": _with_metadata(
            {"incident_energy": {"value": [18, 25], "unit": "keV", "type": "quantity_range"}}
        ),
    }
    _reindex(search_backend, list(rows.values()))
    return rows


def _with_metadata(metadata: dict[str, Any]) -> Dataset:
    dataset = DatasetFactory.create(scientific_metadata=metadata)
    ScientificParameter.objects.bulk_create(
        ScientificParameter(dataset=dataset, **dataclasses.asdict(p)) for p in flatten(metadata)
    )
    return dataset


def _matching(*conditions: str) -> set[int]:
    page = dataset_search(DatasetQuery(conditions=conditions))
    assert not page.degraded
    return set(page.ids)


def test_condition_converts_celsius_to_the_stored_kelvin(measured: dict[str, Dataset]) -> None:
    assert _matching("sample_temperature > 20 degC") == {measured["warm"].pk}
    assert _matching("sample_temperature < 0 °C") == {measured["cold"].pk}
    assert _matching("sample_temperature = 263.15 K") == {measured["cold"].pk}
    assert _matching("sample_temperature != 295 K") == {measured["cold"].pk}


def test_between_in_kev_matches_electronvolts_and_ranges(measured: dict[str, Dataset]) -> None:
    assert _matching("incident_energy between 10 and 20 keV") == {
        measured["warm"].pk,
        measured["range"].pk,
    }
    assert _matching("incident_energy >= 8000 eV", "sample_temperature <= 300 K") == {
        measured["warm"].pk,
        measured["cold"].pk,
    }


def test_text_conditions(measured: dict[str, Dataset]) -> None:
    assert _matching("sample.name contains dppg") == {measured["warm"].pk}
    assert _matching('sample.name = "Gold film"') == {measured["cold"].pk}


@pytest.mark.parametrize(
    ("condition", "says"),
    [
        ("sample_temperature > 20 furlongz", "Unknown unit"),
        ("sample_temperature > 20 keV", "cannot be converted"),
        ("sample_temperature > 20", "add one"),
        ("sample_temperature ~ 20 K", "not a condition"),
        ("sample_temperature >> 20 K", "Unknown operator"),
        ("sample_temperature < warm", "compares numbers"),
    ],
)
def test_bad_conditions_say_what_is_wrong(
    measured: dict[str, Dataset], condition: str, says: str
) -> None:
    with pytest.raises(QueryError, match=says):
        dataset_search(DatasetQuery(conditions=(condition,)))


# -- paging past the window -------------------------------------------------------------------


def test_pages_past_the_result_window(
    search_backend: SearchBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalogue.search.opensearch import paging

    monkeypatch.setattr(paging, "MAX_WINDOW", 4)
    datasets = DatasetFactory.create_batch(23)
    _reindex(search_backend, datasets)
    for sort in ("-start_time", "size", "relevance"):
        text = "reflectivity" if sort == "relevance" else ""
        everything = dataset_search(DatasetQuery(text=text, sort=sort, per_page=25)).ids
        paged = [
            i
            for page in range(1, 9)
            for i in dataset_search(DatasetQuery(text=text, sort=sort, per_page=3, page=page)).ids
        ]
        assert paged == everything, sort


def test_instruments_going_by_one_name_are_one_facet_value(search_backend: SearchBackend) -> None:
    """Two instruments with one name (a rebuilt beamline, two lab sources) are one value: counted
    together, and selecting it finds both, whichever path counts (all rows, or narrowed)."""
    old = InstrumentFactory.create(pid="p08-2009", unique_name="P08", name="P08 beamline")
    new = InstrumentFactory.create(pid="p08-2024", unique_name="P08", name="P08 (rebuilt)")
    lab = [InstrumentFactory.create(pid=f"lab-{n}", unique_name="", name="Lab") for n in (1, 2)]
    datasets = [DatasetFactory.create(instrument=i) for i in (old, new, new, *lab)]
    _reindex(search_backend, datasets)

    for query in (DatasetQuery(), DatasetQuery(text="reflectivity")):
        values = [(v.value, v.count) for v in dataset_search(query).facets["instrument"]]
        assert values == [("P08", 3), ("Lab", 2)]
    assert dataset_search(DatasetQuery(filters=(("instrument", ("P08",)),))).total == 3
    assert dataset_search(DatasetQuery(filters=(("instrument", ("Lab",)),))).total == 2


# -- keyset paging (the API's cursors) ------------------------------------------------------------


def _walk(query: DatasetQuery, *, backwards: bool = False) -> list[int]:
    """Every hit of ``query`` by keyset pages, from the start (``backwards``: from the end)."""
    seen: list[int] = []
    after = None
    while True:
        page = dataset_search(
            dataclasses.replace(query, keyset=True, after=after, backwards=backwards)
        )
        assert not page.degraded
        seen = page.ids + seen if backwards else seen + page.ids
        if not page.more:
            return seen
        after = page.keys[page.ids[0] if backwards else page.ids[-1]]


@pytest.fixture
def ties(search_backend: SearchBackend) -> list[Dataset]:
    """Equal sort values, undated and proposal-less datasets: where keys need the tie-breaker."""
    when = dt.datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=dt.UTC)
    datasets = [
        DatasetFactory.create(title="Same", size=7, start_time=when, type="raw") for _ in range(3)
    ]
    datasets += [DatasetFactory.create(start_time=None, proposal=None) for _ in range(3)]
    datasets += [DatasetFactory.create(size=7, type="derived") for _ in range(4)]
    _reindex(search_backend, datasets)
    return datasets


@pytest.mark.parametrize("sort", [s for s in SORTS if s != "relevance"])
def test_keyset_walks_give_the_sorted_list_both_ways(ties: list[Dataset], sort: str) -> None:
    everything = dataset_search(DatasetQuery(sort=sort, per_page=100)).ids
    assert len(everything) == len(ties)
    for per_page in (1, 3, 4):
        query = DatasetQuery(sort=sort, per_page=per_page, facets=False)
        assert _walk(query) == everything, (sort, per_page)
        assert _walk(query, backwards=True) == everything, (sort, per_page)


def test_keyset_page_has_the_total_and_says_when_more_follow(ties: list[Dataset]) -> None:
    page = dataset_search(DatasetQuery(keyset=True, per_page=4, facets=False))
    assert (page.total, len(page.ids), page.more) == (len(ties), 4, True)
    assert set(page.keys) == set(page.ids)
    last = dataset_search(
        DatasetQuery(keyset=True, per_page=100, after=page.keys[page.ids[-1]], facets=False)
    )
    assert (len(last.ids), last.more) == (len(ties) - 4, False)


def test_keyset_walk_neither_repeats_nor_skips_while_records_change(
    search_backend: SearchBackend,
) -> None:
    datasets = DatasetFactory.create_batch(9)
    _reindex(search_backend, datasets)
    query = DatasetQuery(keyset=True, per_page=2, facets=False, sort="start_time")
    seen: list[int] = []
    after = None
    changes = 0
    while True:
        page = dataset_search(dataclasses.replace(query, after=after))
        seen += page.ids
        if not page.more:
            break
        after = page.keys[page.ids[-1]]
        # Between pages: one record added before the cursor, one after, one withdrawn ahead.
        early = DatasetFactory.create(start_time=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        late = DatasetFactory.create(start_time=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
        changes += 1
        ahead = [d for d in datasets if d.pk not in seen and not d.is_withdrawn]
        if ahead and changes % 2:
            dataset_withdraw(dataset=ahead[-1], reason="Retracted")
            ahead[-1].refresh_from_db()
        _reindex(search_backend, [early, late, *(ahead[-1:] if ahead else [])])
    assert len(seen) == len(set(seen))
    kept = {d.pk for d in datasets if not Dataset.objects.get(pk=d.pk).is_withdrawn}
    assert kept <= set(seen)  # every record public throughout came exactly once
    withdrawn = {d.pk for d in datasets} - kept
    assert withdrawn
    assert not withdrawn & set(seen)


def test_keyset_walk_by_relevance(search_backend: SearchBackend) -> None:
    datasets = [
        DatasetFactory.create(title=f"Reflectivity {'of lipids ' * n}{n}") for n in range(5)
    ]
    datasets += DatasetFactory.create_batch(2, title="Tomography", keywords=["ct"])
    _reindex(search_backend, datasets)
    everything = dataset_search(DatasetQuery(text="reflectivity", per_page=100)).ids
    assert len(everything) == 5
    query = DatasetQuery(text="reflectivity", per_page=2, facets=False)
    assert _walk(query) == everything
    assert _walk(query, backwards=True) == everything


@pytest.mark.parametrize(
    "after", [("x",), ("2024-01-01", "7"), ({"a": 1}, 3), ("not a date", 3), (True, 1)]
)
def test_a_malformed_key_is_a_query_error(catalogue: list[Dataset], after: Any) -> None:
    with pytest.raises(QueryError, match="cursor"):
        dataset_search(DatasetQuery(keyset=True, after=after, facets=False))


# -- what people type (issue #14): names, places, formats, folders, partial PIDs ----------------


@pytest.fixture
def people_and_places(search_backend: SearchBackend) -> list[Dataset]:
    petra = InstrumentFactory.create(
        pid="petra-p08", unique_name="P08", name="High resolution diffraction", facility="PETRA III"
    )
    flash = InstrumentFactory.create(
        pid="flash-fl24", unique_name="FL24", name="Imaging station", facility="FLASH"
    )
    datasets = [
        DatasetFactory.create(
            pid="20.500.12269/7e562979-2cf9-4b99-8a24-efef7eefb988",
            title="Monolayer reflectivity",
            creators=[{"name": "Lovelace, Ada", "orcid": "0000-0002-1825-0097"}],
            principal_investigators=["Franklin, Rosalind"],
            instrument=petra,
            data_format="NeXus",
            source_folder="/asap3/petra3/gpfs/p08/2024/data/11019634/raw/dppg_monolayer",
        ),
        DatasetFactory.create(
            pid="20.500.12269/0b2c0c3e-1111-4a1e-8a8e-000000000002",
            title="Imaging of a battery cathode",
            creators=[{"name": "Curie, Marie"}],
            principal_investigators=[],
            instrument=flash,
            data_format="TIFF",
            source_folder="/beamline/fl24/cathode_scan",
        ),
    ]
    _reindex(search_backend, datasets)
    return datasets


def test_creators_and_principal_investigators_are_found(
    people_and_places: list[Dataset],
) -> None:
    first, second = (d.pid for d in people_and_places)
    assert _pids(text="Lovelace") == [first]
    assert _pids(text="franklin") == [first]
    assert _pids(text="Curie") == [second]


def test_instrument_and_facility_names_are_found(people_and_places: list[Dataset]) -> None:
    first, second = (d.pid for d in people_and_places)
    assert _pids(text="P08") == [first]
    assert _pids(text="PETRA") == [first]
    assert _pids(text='"PETRA III"') == [first]
    assert _pids(text="flash") == [second]


def test_data_format_and_source_folder_words_are_found(
    people_and_places: list[Dataset],
) -> None:
    first, second = (d.pid for d in people_and_places)
    assert _pids(text="nexus") == [first]
    assert _pids(text="TIFF") == [second]
    assert _pids(text="cathode_scan") == [second]
    assert _pids(text="asap3") == [first]


def test_a_partial_pid_finds_the_pids_it_begins(people_and_places: list[Dataset]) -> None:
    first, second = (d.pid for d in people_and_places)
    assert _pids(text="7e562979") == [first]
    assert _pids(text="20.500.12269/7e56") == [first]
    assert _pids(text="0b2c0c3e-1111") == [second]
    assert set(_pids(text="20.500.12269/")) == {first, second}


def test_a_start_time_range_keeps_whole_days(search_backend: SearchBackend) -> None:
    days = [dt.datetime(2024, 3, d, 23, 30, tzinfo=dt.UTC) for d in (1, 2, 3)]
    datasets = [DatasetFactory.create(start_time=when) for when in days]
    datasets.append(DatasetFactory.create(start_time=None))
    _reindex(search_backend, datasets)
    assert _pids(start_from=dt.date(2024, 3, 2)) == [datasets[2].pid, datasets[1].pid]
    assert _pids(start_to=dt.date(2024, 3, 2)) == [datasets[1].pid, datasets[0].pid]
    assert _pids(start_from=dt.date(2024, 3, 2), start_to=dt.date(2024, 3, 2)) == [datasets[1].pid]


# -- the creator facet (issue #14) ---------------------------------------------------------------


@pytest.fixture
def authored(search_backend: SearchBackend) -> dict[str, Dataset]:
    ada, marie = {"name": "Lovelace, Ada", "orcid": "0000-0002-1825-0097"}, {"name": "Curie, Marie"}
    p08 = InstrumentFactory.create(unique_name="P08")
    rows = {
        "a": DatasetFactory.create(creators=[ada, marie], instrument=p08),
        "b": DatasetFactory.create(creators=[ada, ada], keywords=["gold"]),  # named twice
        "c": DatasetFactory.create(creators=[{"name": "Franklin, Rosalind"}], instrument=p08),
        # What the import should never write still neither counts nor breaks the counts.
        "odd": DatasetFactory.create(creators=["Lovelace, Ada", {"orcid": "x"}, {"name": ""}]),
        "gone": DatasetFactory.create(creators=[marie]),
    }
    dataset_withdraw(dataset=rows["gone"], reason="Retracted")
    _reindex(search_backend, list(rows.values()))
    return rows


def test_creator_facet_counts_each_public_dataset_once(authored: dict[str, Dataset]) -> None:
    facets = _facets()
    assert facets["creator"] == {"Lovelace, Ada": 2, "Curie, Marie": 1, "Franklin, Rosalind": 1}
    first = dataset_search(DatasetQuery()).facets["creator"][0]
    assert (first.value, first.count) == ("Lovelace, Ada", 2)  # most frequent first


def test_creator_filter_combines_with_or_and_with_other_facets(
    authored: dict[str, Dataset],
) -> None:
    def ids(*filters: tuple[str, tuple[str, ...]], text: str = "") -> set[int]:
        return set(dataset_search(DatasetQuery(text=text, filters=filters)).ids)

    a, b, c = (authored[k].pk for k in "abc")
    assert ids(("creator", ("Lovelace, Ada",))) == {a, b}
    assert ids(("creator", ("Curie, Marie", "Franklin, Rosalind"))) == {a, c}
    assert ids(("creator", ("Lovelace, Ada",)), ("instrument", ("P08",))) == {a}
    assert ids(("creator", ("Lovelace",))) == set()  # a facet value is a whole name
    assert ids(("creator", ("Lovelace, Ada",)), text="gold") == {b}
    facets = _facets(filters=(("instrument", ("P08",)),))
    assert facets["creator"] == {"Lovelace, Ada": 1, "Curie, Marie": 1, "Franklin, Rosalind": 1}
    facets = _facets(filters=(("creator", ("Franklin, Rosalind",)),))
    assert facets["creator"]["Lovelace, Ada"] == 2  # its own selection left out
    assert facets["instrument"] == {"P08": 1}
