"""The live catalogue sync: services the Celery tasks and ``sync_catalogue`` call.

``catalogue_sync``
    Every ``SYNC_INTERVAL_MINUTES``: the records the catalogue changed since the stored watermark
    (less ``SYNC_OVERLAP_SECONDS``), with their files, thumbnails, instrument and proposal, then
    the published data (DOIs) that changed, then a cheap pass that lists every public pid (pids
    only) and withdraws what the catalogue no longer shows (deleted or un-published), so a
    deletion leaves the portal within one sync cycle. With v3 the records
    the catalogue un-published are also read, fields only, and withdrawn at once. ``full=True``
    starts from the beginning and also fetches every listed record the portal lacks.
``catalogue_reconcile``
    Nightly: the listing pass with ``updatedAt``, fetching every record the portal lacks or holds
    in another version (so anything a watermark missed is repaired), all published data again,
    and every quarantined record.
``embargo_check``
    Hourly, where the policy publishes on the embargo end date (v3 only: v4's public API never
    shows unpublished records): records whose ``dateOfPublishing`` passed since the last check.
``records_sync``
    Chosen records by pid, each read through its own URL.

Each run holds the sync lock (:mod:`sync.lock`), is recorded as a :class:`~sync.models.SyncRun`
and imports page by page through :func:`sync.services.records_import`, each page in one
transaction together with its watermark, so a run killed at any point leaves either a whole page
or none of it, and the next run takes up where it stopped. Records that cannot be mapped are
quarantined with their error and do not stop the run.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalogue.models import Dataset
from catalogue.payloads import FilesStatus
from catalogue.search import SearchUnavailable, backend
from catalogue.services import (
    catalogue_statistics_refresh,
    datasets_withdraw_by_catalogue,
    search_index_after_commit,
)
from catalogue.visibility import WithdrawnBy
from publishing.models import Publication
from publishing.services.withdrawal import publication_withdraw
from sync import policy, scicat
from sync.listing import Listing
from sync.lock import SyncLock, sync_lock
from sync.models import QuarantinedRecord, SyncCursor, SyncKind, SyncRun, SyncStatus
from sync.scicat import (
    FILES_UNAVAILABLE,
    ApiConfig,
    CatalogueError,
    Page,
    SciCatApi,
    updated_at,
)
from sync.services import (
    COUNTS,
    UNPUBLISHED_REASON,
    ImportReport,
    MappedRecords,
    References,
    published_data_import,
    records_import,
    records_map,
    records_write,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

DATASETS = "datasets"
UNPUBLISHED = "datasets-unpublished"
PUBLISHED_DATA = "publisheddata"
EMBARGO = "embargo"
MASS_WITHDRAWAL_FLOOR = 20  # withdrawing this many is never "mass", whatever the percentage
REINDEX_CHUNK = 5000
PROGRESS_EVERY_SECONDS = 10.0
# Allocations between two young-generation collections during a run (Python's default: 700).
GC_THRESHOLD = 50_000  # how often a running run's counts are saved for the admin
GONE_REASON = "The internal catalogue no longer publishes this record."
DATES_NOT_FILTERABLE = (
    "The catalogue's v4 API does not filter datasets by date (SciCat casts dates in v4 lists "
    "only since backend PR #2346; 4.17 and 5.2 do not): the sync compared the full listing of "
    "public records instead."
)
PUBLICATION_GONE_REASON = "The internal catalogue no longer publishes this DOI's data."
FILES_UNAVAILABLE_MESSAGE = (
    "SciCat {major}.x shows no files to anonymous readers: the datasets were stored without "
    "their file lists. Set SCICAT_USERNAME and SCICAT_PASSWORD (a functional account) to read them."
)
# The embargo check widens its date windows by this much: calendar periods do not invert exactly.
EMBARGO_WINDOW_SLACK = timedelta(days=3)


class SyncNotConfigured(RuntimeError):
    """The live sync is off: SCICAT_URL is not set."""


class WithdrawalRefused(RuntimeError):
    """The catalogue seems to have lost a large share of its records: nothing was withdrawn."""


@dataclass
class Progress:
    """How a run reports progress (the command draws a bar with it; tasks pass nothing)."""

    # None: nobody shows a total, so the catalogue is not asked to count (a scan on its side).
    total: Callable[[int | None], None] | None = None
    advance: Callable[[int], None] = lambda count: None
    phase: Callable[[str], None] = lambda name: None


@dataclass
class _Run:
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


# -- runs ---------------------------------------------------------------------------------------


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
def _search_bulk_load() -> Iterator[None]:
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


def _close(ctx: _Run, status: str, message: str = "") -> None:
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


def _execute(
    kind: SyncKind,
    body: Callable[[_Run], None],
    *,
    trigger: str,
    wait: float,
    progress: Progress | None,
    allow_mass_withdrawal: bool,
) -> SyncRun:
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
        api = SciCatApi(config, keepalive=lock.renew, public=_is_public_now)
        ctx = _Run(
            record=record,
            api=api,
            lock=lock,
            source=source,
            progress=progress or Progress(),
            allow_mass_withdrawal=allow_mass_withdrawal,
            quarantined=set(QuarantinedRecord.objects.values_list("kind", "pid")),
        )
        logger.info("catalogue sync %s (%s) started: %s", record.pk, kind, source)
        try:
            record.catalogue_release = str(api.backend())
            record.save(update_fields=["catalogue_release"])
            body(ctx)
            if ctx.touched >= 1000:
                catalogue_statistics_refresh()
        except BaseException as exc:
            _close(ctx, SyncStatus.FAILED, f"{type(exc).__name__}: {exc}")
            logger.error("catalogue sync %s failed: %s", record.pk, exc)
            raise
        else:
            _close(ctx, SyncStatus.PARTIAL if ctx.report.failed else SyncStatus.SUCCEEDED)
            logger.info(
                "catalogue sync %s done: %d created, %d updated, %d unchanged, %d withdrawn, "
                "%d failed",
                record.pk,
                record.created,
                record.updated,
                record.unchanged,
                record.withdrawn,
                record.failed,
            )
        finally:
            api.close()
    return record


# -- watermarks ---------------------------------------------------------------------------------


def _position(ctx: _Run, name: str) -> datetime | None:
    cursor = SyncCursor.objects.filter(source=ctx.source, name=name).first()
    return cursor.position if cursor else None


def _advance(ctx: _Run, name: str, position: datetime | None) -> None:
    """Move a watermark forward (never back); call inside the page's transaction."""
    if position is None:
        return
    cursor, _ = SyncCursor.objects.select_for_update().get_or_create(source=ctx.source, name=name)
    if cursor.position is None or position > cursor.position:
        cursor.position = position
        cursor.save(update_fields=["position", "changed"])
    if ctx.record.watermark_to is None or position > ctx.record.watermark_to:
        ctx.record.watermark_to = position


def _start(ctx: _Run, name: str, *, full: bool, since: datetime | None) -> datetime | None:
    if since is not None:
        return since
    if full:
        return None
    position = _position(ctx, name)
    if position is None:
        return None
    return position - timedelta(seconds=settings.SYNC_OVERLAP_SECONDS)


# -- importing pages ----------------------------------------------------------------------------


def _prefetched(pages: Iterator[T]) -> Iterator[T]:
    """The same pages, the next one read (HTTP and JSON) in a thread while this one is imported.

    The thread only talks to the catalogue, never to the database. An error in it comes out
    here, at the page it concerns; leaving the loop early stops the thread.
    """
    slots: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def read() -> None:
        try:
            for page in pages:
                while not stop.is_set():
                    try:
                        slots.put(("page", page), timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put(("end", None))
        except BaseException as exc:  # handed to the consumer, which raises it
            slots.put(("error", exc))

    reader = threading.Thread(target=read, name="catalogue-prefetch", daemon=True)
    reader.start()
    try:
        while True:
            kind, item = slots.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):
            slots.get_nowait()  # unblock a reader waiting to hand over one more page
        reader.join(timeout=5)


def _quarantine(
    ctx: _Run,
    kind: str,
    keys: Iterable[str],
    stamps: Mapping[str, datetime | None],
    report: ImportReport,
) -> None:
    """Keep the records that failed, with their errors; release those that now went through."""
    failed = {pid[:255]: error for k, pid, error in report.failures if k == kind}
    now = timezone.now()
    if failed:
        existing = {
            q.pid: q for q in QuarantinedRecord.objects.filter(kind=kind, pid__in=list(failed))
        }
        for pid, error in failed.items():
            entry = existing.get(pid)
            if entry is None:
                QuarantinedRecord.objects.create(
                    kind=kind,
                    pid=pid,
                    error=error,
                    source_updated_at=stamps.get(pid),
                    first_seen=now,
                    last_seen=now,
                    run=ctx.record,
                )
            else:
                entry.error, entry.last_seen, entry.run = error, now, ctx.record
                entry.source_updated_at = stamps.get(pid)
                entry.attempts += 1
                entry.save()
            ctx.quarantined.add((kind, pid))
    done = {(kind, key) for key in keys if key not in failed} & ctx.quarantined
    if done:
        QuarantinedRecord.objects.filter(kind=kind, pid__in=[pid for _, pid in done]).delete()
        ctx.quarantined -= done


@dataclass
class _Prepared:
    """A page of full records, mapped and ready to be written."""

    page: Page
    mapped: MappedRecords
    report: ImportReport
    stamps: dict[str, datetime | None]


def _prepare(page: Page) -> _Prepared:
    """Map a page (no database: this may run in the reader thread)."""
    report = ImportReport(dropped=page.dropped)
    references = References.parse(page.instruments, page.proposals, report)
    mapped = records_map(
        records=page.records,
        blocks=page.blocks,
        attachments=page.attachments,
        references=references,
        report=report,
        files_missing=page.files_missing,
    )
    stamps = {str(r.get("pid")): updated_at(r) for r in page.records}
    page.records.clear()  # the raw records are not needed any more: keep memory flat
    return _Prepared(page, mapped, report, stamps)


def _import_page(ctx: _Run, page: Page | _Prepared, *, cursor: str | None) -> None:
    """One page of full dataset records, in one transaction with its watermark."""
    prepared = page if isinstance(page, _Prepared) else _prepare(page)
    last = max((s for s in prepared.stamps.values() if s is not None), default=None)
    with transaction.atomic():
        records_write(mapped=prepared.mapped, report=prepared.report)
        _quarantine(ctx, "dataset", prepared.stamps, prepared.stamps, prepared.report)
        if cursor:
            _advance(ctx, cursor, last)
    if prepared.page.files_missing == FILES_UNAVAILABLE:
        ctx.files_unavailable = True
    _account(ctx, prepared.report, len(prepared.stamps))


def _account(ctx: _Run, report: ImportReport, records: int) -> None:
    ctx.report.merge(report)
    ctx.touched += report.created + report.updated
    ctx.record.fetched += records
    ctx.renew()
    ctx.progress.advance(records)
    if time.monotonic() - ctx.shown >= PROGRESS_EVERY_SECONDS:
        _show_progress(ctx)


def _show_progress(ctx: _Run) -> None:
    """Keep the running run's counts current in the admin during a long sync."""
    record, report = ctx.record, ctx.report
    for name in COUNTS:
        setattr(record, name, getattr(report, name))
    record.requests, record.retries = ctx.api.calls, ctx.api.retried
    record.save(update_fields=["fetched", *COUNTS, "requests", "retries", "watermark_to"])
    ctx.shown = time.monotonic()


def _is_public_now(raw: Mapping[str, Any]) -> bool:
    """The embargo policy on a raw record (one that cannot be read is not public)."""
    try:
        embargo = policy.embargo_end(scicat.embargo_dates(raw))
    except scicat.RecordError:
        embargo = None
    return policy.is_public(
        is_published=scicat.is_published(raw), embargo_end=embargo, now=timezone.now()
    )


def _embargo_ended(
    ctx: _Run, *, after: datetime | None, until: datetime
) -> Iterator[list[dict[str, Any]]]:
    """v3: unpublished datasets (brief) whose embargo by the policy ended in ``(after, until]``.

    The catalogue is asked for candidates by each date the policy may use: a
    ``dateOfPublishing`` in the window, and, with ``PORTAL_EMBARGO_PERIOD``, an ``endTime`` or
    ``creationTime`` one period before it; the policy then decides on each record.
    """
    period = policy.configured_period()
    windows: list[tuple[str, datetime | None, datetime]] = [
        ("datasetlifecycle.dateOfPublishing", after, until)
    ]
    if period:
        start = period.before(after) - EMBARGO_WINDOW_SLACK if after is not None else None
        end = period.before(until) + EMBARGO_WINDOW_SLACK
        windows += [("endTime", start, end), ("creationTime", start, end)]
    given: set[str] = set()
    for name, low, high in windows:
        for rows in ctx.api.unpublished_ids_between(name, after=low, until=high):
            ended = [
                r
                for r in rows
                if isinstance(r.get("pid"), str) and r["pid"] not in given and _is_public_now(r)
            ]
            given.update(r["pid"] for r in ended)
            ctx.renew()
            if ended:
                yield ended


def _fetch(ctx: _Run, pids: Sequence[str], *, cursor: str | None = None) -> None:
    """Read these records in full and import them; those the catalogue no longer shows are
    withdrawn."""
    seen: set[str] = set()
    for page in ctx.api.datasets_by_pid(pids):
        seen.update(str(r.get("pid")) for r in page.records)
        _import_page(ctx, page, cursor=cursor)
    gone = [pid for pid in pids if pid not in seen]
    if gone:
        with transaction.atomic():
            ctx.report.withdrawn += datasets_withdraw_by_catalogue(pids=gone, reason=GONE_REASON)
            _quarantine(ctx, "dataset", gone, {}, ImportReport())


def _import_unpublished(ctx: _Run, rows: list[dict[str, Any]]) -> None:
    """v3: changed records the catalogue does not publish (fields only). Withdrawn here, unless
    the policy makes them public (their embargo ended), then read in full."""
    opened = [str(r["pid"]) for r in rows if isinstance(r.get("pid"), str) and _is_public_now(r)]
    skip = set(opened)
    closed = [r for r in rows if str(r.get("pid")) not in skip]
    if opened:
        _fetch(ctx, opened)
    report = ImportReport()
    stamps = {str(r.get("pid")): updated_at(r) for r in closed}
    last = max((s for s in (updated_at(r) for r in rows) if s is not None), default=None)
    with transaction.atomic():
        records_import(
            records=closed,
            blocks=None,
            attachments=None,
            references=References({}, {}),
            report=report,
        )
        _quarantine(ctx, "dataset", stamps, stamps, report)
        _advance(ctx, UNPUBLISHED, last)
    _account(ctx, report, len(closed))


# -- published data -----------------------------------------------------------------------------


def _withdraw_publications(ctx: _Run, dois: Iterable[str]) -> None:
    wanted = list(dois)
    for publication in Publication.objects.public().filter(doi__in=wanted):
        if publication.is_managed:
            continue  # the portal registered it itself: not the catalogue's to take back
        if publication_withdraw(
            publication=publication, reason=PUBLICATION_GONE_REASON, by=WithdrawnBy.CATALOGUE
        ):
            logger.info("publication %s withdrawn: the catalogue no longer shows it", publication)


def _published_data(ctx: _Run, *, since: datetime | None, track: bool) -> set[str]:
    """Import published data changed since ``since``; returns the DOIs the catalogue shows."""
    shown: set[str] = set()
    ctx.progress.phase("published data")
    for rows in ctx.api.published_data_changed(since=since):
        report = ImportReport()
        dois = {scicat.normalize_doi(r["doi"]): r for r in rows if isinstance(r.get("doi"), str)}
        public = {doi for doi, r in dois.items() if scicat.published_data_is_public(r)}
        shown |= public
        stamps = {doi: updated_at(r) for doi, r in dois.items()}
        last = max((s for s in stamps.values() if s is not None), default=None)
        with transaction.atomic():
            published_data_import(records=rows, report=report)
            _withdraw_publications(ctx, set(dois) - public)
            _quarantine(ctx, "publisheddata", dois, stamps, report)
            if track:
                _advance(ctx, PUBLISHED_DATA, last)
        ctx.report.merge(report)
        ctx.renew()
    return shown


# -- the listing pass ---------------------------------------------------------------------------


def _listing(ctx: _Run, *, fetch_stale: bool) -> None:
    """Compare the catalogue's public records with the portal: withdraw what it no longer shows
    and, with ``fetch_stale``, read what the portal lacks or holds in another version."""
    ctx.progress.phase("listing public records")

    # Finding deletions needs the pids only; their versions only when stale records are fetched.
    def pairs(rows: list[dict[str, Any]]) -> Iterator[tuple[str, datetime | None]]:
        if fetch_stale:
            return ((str(r["pid"]), updated_at(r)) for r in rows)
        return ((str(r["pid"]), None) for r in rows)

    with Listing() as listing:
        # The next page is read while this one is loaded into the database.
        for rows in _prefetched(ctx.api.public_dataset_ids(versions=fetch_stale)):
            listing.add(pairs(rows))
            ctx.renew()
        if ctx.api.v3 and settings.PORTAL_PUBLISH_ON_EMBARGO_END:
            for rows in _embargo_ended(ctx, after=None, until=timezone.now()):
                listing.add(pairs(rows))
        missing = listing.missing_count()
        if missing:
            public = Dataset.objects.public().count()
            allowed = max(MASS_WITHDRAWAL_FLOOR, public * settings.SYNC_MAX_WITHDRAW_PERCENT / 100)
            if missing > allowed and not ctx.allow_mass_withdrawal:
                raise WithdrawalRefused(
                    f"the catalogue lists {listing.rows} public records and no longer shows "
                    f"{missing} of the portal's {public} public datasets, more than "
                    f"SYNC_MAX_WITHDRAW_PERCENT={settings.SYNC_MAX_WITHDRAW_PERCENT}% allows; "
                    "nothing was withdrawn. If this is right, run "
                    "`manage.py sync_catalogue --allow-mass-withdrawal`."
                )
            for pids in listing.missing():
                with transaction.atomic():
                    ctx.report.withdrawn += datasets_withdraw_by_catalogue(
                        pids=pids, reason=UNPUBLISHED_REASON
                    )
                ctx.renew()
        if fetch_stale:
            ctx.progress.phase("fetching missing or changed records")
            for pids in listing.stale(chunk=ctx.api.config.page_size):
                _fetch(ctx, pids)


def _files_retry(ctx: _Run) -> None:
    """Read again the public datasets whose files an earlier run could not read."""
    pids = list(
        Dataset.objects.public()
        .filter(files_status=FilesStatus.INCOMPLETE)
        .order_by("pid")
        .values_list("pid", flat=True)
    )
    if pids:
        ctx.progress.phase("reading files not read before")
        _fetch(ctx, pids)


def _quarantine_retry(ctx: _Run) -> None:
    pids = [pid for kind, pid in ctx.quarantined if kind == "dataset"]
    if pids:
        ctx.progress.phase("retrying quarantined records")
        _fetch(ctx, sorted(pids))


# -- the services -------------------------------------------------------------------------------


def catalogue_sync(
    *,
    full: bool = False,
    since: datetime | None = None,
    trigger: str = "command",
    wait: float = 0,
    progress: Progress | None = None,
    allow_mass_withdrawal: bool = False,
) -> SyncRun:
    """Bring in what the catalogue changed (see the module docstring); returns the run."""

    def body(ctx: _Run) -> None:
        _files_retry(ctx)
        if not ctx.api.dates_filterable():
            _sync_by_listing(ctx, full=full, since=since)
            return
        start = _start(ctx, DATASETS, full=full, since=since)
        ctx.record.watermark_from = start
        ctx.record.save(update_fields=["watermark_from"])
        ctx.progress.phase("datasets")
        if ctx.progress.total is not None:
            try:
                ctx.progress.total(ctx.api.datasets_count(since=start, published=True))
            except CatalogueError as exc:  # only the progress bar needs it
                logger.info("no count of changed datasets: %s", exc)
        pages = ctx.api.datasets_changed(since=start, published=True)
        with _search_bulk_load() if full else contextlib.nullcontext():
            for prepared in _prefetched(_prepare(page) for page in pages):
                _import_page(ctx, prepared, cursor=DATASETS)
        if ctx.api.v3:
            ctx.progress.phase("unpublished datasets")
            unpublished_from = _start(ctx, UNPUBLISHED, full=full, since=since)
            for rows in ctx.api.datasets_changed_brief(since=unpublished_from, published=False):
                _import_unpublished(ctx, rows)
        _published_data(ctx, since=_start(ctx, PUBLISHED_DATA, full=full, since=since), track=True)
        _listing(ctx, fetch_stale=full)

    return _execute(
        SyncKind.FULL if full else SyncKind.INCREMENTAL,
        body,
        trigger=trigger,
        wait=wait,
        progress=progress,
        allow_mass_withdrawal=allow_mass_withdrawal,
    )


def _sync_by_listing(ctx: _Run, *, full: bool, since: datetime | None) -> None:
    """The catalogue cannot list what changed since a date (SciCat v4 from before backend PR
    #2346, see :meth:`SciCatApi.dates_filterable`): compare the listing of every public pid and
    its ``updatedAt`` with the portal instead, and read what the portal lacks or holds in another
    version by pid. Slower, but nothing is missed; no dataset watermark is kept."""
    ctx.record.message = DATES_NOT_FILTERABLE
    ctx.record.save(update_fields=["message"])
    with _search_bulk_load() if full else contextlib.nullcontext():
        _listing(ctx, fetch_stale=True)
    _published_data(ctx, since=_start(ctx, PUBLISHED_DATA, full=full, since=since), track=True)


def catalogue_reconcile(
    *,
    trigger: str = "command",
    wait: float = 0,
    progress: Progress | None = None,
    allow_mass_withdrawal: bool = False,
) -> SyncRun:
    """List every public record and repair any difference (see the module docstring)."""

    def body(ctx: _Run) -> None:
        _listing(ctx, fetch_stale=True)
        _files_retry(ctx)
        _quarantine_retry(ctx)
        shown = _published_data(ctx, since=None, track=False)
        external = Publication.objects.public().exclude(doi__in=shown)
        _withdraw_publications(ctx, [p.doi for p in external if not p.is_managed])

    return _execute(
        SyncKind.RECONCILE,
        body,
        trigger=trigger,
        wait=wait,
        progress=progress,
        allow_mass_withdrawal=allow_mass_withdrawal,
    )


def embargo_check(
    *, trigger: str = "command", wait: float = 0, progress: Progress | None = None
) -> SyncRun:
    """Bring in records whose embargo ended since the last check, where the policy says so."""

    def body(ctx: _Run) -> None:
        if not settings.PORTAL_PUBLISH_ON_EMBARGO_END:
            ctx.record.message = "Nothing to do: PORTAL_PUBLISH_ON_EMBARGO_END is off."
            return
        if not ctx.api.v3:
            ctx.record.message = (
                "Nothing to do: the v4 public API shows only published records; "
                "publishing on the embargo end date needs SCICAT_API_VERSION=v3."
            )
            return
        until = timezone.now()
        after = _start(ctx, EMBARGO, full=False, since=None)
        ctx.record.watermark_from = after
        for rows in _embargo_ended(ctx, after=after, until=until):
            _fetch(ctx, [str(r["pid"]) for r in rows])
        with transaction.atomic():
            _advance(ctx, EMBARGO, until)

    return _execute(
        SyncKind.EMBARGO,
        body,
        trigger=trigger,
        wait=wait,
        progress=progress,
        allow_mass_withdrawal=False,
    )


def records_sync(*, pids: Sequence[str], trigger: str = "command", wait: float = 0) -> SyncRun:
    """Read these records through their own URLs and import (or withdraw) them."""

    def body(ctx: _Run) -> None:
        for pid in pids:
            page = ctx.api.dataset(pid)
            if page.records:
                _import_page(ctx, page, cursor=None)
            else:
                with transaction.atomic():
                    ctx.report.withdrawn += datasets_withdraw_by_catalogue(
                        pids=[pid], reason=GONE_REASON
                    )

    return _execute(
        SyncKind.RECORDS,
        body,
        trigger=trigger,
        wait=wait,
        progress=None,
        allow_mass_withdrawal=False,
    )
