"""Every change the sync makes reaches a real OpenSearch index, after the transaction commits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from catalogue.models import Dataset
from catalogue.search import DatasetQuery, backend
from catalogue.search.opensearch import OpenSearchBackend, refresh_pause
from sync import live, runs, steps
from sync.models import SyncKind, SyncRun, SyncStatus
from tests.standins.scicat import SciCatStandIn
from tests.sync.support import add, pid

pytestmark = [pytest.mark.opensearch]


@pytest.fixture
def index(settings: Any, opensearch_url: str, transactional_db: None) -> OpenSearchBackend:
    settings.OPENSEARCH_URL = opensearch_url
    settings.OPENSEARCH_INDEX = f"test-sync-{uuid.uuid4().hex[:12]}"
    chosen = backend()
    assert isinstance(chosen, OpenSearchBackend)
    return chosen


def _indexed(index: OpenSearchBackend, text: str = "") -> set[str]:
    index.ensure_index()
    index.refresh()
    page = index.search(DatasetQuery(text=text, per_page=100))
    return set(Dataset.objects.filter(pk__in=page.ids).values_list("pid", flat=True))


def test_synced_records_are_indexed_updated_and_removed(
    scicat_any: SciCatStandIn, index: OpenSearchBackend
) -> None:
    for n in range(5):
        add(scicat_any, n)

    live.catalogue_sync()
    assert _indexed(index) == {pid(n) for n in range(5)}

    scicat_any.update_dataset(pid(2), datasetName="Grazing incidence on gold")
    scicat_any.unpublish(pid(3))
    scicat_any.delete_dataset(pid(4))
    live.catalogue_sync()

    assert _indexed(index) == {pid(0), pid(1), pid(2)}
    assert _indexed(index, "gold") == {pid(2)}

    scicat_any.publish(pid(3))
    live.catalogue_reconcile()
    assert _indexed(index) == {pid(0), pid(1), pid(2), pid(3)}


def test_the_run_after_a_crash_reindexes_what_the_dead_run_changed(
    scicat: SciCatStandIn, index: OpenSearchBackend, settings: Any
) -> None:
    for n in range(3):
        add(scicat, n)
    # A run that committed its pages and died before the index heard of them.
    settings.OPENSEARCH_URL = ""
    live.catalogue_sync()
    SyncRun.objects.update(status=SyncStatus.RUNNING, finished_at=None)
    settings.OPENSEARCH_URL = index.url
    assert _indexed(index) == set()

    live.catalogue_sync()

    assert SyncRun.objects.filter(status=SyncStatus.ABANDONED, kind=SyncKind.INCREMENTAL).exists()
    assert _indexed(index) == {pid(n) for n in range(3)}


def test_nothing_is_indexed_before_the_page_commits(
    scicat: SciCatStandIn, index: OpenSearchBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(scicat, 1)
    seen_during_transaction: list[set[str]] = []
    original = runs.watermark_advance

    def spy(ctx: Any, name: str, position: datetime | None) -> None:
        seen_during_transaction.append(_indexed(index))
        original(ctx, name, position)

    monkeypatch.setattr(runs, "watermark_advance", spy)

    live.catalogue_sync()

    assert seen_during_transaction[0] == set()
    assert _indexed(index) == {pid(1)}
    assert datetime.now(UTC) - timedelta(minutes=5) < Dataset.objects.get().modified


def _refresh_interval(index: OpenSearchBackend) -> str | None:
    name = index.current_index()
    assert name is not None
    answer = index.client.indices.get_settings(index=name, name="index.refresh_interval")
    # Not set (the default): no entry at all.
    return answer.get(name, {}).get("settings", {}).get("index", {}).get("refresh_interval")


def _refresh_during_pages(
    index: OpenSearchBackend, monkeypatch: pytest.MonkeyPatch
) -> list[str | None]:
    """The index's refresh interval as each page of the next sync starts being written."""
    during: list[str | None] = []
    original = steps.import_page

    def spy(ctx: Any, page: Any, *, cursor: str | None) -> None:
        during.append(_refresh_interval(index))
        original(ctx, page, cursor=cursor)

    monkeypatch.setattr(steps, "import_page", spy)
    return during


def test_a_full_sync_fills_the_index_with_its_refresh_paused_and_turns_it_on_again(
    scicat: SciCatStandIn, index: OpenSearchBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(4):
        add(scicat, n)
    during = _refresh_during_pages(index, monkeypatch)

    live.catalogue_sync(full=True)

    assert set(during) == {"-1"}
    assert _refresh_interval(index) is None  # the index's default again
    # Searchable at once, without anyone refreshing by hand.
    page = index.search(DatasetQuery(per_page=100))
    assert len(page.ids) == 4


def test_an_incremental_sync_leaves_the_refresh_alone(
    scicat: SciCatStandIn, index: OpenSearchBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(scicat, 1)
    index.ensure_index()
    during = _refresh_during_pages(index, monkeypatch)

    live.catalogue_sync()

    assert during == [None]


def test_the_run_after_a_killed_full_sync_turns_the_refresh_on_again(
    scicat: SciCatStandIn, index: OpenSearchBackend
) -> None:
    add(scicat, 1)
    live.catalogue_sync(full=True)
    # The full run died with the refresh paused.
    refresh_pause(index)
    SyncRun.objects.update(status=SyncStatus.RUNNING, finished_at=None)
    assert _refresh_interval(index) == "-1"

    live.catalogue_sync()

    assert _refresh_interval(index) is None


def test_any_run_turns_the_refresh_on_again_if_a_full_sync_could_not(
    scicat: SciCatStandIn, index: OpenSearchBackend
) -> None:
    add(scicat, 1)
    live.catalogue_sync(full=True)
    refresh_pause(index)  # OpenSearch did not answer when the full sync ended

    live.catalogue_reconcile()

    assert _refresh_interval(index) is None
    assert _indexed(index) == {pid(1)}
