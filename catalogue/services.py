"""Writes to the public catalogue.

``datasets_upsert`` is the import path every source goes through (the demo export, the SciCat
sync): it upserts by pid in batches, and a record whose content is unchanged is not written at all,
so importing the same data again changes nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from catalogue import page_cache, scimeta
from catalogue.bulk_rows import (
    PARAMETER_COLUMNS,
    SCALAR_FIELDS,
    apply_payload,
    insert_datasets,
    insert_files,
    insert_rows,
    parameter_rows,
)
from catalogue.models import (
    DataFile,
    DataLocation,
    Dataset,
    Instrument,
    Proposal,
    ScientificParameter,
    Technique,
    Thumbnail,
)
from catalogue.payloads import DatasetIn, FileIn, InstrumentIn, ProposalIn, TechniqueIn
from catalogue.visibility import Visibility, WithdrawnBy

logger = logging.getLogger(__name__)


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: UpsertCounts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


def search_index_after_commit(*, dataset_ids: Sequence[int]) -> None:
    """Bring the search index up to date for these datasets once the transaction commits (and
    drop the stored pages showing them: :mod:`catalogue.page_cache`)."""
    page_cache.invalidate_after_commit(dataset_ids=dataset_ids)
    if dataset_ids:  # the database backend's cached counts go stale with the commit
        from catalogue.search.facet_cache import bump_after_commit

        bump_after_commit()
    if not dataset_ids or not settings.OPENSEARCH_URL:
        return  # the database backend needs no index
    from catalogue.tasks import dataset_reindex

    ids = list(dataset_ids)
    transaction.on_commit(lambda: dataset_reindex.delay(ids))


def _content_digest(value: Any) -> str:
    if isinstance(value, bytes):  # thumbnails: their content stands in by its digest
        return hashlib.sha256(value).hexdigest()
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be part of a dataset digest")


def dataset_digest(item: DatasetIn) -> str:
    """A digest of everything the portal stores for ``item``: equal digests, nothing to write.

    The whole payload serialised by orjson (dataclasses, datetimes and sorted keys natively; a
    page's worth of files in milliseconds), thumbnails by the digest of their content.
    """
    try:
        text = orjson.dumps(item, default=_content_digest, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # what orjson cannot write (integers beyond 64 bits)
        text = json.dumps(
            dataclasses.asdict(item), default=_content_digest, sort_keys=True, ensure_ascii=False
        ).encode()
    return hashlib.sha256(text).hexdigest()


# -- reference data -----------------------------------------------------------------------------


def _instruments(items: Iterable[InstrumentIn]) -> dict[str, Instrument]:
    wanted = {i.pid: i for i in items}
    found = {i.pid: i for i in Instrument.objects.filter(pid__in=wanted)}
    for pid, data in wanted.items():
        obj = found.get(pid)
        # An id with no instrument record must not blank out what a full record said before.
        bare = data.name == data.pid and not data.unique_name and not data.facility
        if obj is None:
            found[pid] = Instrument.objects.create(
                pid=pid, name=data.name, unique_name=data.unique_name, facility=data.facility
            )
        elif not bare and (obj.name, obj.unique_name, obj.facility) != (
            data.name,
            data.unique_name,
            data.facility,
        ):
            obj.name, obj.unique_name, obj.facility = data.name, data.unique_name, data.facility
            obj.save(update_fields=["name", "unique_name", "facility"])
    return found


def _proposals(items: Iterable[ProposalIn]) -> dict[str, Proposal]:
    wanted = {p.proposal_id: p for p in items}
    found = {p.proposal_id: p for p in Proposal.objects.filter(proposal_id__in=wanted)}
    fields = ("title", "pi_name", "type", "start_time", "end_time")
    for proposal_id, data in wanted.items():
        obj = found.get(proposal_id)
        values = {name: getattr(data, name) for name in fields}
        if obj is None:
            found[proposal_id] = Proposal.objects.create(proposal_id=proposal_id, **values)
        elif data.title and any(getattr(obj, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(obj, key, value)
            obj.save(update_fields=list(fields))
    return found


def _techniques(items: Iterable[TechniqueIn]) -> dict[str, Technique]:
    wanted = {t.pid: t for t in items}
    found = {t.pid: t for t in Technique.objects.filter(pid__in=wanted)}
    missing = [Technique(pid=pid, name=t.name) for pid, t in wanted.items() if pid not in found]
    if missing:
        Technique.objects.bulk_create(missing, ignore_conflicts=True)
        found.update({t.pid: t for t in Technique.objects.filter(pid__in=[m.pid for m in missing])})
    for pid, data in wanted.items():
        if found[pid].name != data.name:
            found[pid].name = data.name
            found[pid].save(update_fields=["name"])
    return found


def _store_thumbnails(dataset_id: int, item: DatasetIn) -> list[Thumbnail]:
    out = []
    for thumb in item.thumbnails or []:
        digest = hashlib.sha256(thumb.content).hexdigest()
        name = f"thumbnails/{digest[:2]}/{digest}.{thumb.extension}"
        if not default_storage.exists(name):
            saved = default_storage.save(name, ContentFile(thumb.content))
            name = saved
        out.append(
            Thumbnail(
                dataset_id=dataset_id,
                source_id=thumb.source_id,
                caption=thumb.caption,
                image=name,
                content_digest=digest,
            )
        )
    return out


def _restorable(dataset: Dataset) -> bool:
    return (
        dataset.visibility == Visibility.WITHDRAWN and dataset.withdrawn_by == WithdrawnBy.CATALOGUE
    )


@transaction.atomic
def datasets_upsert(
    *, items: Sequence[DatasetIn], digests: Mapping[str, str] | None = None
) -> UpsertCounts:
    """Create or update ``items`` (public records) by pid; unchanged ones are not touched.

    A dataset the catalogue had withdrawn is restored; one that staff withdrew stays withdrawn
    (its metadata is still brought up to date). ``digests`` (:func:`dataset_digest` by pid,
    worked out ahead: the live sync does it in the thread that reads and maps the next page, while
    this page's statements keep PostgreSQL busy) saves working them out here.
    """
    counts = UpsertCounts()
    if not items:
        return counts
    by_pid = {item.pid: item for item in items}  # the last of duplicate pids wins
    known = digests or {}
    digests = {pid: known.get(pid) or dataset_digest(item) for pid, item in by_pid.items()}
    existing = {d.pid: d for d in Dataset.objects.filter(pid__in=by_pid)}

    changed = [
        pid
        for pid in by_pid
        if pid not in existing
        or existing[pid].source_digest != digests[pid]
        or _restorable(existing[pid])
    ]
    counts.unchanged = len(by_pid) - len(changed)
    if not changed:
        return counts
    work = [by_pid[pid] for pid in changed]
    instruments = _instruments(i.instrument for i in work if i.instrument)
    proposals = _proposals(p.proposal for p in work if p.proposal)
    techniques = _techniques(t for i in work for t in i.techniques)
    now = timezone.now()

    fresh = [item for item in work if item.pid not in existing]
    new_ids = insert_datasets(
        fresh, digests=digests, instruments=instruments, proposals=proposals, now=now
    )
    updated: list[Dataset] = []
    for item in work:
        dataset = existing.get(item.pid)
        if dataset is None:
            continue
        updated.append(dataset)
        if _restorable(dataset):
            dataset.visibility, dataset.withdrawn_reason = Visibility.PUBLIC, ""
            dataset.withdrawn_at, dataset.withdrawn_by = None, ""
        apply_payload(
            dataset, item, digest=digests[item.pid], instruments=instruments, proposals=proposals
        )
        dataset.modified = now
    if updated:
        Dataset.objects.bulk_update(
            updated,
            [
                *SCALAR_FIELDS,
                "instrument",
                "proposal",
                "source_digest",
                "modified",
                "visibility",
                "withdrawn_reason",
                "withdrawn_at",
                "withdrawn_by",
            ],
            batch_size=500,
        )
    counts.created, counts.updated = len(fresh), len(updated)
    logger.info(
        "datasets written: %d created, %d updated",
        len(fresh),
        len(updated),
        extra={"created_pids": [i.pid for i in fresh], "updated_pids": [d.pid for d in updated]},
    )

    saved = {**new_ids, **{d.pid: d.pk for d in updated}}
    ids = [saved[item.pid] for item in work]
    updated_ids = [d.pk for d in updated]
    if updated_ids:
        ScientificParameter.objects.filter(dataset_id__in=updated_ids).delete()
        Dataset.techniques.through.objects.filter(dataset_id__in=updated_ids).delete()
        with_files = [saved[i.pid] for i in work if i.files is not None and i.pid in existing]
        DataFile.objects.filter(dataset_id__in=with_files).delete()
        with_thumbs = [saved[i.pid] for i in work if i.thumbnails is not None and i.pid in existing]
        Thumbnail.objects.filter(dataset_id__in=with_thumbs).delete()

    params: list[tuple[Any, ...]] = []
    links: list[tuple[int, int]] = []
    files: list[tuple[int, Sequence[FileIn]]] = []
    thumbs: list[Thumbnail] = []
    through = Dataset.techniques.through
    for item, dataset_id in zip(work, ids, strict=True):
        params.extend(parameter_rows(dataset_id, scimeta.flatten(item.scientific_metadata)))
        links.extend((dataset_id, techniques[t.pid].pk) for t in item.techniques)
        if item.files:
            files.append((dataset_id, item.files))
        thumbs.extend(_store_thumbnails(dataset_id, item))
    insert_rows(ScientificParameter._meta.db_table, PARAMETER_COLUMNS, params)
    insert_rows(through._meta.db_table, ("dataset_id", "technique_id"), links)
    insert_files(files)
    Thumbnail.objects.bulk_create(thumbs)
    search_index_after_commit(dataset_ids=ids)
    return counts


def datasets_location_set(*, locations: Mapping[int, str]) -> int:
    """Set the data location of datasets (by id) where it changed; how many changed.

    The tape app calls this with what the storage system answers, so the landing pages, the
    search facet "location", the APIs and the statistics read the same field.
    """
    valid = set(DataLocation.values)
    bad = sorted({v for v in locations.values() if v not in valid})
    if bad:
        raise ValueError(f"unknown data location(s): {', '.join(bad)}")
    changed = [
        d
        for d in Dataset.objects.filter(pk__in=locations).only("pk", "data_location")
        if d.data_location != locations[d.pk]
    ]
    if not changed:
        return 0
    now = timezone.now()
    for dataset in changed:
        dataset.data_location = locations[dataset.pk]
        dataset.modified = now
    Dataset.objects.bulk_update(changed, ["data_location", "modified"], batch_size=500)
    search_index_after_commit(dataset_ids=[d.pk for d in changed])
    return len(changed)


def catalogue_statistics_refresh() -> None:
    """Let the query planner see the catalogue as it now is, after a large import.

    SQLite keeps no statistics until ANALYZE runs, and without them it sorts the whole table for
    every page of the catalogue (55 ms instead of 7 ms at 100,000 datasets).
    """
    tables = [m._meta.db_table for m in (Dataset, DataFile, ScientificParameter)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


@transaction.atomic
def dataset_withdraw(*, dataset: Dataset, reason: str, by: WithdrawnBy = WithdrawnBy.STAFF) -> bool:
    """Withdraw ``dataset``, keeping a tombstone; False when it already was withdrawn."""
    if dataset.visibility == Visibility.WITHDRAWN:
        return False
    dataset.visibility = Visibility.WITHDRAWN
    dataset.withdrawn_reason = reason.strip()
    dataset.withdrawn_at = timezone.now()
    dataset.withdrawn_by = by
    dataset.save(
        update_fields=["visibility", "withdrawn_reason", "withdrawn_at", "withdrawn_by", "modified"]
    )
    search_index_after_commit(dataset_ids=[dataset.pk])
    return True


@transaction.atomic
def dataset_restore(*, dataset: Dataset) -> bool:
    """Make a withdrawn dataset public again; False when it was public."""
    if dataset.visibility == Visibility.PUBLIC:
        return False
    dataset.visibility = Visibility.PUBLIC
    dataset.withdrawn_reason = ""
    dataset.withdrawn_at = None
    dataset.withdrawn_by = ""
    dataset.save(
        update_fields=["visibility", "withdrawn_reason", "withdrawn_at", "withdrawn_by", "modified"]
    )
    search_index_after_commit(dataset_ids=[dataset.pk])
    return True


@transaction.atomic
def datasets_withdraw_by_catalogue(*, pids: Iterable[str], reason: str) -> int:
    """Withdraw the public datasets among ``pids`` that the catalogue no longer publishes."""
    queryset = Dataset.objects.public().filter(pid__in=list(pids))
    rows = list(queryset.values_list("pk", "pid"))
    ids = [pk for pk, _ in rows]
    if not ids:
        return 0
    now = timezone.now()
    Dataset.objects.filter(pk__in=ids).update(
        visibility=Visibility.WITHDRAWN,
        withdrawn_reason=reason,
        withdrawn_at=now,
        withdrawn_by=WithdrawnBy.CATALOGUE,
        modified=now,
    )
    logger.info(
        "datasets withdrawn by the catalogue: %d",
        len(ids),
        extra={"withdrawn_pids": [pid for _, pid in rows]},
    )
    search_index_after_commit(dataset_ids=ids)
    return len(ids)
