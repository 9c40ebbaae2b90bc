"""OpenSearch going down and coming back, the backlog, /readyz, and rebuilding with no downtime."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from catalogue.models import Dataset, SearchBacklog
from catalogue.search import DatasetQuery, backend, dataset_search
from catalogue.search.backends import outage
from catalogue.search.opensearch import OpenSearchBackend
from catalogue.services import dataset_withdraw, search_index_after_commit
from tests.catalogue.search.proxy import Proxy
from tests.factories import DatasetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def proxy(opensearch_url: str, settings: Any) -> Iterator[Proxy]:
    proxy = Proxy(opensearch_url)
    proxy.start()
    settings.OPENSEARCH_URL = proxy.url
    settings.OPENSEARCH_INDEX = f"test-outage-{uuid.uuid4().hex[:10]}"
    try:
        yield proxy
    finally:
        proxy.stop()


def _index(datasets: list[Dataset]) -> OpenSearchBackend:
    chosen = backend()
    assert isinstance(chosen, OpenSearchBackend)
    chosen.index([d.pk for d in datasets])
    chosen.refresh()
    return chosen


def test_search_falls_back_and_the_backlog_catches_up(
    proxy: Proxy,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    kept, retracted = DatasetFactory.create(title="Kept"), DatasetFactory.create(title="Retracted")
    chosen = _index([kept, retracted])
    assert dataset_search(DatasetQuery()).backend == "opensearch"

    proxy.stop()
    with caplog.at_level(logging.ERROR, logger="catalogue.search"):
        pages = [dataset_search(DatasetQuery(text="kept")) for _ in range(5)]
        with django_capture_on_commit_callbacks(execute=True):
            dataset_withdraw(dataset=retracted, reason="Retracted")
    assert all(page.degraded and page.ids == [kept.pk] for page in pages)
    assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1
    assert list(SearchBacklog.objects.values_list("dataset_id", flat=True)) == [retracted.pk]

    proxy.start()
    outage.retry_at = 0.0  # do not wait for the next try
    call_command("search_index", "--catch-up", "--no-progress")
    chosen.refresh()

    assert not SearchBacklog.objects.exists()
    page = dataset_search(DatasetQuery())
    assert (page.backend, page.degraded, page.ids) == ("opensearch", False, [kept.pk])


def test_index_updates_while_down_do_not_fail_the_write(
    proxy: Proxy, django_capture_on_commit_callbacks: Any
) -> None:
    proxy.stop()
    dataset = DatasetFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        search_index_after_commit(dataset_ids=[dataset.pk])
    assert SearchBacklog.objects.filter(dataset_id=dataset.pk).exists()


def test_readyz_reports_search_down_as_degraded(proxy: Proxy, client: Client) -> None:
    backend().ensure_index()  # type: ignore[attr-defined]
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
    assert answer.json()["checks"]["search"]["status"] == "ok"

    proxy.stop()
    answer = client.get("/readyz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["search"] == {**body["checks"]["search"], "status": "down"}


def test_readyz_without_opensearch(client: Client, settings: Any) -> None:
    settings.OPENSEARCH_URL = ""
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert body["checks"]["search"]["backend"] == "database"


def test_rebuild_swaps_the_alias_while_searches_go_on(proxy: Proxy) -> None:
    datasets = DatasetFactory.create_batch(30)
    chosen = _index(datasets)
    old = chosen.current_index()
    seen: list[tuple[int, bool]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def search() -> None:
        from django.db import connection

        try:
            while not stop.is_set():
                page = chosen.search(DatasetQuery(per_page=5, facets=False))
                seen.append((page.total, page.degraded))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    worker = threading.Thread(target=search)
    worker.start()
    try:
        call_command("search_index", "--rebuild", "--no-progress", "--batch", "7")
    finally:
        stop.set()
        worker.join()

    assert not errors
    assert seen
    assert {total for total, _ in seen} == {30}
    new = chosen.current_index()
    assert new != old
    assert not chosen.client.indices.exists(index=old)
    assert dataset_search(DatasetQuery()).total == 30


def test_beat_drains_the_backlog_every_minute(
    proxy: Proxy, django_capture_on_commit_callbacks: Any
) -> None:
    from celery.schedules import schedule

    from catalogue.tasks import search_backlog_drain
    from portal.celery import app, beat_schedule

    job = beat_schedule()["search-backlog-drain"]
    assert job["task"] == "catalogue.tasks.search_backlog_drain"
    assert job["task"] in app.tasks
    assert isinstance(job["schedule"], schedule)
    assert job["schedule"].run_every.total_seconds() == 60

    dataset = DatasetFactory.create(title="Queued while down")
    proxy.stop()
    with django_capture_on_commit_callbacks(execute=True):
        search_index_after_commit(dataset_ids=[dataset.pk])
    assert search_backlog_drain.delay().get() == 0  # still down: nothing lost
    assert SearchBacklog.objects.count() == 1

    proxy.start()
    outage.retry_at = 0.0
    assert search_backlog_drain.delay().get() == 1
    backend().refresh()
    assert dataset_search(DatasetQuery(text="queued")).ids == [dataset.pk]
