"""Several Celery workers on the queues sync, index and doi (settings.CELERY_TASK_ROUTES): two real
worker processes against the throwaway Redis and PostgreSQL. The same sync asked for many times at
once runs one at a time (the Redis lock held across workers), and a DOI asked to be registered by
several messages at once is registered with DataCite once."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connection, transaction

from catalogue.models import Dataset
from publishing.models import DoiState, Publication
from publishing.services.registration import publication_register
from publishing.tasks import publication_sync
from sync.models import SyncRun, SyncStatus
from sync.tasks import catalogue_sync
from tests.publishing.support import PASSWORD as DATACITE_PASSWORD
from tests.publishing.support import PREFIX, DraftPublicationFactory
from tests.publishing.support import USERNAME as DATACITE_USERNAME
from tests.standins.datacite import DataCiteStandIn
from tests.standins.scicat import SciCatStandIn
from tests.sync.support import INSTRUMENT, PROPOSAL, add, pid

if TYPE_CHECKING:
    from celery import Celery

ROOT = Path(__file__).resolve().parents[2]
SCICAT_USER, SCICAT_PASSWORD = "portal-sync", "sync-password"
RECORDS = 12

pytestmark = [pytest.mark.postgresql, pytest.mark.redis]


@pytest.fixture(scope="module")
def scicat() -> Iterator[SciCatStandIn]:
    with SciCatStandIn(accounts={SCICAT_USER: SCICAT_PASSWORD}) as server:
        server.reset(release="4.17.1")
        server.v4_casts_dates = True
        server.put_instrument(INSTRUMENT)
        server.put_proposal(PROPOSAL)
        for n in range(RECORDS):
            add(server, n, files=1)
        yield server


@pytest.fixture(scope="module")
def datacite() -> Iterator[DataCiteStandIn]:
    with DataCiteStandIn({DATACITE_USERNAME: (DATACITE_PASSWORD, (PREFIX,))}) as server:
        yield server


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def workers(
    redis_celery_app: Celery,
    transactional_db: None,
    scicat: SciCatStandIn,
    datacite: DataCiteStandIn,
    tmp_path: Path,
    settings: Any,
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Two worker processes taking all four queues, as two hosts' workers would."""
    broker = str(redis_celery_app.conf.broker_url)
    settings.REDIS_URL = broker
    settings.DATACITE_URL, settings.DATACITE_PREFIX = datacite.url, PREFIX
    settings.DATACITE_USERNAME, settings.DATACITE_PASSWORD = DATACITE_USERNAME, DATACITE_PASSWORD
    settings.PORTAL_BASE_URL = "https://portal.example"
    keep = ("PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=_database_url(),
        PORTAL_VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
        CELERY_BROKER_URL=broker,
        CELERY_RESULT_BACKEND=broker,
        REDIS_URL=broker,
        SCICAT_URL=scicat.url,
        SCICAT_API_VERSION="v4",
        SCICAT_USERNAME=SCICAT_USER,
        SCICAT_PASSWORD=SCICAT_PASSWORD,
        SCICAT_PAGE_SIZE="3",
        SCICAT_TIMEOUT="60",
        SYNC_LOCK_TIMEOUT="30",
        DATACITE_URL=datacite.url,
        DATACITE_USERNAME=DATACITE_USERNAME,
        DATACITE_PASSWORD=DATACITE_PASSWORD,
        DATACITE_PREFIX=PREFIX,
        PORTAL_BASE_URL="https://portal.example",
        LOG_LEVEL="WARNING",
    )
    processes = [
        subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo"),
                *("--hostname", f"worker{n}@%h", "--queues", "sync,index,doi,celery"),
                *("--without-gossip", "--without-mingle", "--loglevel", "WARNING"),
            ],
            cwd=ROOT,
            env=env,
            stdout=(tmp_path / f"worker{n}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for n in (1, 2)
    ]
    try:
        deadline = time.monotonic() + 120
        while len(redis_celery_app.control.ping(timeout=1)) < 2:
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                logs = [(tmp_path / f"worker{n}.log").read_text() for n in (1, 2)]
                raise AssertionError(f"the workers did not start: {logs}")
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_the_sync_asked_for_by_both_workers_never_runs_twice_at_once(
    workers: list[subprocess.Popen[bytes]], scicat: SciCatStandIn
) -> None:
    scicat.stall(3, path="/api/v4/datasets", after=3)  # the first run holds the lock a while
    results = [catalogue_sync.delay(full=True) for _ in range(6)]
    outcomes = [result.get(timeout=180) for result in results]

    ran = [o for o in outcomes if "run" in o]
    assert ran
    assert any("skipped" in o for o in outcomes)
    runs = sorted(SyncRun.objects.filter(pk__in=[o["run"] for o in ran]), key=lambda r: r.pk)
    assert all(run.status == SyncStatus.SUCCEEDED for run in runs)
    for earlier, later in itertools.pairwise(runs):
        assert earlier.finished_at is not None
        assert earlier.finished_at <= later.started_at
    assert sorted(Dataset.objects.values_list("pid", flat=True)) == sorted(
        pid(n) for n in range(RECORDS)
    )


def test_a_doi_asked_for_by_many_messages_is_registered_once(
    workers: list[subprocess.Popen[bytes]], datacite: DataCiteStandIn
) -> None:
    datacite.reset()
    publication = DraftPublicationFactory.create()
    with transaction.atomic():
        publication_register(publication_id=publication.pk)  # one message, sent on commit
    duplicates = [publication_sync.delay(publication.pk) for _ in range(5)]
    for result in duplicates:
        result.get(timeout=120)

    deadline = time.monotonic() + 60
    while Publication.objects.get(pk=publication.pk).doi_state != DoiState.FINDABLE:
        assert time.monotonic() < deadline, "the DOI was not registered"
        time.sleep(0.2)
    time.sleep(1)  # the first message's task, if it came last, has finished too
    writes = [s for s in datacite.seen if s.method in {"POST", "PUT"}]
    assert [(s.method, s.path) for s in writes] == [("POST", "/dois")]
    assert [s.status for s in writes] == [201]
