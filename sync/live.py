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

This module holds the jobs; what every run does around its job (lock, record, watermarks, counts,
GC and search refresh) is :mod:`sync.runs`, and the steps the jobs are made of :mod:`sync.steps`.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalogue.services import datasets_withdraw_by_catalogue
from lib.prefetch import prefetched
from publishing.models import Publication
from sync import runs, steps
from sync.models import SyncKind, SyncRun
from sync.runs import DATASETS, EMBARGO, PUBLISHED_DATA, UNPUBLISHED, Progress, Run
from sync.scicat import CatalogueError

logger = logging.getLogger(__name__)

DATES_NOT_FILTERABLE = (
    "The catalogue's v4 API does not filter datasets by date (SciCat casts dates in v4 lists "
    "only since backend PR #2346; 4.17 and 5.2 do not): the sync compared the full listing of "
    "public records instead."
)


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
    return runs.execute(
        SyncKind.FULL if full else SyncKind.INCREMENTAL,
        functools.partial(_catalogue_sync, full=full, since=since),
        trigger=trigger,
        wait=wait,
        progress=progress,
        allow_mass_withdrawal=allow_mass_withdrawal,
        public=steps.is_public_now,
    )


def _catalogue_sync(ctx: Run, *, full: bool, since: datetime | None) -> None:
    steps.files_retry(ctx)
    if not ctx.api.dates_filterable():
        _sync_by_listing(ctx, full=full, since=since)
        return
    start = runs.watermark_start(ctx, DATASETS, full=full, since=since)
    ctx.record.watermark_from = start
    ctx.record.save(update_fields=["watermark_from"])
    ctx.progress.phase("datasets")
    if ctx.progress.total is not None:
        try:
            ctx.progress.total(ctx.api.datasets_count(since=start, published=True))
        except CatalogueError as exc:  # only the progress bar needs it
            logger.info("no count of changed datasets: %s", exc)
    pages = ctx.api.datasets_changed(since=start, published=True)
    with runs.search_bulk_load() if full else contextlib.nullcontext():
        prepared_pages = (steps.prepare(page) for page in pages)
        for prepared in prefetched(prepared_pages, thread_name=steps.PREFETCH_THREAD):
            steps.import_page(ctx, prepared, cursor=DATASETS)
    if ctx.api.v3:
        ctx.progress.phase("unpublished datasets")
        unpublished_from = runs.watermark_start(ctx, UNPUBLISHED, full=full, since=since)
        for rows in ctx.api.datasets_changed_brief(since=unpublished_from, published=False):
            steps.import_unpublished(ctx, rows)
    published_from = runs.watermark_start(ctx, PUBLISHED_DATA, full=full, since=since)
    steps.published_data(ctx, since=published_from, track=True)
    steps.listing_pass(ctx, fetch_stale=full)


def _sync_by_listing(ctx: Run, *, full: bool, since: datetime | None) -> None:
    """The catalogue cannot list what changed since a date (SciCat v4 from before backend PR
    #2346, see :meth:`SciCatApi.dates_filterable`): compare the listing of every public pid and
    its ``updatedAt`` with the portal instead, and read what the portal lacks or holds in another
    version by pid. Slower, but nothing is missed; no dataset watermark is kept."""
    ctx.record.message = DATES_NOT_FILTERABLE
    ctx.record.save(update_fields=["message"])
    with runs.search_bulk_load() if full else contextlib.nullcontext():
        steps.listing_pass(ctx, fetch_stale=True)
    published_from = runs.watermark_start(ctx, PUBLISHED_DATA, full=full, since=since)
    steps.published_data(ctx, since=published_from, track=True)


def catalogue_reconcile(
    *,
    trigger: str = "command",
    wait: float = 0,
    progress: Progress | None = None,
    allow_mass_withdrawal: bool = False,
) -> SyncRun:
    """List every public record and repair any difference (see the module docstring)."""
    return runs.execute(
        SyncKind.RECONCILE,
        _catalogue_reconcile,
        trigger=trigger,
        wait=wait,
        progress=progress,
        allow_mass_withdrawal=allow_mass_withdrawal,
        public=steps.is_public_now,
    )


def _catalogue_reconcile(ctx: Run) -> None:
    steps.listing_pass(ctx, fetch_stale=True)
    steps.files_retry(ctx)
    steps.quarantine_retry(ctx)
    shown = steps.published_data(ctx, since=None, track=False)
    external = Publication.objects.public().exclude(doi__in=shown)
    steps.withdraw_publications(ctx, [p.doi for p in external if not p.is_managed])


def embargo_check(
    *, trigger: str = "command", wait: float = 0, progress: Progress | None = None
) -> SyncRun:
    """Bring in records whose embargo ended since the last check, where the policy says so."""
    return runs.execute(
        SyncKind.EMBARGO,
        _embargo_check,
        trigger=trigger,
        wait=wait,
        progress=progress,
        allow_mass_withdrawal=False,
        public=steps.is_public_now,
    )


def _embargo_check(ctx: Run) -> None:
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
    after = runs.watermark_start(ctx, EMBARGO, full=False, since=None)
    ctx.record.watermark_from = after
    for rows in steps.embargo_ended(ctx, after=after, until=until):
        steps.fetch(ctx, [str(r["pid"]) for r in rows])
    with transaction.atomic():
        runs.watermark_advance(ctx, EMBARGO, until)


def records_sync(*, pids: Sequence[str], trigger: str = "command", wait: float = 0) -> SyncRun:
    """Read these records through their own URLs and import (or withdraw) them."""
    return runs.execute(
        SyncKind.RECORDS,
        functools.partial(_records_sync, pids=pids),
        trigger=trigger,
        wait=wait,
        progress=None,
        allow_mass_withdrawal=False,
        public=steps.is_public_now,
    )


def _records_sync(ctx: Run, *, pids: Sequence[str]) -> None:
    for pid in pids:
        page = ctx.api.dataset(pid)
        if page.records:
            steps.import_page(ctx, page, cursor=None)
        else:
            with transaction.atomic():
                ctx.report.withdrawn += datasets_withdraw_by_catalogue(
                    pids=[pid], reason=steps.GONE_REASON
                )
