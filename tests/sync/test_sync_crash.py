"""A sync killed mid-run (a real process, SIGKILL): the next run finishes, nothing lost or doubled.

The killed process holds the Redis lock and has committed some pages; the lock's timeout frees it
and the next run (here, in the test process) marks the dead run abandoned and completes the sync.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count

from catalogue.models import DataFile, Dataset, ScientificParameter
from sync import live, runs
from sync.models import SyncCursor, SyncRun, SyncStatus
from tests.standins.scicat import SciCatStandIn
from tests.sync.conftest import PASSWORD, USERNAME
from tests.sync.support import add, pid

ROOT = Path(__file__).resolve().parents[2]
RECORDS = 40
PAGE = 5

pytestmark = [pytest.mark.postgresql, pytest.mark.redis]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _files(n: int) -> int:
    return 1 + n % 4


def _child(scicat: SciCatStandIn, redis_url: str, tmp_path: Path) -> subprocess.Popen[bytes]:
    keep = ("PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=_database_url(),
        PORTAL_VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
        REDIS_URL=redis_url,
        SYNC_LOCK_TIMEOUT="5",
        SCICAT_URL=scicat.url,
        SCICAT_API_VERSION="v4",
        SCICAT_USERNAME=USERNAME,
        SCICAT_PASSWORD=PASSWORD,
        SCICAT_PAGE_SIZE=str(PAGE),
        SCICAT_TIMEOUT="60",
        LOG_LEVEL="WARNING",
    )
    return subprocess.Popen(
        [sys.executable, "manage.py", "sync_catalogue", "--full", "--no-progress"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for_stall(scicat: SciCatStandIn, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if scicat.stalled:
            return
        if child.poll() is not None:
            raise AssertionError(
                f"the sync ended early: {child.stderr.read() if child.stderr else ''!r}"
            )
        time.sleep(0.05)
    raise AssertionError("the sync never got that far")


def test_a_sync_killed_mid_run_is_finished_by_the_next_without_loss_or_duplicates(
    scicat: SciCatStandIn,
    settings: Any,
    transactional_db: None,
    redis_url: str,
    tmp_path: Path,
) -> None:
    settings.REDIS_URL = redis_url
    settings.SCICAT_PAGE_SIZE = PAGE
    for n in range(RECORDS):
        add(scicat, n, files=_files(n))
    # The fifth page hangs: the process is killed while it waits, four pages in.
    # (/api/v4/datasets/public once: which release; /api/v4/datasets once: are dates filtered)
    scicat.stall(60, path="/api/v4/datasets", after=2 + 4)

    child = _child(scicat, redis_url, tmp_path)
    try:
        _wait_for_stall(scicat, child)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL

    dead = SyncRun.objects.get()
    assert dead.status == SyncStatus.RUNNING  # it never got to say otherwise
    halfway = Dataset.objects.count()
    assert 0 < halfway < RECORDS
    assert SyncCursor.objects.get(name=runs.DATASETS).position is not None

    run = live.catalogue_sync(wait=30)  # the lock frees itself after SYNC_LOCK_TIMEOUT

    dead.refresh_from_db()
    assert dead.status == SyncStatus.ABANDONED
    assert run.status == SyncStatus.SUCCEEDED
    assert set(Dataset.objects.public().values_list("pid", flat=True)) == {
        pid(n) for n in range(RECORDS)
    }
    files = dict(Dataset.objects.annotate(n=Count("files")).values_list("pid", "n"))
    assert files == {pid(n): _files(n) for n in range(RECORDS)}
    assert DataFile.objects.count() == sum(_files(n) for n in range(RECORDS))
    assert ScientificParameter.objects.count() == RECORDS  # one leaf each, none twice
