"""The steps the live sync's jobs (:mod:`sync.live`) are made of: reading pages from the catalogue
and importing them, published data, the listing pass that finds withdrawals, quarantine.

Each step works inside a run (:class:`sync.runs.Run`) and imports page by page, each page in one
transaction together with its watermark.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalogue.models import Dataset
from catalogue.payloads import FilesStatus
from catalogue.services import datasets_withdraw_by_catalogue
from catalogue.visibility import WithdrawnBy
from lib.prefetch import prefetched
from publishing.models import Publication
from publishing.services.withdrawal import publication_withdraw
from sync import policy, runs, scicat
from sync.listing import Listing
from sync.models import QuarantinedRecord
from sync.runs import PUBLISHED_DATA, UNPUBLISHED, Run
from sync.scicat import FILES_UNAVAILABLE, Page, updated_at
from sync.services import (
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

PREFETCH_THREAD = "catalogue-prefetch"  # the thread reading the catalogue's next page
MASS_WITHDRAWAL_FLOOR = 20  # withdrawing this many is never "mass", whatever the percentage
GONE_REASON = "The internal catalogue no longer publishes this record."
PUBLICATION_GONE_REASON = "The internal catalogue no longer publishes this DOI's data."
# The embargo check widens its date windows by this much: calendar periods do not invert exactly.
EMBARGO_WINDOW_SLACK = timedelta(days=3)


class WithdrawalRefused(RuntimeError):
    """The catalogue seems to have lost a large share of its records: nothing was withdrawn."""


# -- importing pages ----------------------------------------------------------------------------


def _quarantine(
    ctx: Run,
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


def prepare(page: Page) -> _Prepared:
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


def import_page(ctx: Run, page: Page | _Prepared, *, cursor: str | None) -> None:
    """One page of full dataset records, in one transaction with its watermark."""
    prepared = page if isinstance(page, _Prepared) else prepare(page)
    last = max((s for s in prepared.stamps.values() if s is not None), default=None)
    with transaction.atomic():
        records_write(mapped=prepared.mapped, report=prepared.report)
        _quarantine(ctx, "dataset", prepared.stamps, prepared.stamps, prepared.report)
        if cursor:
            runs.watermark_advance(ctx, cursor, last)
    if prepared.page.files_missing == FILES_UNAVAILABLE:
        ctx.files_unavailable = True
    runs.account(ctx, prepared.report, len(prepared.stamps))


def is_public_now(raw: Mapping[str, Any]) -> bool:
    """The embargo policy on a raw record (one that cannot be read is not public)."""
    try:
        embargo = policy.embargo_end(scicat.embargo_dates(raw))
    except scicat.RecordError:
        embargo = None
    return policy.is_public(
        is_published=scicat.is_published(raw), embargo_end=embargo, now=timezone.now()
    )


def embargo_ended(
    ctx: Run, *, after: datetime | None, until: datetime
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
                if isinstance(r.get("pid"), str) and r["pid"] not in given and is_public_now(r)
            ]
            given.update(r["pid"] for r in ended)
            ctx.renew()
            if ended:
                yield ended


def fetch(ctx: Run, pids: Sequence[str], *, cursor: str | None = None) -> None:
    """Read these records in full and import them; those the catalogue no longer shows are
    withdrawn."""
    seen: set[str] = set()
    for page in ctx.api.datasets_by_pid(pids):
        seen.update(str(r.get("pid")) for r in page.records)
        import_page(ctx, page, cursor=cursor)
    gone = [pid for pid in pids if pid not in seen]
    if gone:
        with transaction.atomic():
            ctx.report.withdrawn += datasets_withdraw_by_catalogue(pids=gone, reason=GONE_REASON)
            _quarantine(ctx, "dataset", gone, {}, ImportReport())


def import_unpublished(ctx: Run, rows: list[dict[str, Any]]) -> None:
    """v3: changed records the catalogue does not publish (fields only). Withdrawn here, unless
    the policy makes them public (their embargo ended), then read in full."""
    opened = [str(r["pid"]) for r in rows if isinstance(r.get("pid"), str) and is_public_now(r)]
    skip = set(opened)
    closed = [r for r in rows if str(r.get("pid")) not in skip]
    if opened:
        fetch(ctx, opened)
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
        runs.watermark_advance(ctx, UNPUBLISHED, last)
    runs.account(ctx, report, len(closed))


# -- published data -----------------------------------------------------------------------------


def withdraw_publications(ctx: Run, dois: Iterable[str]) -> None:
    wanted = list(dois)
    for publication in Publication.objects.public().filter(doi__in=wanted):
        if publication.is_managed:
            continue  # the portal registered it itself: not the catalogue's to take back
        if publication_withdraw(
            publication=publication, reason=PUBLICATION_GONE_REASON, by=WithdrawnBy.CATALOGUE
        ):
            logger.info("publication %s withdrawn: the catalogue no longer shows it", publication)


def published_data(ctx: Run, *, since: datetime | None, track: bool) -> set[str]:
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
            withdraw_publications(ctx, set(dois) - public)
            _quarantine(ctx, "publisheddata", dois, stamps, report)
            if track:
                runs.watermark_advance(ctx, PUBLISHED_DATA, last)
        ctx.report.merge(report)
        ctx.renew()
    return shown


# -- the listing pass ---------------------------------------------------------------------------


def listing_pass(ctx: Run, *, fetch_stale: bool) -> None:
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
        for rows in prefetched(
            ctx.api.public_dataset_ids(versions=fetch_stale), thread_name=PREFETCH_THREAD
        ):
            listing.add(pairs(rows))
            ctx.renew()
        if ctx.api.v3 and settings.PORTAL_PUBLISH_ON_EMBARGO_END:
            for rows in embargo_ended(ctx, after=None, until=timezone.now()):
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
                fetch(ctx, pids)


def files_retry(ctx: Run) -> None:
    """Read again the public datasets whose files an earlier run could not read."""
    pids = list(
        Dataset.objects.public()
        .filter(files_status=FilesStatus.INCOMPLETE)
        .order_by("pid")
        .values_list("pid", flat=True)
    )
    if pids:
        ctx.progress.phase("reading files not read before")
        fetch(ctx, pids)


def quarantine_retry(ctx: Run) -> None:
    pids = [pid for kind, pid in ctx.quarantined if kind == "dataset"]
    if pids:
        ctx.progress.phase("retrying quarantined records")
        fetch(ctx, sorted(pids))
