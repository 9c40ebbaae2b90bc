"""Writing the stand-in's catalogue as SciCat's ingestors and curators do, and as SciCat stores it
(``_id`` = pid, the lifecycle defaults Mongoose fills in, blocks and attachments as collections of
their own); reading it back for the tests; an export loaded for the benchmark."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from tests.standins.scicat.common import (
    _BULKY,
    Raw,
    _copy,
    _dumps,
    _parse_time,
    iso,
    js_default_date,
)
from tests.standins.scicat.state import StandInState
from tests.standins.scicat.store import _Collection, _entry


class CatalogueWrites(StandInState):
    """What tests write into the catalogue, and read back of it."""

    # -- writing the catalogue (what SciCat's ingestors and curators do) -------------------------

    def put_dataset(
        self,
        record: Raw,
        *,
        blocks: Iterable[Raw] | None = None,
        attachments: Iterable[Raw] | None = None,
        updated_at: datetime | None = None,
    ) -> Raw:
        """Create or replace a dataset (v4 shape) as SciCat stores it; ``updatedAt`` is now
        unless given. ``blocks`` / ``attachments`` (when given) replace the dataset's."""
        with self._lock:
            record = _copy(record)
            pid = record.setdefault("pid", f"20.500.12269/{self._uuid()}")
            old = self._catalogue.datasets.get(pid)
            stamp = updated_at or self.now()
            record["updatedAt"] = iso(stamp)
            if old is not None and old.record is not None and "createdAt" not in record:
                record["createdAt"] = old.record.get("createdAt", record["updatedAt"])
            record.setdefault("createdAt", record["updatedAt"])
            record = {"_id": pid, **{k: v for k, v in record.items() if k != "_id"}}
            record.setdefault("isPublished", False)
            created = _parse_time(record["createdAt"]) or stamp
            lifecycle = record.get("datasetlifecycle")
            if not isinstance(lifecycle, dict):
                lifecycle = record["datasetlifecycle"] = {}
            default_day = iso(js_default_date(created))
            for key, value in (
                ("archivable", True),
                ("retrievable", False),
                ("publishable", False),
                ("dateOfDiskPurging", iso(self.started_at)),
                ("archiveRetentionTime", default_day),
                ("dateOfPublishing", default_day),
                ("publishedOn", iso(self.started_at)),
                ("isOnCentralDisk", True),
                ("archiveStatusMessage", "datasetCreated"),
                ("retrieveStatusMessage", ""),
                ("archiveReturnMessage", {}),
                ("retrieveReturnMessage", {}),
                ("retrieveIntegrityCheck", False),
            ):
                lifecycle.setdefault(key, value)
            self._catalogue.datasets[pid] = _entry(record)
            self._catalogue.dirty = True
            if blocks is not None:
                for doc in list(self._catalogue.blocks.of(pid)):
                    self._catalogue.blocks.remove(doc.id)
                for block in blocks:
                    self.put_block(block, dataset=pid, touch=False)
            if attachments is not None:
                for doc in list(self._catalogue.attachments.of(pid)):
                    self._catalogue.attachments.remove(doc.id)
                for attachment in attachments:
                    self.put_attachment(attachment, dataset=pid)
            return record

    def update_dataset(
        self, pid: str, *, updated_at: datetime | None = None, **changes: Any
    ) -> Raw:
        with self._lock:
            record = {**self.dataset(pid), **changes}
            return self.put_dataset(record, updated_at=updated_at)

    def publish(self, pid: str, *, updated_at: datetime | None = None) -> Raw:
        return self.update_dataset(pid, isPublished=True, updated_at=updated_at)

    def unpublish(self, pid: str, *, updated_at: datetime | None = None) -> Raw:
        return self.update_dataset(pid, isPublished=False, updated_at=updated_at)

    def delete_dataset(self, pid: str) -> None:
        with self._lock:
            self._catalogue.datasets.pop(pid, None)
            for collection in (self._catalogue.blocks, self._catalogue.attachments):
                for doc in list(collection.of(pid)):
                    collection.remove(doc.id)
            self._catalogue.dirty = True

    def put_block(self, block: Raw, *, dataset: str | None = None, touch: bool = True) -> Raw:
        """Store an origdatablock of ``dataset`` (or its ``datasetId``), as SciCat does: ``_id``
        (a UUID unless given), the dataset's ``ownerGroup``/``accessGroups``/``instrumentGroup``
        unless given, ``isPublished`` false unless given (4.17.1 refuses it: ValueError).
        ``touch``: as SciCat's POST, update the dataset's ``size``/``numberOfFiles`` (the sums
        over its blocks), which moves its ``updatedAt``."""
        with self._lock:
            record = _copy(block)
            pid = dataset or record.get("datasetId")
            if not isinstance(pid, str):
                raise ValueError("a block needs its dataset's pid")
            if record.get("isPublished") and not self.five:
                raise ValueError("SciCat 4.17.1 refuses isPublished on origdatablocks (400)")
            owner = self._catalogue.datasets.get(pid)
            owner_record = owner.record if owner is not None and owner.record else {}
            block_id = str(record.pop("_id", None) or record.pop("id", None) or self._uuid())
            stamp = iso(self.now())
            stored: Raw = {"_id": block_id, **record, "datasetId": pid}
            for key in ("ownerGroup", "accessGroups", "instrumentGroup"):
                if key not in stored and key in owner_record:
                    stored[key] = owner_record[key]
            stored.setdefault("accessGroups", [])
            stored.setdefault("isPublished", False)
            stored.setdefault("createdAt", stamp)
            stored.setdefault("updatedAt", stamp)
            self._catalogue.blocks.put(block_id, stored)
            if touch and owner is not None and owner.record is not None:
                docs = self._catalogue.blocks.of(pid)
                self.update_dataset(
                    pid,
                    size=sum(d.fields.get("size") or 0 for d in docs),
                    numberOfFiles=sum(len(d.fields.get("dataFileList") or []) for d in docs),
                )
            return stored

    def put_attachment(self, attachment: Raw, *, dataset: str | None = None) -> Raw:
        """Store an attachment (of ``dataset``, or of its ``relationships``) as SciCat does:
        ``_id`` = ``aid`` (given ``_id``/``aid``/``id``, else a UUID), ``relationships`` to the
        dataset, no ``datasetId``, ``isPublished`` false unless given. The dataset's
        ``updatedAt`` does not move."""
        with self._lock:
            record = _copy(attachment)
            aid = str(
                record.pop("_id", None)
                or record.pop("aid", None)
                or record.pop("id", None)
                or self._uuid()
            )
            pid = dataset or record.pop("datasetId", None)
            record.pop("datasetId", None)
            relationships = [r for r in record.get("relationships") or [] if isinstance(r, dict)]
            if isinstance(pid, str) and not any(r.get("targetId") == pid for r in relationships):
                relationships.append({"targetId": pid})
            for rel in relationships:
                rel.setdefault("targetType", "dataset")
                rel.setdefault("relationType", "is attached to")
            stamp = iso(self.now())
            stored: Raw = {"_id": aid, "aid": aid, **record, "relationships": relationships}
            stored.setdefault("accessGroups", [])
            stored.setdefault("isPublished", False)
            stored.setdefault("createdAt", stamp)
            stored.setdefault("updatedAt", stamp)
            self._catalogue.attachments.put(aid, stored)
            return stored

    def publish_attachment(self, aid: str, published: bool = True) -> Raw:
        """``PATCH /api/v4/attachments/{aid}`` ``{"isPublished": ...}`` (both releases)."""
        return self._patch(self._catalogue.attachments, aid, isPublished=published)

    def publish_block(self, block_id: str, published: bool = True) -> Raw:
        """``PATCH /api/v3/origdatablocks/{id}`` ``{"isPublished": ...}``: 5.2.1 only (4.17.1
        answers 400: ValueError here)."""
        if not self.five:
            raise ValueError("SciCat 4.17.1 refuses isPublished on origdatablocks (400)")
        return self._patch(self._catalogue.blocks, block_id, isPublished=published)

    def _patch(self, collection: _Collection, doc_id: str, **changes: Any) -> Raw:
        with self._lock:
            doc = collection.docs[doc_id]
            record = {**doc.full(), **changes, "updatedAt": iso(self.now())}
            collection.put(doc_id, record)
            return record

    def delete_block(self, block_id: str) -> None:
        with self._lock:
            self._catalogue.blocks.remove(block_id)

    def delete_attachment(self, aid: str) -> None:
        with self._lock:
            self._catalogue.attachments.remove(aid)

    def blocks_of(self, pid: str) -> list[Raw]:
        with self._lock:
            return [d.full() for d in self._catalogue.blocks.of(pid)]

    def attachments_of(self, pid: str) -> list[Raw]:
        with self._lock:
            return [d.full() for d in self._catalogue.attachments.of(pid)]

    def put_instrument(self, record: Raw) -> Raw:
        with self._lock:
            stored = {"_id": record["pid"], **_copy(record)}
            self._catalogue.instruments.put(record["pid"], stored)
            return stored

    def put_proposal(self, record: Raw) -> Raw:
        """Proposals carry ``isPublished: false`` (SciCat's API refuses the field on proposals;
        a test may still set it, to play a catalogue that has it)."""
        with self._lock:
            stamp = iso(self.now())
            stored = {"_id": record["proposalId"], **_copy(record)}
            stored.setdefault("isPublished", False)
            stored.setdefault("accessGroups", [])
            stored.setdefault("createdAt", stamp)
            stored.setdefault("updatedAt", stamp)
            self._catalogue.proposals.put(record["proposalId"], stored)
            return stored

    def put_published_data(self, record: Raw, *, updated_at: datetime | None = None) -> Raw:
        with self._lock:
            record = _copy(record)
            record["updatedAt"] = iso(updated_at or self.now())
            record.setdefault("createdAt", record["updatedAt"])
            record = {"_id": record["doi"], **record}
            self._catalogue.published_data[record["doi"]] = record
            return record

    def delete_published_data(self, doi: str) -> None:
        with self._lock:
            self._catalogue.published_data.pop(doi, None)

    def dataset(self, pid: str) -> Raw:
        entry = self._catalogue.datasets[pid]
        assert entry.record is not None
        return entry.record

    @property
    def pids(self) -> list[str]:
        return sorted(self._catalogue.datasets)

    def public_pids(self, *, publish_on_embargo_end: bool = False, now: datetime) -> set[str]:
        """Which records are public under the portal's policy (for tests to compare with)."""
        return {
            e.pid
            for e in self._catalogue.datasets.values()
            if e.is_published
            or (
                publish_on_embargo_end
                and e.date_of_publishing is not None
                and e.date_of_publishing <= now
            )
        }

    def load_export(self, path: Path, *, progress: Callable[[int], None] | None = None) -> int:
        """Serve a saved v4 export (``bench.generate`` layout) as it is: datasets, blocks and
        attachments each pre-rendered; only what lists filter on is kept as Python values."""
        files = sorted(path.glob("datasets.v4.*.json")) or [path / "datasets.v4.json"]
        catalogue = self._catalogue
        for record in json.loads((path / "instruments.v4.json").read_text()):
            catalogue.instruments.put(record["pid"], {"_id": record["pid"], **record})
        for record in json.loads((path / "proposals.v4.json").read_text()):
            stored = {"_id": record["proposalId"], "isPublished": False, **record}
            catalogue.proposals.put(record["proposalId"], stored)
        published = path / "publisheddata.v4.json"
        if published.exists():
            for record in json.loads(published.read_text()):
                catalogue.published_data[record["doi"]] = {"_id": record["doi"], **record}
        count = 0
        for datasets_file in files:
            suffix = datasets_file.name[len("datasets") :]
            blocks_file = path / f"origdatablocks{suffix}"
            if blocks_file.exists():
                for block in orjson.loads(blocks_file.read_bytes()):
                    block_id = block.get("_id") or self._uuid()
                    stored = {"_id": block_id, **block}
                    light = {k: v for k, v in stored.items() if k not in _BULKY}
                    catalogue.blocks.put(block_id, light, blob=_dumps(stored), light=True)
            attachments_file = path / f"attachments{suffix}"
            if attachments_file.exists():
                for attachment in orjson.loads(attachments_file.read_bytes()):
                    aid = attachment.get("_id") or attachment.get("aid") or self._uuid()
                    stored = {"_id": aid, "aid": aid, **attachment}
                    light = {k: v for k, v in stored.items() if k not in _BULKY}
                    catalogue.attachments.put(aid, light, blob=_dumps(stored), light=True)
            for record in orjson.loads(datasets_file.read_bytes()):
                entry = _entry({"_id": record["pid"], **record}, keep=False)
                catalogue.datasets[entry.pid] = entry
                count += 1
            if progress:
                progress(count)
        catalogue.dirty = True
        catalogue.reindex()
        return count
