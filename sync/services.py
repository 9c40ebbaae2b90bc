"""Bringing catalogue records into the portal.

``records_import`` is the one path from SciCat records to the public catalogue: it applies the
embargo policy, maps each record, upserts the public ones in batches and withdraws the ones the
catalogue no longer publishes. The demo export and the live sync both go through it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalogue.models import Dataset
from catalogue.payloads import DatasetIn, FilesStatus, InstrumentIn, ProposalIn
from catalogue.services import (
    UpsertCounts,
    catalogue_statistics_refresh,
    dataset_digest,
    datasets_upsert,
    datasets_withdraw_by_catalogue,
)
from publishing.models import ReservedDataset
from publishing.services.auto_doi import publications_auto_create
from publishing.services.from_catalogue import publication_upsert
from publishing.services.reservations import reservations_release
from stats.services import figures_refresh_after_commit
from sync import policy, scicat
from sync.export import ExportDirectory

logger = logging.getLogger(__name__)
BATCH_SIZE = 500
UNPUBLISHED_REASON = "The internal catalogue no longer publishes this record."


# The counts an import report keeps (and a sync run stores).
COUNTS = (
    "created",
    "updated",
    "unchanged",
    "withdrawn",
    "not_public",
    "failed",
    "dropped",
    "files_partial",
    "files_incomplete",
)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    not_public: int = 0
    failed: int = 0
    # Related records the catalogue sent that belong to no public dataset of their page.
    dropped: int = 0
    files_partial: int = 0  # public datasets whose file count differs from numberOfFiles
    files_incomplete: int = 0  # public datasets whose files could not be read (retried)
    errors: list[str] = field(default_factory=list)
    publications: UpsertCounts = field(default_factory=UpsertCounts)
    # (kind, pid, error) of each record that could not be mapped, for the sync's quarantine.
    failures: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether a public dataset or a publication was written or withdrawn."""
        publications = self.publications
        return bool(
            self.created
            or self.updated
            or self.withdrawn
            or publications.created
            or publications.updated
        )

    def add(self, counts: UpsertCounts) -> None:
        self.created += counts.created
        self.updated += counts.updated
        self.unchanged += counts.unchanged

    def fail(self, error: str, *, kind: str = "", pid: str = "") -> None:
        self.failed += 1
        if len(self.errors) < 1000:
            self.errors.append(error)
        if kind and pid:
            self.failures.append((kind, pid, error))
        logger.warning("record not imported: %s", error)

    def note(self, message: str) -> None:
        """Something the run should report that is not a failure."""
        if len(self.errors) < 1000:
            self.errors.append(message)
        logger.warning("%s", message)

    def merge(self, other: ImportReport) -> None:
        """Add another report's counts and errors to this one (its failures stay there)."""
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors[: max(0, 1000 - len(self.errors))])
        self.publications.add(other.publications)


@dataclass(frozen=True)
class References:
    instruments: Mapping[str, InstrumentIn]
    proposals: Mapping[str, ProposalIn]

    @classmethod
    def parse(
        cls,
        instruments: Sequence[Mapping[str, Any]],
        proposals: Sequence[Mapping[str, Any]],
        report: ImportReport,
    ) -> References:
        parsed_instruments: dict[str, InstrumentIn] = {}
        for raw in instruments:
            try:
                instrument = scicat.instrument_from(raw)
                parsed_instruments[instrument.pid] = instrument
            except scicat.RecordError as exc:
                report.fail(f"instrument {exc}")
        parsed_proposals: dict[str, ProposalIn] = {}
        for raw in proposals:
            try:
                proposal = scicat.proposal_from(raw)
                parsed_proposals[proposal.proposal_id] = proposal
            except scicat.RecordError as exc:
                report.fail(f"proposal {exc}")
        return cls(parsed_instruments, parsed_proposals)


@dataclass
class MappedRecords:
    """One page of catalogue records after the policy and the mapping: what to write."""

    public: list[DatasetIn] = field(default_factory=list)
    not_public: list[str] = field(default_factory=list)
    # The public ones' digests by pid, worked out with the mapping (no database).
    digests: dict[str, str] = field(default_factory=dict)


def records_map(
    *,
    records: Sequence[Mapping[str, Any]],
    blocks: Mapping[str, Sequence[Mapping[str, Any]]] | None,
    attachments: Mapping[str, Sequence[Mapping[str, Any]]] | None,
    references: References,
    report: ImportReport,
    now: datetime | None = None,
    files_missing: str = FilesStatus.INCOMPLETE,
) -> MappedRecords:
    """Apply the embargo policy to one page of records and map the public ones.

    No database here (the live sync maps the next page in a thread while it writes this one).
    Records that cannot be mapped are reported and left out. ``files_missing``: why ``blocks``
    is None (see :class:`~catalogue.payloads.FilesStatus`).
    """
    now = now or timezone.now()
    period = policy.configured_period()
    mapped = MappedRecords()
    for raw in records:
        try:
            pid = scicat.dataset_pid(raw)
            embargo_end = policy.embargo_end(scicat.embargo_dates(raw), period=period)
            if not policy.is_public(
                is_published=scicat.is_published(raw), embargo_end=embargo_end, now=now
            ):
                mapped.not_public.append(pid)
                continue
            item = scicat.dataset_from(
                raw,
                instruments=references.instruments,
                proposals=references.proposals,
                blocks=None if blocks is None else blocks.get(pid, []),
                attachments=None if attachments is None else attachments.get(pid, []),
                embargo_end=embargo_end,
                files_missing=files_missing,
                source_folder_rewrite=settings.PORTAL_SOURCE_FOLDER_REWRITE,
                show_source_folder=settings.PORTAL_SHOW_SOURCE_FOLDER,
            )
        except scicat.RecordError as exc:
            report.fail(f"dataset {exc}", kind="dataset", pid=exc.pid)
            continue
        mapped.public.append(item)
        if item.files_status == FilesStatus.PARTIAL:
            report.files_partial += 1
            listed = len(item.files or ())
            report.note(
                f"dataset {pid}: the catalogue counts {item.number_of_files} files "
                f"(numberOfFiles) but its origdatablocks list {listed}"
            )
        elif item.files_status == FilesStatus.INCOMPLETE:
            report.files_incomplete += 1
    mapped.digests = {item.pid: dataset_digest(item) for item in mapped.public}
    return mapped


def records_write(*, mapped: MappedRecords, report: ImportReport) -> None:
    """Upsert a mapped page's public records in batches and withdraw the ones no longer public."""
    public, not_public = mapped.public, mapped.not_public
    # Automatic DOIs (PORTAL_AUTO_DOI) are for records that become public now: new here, or
    # published again by the catalogue.
    auto_doi = settings.PORTAL_AUTO_DOI != "off" and bool(public)
    was_public: set[str] = set()
    if auto_doi:
        pids = [item.pid for item in public]
        was_public = set(
            Dataset.objects.public().filter(pid__in=pids).values_list("pid", flat=True)
        )
    for start in range(0, len(public), BATCH_SIZE):
        report.add(
            datasets_upsert(items=public[start : start + BATCH_SIZE], digests=mapped.digests)
        )
    report.not_public += len(not_public)
    if not_public:
        report.withdrawn += datasets_withdraw_by_catalogue(
            pids=not_public, reason=UNPUBLISHED_REASON
        )
    if settings.PORTAL_TAPE_REST_URL and public:
        # The storage system knows better than the catalogue where the files are: ask it for
        # these records once they are written (tape/locality.py), over the catalogue's value.
        from tape.tasks import localities_check

        pids = [item.pid for item in public]
        transaction.on_commit(lambda: localities_check.delay(pids), robust=True)
    page = [item.pid for item in public]
    fresh = [pid for pid in page if pid not in was_public] if auto_doi else []
    # One indexed query: does a reserved DOI (a review) wait for a record of this page?
    if fresh or (page and ReservedDataset.objects.waiting_for(page).exists()):
        transaction.on_commit(lambda: _publications_for(page, fresh), robust=True)


def _publications_for(page: list[str], fresh: list[str]) -> None:
    """After a page committed: release the reserved DOIs (reviews) waiting for its records
    first, then make automatic DOIs (``PORTAL_AUTO_DOI``) for the records that just became
    public and no reservation holds."""
    reserved = reservations_release(dataset_pids=page)
    if fresh:
        publications_auto_create(dataset_pids=[pid for pid in fresh if pid not in reserved])


def records_import(
    *,
    records: Sequence[Mapping[str, Any]],
    blocks: Mapping[str, Sequence[Mapping[str, Any]]] | None,
    attachments: Mapping[str, Sequence[Mapping[str, Any]]] | None,
    references: References,
    report: ImportReport,
    now: datetime | None = None,
) -> None:
    """Import one page of catalogue dataset records: :func:`records_map`, then
    :func:`records_write`.

    ``blocks`` / ``attachments`` map pids to their origdatablocks / attachments; None means the
    page came without them and the stored files / thumbnails are left as they are.
    """
    mapped = records_map(
        records=records,
        blocks=blocks,
        attachments=attachments,
        references=references,
        report=report,
        now=now,
    )
    records_write(mapped=mapped, report=report)


def published_data_import(*, records: Sequence[Mapping[str, Any]], report: ImportReport) -> None:
    for raw in records:
        if not scicat.published_data_is_public(raw):
            continue
        try:
            item = scicat.publication_from(raw)
        except scicat.RecordError as exc:
            report.fail(f"published data {exc}", kind="publisheddata", pid=exc.pid)
            continue
        report.publications.add(publication_upsert(item=item))


def export_import(
    *,
    path: Path,
    now: datetime | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a catalogue export directory (see :mod:`sync.export`)."""
    export = ExportDirectory(path)
    report = ImportReport()
    references = References.parse(export.instruments(), export.proposals(), report)
    for chunk in export.chunks():
        for start in range(0, len(chunk.datasets), BATCH_SIZE):
            page = chunk.datasets[start : start + BATCH_SIZE]
            records_import(
                records=page,
                blocks=chunk.blocks,
                attachments=chunk.attachments,
                references=references,
                report=report,
                now=now,
            )
            if on_progress:
                on_progress(len(page))
    published_data_import(records=export.published_data(), report=report)
    if report.created or report.updated or report.withdrawn:
        catalogue_statistics_refresh()
    if report.changed:
        figures_refresh_after_commit()
    return report
