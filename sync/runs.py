"""Run bookkeeping for the live sync (:mod:`sync.live`): what every run does around its job.

A run holds the sync lock, is recorded as a :class:`~sync.models.SyncRun` (counts kept current
for the admin, its end always written), marks runs that died as abandoned, keeps its watermarks
(:class:`~sync.models.SyncCursor`), and runs with the garbage collector mostly out of the way and,
for a full sync, the search index's refresh paused.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalogue.models import Dataset
from catalogue.search import SearchUnavailable, backend
from catalogue.services import catalogue_statistics_refresh, search_index_after_commit
from stats.services import figures_refresh_after_commit
from sync.lock import SyncLock, sync_lock
from sync.models import QuarantinedRecord, SyncCursor, SyncKind, SyncRun, SyncStatus
from sync.scicat import ApiConfig, SciCatApi
from sync.services import COUNTS, ImportReport

logger = logging.getLogger(__name__)

# The watermarks' names (SyncCursor.name), one per kind of record a run follows.
DATASETS = "datasets"
UNPUBLISHED = "datasets-unpublished"
PUBLISHED_DATA = "publisheddata"
EMBARGO = "embargo"
REINDEX_CHUNK = 5000
PROGRESS_EVERY_SECONDS = 10.0  # how often a running run's counts are saved for the admin
# Allocations between two young-generation collections during a run (Python's default: 700).
GC_THRESHOLD = 50_000
FILES_UNAVAILABLE_MESSAGE = (
    "SciCat {major}.x shows no files to anonymous readers: the datasets were stored without "
    "their file lists. Set SCICAT_USERNAME and SCICAT_PASSWORD (a functional account) to read them."
)


class SyncNotConfigured(RuntimeError):
    """The live sync is off: SCICAT_URL is not set."""


@dataclass
class Progress:
    """How a run reports progress (the command draws a bar with it; tasks pass nothing)."""

    # None: nobody shows a total, so the catalogue is not asked to count (a scan on its side).
    total: Callable[[int | None], None] | None = None
    advance: Callable[[int], None] = lambda count: None
    phase: Callable[[str], None] = lambda name: None


@dataclass
class Run:
    record: SyncRun
    api: SciCatApi
    lock: SyncLock
    source: str
    progress: Progress
    allow_mass_withdrawal: bool
    report: ImportReport = field(default_factory=ImportReport)
    quarantined: set[tuple[str, str]] = field(default_factory=set)
    touched: int = 0  # datasets created or updated: the planner statistics may need refreshing
    files_unavailable: bool = False  # a page came without files: this mode cannot read them
    shown: float = field(default_factory=time.monotonic)  # when the counts were last saved

    def renew(self) -> None:
        self.lock.renew()


def source_name(config: ApiConfig) -> str:
    """The catalogue a watermark belongs to: another URL or API version starts afresh."""
    return f"{config.url} ({config.version})"


# -- a run --------------------------------------------------------------------------------------


def _recover_abandoned() -> None:
    """Runs still marked running died (this process holds the lock): mark them, and bring the
    search index up to date for whatever they changed, since their last reindex may be lost."""
    dead = list(SyncRun.objects.filter(status=SyncStatus.RUNNING))
    if not dead:
        return
    since = min(run.started_at for run in dead)
    SyncRun.objects.filter(pk__in=[run.pk for run in dead]).update(
        status=SyncStatus.ABANDONED,
        message="The process running it stopped before it finished (killed or crashed).",
    )
    ids = list(Dataset.objects.filter(modified__gte=since).values_list("pk", flat=True))
    logger.warning(
        "%d sync run(s) died; reindexing the %d datasets changed since %s",
        len(dead),
        len(ids),
        since,
    )
    for start in range(0, len(ids), REINDEX_CHUNK):
        with transaction.atomic():
            search_index_after_commit(dataset_ids=ids[start : start + REINDEX_CHUNK])


def _search_refresh_resume() -> None:
    """Turn the search index's refresh on again if a full sync left it paused (every run starts
    with this: a full sync that was killed, or could not reach OpenSearch at its end)."""
    try:
        if backend().bulk_load_finish():
            logger.info("search index: refresh turned on again")
    except SearchUnavailable as exc:  # the next run tries again; the sync goes on
        logger.warning("search index: could not turn its refresh on again: %s", exc)


@contextlib.contextmanager
def search_bulk_load() -> Iterator[None]:
    """A full sync fills the search index with its periodic refresh paused, one refresh at the
    end (about 40% less OpenSearch CPU); documents sent meanwhile are stored, searchable at the
    end. A run killed on the way leaves it paused until the next run starts (see
    :func:`_search_refresh_resume`)."""
    paused = False
    try:
        backend().bulk_load_start()
        paused = True
    except SearchUnavailable as exc:
        logger.warning("search index: could not pause its refresh: %s", exc)
    try:
        yield
    finally:
        if paused:
            _search_refresh_resume()


def _close(ctx: Run, status: str, message: str = "") -> None:
    record, report = ctx.record, ctx.report
    record.status = status
    record.message = (message or record.message)[:5000]
    record.finished_at = timezone.now()
    if ctx.files_unavailable and status != SyncStatus.FAILED:
        major = ctx.api.backend().major
        record.message = "\n".join(
            filter(None, [record.message, FILES_UNAVAILABLE_MESSAGE.format(major=major)])
        )
    for name in COUNTS:
        setattr(record, name, getattr(report, name))
    record.errors = report.errors[:1000]
    record.requests = ctx.api.calls
    record.retries = ctx.api.retried
    try:
        record.save()
    except Exception:  # the database itself may be what failed; the log still has the story
        logger.exception("could not record the end of sync run %s", record.pk)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run with the cyclic garbage collector mostly out of the way.

    A page of 500 records decodes into hundreds of thousands of dicts, lists and strings, all freed
    by reference counting once the page is written; with the default thresholds the collector
    still ran about 3,600 times during a full sync of 20,000 records (24 times over the whole
    heap), 6.7 s of the syncing process's 11.7 s of CPU (sync bench; wall time inside the
    collector, on a loaded machine). Here what the process held before the run is frozen out of
    the collector's sight and the young generation collected 70x less often: 32 collections,
    1.3 s. Memory stays flat: the pages are freed by reference counting, not by the collector.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def execute(
    kind: SyncKind,
    body: Callable[[Run], None],
    *,
    trigger: str,
    wait: float,
    progress: Progress | None,
    allow_mass_withdrawal: bool,
    public: Callable[[Mapping[str, Any]], bool],
) -> SyncRun:
    """Run ``body`` as a recorded sync run of ``kind``, holding the sync lock.

    ``public`` is the embargo policy on a raw record (the API client drops what it excludes).
    """
    config = ApiConfig.from_settings()
    if not config.url:
        raise SyncNotConfigured("the live catalogue sync is off: SCICAT_URL is not set")
    source = source_name(config)
    with sync_lock(wait=wait) as lock, _fewer_collections():
        _recover_abandoned()
        _search_refresh_resume()
        record = SyncRun.objects.create(
            kind=kind,
            source=source,
            trigger=trigger,
            host=socket.gethostname()[:255],
            process_id=os.getpid(),
            started_at=timezone.now(),
        )
        api = SciCatApi(config, keepalive=lock.renew, public=public)
        ctx = Run(
            record=record,
            api=api,
            lock=lock,
            source=source,
            progress=progress or Progress(),
            allow_mass_withdrawal=allow_mass_withdrawal,
            quarantined=set(QuarantinedRecord.objects.values_list("kind", "pid")),
        )
        logger.info(
            "catalogue sync %s (%s) started: %s",
            record.pk,
            kind,
            source,
            extra={"sync_run": record.pk, "sync_kind": str(kind)},
        )
        try:
            record.catalogue_release = str(api.backend())
            record.save(update_fields=["catalogue_release"])
            body(ctx)
            if ctx.touched >= 1000:
                catalogue_statistics_refresh()
        except BaseException as exc:
            _close(ctx, SyncStatus.FAILED, f"{type(exc).__name__}: {exc}")
            logger.error(
                "catalogue sync %s failed: %s", record.pk, exc, extra={"sync_run": record.pk}
            )
            raise
        else:
            _close(ctx, SyncStatus.PARTIAL if ctx.report.failed else SyncStatus.SUCCEEDED)
            if ctx.report.changed:
                figures_refresh_after_commit()
            logger.info(
                "catalogue sync %s done: %d created, %d updated, %d unchanged, %d withdrawn, "
                "%d failed",
                record.pk,
                record.created,
                record.updated,
                record.unchanged,
                record.withdrawn,
                record.failed,
                extra={
                    "sync_run": record.pk,
                    "sync_kind": str(kind),
                    "records_created": record.created,
                    "records_updated": record.updated,
                    "records_withdrawn": record.withdrawn,
                    "records_failed": record.failed,
                },
            )
        finally:
            api.close()
    return record


# -- watermarks ---------------------------------------------------------------------------------


def _position(ctx: Run, name: str) -> datetime | None:
    cursor = SyncCursor.objects.filter(source=ctx.source, name=name).first()
    return cursor.position if cursor else None


def watermark_advance(ctx: Run, name: str, position: datetime | None) -> None:
    """Move a watermark forward (never back); call inside the page's transaction."""
    if position is None:
        return
    cursor, _ = SyncCursor.objects.select_for_update().get_or_create(source=ctx.source, name=name)
    if cursor.position is None or position > cursor.position:
        cursor.position = position
        cursor.save(update_fields=["position", "changed"])
    if ctx.record.watermark_to is None or position > ctx.record.watermark_to:
        ctx.record.watermark_to = position


def watermark_start(ctx: Run, name: str, *, full: bool, since: datetime | None) -> datetime | None:
    if since is not None:
        return since
    if full:
        return None
    position = _position(ctx, name)
    if position is None:
        return None
    return position - timedelta(seconds=settings.SYNC_OVERLAP_SECONDS)


# -- counts -------------------------------------------------------------------------------------


def account(ctx: Run, report: ImportReport, records: int) -> None:
    """Add a page's counts to the run's; now and then save them for the admin."""
    ctx.report.merge(report)
    ctx.touched += report.created + report.updated
    ctx.record.fetched += records
    ctx.renew()
    ctx.progress.advance(records)
    if time.monotonic() - ctx.shown >= PROGRESS_EVERY_SECONDS:
        _show_progress(ctx)


def _show_progress(ctx: Run) -> None:
    """Keep the running run's counts current in the admin during a long sync."""
    record, report = ctx.record, ctx.report
    for name in COUNTS:
        setattr(record, name, getattr(report, name))
    record.requests, record.retries = ctx.api.calls, ctx.api.retried
    record.save(update_fields=["fetched", *COUNTS, "requests", "retries", "watermark_to"])
    ctx.shown = time.monotonic()
