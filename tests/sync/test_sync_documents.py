"""The sync indexes documents built from its pages: the same documents the database gives.

``documents_from_payloads`` (the sync's, from the payloads it has just written) and ``documents``
(everyone else's, read back by id) must never differ, or the index would depend on who wrote a
dataset last; and neither may hold anything private.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from catalogue.models import Dataset, SearchBacklog
from catalogue.payloads import DatasetIn
from catalogue.search import backend
from catalogue.search.documents import documents, documents_from_payloads
from catalogue.search.maintenance import search_backlog_drain
from catalogue.search.opensearch import OpenSearchBackend
from catalogue.services import dataset_withdraw
from sync import live
from sync.models import SyncRun, SyncStatus
from sync.services import ImportReport, References, records_map, records_write
from tests.factories import PublicationFactory
from tests.standins.scicat import SciCatStandIn
from tests.sync.support import (
    EMBARGO_END_FUTURE,
    INSTRUMENT,
    PROPOSAL,
    add,
    attachments,
    blocks,
    dataset,
    pid,
)

PRIVATE = ("ada@facility.example", "11019634-dmgt", "11019634-clbt", "someone@facility.example")


def _records() -> list[dict[str, Any]]:
    """Records covering what a document holds: offsets in times, nested and text metadata,
    several techniques, no instrument or proposal, lists with odd members, a long value."""
    return [
        dataset(0),
        dataset(
            1,
            startTime="2024-10-11T00:30:00.000+02:00",  # another year in UTC
            endTime="2024-10-11T05:00:00.123456+02:00",
            keywords=["reflectivity", "gold"],
            techniques=[
                {"pid": "panet01253", "name": "X-ray reflectivity"},
                {"pid": "panet01188", "name": "grazing incidence diffraction"},
            ],
            scientificMetadata={
                "beam": {"energy": {"value": 12.4, "unit": "keV"}, "mode": "top-up"},
                "sample": {"name": "Au(111)", "thickness": {"value": [2, 5], "unit": "nm"}},
                "notes": "x" * 400,
                "runs": [1, 2, 3],
            },
            creators=[{"name": "Curie, Marie"}],
            license="CC-BY-4.0",
            runNumber="run-77",
        ),
        dataset(2, instrumentIds=[], proposalIds=[], scientificMetadata={}, keywords=[]),
    ]


def _write(records: Sequence[dict[str, Any]]) -> tuple[list[DatasetIn], datetime]:
    report = ImportReport()
    references = References.parse([INSTRUMENT], [PROPOSAL], report)
    mapped = records_map(
        records=records,
        blocks={r["pid"]: blocks(int(r["pid"][-12:]), files=3) for r in records},
        attachments={r["pid"]: attachments(int(r["pid"][-12:])) for r in records},
        references=references,
        report=report,
    )
    assert not report.failed, report.errors
    since = timezone.now()
    with transaction.atomic():
        records_write(mapped=mapped, report=report, index=False)
    return mapped.public, since


@pytest.mark.django_db(transaction=True)
def test_documents_from_the_payloads_equal_those_read_back() -> None:
    items, since = _write(_records())

    built = documents_from_payloads(items, written_since=since)

    ids = list(Dataset.objects.values_list("pk", flat=True))
    assert sorted(built) == sorted(ids)
    assert built == documents(ids)
    text = repr(built)
    assert not [secret for secret in PRIVATE if secret in text]


@pytest.mark.django_db(transaction=True)
def test_documents_from_the_payloads_carry_dois_and_leave_out_what_is_not_public() -> None:
    _write(_records())
    linked = Dataset.objects.get(pid=pid(1))
    PublicationFactory.create(doi="10.5072/portal-1").datasets.add(linked)
    staff_withdrawn = Dataset.objects.get(pid=pid(2))
    dataset_withdraw(dataset=staff_withdrawn, reason="Staff took it down.")
    changed = [
        {**r, "description": f"{r['description']} Corrected."}
        for r in _records()
        if r["pid"] != pid(0)
    ]

    items, since = _write([*_records()[:1], *changed])
    built = documents_from_payloads(items, written_since=since)

    # pid(0) was unchanged, so not written: no document to send.
    assert set(built) == {linked.pk, staff_withdrawn.pk}
    assert built[staff_withdrawn.pk] is None  # withdrawn by staff: its document must go
    assert built[linked.pk] == documents([linked.pk])[linked.pk]
    assert built[linked.pk]["dois"] == ["10.5072/portal-1"]  # type: ignore[index]
    assert documents([staff_withdrawn.pk]) == {}


# -- through the sync, with a real index ---------------------------------------------------------


@pytest.fixture
def index(settings: Any, opensearch_url: str, transactional_db: None) -> OpenSearchBackend:
    settings.OPENSEARCH_URL = opensearch_url
    settings.OPENSEARCH_INDEX = f"test-sync-docs-{uuid.uuid4().hex[:12]}"
    chosen = backend()
    assert isinstance(chosen, OpenSearchBackend)
    return chosen


def _sources(index: OpenSearchBackend) -> dict[int, dict[str, Any]]:
    index.ensure_index()
    index.refresh()
    answer = index.client.search(index=index.alias, body={"size": 100, "query": {"match_all": {}}})
    return {int(hit["_id"]): hit["_source"] for hit in answer["hits"]["hits"]}


@pytest.mark.opensearch
@pytest.mark.parametrize("full", [False, True])
def test_the_sync_indexes_exactly_the_documents_the_database_gives(
    scicat: SciCatStandIn, index: OpenSearchBackend, full: bool
) -> None:
    for n in range(7):  # three pages of three
        add(scicat, n)
    add(scicat, 7, published=False, embargo_end=EMBARGO_END_FUTURE)  # under embargo (v4: hidden)
    add(scicat, 8, published=False, embargo_end=EMBARGO_END_FUTURE)

    run = live.catalogue_sync(full=full)

    public = list(Dataset.objects.public().values_list("pk", flat=True))
    assert len(public) == 7
    assert _sources(index) == documents(public)
    assert not SearchBacklog.objects.exists()
    assert run.created == 7
    assert not [secret for secret in PRIVATE if secret in repr(_sources(index))]


@pytest.mark.opensearch
def test_an_update_and_a_withdrawal_reach_the_index(
    scicat: SciCatStandIn, index: OpenSearchBackend
) -> None:
    for n in range(4):
        add(scicat, n)
    live.catalogue_sync()
    scicat.update_dataset(pid(1), datasetName="Grazing incidence on gold")
    scicat.unpublish(pid(2))

    live.catalogue_sync()

    public = list(Dataset.objects.public().values_list("pk", flat=True))
    sources = _sources(index)
    assert sources == documents(public)
    assert {doc["pid"] for doc in sources.values()} == {pid(0), pid(1), pid(3)}
    assert {doc["title"] for doc in sources.values()} >= {"Grazing incidence on gold"}


@pytest.mark.django_db(transaction=True)
def test_pages_that_cannot_reach_opensearch_go_to_the_backlog(
    scicat: SciCatStandIn, settings: Any
) -> None:
    from catalogue.search.backends import outage
    from tests.servers import free_port

    settings.OPENSEARCH_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings.OPENSEARCH_INDEX = f"test-sync-down-{uuid.uuid4().hex[:12]}"
    for n in range(5):
        add(scicat, n)
    try:
        run = live.catalogue_sync(full=True)
    finally:
        outage.succeeded("opensearch")  # no outage left for the next test

    public = set(Dataset.objects.public().values_list("pk", flat=True))
    assert len(public) == 5
    assert set(SearchBacklog.objects.values_list("dataset_id", flat=True)) == public
    assert run.status == SyncStatus.SUCCEEDED


@pytest.mark.opensearch
def test_an_error_in_the_indexing_thread_fails_the_run(
    scicat: SciCatStandIn, index: OpenSearchBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sync import indexing

    for n in range(4):
        add(scicat, n)

    def broken(items: Sequence[DatasetIn], *, written_since: datetime) -> None:
        raise RuntimeError("a bug in the document builder")

    monkeypatch.setattr(indexing, "documents_from_payloads", broken)

    with pytest.raises(RuntimeError, match="document builder"):
        live.catalogue_sync(full=True)

    run = SyncRun.objects.get()
    assert run.status == SyncStatus.FAILED
    assert "document builder" in run.message
    # What the run committed waits in the backlog, which the drain (beat, every minute) indexes.
    public = list(Dataset.objects.public().values_list("pk", flat=True))
    assert public
    assert set(SearchBacklog.objects.values_list("dataset_id", flat=True)) == set(public)
    search_backlog_drain()
    assert _sources(index) == documents(public)
