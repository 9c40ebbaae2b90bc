"""The stand-in's stored catalogue: datasets pre-rendered as JSON and indexed by pid and
``updatedAt``, origdatablocks, attachments, instruments and proposals as collections of their own
indexed by the keys the sync asks by; the requests seen and the faults to play."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.standins.scicat.common import (
    _BRIEF,
    _BULKY,
    _MISSING,
    _V3_SINGULARS,
    Raw,
    _dumps,
    _lookup,
    _parse_time,
    _Problem,
    _splice,
    _typed,
)

# -- the records --------------------------------------------------------------------------------


@dataclass
class _Entry:
    """One dataset: its fields the lists filter and sort on, and its JSON (without relations)."""

    pid: str
    updated_at: datetime
    created_at: datetime
    is_published: bool
    date_of_publishing: datetime | None
    instrument_ids: list[str]
    proposal_ids: list[str]
    blob: bytes  # as the v4 API answers it
    v3_extra: bytes  # what the v3 API adds: the singular ids, encoded
    record: Raw | None = None  # None when served from an export
    # What the embargo policy reads (the sync's brief listings project these), kept as sent.
    brief: Raw = field(default_factory=dict)

    def get(self, path: str) -> Any:
        if path in ("pid", "_id"):
            return self.pid
        if path == "updatedAt":
            return self.updated_at
        if path == "createdAt":
            return self.created_at
        if path == "isPublished":
            return self.is_published
        if path == "datasetlifecycle.dateOfPublishing":
            return self.date_of_publishing if self.date_of_publishing else _MISSING
        if path == "instrumentIds":
            return self.instrument_ids
        if path == "proposalIds":
            return self.proposal_ids
        if self.record is None and path in _BRIEF:
            value = self.brief.get(path, _MISSING)
            return _typed(value) if isinstance(value, str) else value
        if self.record is None:
            raise _Problem(400, f"stand-in: {path} cannot be queried on a served export")
        return _lookup(self.record, path)

    def full(self) -> Raw:
        return self.record if self.record is not None else json.loads(self.blob)

    def v3_blob(self) -> bytes:
        return _splice(self.blob, self.v3_extra)


def _v3_additions(record: Raw) -> Raw:
    out: Raw = {}
    for plural, singular in _V3_SINGULARS:
        values = record.get(plural)
        if isinstance(values, list) and values and singular not in record:
            out[singular] = values[0]
    return out


def _entry(record: Raw, *, keep: bool = True) -> _Entry:
    lifecycle = record.get("datasetlifecycle")
    extra = _v3_additions(record)
    return _Entry(
        pid=record["pid"],
        updated_at=_parse_time(record.get("updatedAt")) or datetime.now(UTC),
        created_at=_parse_time(record.get("createdAt")) or datetime.now(UTC),
        is_published=record.get("isPublished") is True,
        date_of_publishing=_parse_time(lifecycle.get("dateOfPublishing"))
        if isinstance(lifecycle, dict)
        else None,
        instrument_ids=list(record.get("instrumentIds") or []),
        proposal_ids=list(record.get("proposalIds") or []),
        blob=_dumps(record),
        v3_extra=_dumps(extra)[1:-1] if extra else b"",
        record=record if keep else None,
        brief={name: record[name] for name in _BRIEF if name in record},
    )


@dataclass
class _Doc:
    """A record of another collection (block, attachment, instrument, proposal)."""

    id: str
    seq: int  # insertion order: MongoDB's natural order
    fields: Raw  # what queries see (a served export leaves out the bulky keys)
    blob: bytes
    light: bool = False

    def get(self, path: str) -> Any:
        if "." not in path and path not in _BULKY:
            return _typed(self.fields.get(path, _MISSING))
        if self.light and path.split(".", 1)[0] in _BULKY:
            raise _Problem(400, f"stand-in: {path} cannot be queried on a served export")
        return _lookup(self.fields, path)

    def full(self) -> Raw:
        return json.loads(self.blob) if self.light else self.fields


class _View:
    """An element of an array, as ``$elemMatch`` looks at it."""

    def __init__(self, node: Any) -> None:
        self.node = node

    def get(self, path: str) -> Any:
        return _lookup(self.node, path) if isinstance(self.node, dict) else _MISSING


class _Collection:
    """Records by id, in insertion order, and by the key lists are asked for most."""

    def __init__(self, keys_of: Callable[[Raw], list[str]]) -> None:
        self.docs: dict[str, _Doc] = {}
        self.by_key: dict[str, list[_Doc]] = defaultdict(list)
        self._keys_of = keys_of
        self._seq = itertools.count()

    def put(
        self, doc_id: str, record: Raw, *, blob: bytes | None = None, light: bool = False
    ) -> _Doc:
        old = self.docs.get(doc_id)
        if old is not None:
            self.remove(doc_id)
        doc = _Doc(
            doc_id,
            old.seq if old is not None else next(self._seq),
            record,
            blob if blob is not None else _dumps(record),
            light,
        )
        self.docs[doc_id] = doc
        if old is not None:  # back to its place in the natural order
            self.docs = dict(sorted(self.docs.items(), key=lambda item: item[1].seq))
        for key in self._keys_of(record):
            entries = self.by_key[key]
            entries.append(doc)
            if old is not None:
                entries.sort(key=lambda d: d.seq)
        return doc

    def remove(self, doc_id: str) -> None:
        doc = self.docs.pop(doc_id, None)
        if doc is None:
            return
        for key in self._keys_of(doc.fields):
            entries = self.by_key.get(key, [])
            entries[:] = [d for d in entries if d.id != doc_id]
            if not entries:
                self.by_key.pop(key, None)

    def of(self, key: str) -> list[_Doc]:
        return self.by_key.get(key, [])

    def candidates(self, where: Raw, key: str) -> tuple[Iterable[_Doc], bool]:
        """The records a where on ``key`` (a value, or ``$in`` values) can match, all if it
        has none; and whether they are exactly the where's (it says nothing else)."""
        condition = where.get(key, _MISSING)
        wanted: list[Any] | None = None
        if isinstance(condition, str):
            wanted = [condition]
        elif isinstance(condition, dict) and list(condition) == ["$in"]:
            values = condition["$in"]
            if isinstance(values, list) and all(isinstance(v, str) for v in values):
                wanted = values
        elif (
            isinstance(condition, dict)
            and list(condition) == ["$eq"]
            and isinstance(condition["$eq"], str)
        ):
            wanted = [condition["$eq"]]
        if wanted is None:
            return self.docs.values(), False
        found = {d.id: d for value in dict.fromkeys(wanted) for d in self.of(value)}
        return sorted(found.values(), key=lambda d: d.seq), len(where) == 1


def _block_keys(record: Raw) -> list[str]:
    value = record.get("datasetId")
    return [value] if isinstance(value, str) else []


def _attachment_keys(record: Raw) -> list[str]:
    return list(
        dict.fromkeys(
            rel["targetId"]
            for rel in record.get("relationships") or []
            if isinstance(rel, dict) and isinstance(rel.get("targetId"), str)
        )
    )


# -- the stored catalogue -----------------------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    authorization: str | None
    detail: str | None = None  # why the stand-in answered an error (a 500's cause)

    def param_json(self, name: str) -> Raw:
        values = self.query.get(name)
        return json.loads(values[0]) if values else {}

    @property
    def filter(self) -> Raw:
        return self.param_json("filter")

    @property
    def filters(self) -> Raw:
        """The proposals route's parameter (``filters``, plural)."""
        return self.param_json("filters")


@dataclass
class _Fault:
    kind: str  # "fail", "drop", "stall"
    times: int
    status: int = 503
    retry_after: str | None = None
    seconds: float = 0.0
    path: str | None = None  # only requests whose path starts with this
    after: int = 0  # let this many matching requests through first


@dataclass
class _Catalogue:
    datasets: dict[str, _Entry] = field(default_factory=dict)
    blocks: _Collection = field(default_factory=lambda: _Collection(_block_keys))
    attachments: _Collection = field(default_factory=lambda: _Collection(_attachment_keys))
    instruments: _Collection = field(default_factory=lambda: _Collection(lambda r: [r["pid"]]))
    proposals: _Collection = field(default_factory=lambda: _Collection(lambda r: [r["proposalId"]]))
    published_data: dict[str, Raw] = field(default_factory=dict)
    by_updated: list[tuple[datetime, str]] = field(default_factory=list)
    by_pid: list[str] = field(default_factory=list)
    dirty: bool = True

    def reindex(self) -> None:
        if self.dirty:
            self.by_updated = sorted((e.updated_at, e.pid) for e in self.datasets.values())
            self.by_pid = sorted(self.datasets)
            self.dirty = False
