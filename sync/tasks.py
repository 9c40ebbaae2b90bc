"""The sync's Celery tasks: thin adapters from Celery beat to the services in :mod:`sync.live`.

Another sync holding the lock is not an error: the task says so and ends (beat comes back in a
few minutes). A catalogue that stays unreachable through the client's own retries is retried by
Celery a few times more, with backoff; other failures are recorded on the run and raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import shared_task

from sync import live, runs
from sync.lock import SyncLockHeld
from sync.models import SyncRun
from sync.scicat import CatalogueUnavailable

logger = logging.getLogger(__name__)

_RETRY: dict[str, Any] = {
    "autoretry_for": (CatalogueUnavailable,),
    "retry_backoff": 60,
    "retry_backoff_max": 900,
    "retry_jitter": True,
    "max_retries": 3,
}


def _outcome(run: SyncRun) -> dict[str, Any]:
    return {
        "run": run.pk,
        "status": run.status,
        "created": run.created,
        "updated": run.updated,
        "withdrawn": run.withdrawn,
        "failed": run.failed,
    }


def _attempt(start: Callable[[], SyncRun]) -> dict[str, Any]:
    """Run one sync; another sync holding the lock, or no catalogue configured, is no error."""
    try:
        return _outcome(start())
    except SyncLockHeld as exc:
        logger.info("sync skipped: %s", exc)
        return {"skipped": str(exc)}
    except runs.SyncNotConfigured as exc:
        logger.info("sync not run: %s", exc)
        return {"off": str(exc)}


@shared_task(**_RETRY)
def catalogue_sync(full: bool = False) -> dict[str, Any]:
    """The incremental sync (beat, every SYNC_INTERVAL_MINUTES), or a full one."""
    return _attempt(lambda: live.catalogue_sync(full=full, trigger="celery"))


@shared_task(**_RETRY)
def catalogue_reconcile() -> dict[str, Any]:
    """The nightly reconciliation."""
    return _attempt(lambda: live.catalogue_reconcile(trigger="celery", wait=600))


@shared_task(**_RETRY)
def embargo_check() -> dict[str, Any]:
    """The hourly embargo-end check."""
    return _attempt(lambda: live.embargo_check(trigger="celery", wait=120))


@shared_task(**_RETRY)
def records_sync(pids: list[str]) -> dict[str, Any]:
    """These records, now (e.g. from an admin action)."""
    return _attempt(
        lambda: live.records_sync(pids=[str(pid) for pid in pids], trigger="celery", wait=60)
    )
