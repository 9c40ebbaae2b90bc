"""The sync with real Redis: the lock across workers, and the tasks on a real Celery worker."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import pytest
from celery.schedules import crontab, schedule

from catalogue.models import Dataset
from portal.celery import beat_schedule
from sync import live, tasks
from sync.lock import SyncLockHeld, sync_lock
from sync.models import SyncRun, SyncStatus
from tests.standins.scicat import SciCatStandIn
from tests.sync.support import add, pid

if TYPE_CHECKING:
    from celery import Celery
    from celery.worker import WorkController

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_lock(settings: Any, redis_url: str) -> str:
    settings.REDIS_URL = redis_url
    return redis_url


@pytest.mark.django_db
def test_the_redis_lock_keeps_a_second_sync_out_and_says_who_holds_it(
    scicat: SciCatStandIn, redis_lock: str
) -> None:
    add(scicat, 1)
    held = threading.Event()
    release = threading.Event()

    def other_worker() -> None:
        with sync_lock():
            held.set()
            release.wait(10)

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert held.wait(10)
        with pytest.raises(SyncLockHeld, match=r"process \d+"):
            live.catalogue_sync()
        assert tasks.catalogue_sync.apply().get()["skipped"].startswith("another catalogue sync")
    finally:
        release.set()
        thread.join()

    run = live.catalogue_sync()
    assert run.status == SyncStatus.SUCCEEDED
    assert SyncRun.objects.count() == 1


@pytest.mark.django_db
def test_a_sync_waits_for_the_lock_when_asked(scicat: SciCatStandIn, redis_lock: str) -> None:
    add(scicat, 1)
    release = threading.Event()
    held = threading.Event()

    def other_worker() -> None:
        with sync_lock():
            held.set()
            release.wait(10)

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert held.wait(10)
    threading.Timer(0.5, release.set).start()

    run = live.catalogue_sync(wait=10)

    thread.join()
    assert run.status == SyncStatus.SUCCEEDED


def test_the_sync_task_runs_on_a_worker_through_redis(
    scicat: SciCatStandIn,
    redis_lock: str,
    redis_celery_app: Celery,
    redis_celery_worker: WorkController,
) -> None:
    for n in range(4):
        add(scicat, n)

    result = tasks.catalogue_sync.delay()

    outcome = result.get(timeout=60)
    assert outcome["status"] == SyncStatus.SUCCEEDED
    assert outcome["created"] == 4
    assert set(Dataset.objects.values_list("pid", flat=True)) == {pid(n) for n in range(4)}
    assert SyncRun.objects.get().trigger == "celery"


def test_beat_runs_the_sync_every_interval_the_embargo_check_hourly_and_reconciles_nightly(
    settings: Any,
) -> None:
    settings.SYNC_INTERVAL_MINUTES = 7
    settings.SYNC_RECONCILE_HOUR = 3

    jobs = beat_schedule()

    sync = jobs["catalogue-sync"]
    assert sync["task"] == "sync.tasks.catalogue_sync"
    assert isinstance(sync["schedule"], schedule)
    assert sync["schedule"].run_every.total_seconds() == 7 * 60
    embargo = jobs["catalogue-embargo-check"]["schedule"]
    assert isinstance(embargo, crontab)
    assert embargo.hour == set(range(24))
    nightly = jobs["catalogue-reconcile"]["schedule"]
    assert isinstance(nightly, crontab)
    assert nightly.hour == {3}
    assert jobs["catalogue-reconcile"]["task"] == "sync.tasks.catalogue_reconcile"
    assert jobs["catalogue-embargo-check"]["task"] == "sync.tasks.embargo_check"


def test_the_tasks_are_registered_with_the_portals_celery_app() -> None:
    from portal.celery import app

    app.loader.import_default_modules()
    for name in (
        "sync.tasks.catalogue_sync",
        "sync.tasks.catalogue_reconcile",
        "sync.tasks.embargo_check",
        "sync.tasks.records_sync",
    ):
        assert name in app.tasks
