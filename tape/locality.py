"""Where each dataset's files really are: the storage system's archiveinfo, summed per dataset.

``datasets_locality_check`` asks archiveinfo in batches for the files of the datasets given (the
periodic job: those not checked for ``PORTAL_TAPE_LOCALITY_HOURS``; the sync: those it just
wrote), stores one :class:`~tape.models.DatasetLocality` each and sets the catalogue's
``data_location`` through :func:`catalogue.services.datasets_location_set`, so the landing pages,
the search facet, the APIs and the statistics agree:

* every file on disk (``DISK`` or ``DISK_AND_TAPE``): ``disk``;
* some on disk: ``partial``;
* none on disk, some on tape: ``tape``;
* none on disk or tape (``LOST``, ``NONE``, ``UNAVAILABLE``, or the storage does not know the
  path): ``unavailable``.

A dataset without a file list, or whose files have no storage path, keeps what the catalogue
says. When the storage system does not answer, the last answer stored is put back (a sync may
just have written the catalogue's value over it) and the error is reported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from catalogue.models import DataFile, DataLocation, Dataset
from catalogue.services import datasets_location_set
from lib.storage_path import storage_path
from tape import wlcg
from tape.models import DatasetLocality

logger = logging.getLogger(__name__)

# Datasets whose file paths go into one round of archiveinfo calls.
DATASETS_PER_ROUND = 200


@dataclass
class LocalityReport:
    checked: int = 0
    changed: int = 0
    skipped: int = 0  # no file list or no usable storage path
    errors: list[str] = field(default_factory=list)


@dataclass
class _Tally:
    total: int = 0
    on_disk: int = 0
    on_tape: int = 0
    unavailable: int = 0
    bytes_total: int = 0
    bytes_on_disk: int = 0

    def location(self) -> str:
        if self.total and self.on_disk == self.total:
            return DataLocation.DISK
        if self.on_disk:
            return DataLocation.PARTIAL
        if self.on_tape:
            return DataLocation.TAPE
        return DataLocation.UNAVAILABLE


def dataset_paths(dataset: Dataset) -> dict[str, int]:
    """The storage path of each of the dataset's files, with its size (unsafe paths left out)."""
    pattern = settings.PORTAL_TAPE_PATH
    out: dict[str, int] = {}
    for path, size in DataFile.objects.filter(dataset=dataset).values_list("path", "size"):
        full = storage_path(
            pattern, path=path, source_folder=dataset.source_folder, pid=dataset.pid
        )
        if full:
            out[full] = size
    return out


def localities_due(*, now: datetime | None = None) -> list[int]:
    """Public datasets with files whose locality is unknown or older than the configured age."""
    now = now or timezone.now()
    stale = now - timedelta(hours=settings.PORTAL_TAPE_LOCALITY_HOURS)
    return list(
        Dataset.objects.public()
        .filter(number_of_files__gt=0)
        .filter(Q(tape_locality__isnull=True) | Q(tape_locality__checked_at__lt=stale))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def datasets_locality_check(
    *,
    dataset_ids: Sequence[int],
    client: wlcg.TapeClient | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> LocalityReport:
    """Ask the storage system where the files of ``dataset_ids`` are and store it per dataset."""
    report = LocalityReport()
    client = client or wlcg.client_from_settings(settings)
    if client is None:
        return report
    for start in range(0, len(dataset_ids), DATASETS_PER_ROUND):
        chunk = dataset_ids[start : start + DATASETS_PER_ROUND]
        _round(client, chunk, report)
        if on_progress:
            on_progress(len(chunk))
    return report


def _round(client: wlcg.TapeClient, ids: Sequence[int], report: LocalityReport) -> None:
    datasets = {
        d.pk: d
        for d in Dataset.objects.public().filter(pk__in=ids).only("pk", "pid", "source_folder")
    }
    # One query for the round's files (not one per dataset).
    pattern = settings.PORTAL_TAPE_PATH
    paths: dict[int, dict[str, int]] = {pk: {} for pk in datasets}
    listed = DataFile.objects.filter(dataset_id__in=list(datasets)).values_list(
        "dataset_id", "path", "size"
    )
    for dataset_id, path, size in listed.iterator(chunk_size=5000):
        dataset = datasets[dataset_id]
        full = storage_path(
            pattern, path=path, source_folder=dataset.source_folder, pid=dataset.pid
        )
        if full:
            paths[dataset_id][full] = size
    report.skipped += sum(1 for p in paths.values() if not p)
    asked = [p for d in paths.values() for p in d]
    if not asked:
        return
    try:
        answers = {a.path: a for a in client.archiveinfo(asked)}
    except wlcg.TapeFailure as exc:
        report.errors.append(str(exc))
        logger.warning("archiveinfo failed for %d datasets: %s", len(ids), exc)
        # Put the last known answer back where a sync may have overwritten it.
        known = dict(
            DatasetLocality.objects.filter(dataset_id__in=ids).values_list("dataset_id", "location")
        )
        with transaction.atomic():
            datasets_location_set(locations=known)
        return
    now = timezone.now()
    locations: dict[int, str] = {}
    rows: list[DatasetLocality] = []
    for dataset_id, files in paths.items():
        if not files:
            continue
        tally = _Tally()
        for path, size in files.items():
            tally.total += 1
            tally.bytes_total += size
            answer = answers.get(path)
            locality = answer.locality if answer else None
            if locality is not None and locality.online:
                tally.on_disk += 1
                tally.bytes_on_disk += size
            elif locality == wlcg.Locality.TAPE:
                tally.on_tape += 1
            else:
                tally.unavailable += 1
        locations[dataset_id] = tally.location()
        rows.append(
            DatasetLocality(
                dataset_id=dataset_id,
                location=locations[dataset_id],
                files_total=tally.total,
                files_on_disk=tally.on_disk,
                files_unavailable=tally.unavailable,
                bytes_total=tally.bytes_total,
                bytes_on_disk=tally.bytes_on_disk,
                checked_at=now,
            )
        )
    with transaction.atomic():
        DatasetLocality.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["dataset"],
            update_fields=[
                "location",
                "files_total",
                "files_on_disk",
                "files_unavailable",
                "bytes_total",
                "bytes_on_disk",
                "checked_at",
            ],
        )
        report.changed += datasets_location_set(locations=locations)
    report.checked += len(rows)
