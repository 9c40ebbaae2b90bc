"""A SciCat backend stand-in: a real HTTP server on 127.0.0.1 (a thread, or a process of its own).

It answers the parts of SciCat's API the portal's sync reads the way the real backend does, release
by release: ``SciCatStandIn(release="4.17.1")`` (the default) or ``"5.2.1"`` (``set_release()``;
``reset()`` keeps it). What follows was observed against the real servers (the
``shared/scicat-real`` kit) or read in their sources (SciCatProject/backend at those tags); only
``SCICAT_URL`` differs.

Callers. ``POST /api/v3/auth/login`` ``{"username", "password"}`` gives 201 ``{access_token, id,
expires_in, ...}`` (401 for a wrong account); ``Authorization: Bearer <token>`` then makes the call
a functional account's, which sees every record. No token, or a token the server never gave out,
is an anonymous call. An *expired* token (:meth:`expire_tokens`): 4.17.1 quietly treats the call
as anonymous (its JWT guard returns no user); 5.2.1 answers 401 ``SESSION_EXPIRED`` on every
route, the login included.

Filters. Every list takes ``?filter=<JSON>`` (proposals: ``?filters=``, plural; a ``filter`` there
is ignored, so the answer is every proposal). What a ``where`` may say depends on the route:

* ``/api/v4/*`` (datasets, ``datasets/public``, attachments, origdatablocks): MongoDB operators
  only (``$in``, ``$gte``, ``$or``, ``$regex``, ``$exists`` ...). SciCat's FilterValidationPipe
  flattens the filter (not into arrays) and refuses, 400 ``Property where.x.gte should not exist
  in the filter object``, every key part that is neither an operator nor a field name of the
  record's DTO (4.17.1 datasets: top-level dataset fields only, so ``datasetlifecycle.
  dateOfPublishing`` or ``scientificMetadata.x`` are refused; 5.2.1 also knows the lifecycle's
  fields and anything below ``scientificMetadata``). Lists are MongoDB aggregations: a date given
  as ISO text matches nothing (``v4_casts_dates = True`` plays a backend with SciCat PR #2346);
  ``limits`` ``{limit, skip, sort}``, default ``{10, 0, createdAt desc}`` when ``limits`` is
  absent (5.2.1 datasets: key by key); ``sort`` values other than ``"asc"`` mean descending (a
  MongoDB-style ``1`` too). ``/count`` casts dates (``countDocuments``).
* ``/api/v3/*``: Mongoose ``find``: dates are cast; LoopBack ``limits`` ``{limit (100), skip,
  order: "field:asc|desc"}`` (5.2.1 also takes a ``sort`` object). Bare LoopBack operators:
  4.17.1 ``/api/v3/datasets`` rewrites ``{"inq":``, ``{"nin":``, ``{"and":[``, ``{"or":[`` in the
  filter's *text* (so only as an object's first key; ``{"and": [`` with a space stays a field
  name, which matches nothing) and ``like``; everything else bare (``gte``, ``neq`` ...) fails
  Mongoose's casting: 500. Its ``replaceLikeOperator`` also turns arrays other than
  ``$or``/``$and``/``$in`` operands into objects, so ``$nin`` gives 500 there. 5.2.1 maps ``inq
  nin and or like ilike gt gte lt lte`` anywhere on ``/api/v3/datasets``,
  ``/api/v3/instruments`` and both publisheddata routes; other routes take ``$`` operators only.
  v3 datasets map ``proposalId``/``instrumentId``/``sampleId``/``principalInvestigator`` in a
  where to the stored plural fields.

Routes:

* ``GET /api/v3/health``.
* ``GET /api/v3/datasets`` (``/count``, ``/{pid}``): v3 shape (the stored record plus the
  singular ``proposalId``, ``instrumentId``, ``sampleId``, ``principalInvestigator``). Anonymous:
  published records only; on 4.17.1 the caller's ``where`` is then *replaced* by
  ``{"isPublished": true}``. ``include``: 4.17.1 honours ``{"relation": ...}`` objects only and
  attaches to every dataset the first 100 origdatablocks of the whole catalogue (any dataset,
  private ones too) and the dataset's attachments (10, newest first); ``/{pid}`` ignores include.
  5.2.1 joins properly, on the list and ``/{pid}``, but without access filter: anonymous callers
  get private blocks of public datasets too. A private record for an anonymous caller: 403.
* ``GET /api/v4/datasets/public`` (anonymous; published only) and ``GET /api/v4/datasets``
  (bearer token; 403 ``Forbidden resource`` anonymous; every record, the caller adds
  ``isPublished`` itself), ``/count``, ``/{pid}?include=`` (``filter`` is ignored there).
  ``include`` joins by caller, on either route: anonymous callers get origdatablocks and
  proposals with ``isPublished`` only; attachments are ``[]`` on 4.17.1 (it joins on a
  ``datasetId`` attachments do not have) and unfiltered on 5.2.1; a token gets everything on
  5.2.1, and on 4.17.1 everything but attachments until an anonymous include has made its
  lookups published-only for everyone (:attr:`public_only_lookups`).
* ``GET /api/v3/origdatablocks``: ``where`` goes through SciCat's ``createFullqueryFilter``
  (a list value means ``$in``; ``createdAt``/``updatedAt`` take ``{begin, end}`` only, anything
  else is a 500; ``ownerGroup``/``accessGroups`` are or-ed; a top-level ``$or`` is a 500), then
  Mongoose. Anonymous: 4.17.1 returns every matching block, private ones included (no access
  filter); 5.2.1 403. ``GET /api/v4/origdatablocks`` (+ ``/public``: ``isPublished`` only):
  5.2.1 only.
* ``GET /api/v4/attachments`` (token; anonymous callers get the published ones) and ``/public``
  (``isPublished`` only), both releases; ``relationships.targetId`` finds a dataset's
  attachments.
* ``GET /api/v3/instruments`` (anyone), ``GET /api/v3/proposals?filters=`` (``fields`` ignored;
  anonymous: ``isPublished`` proposals only, which real SciCat never has).
* ``GET /api/v3/publisheddata`` (both) and ``/api/v4/publisheddata`` (5.2.1; 404 on 4.17.1), and
  their ``/count``: 5.2.1 shows anonymous callers ``status: "registered"`` records only (forced
  into the where; v4 also overwrites a top-level ``$or``); 4.17.1 shows them every record (its
  interceptor edits ``req.query``, which Express 5 parses anew on each read). 4.17.1: a
  ``fields`` list in the filter is a 500 (``createFullqueryFilter`` over the list's indexes).
* Anything else: 404 ``Cannot GET <path?query>``. Errors look like NestJS's: ``{"message",
  "error", "statusCode"}``; a 500 is ``{"statusCode": 500, "message": "Internal server error"}``
  (:attr:`Seen.detail` says why).

Records. :meth:`put_dataset` stores what SciCat would: ``_id`` = pid, ``createdAt``, and the
lifecycle defaults Mongoose fills in, notably ``dateOfPublishing`` = midnight of JavaScript's
``new Date(year, month, getDay())`` of the creation moment (the weekday used as day of month,
so within about a week of ``createdAt``; 0 is the previous month's last day),
``archiveRetentionTime`` the same, ``publishedOn`` and ``dateOfDiskPurging`` the server's
start. Origdatablocks and attachments are collections of their own (``datasetId``;
``relationships[].targetId``), with ``_id`` (attachments also ``aid``),
``ownerGroup``/``accessGroups`` and ``isPublished`` false unless set (4.17.1 refuses it on
blocks). ``leak_relations = True`` makes the origdatablocks, attachments, instruments and
proposals lists ignore the caller's where (and the access filter): a catalogue bug the portal
must survive.

Ties: with one sort key, records sharing the value come back in a different order on every
request (MongoDB promises no order among ties).

Faults for tests: :meth:`fail` (answer with a status, optionally ``Retry-After``), :meth:`drop`
(send the headers and half the body of a page, then hang up), :meth:`stall` (answer only after
a delay: a client timeout), :meth:`expire_tokens` (every token given out so far stops working).
Every request is kept in :attr:`seen`.

For the benchmark, ``python -m tests.standins.scicat --export DIR [--release R]`` serves a saved
export (as written by ``bench.generate``) from a process of its own. Each dataset (without
relations) and each origdatablock and attachment is pre-rendered as JSON, indexed by pid, so a
page of datasets, or the blocks of 100 pids, is joining bytes.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import itertools
import json
import operator
import random
import re
import secrets
import socket
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import orjson

from tests.standins import LoopbackServer

Raw = dict[str, Any]
Pred = Callable[[Any], bool]
RELEASES = ("4.17.1", "5.2.1")
RELATIONS = ("origdatablocks", "attachments", "instruments", "proposals", "datablocks", "samples")
_MISSING: Any = object()
_START = datetime(2025, 1, 1, tzinfo=UTC)

# LoopBack operator names: objects of these, unmapped, fail Mongoose's casting.
_LOOPBACK_OPS = {
    "inq", "nin", "and", "or", "gt", "gte", "lt", "lte", "neq", "eq", "like", "nlike",
    "ilike", "nilike", "between", "exists", "regexp", "near",
}  # fmt: skip
# 5.2.1's WherePipe (common/pipes/filter.pipe.ts).
_WHERE_PIPE_MAP = {
    "inq": "$in", "nin": "$nin", "and": "$and", "or": "$or", "like": "$regex",
    "ilike": "$regex", "gte": "$gte", "lte": "$lte", "gt": "$gt", "lt": "$lt",
}  # fmt: skip
# The FilterValidationPipes' operators ("where" section); attachments also know $elemMatch.
_V4_WHERE_KEYS = {
    "where", "$in", "$or", "$and", "$nor", "$match", "$eq", "$gt", "$gte", "$lt", "$lte",
    "$ne", "$nin", "$not", "$exists", "$regex", "$options",
}  # fmt: skip
# Fields the sync's brief listings (sync.scicat.BRIEF_FIELDS) project beyond those above.
_BRIEF = ("creationTime", "endTime", "datasetlifecycle")
_OWNABLE = {"ownerGroup", "accessGroups", "instrumentGroup"}
_QUERYABLE = {"createdBy", "updatedBy", "createdAt", "updatedAt"}
# Field names the v4 pipes accept: Object.keys(new <DTO>()) in each release.
_DATASET_KEYS_4 = _OWNABLE | {
    "owner", "ownerEmail", "orcidOfOwner", "contactEmail", "sourceFolder", "sourceFolderHost",
    "size", "packedSize", "numberOfFiles", "numberOfFilesArchived", "creationTime",
    "validationStatus", "keywords", "description", "datasetName", "classification", "license",
    "isPublished", "techniques", "sharedWith", "relationships", "datasetlifecycle",
    "scientificMetadata", "comment", "dataQualityMetrics", "principalInvestigators",
    "startTime", "endTime", "creationLocation", "dataFormat", "proposalIds", "sampleIds",
    "instrumentIds", "inputDatasets", "usedSoftware", "jobParameters", "jobLogData",
    "runNumber", "pid", "type", "createdBy", "updatedBy", "createdAt", "updatedAt", "version",
}  # fmt: skip
_LIFECYCLE_KEYS = {
    "id", "archivable", "retrievable", "publishable", "dateOfDiskPurging",
    "archiveRetentionTime", "dateOfPublishing", "publishedOn", "isOnCentralDisk",
    "archiveStatusMessage", "retrieveStatusMessage", "archiveReturnMessage",
    "retrieveReturnMessage", "exportedTo", "retrieveIntegrityCheck", "storageLocation",
}  # fmt: skip
_DATASET_KEYS_5 = (
    _DATASET_KEYS_4
    | {"scientificMetadataSchema", "scientificMetadataValid", "_id", "updatedBy"}  # + history
    | _LIFECYCLE_KEYS
    | {"identifier", "identifierType", "relationship", "entityType", "externalId"}
    | {"pid", "name"}  # techniques
)
_ATTACHMENT_KEYS = _OWNABLE | {
    "thumbnail", "caption", "relationships", "isPublished", "aid", "createdAt", "updatedAt",
    "targetId", "targetType", "relationType",
}  # fmt: skip
_BLOCK_KEYS = (
    _OWNABLE
    | _QUERYABLE
    | {"_id", "datasetId", "size", "chkAlg", "dataFileList", "isPublished"}
    | {"path", "time", "chk", "uid", "gid", "perm", "type", "metadata"}  # DataFile
)
_ARBITRARY = {"scientificMetadata", "jobParameters", "jobParams", "jobResultObject"}  # 5.2.1
# createFullqueryFilter looks up each where key's schema type (origdatablocks).
_BLOCK_STRINGS = {"_id", "datasetId", "chkAlg", "createdBy", "updatedBy"} | _OWNABLE
_BLOCK_DATES = {"createdAt", "updatedAt"}
_BLOCK_OTHERS = {"size", "dataFileList", "isPublished"}
_V3_WHERE_RENAMES = {
    "proposalId": "proposalIds",
    "sampleId": "sampleIds",
    "instrumentId": "instrumentIds",
    "investigator": "principalInvestigators",
    "principalInvestigator": "principalInvestigators",
}
_V3_SINGULARS = (
    ("proposalIds", "proposalId"),
    ("sampleIds", "sampleId"),
    ("instrumentIds", "instrumentId"),
    ("principalInvestigators", "principalInvestigator"),
)
_BULKY = {"dataFileList", "thumbnail"}  # left out of a served export's queryable fields
_ALL_SECTIONS = ("where", "include", "fields", "limits")
_NO_INCLUDE = ("where", "fields", "limits")
_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
_HEALTH = {
    "status": "ok",
    "info": {"mongodb": {"status": "up"}},
    "error": {},
    "details": {"mongodb": {"status": "up"}},
}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) < 10 or not value[:4].isdigit():
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def js_default_date(moment: datetime) -> datetime:
    """``new Date(y, m, now.getDay())`` (SciCat's lifecycle defaults): the weekday (Sunday 0) as
    day of the month, 0 being the last day of the month before; midnight UTC."""
    weekday = (moment.weekday() + 1) % 7
    first = date(moment.year, moment.month, 1)
    day = first + timedelta(days=weekday - 1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class _Problem(Exception):
    """An error answer; a 500 keeps its detail for :attr:`Seen.detail`, not for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def body(self) -> bytes:
        if self.status >= 500:
            return _dumps({"statusCode": self.status, "message": "Internal server error"})
        reason = _REASONS.get(self.status, "Error")
        if self.message == reason:
            return _dumps({"statusCode": self.status, "message": self.message})
        return _dumps({"message": self.message, "error": reason, "statusCode": self.status})


def _dumps(doc: Any) -> bytes:
    try:
        return orjson.dumps(doc)
    except TypeError:  # integers beyond 64 bits
        return json.dumps(doc, separators=(",", ":")).encode()


def _copy(doc: Any) -> Any:
    return json.loads(json.dumps(doc))


def _walk(node: Any, parts: list[str]) -> Any:
    """A dotted path's value; through arrays of documents, the list of what they hold."""
    for index, part in enumerate(parts):
        if isinstance(node, list):
            out: list[Any] = []
            for item in node:
                value = _walk(item, parts[index:])
                if value is not _MISSING:
                    out.extend(value if isinstance(value, list) else [value])
            return out if out else _MISSING
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _typed(value: Any) -> Any:
    """Stored values as MongoDB compares them: ISO text is a date."""
    if isinstance(value, str):
        return _parse_time(value) or value
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return value


def _lookup(record: Raw, path: str) -> Any:
    return _typed(_walk(record, path.split(".")))


def _pick(node: Any, parts: list[str]) -> Any:
    if not parts:
        return node
    if isinstance(node, list):
        return [p for p in (_pick(e, parts) for e in node) if p is not _MISSING]
    if isinstance(node, dict) and parts[0] in node:
        inner = _pick(node[parts[0]], parts[1:])
        return _MISSING if inner is _MISSING else {parts[0]: inner}
    return _MISSING


def _merge(into: Raw, part: Raw) -> None:
    for key, value in part.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _project(record: Raw, fields: list[str]) -> Raw:
    """A MongoDB projection: ``_id`` and the named (dotted) fields, nested as stored."""
    out: Raw = {"_id": record["_id"]} if "_id" in record else {}
    for name in fields:
        part = _pick(record, name.split("."))
        if isinstance(part, dict):
            _merge(out, part)
    return out


def _splice(blob: bytes, extra: bytes) -> bytes:
    """A JSON object's bytes with ``"key":value`` pairs (already encoded) added at its end."""
    if not extra:
        return blob
    return blob[:-1] + (b"," if len(blob) > 2 else b"") + extra + b"}"


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


# -- filters ------------------------------------------------------------------------------------


def _scalar_eq(value: Any, operand: Any) -> bool:
    if isinstance(value, bool) or isinstance(operand, bool):
        return type(value) is type(operand) and value == operand
    if isinstance(value, datetime) != isinstance(operand, datetime):
        return False
    return bool(value == operand)


def _eq(value: Any, operand: Any) -> bool:
    """MongoDB equality: null matches a missing field; an array matches by any element."""
    if operand is None:
        return value is _MISSING or value is None or (isinstance(value, list) and None in value)
    if value is _MISSING:
        return False
    if isinstance(value, list):
        if isinstance(operand, list):
            return value == operand or operand in value
        return any(_scalar_eq(item, operand) for item in value)
    return _scalar_eq(value, operand)


def _comparable(value: Any, operand: Any) -> bool:
    for kind in (datetime, str):
        if isinstance(value, kind) and isinstance(operand, kind):
            return True
    numbers = (int, float)
    return (
        isinstance(value, numbers)
        and isinstance(operand, numbers)
        and not isinstance(value, bool)
        and not isinstance(operand, bool)
    )


_ORDERS: dict[str, Callable[[Any, Any], bool]] = {
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$lt": operator.lt,
    "$lte": operator.le,
}


# Mongoose casts a condition to the field's schema type; not for paths it does not know (a
# LoopBack "and" left untranslated) nor below Mixed objects.
_UNTYPED = {"and", "or", "nor"}
_MIXED = {"scientificMetadata", "customMetadata", "jobParameters", "metadata"}


def _cast_fails(operand: Any) -> bool:
    """An object Mongoose cannot cast to a field's type (a LoopBack operator, or what SciCat
    4.17.1 made of an array)."""
    return isinstance(operand, dict) and (
        not operand or any(k in _LOOPBACK_OPS or k.isdigit() for k in operand)
    )


class _Where:
    """A ``where`` in MongoDB syntax, compiled to a predicate on records.

    ``strict``: answered by Mongoose's ``find`` (casting to a field's schema type fails for
    objects of LoopBack operators: 500) rather than an aggregation (such an object is a literal
    that matches nothing). ``cast_dates``: ISO text in the where compares as dates.
    """

    def __init__(self, where: Any, *, cast_dates: bool, strict: bool) -> None:
        if where is None:
            where = {}
        if not isinstance(where, dict):
            raise _Problem(500, "where must be an object")
        self.where: Raw = where
        self.cast_dates = cast_dates
        self.strict = strict
        self._match = self._node(where)

    def matches(self, doc: Any) -> bool:
        return self._match(doc)

    def bounds(self, name: str) -> tuple[Any, bool] | None:
        """A lower bound on a top-level field the where implies, for a fast start: (value,
        inclusive). Conditions inside ``$or`` are not looked at."""
        condition = self.where.get(name)
        if condition is None:
            return None
        if not isinstance(condition, dict):
            return (condition, True)
        for key, operand in condition.items():
            if key in {"$gte", "$eq"}:
                return (operand, True)
            if key == "$gt":
                return (operand, False)
        return None

    def _node(self, node: Any) -> Callable[[Any], bool]:
        if not isinstance(node, dict):
            raise _Problem(500, f"a where clause must be an object, not {node!r}")
        tests: list[Callable[[Any], bool]] = []
        for key, condition in node.items():
            if key in ("$and", "$or", "$nor"):
                if not isinstance(condition, list) or not condition:
                    raise _Problem(500, f"{key} must be a nonempty array")
                tests.append(self._logical(key, [self._node(part) for part in condition]))
            elif key.startswith("$"):
                raise _Problem(500, f"unknown top level operator: {key}")
            else:
                typed = self.strict and key not in _UNTYPED and key.split(".")[0] not in _MIXED
                tests.append(self._on_field(key, self._condition(condition, typed)))
        if len(tests) == 1:
            return tests[0]
        return lambda doc: all(test(doc) for test in tests)

    @staticmethod
    def _logical(key: str, parts: list[Callable[[Any], bool]]) -> Callable[[Any], bool]:
        if key == "$and":
            return lambda doc: all(part(doc) for part in parts)
        if key == "$or":
            return lambda doc: any(part(doc) for part in parts)
        return lambda doc: not any(part(doc) for part in parts)

    @staticmethod
    def _on_field(key: str, test: Pred) -> Callable[[Any], bool]:
        return lambda doc: test(doc.get(key))

    def _operand(self, operand: Any, typed: bool) -> Any:
        if typed and _cast_fails(operand):
            raise _Problem(500, f"Cast failed for value {operand!r}")
        if self.cast_dates and isinstance(operand, str) and operand[:4].isdigit():
            return _parse_time(operand) or operand
        return operand

    def _condition(self, condition: Any, typed: bool) -> Pred:
        if isinstance(condition, dict) and any(k.startswith("$") for k in condition):
            if not all(k.startswith("$") for k in condition):
                bad = next(k for k in condition if not k.startswith("$"))
                raise _Problem(500, f"unknown operator: {bad}")
            tests = [
                self._op(op, operand, condition, typed)
                for op, operand in condition.items()
                if op != "$options"
            ]
            if "$options" in condition and "$regex" not in condition:
                raise _Problem(500, "$options needs a $regex")
            if len(tests) == 1:
                return tests[0]
            return lambda value: all(test(value) for test in tests)
        if isinstance(condition, dict):
            if typed and _cast_fails(condition):
                raise _Problem(500, f"Cast failed for value {condition!r}")
            return lambda value: _eq(value, condition)
        return self._op("$eq", condition, {}, typed)

    def _op(self, op: str, operand: Any, whole: Raw, typed: bool) -> Pred:
        if op in ("$eq", "$ne"):
            x = self._operand(operand, typed)
            if op == "$eq":
                return lambda value: _eq(value, x)
            return lambda value: not _eq(value, x)
        if op in ("$in", "$nin"):
            if not isinstance(operand, list):
                raise _Problem(500, f"{op} needs an array")
            xs = [self._operand(item, typed) for item in operand]
            texts = {x for x in xs if isinstance(x, str)}
            others = [x for x in xs if not isinstance(x, str)]

            def found(value: Any) -> bool:
                if isinstance(value, str):
                    return value in texts
                if isinstance(value, list) and any(
                    isinstance(v, str) and v in texts for v in value
                ):
                    return True
                return any(_eq(value, x) for x in others)

            if op == "$in":
                return found
            return lambda value: not found(value)
        if op in _ORDERS:
            x = self._operand(operand, typed)
            compare = _ORDERS[op]

            def ordered(value: Any) -> bool:
                if isinstance(value, list):
                    return any(ordered(v) for v in value)
                return _comparable(value, x) and compare(value, x)

            return ordered
        if op == "$exists":
            wanted = bool(operand)
            return lambda value: (value is not _MISSING) == wanted
        if op == "$regex":
            if not isinstance(operand, str):
                raise _Problem(500, "$regex has to be a string")
            flags = 0
            options = whole.get("$options") or ""
            for letter, flag in (("i", re.I), ("m", re.M), ("s", re.S), ("x", re.X)):
                if letter in str(options):
                    flags |= flag
            try:
                pattern = re.compile(operand, flags)
            except re.error as exc:
                raise _Problem(500, f"invalid $regex: {exc}") from None

            def searched(value: Any) -> bool:
                if isinstance(value, list):
                    return any(searched(v) for v in value)
                return isinstance(value, str) and pattern.search(value) is not None

            return searched
        if op == "$not":
            if not isinstance(operand, dict) or not all(k.startswith("$") for k in operand):
                raise _Problem(500, "$not needs an object of operators")
            inner = self._condition(operand, typed)
            return lambda value: not inner(value)
        if op == "$elemMatch":
            if not isinstance(operand, dict):
                raise _Problem(500, "$elemMatch needs an object")
            if operand and all(k.startswith("$") for k in operand):
                element: Callable[[Any], bool] = self._condition(operand, typed)
            else:
                node = self._node(operand)

                def element(item: Any) -> bool:
                    return isinstance(item, dict) and node(_View(item))

            return lambda value: isinstance(value, list) and any(element(v) for v in value)
        raise _Problem(500, f"unknown operator: {op}")


# -- what SciCat does to a filter before MongoDB sees it ----------------------------------------


def _parse_filter(text: str | None) -> Raw:
    if not text:
        return {}
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise _Problem(400, f"Invalid JSON in filter: {exc}") from None
    if not isinstance(doc, dict):
        raise _Problem(400, "the filter must be a JSON object")
    return doc


def _text_ops_4171(text: str) -> str:
    """4.17.1's FilterPipe (/api/v3/datasets): LoopBack operators replaced in the filter's text."""
    for bare, mongo in (
        ('{"inq":', '{"$in":'),
        ('{"nin":', '{"$nin":'),
        ('{"and":[', '{"$and":['),
        ('{"or":[', '{"$or":['),
    ):
        text = text.replace(bare, mongo)
    return text


def _like_4171(node: Any) -> Any:
    """4.17.1's replaceLikeOperator: ``like`` becomes ``$regex``; on the way, every array but a
    ``$or``/``$and``/``$in`` operand becomes an object (``for ... in`` over it), and non-object
    items of those become ``{}``."""

    def inner(value: Any) -> Raw:
        items: Iterable[tuple[str, Any]]
        if isinstance(value, dict):
            items = value.items()
        elif isinstance(value, list):
            items = ((str(i), v) for i, v in enumerate(value))
        else:
            items = ()
        out: Raw = {}
        for key, item in items:
            if key == "like" and not isinstance(item, (dict, list)) and item is not None:
                out["$regex"] = item
            elif isinstance(item, list) and key in ("$or", "$and", "$in"):
                out[key] = [v if isinstance(v, str) else inner(v) for v in item]
            elif isinstance(item, (dict, list)) or item is None:
                out[key] = inner(item)
            else:
                out[key] = item
        return out

    return inner(node)


def _map_ops_521(node: Any) -> Any:
    """5.2.1's WherePipe: LoopBack operator names mapped anywhere (``ilike`` adds ``$options``)."""
    if isinstance(node, list):
        return [_map_ops_521(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: Raw = {}
    for key, value in node.items():
        if key == "ilike":
            out["$options"] = "i"
            out["$regex"] = value
        else:
            out[_WHERE_PIPE_MAP.get(key) or key] = _map_ops_521(value)
    return out


def _json_leaves(node: Any) -> Any:
    """5.2.1's FilterPipe on ``@Query("filter")`` (instruments): every string value that is
    JSON is parsed (``"123"`` becomes 123); array items are left alone."""
    if isinstance(node, dict):
        out: Raw = {}
        for key, value in node.items():
            value = _json_leaves(value) if isinstance(value, dict | list) else value
            if isinstance(value, str):
                with contextlib.suppress(ValueError):
                    value = json.loads(value, parse_constant=_no_constant)
            out[key] = value
        return out
    if isinstance(node, list):
        return [_json_leaves(item) if isinstance(item, dict | list) else item for item in node]
    return node


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _v3_renames(where: Raw) -> Raw:
    """v3 datasets' convertObsoleteWhereFilterToCurrentSchema (top-level keys only)."""
    out = dict(where)
    for old, new in _V3_WHERE_RENAMES.items():
        if old in out:
            value = out.pop(old)
            if old == "investigator" and isinstance(value, str):
                value = {"$in": [value]}
            out[new] = value
    return out


def _flat_keys(node: Raw, prefix: str = "") -> Iterator[str]:
    """SciCat's flattenObject: dotted keys down to the leaves, not into arrays; null skipped."""
    for key, value in node.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            yield from _flat_keys(value, name)
        elif value is not None:
            yield name


def _validate_v4(
    doc: Raw, fields: set[str], *, sections: Iterable[str], extra_ops: Iterable[str] = (),
    arbitrary: bool,
) -> None:  # fmt: skip
    """The v4 FilterValidationPipes: every key part an allowed operator or DTO field name."""
    allowed = set(fields) | set(extra_ops)
    for section in sections:
        allowed |= {
            "where": _V4_WHERE_KEYS,
            "include": {"include"},
            "limits": {"limits", "limit", "skip", "sort"},
            "fields": {"fields"},
        }[section]
    for key in _flat_keys(doc):
        anything = False
        for part in key.split("."):
            if part not in allowed and not anything:
                raise _Problem(400, f"Property {key} should not exist in the filter object")
            if arbitrary and part in _ARBITRARY:
                anything = True


def _fullquery_where(where: Any) -> Raw:
    """createFullqueryFilter on an origdatablocks where (both releases), key by key."""
    if where is None:
        return {}
    if not isinstance(where, dict):
        raise _Problem(500, "where must be an object")
    out: Raw = {"$or": []}

    def expression(key: str, value: Any) -> Any:
        dates = key in _BLOCK_DATES
        if key not in _BLOCK_STRINGS | _BLOCK_DATES | _BLOCK_OTHERS and "." not in key:
            if isinstance(value, dict) and "begin" in value:
                dates = True
            elif value is not None and not isinstance(value, dict | list):
                # schemaTypeOf: '"begin" in value' on a primitive throws a TypeError
                raise _Problem(500, f"TypeError: cannot use 'in' on {value!r}")
        if dates:
            begin = _parse_time(value.get("begin")) if isinstance(value, dict) else None
            end = _parse_time(value.get("end")) if isinstance(value, dict) else None
            if begin is None or end is None:
                raise _Problem(500, f"Cast to date failed for {key}: {value!r}")
            return {"$gte": iso(begin), "$lte": iso(end)}
        if key == "isPublished":
            return {"$eq": value}
        if isinstance(value, list):
            if len(value) == 1 and key not in _BLOCK_OTHERS:
                return value[0]
            return {"$in": value}
        return value

    for key, value in where.items():
        if key == "mode" and isinstance(value, dict):
            out.update(value)
        elif key in ("text", "scientific", "characteristics"):
            raise _Problem(400, f"stand-in: '{key}' in an origdatablocks where is not supported")
        elif key in ("userGroups", "ownerGroup", "accessGroups", "sharedWith"):
            if not isinstance(out.get("$or"), list):
                raise _Problem(500, "TypeError: push on a $or that is not an array")
            names = ("ownerGroup", "accessGroups") if key == "userGroups" else (key,)
            for name in names:
                out["$or"].append({name: expression(name, value)})
        else:
            out[key] = expression(key, value)
    if out.get("$or") == []:
        del out["$or"]
    return out


@dataclass
class _Limits:
    limit: int
    skip: int
    order: list[tuple[str, bool]]  # (field, descending)


def _whole(value: Any, default: int) -> int:
    if not value:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _Problem(500, f"limit and skip must be whole numbers, not {value!r}")
    return value


def _loopback_limits(limits: Any, *, sort_too: bool) -> _Limits:
    """parseLimitFilters: ``limit`` (100), ``skip``, ``order`` "field:asc|desc" (5.2.1: or a
    ``sort`` object)."""
    if not limits:
        return _Limits(100, 0, [])
    if not isinstance(limits, dict):
        raise _Problem(500, "limits must be an object")
    order: list[tuple[str, bool]] = []
    value = limits.get("order")
    if value:
        if not isinstance(value, str):
            raise _Problem(500, "TypeError: limits.order.split is not a function")
        name, _, direction = value.partition(":")
        if direction in ("asc", "desc"):
            order = [(name, direction == "desc")]
    elif sort_too and isinstance(limits.get("sort"), dict):
        order = [(k, v in ("desc", -1, "-1")) for k, v in limits["sort"].items()]
    return _Limits(_whole(limits.get("limit"), 100), _whole(limits.get("skip"), 0), order)


def _v4_limits(limits: Any, *, key_by_key: bool) -> _Limits:
    """The v4 aggregations: ``{10, 0, createdAt desc}`` when limits is absent (5.2.1 datasets:
    key by key); ``parsePipelineSort``: anything but ``"asc"`` is descending."""
    defaults = {"limit": 10, "skip": 0, "sort": {"createdAt": "desc"}}
    if limits is None:
        limits = defaults
    elif not isinstance(limits, dict):
        raise _Problem(500, "limits must be an object")
    elif key_by_key:
        limits = {**defaults, **limits}
    sort = limits.get("sort") or {}
    if not isinstance(sort, dict):
        raise _Problem(500, "limits.sort must be an object")
    order = [(name, direction != "asc") for name, direction in sort.items()]
    return _Limits(_whole(limits.get("limit"), 10), _whole(limits.get("skip"), 0), order)


def _fields(doc: Raw) -> list[str] | None:
    fields = doc.get("fields")
    if fields is None or fields == [] or fields == {}:
        return None
    if isinstance(fields, dict):
        return [k for k, v in fields.items() if v]
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise _Problem(500, "fields must be a list of names")
    return fields


def _include_names(value: Any, *, lenient: bool = False) -> list[str]:
    """``include``: names or ``{"relation": name}``; ``all`` is every relation. Unknown: 400.
    ``lenient`` (4.17.1 v3): ``({relation}) => switch (relation)``: objects only, known names
    only, no ``all``, nothing refused."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = item.get("relation") if isinstance(item, dict) else item
        if lenient:
            if isinstance(item, dict) and name in RELATIONS:
                names.append(name)
            continue
        if name == "all":
            names.extend(RELATIONS)
        elif name in RELATIONS:
            names.append(name)
        else:
            raise _Problem(
                400,
                f"Provided include field {json.dumps(name)} is not part of the dataset relations",
            )
    return list(dict.fromkeys(names))


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


class SciCatStandIn(LoopbackServer):
    """The stand-in server. ``with SciCatStandIn(release="5.2.1") as scicat: scicat.url``."""

    thread_name = "scicat-standin"

    def __init__(
        self,
        *,
        accounts: dict[str, str] | None = None,
        token_lifetime: float = 3600,
        seed: int = 0,
        port: int = 0,
        release: str = "4.17.1",
    ) -> None:
        self.accounts = accounts if accounts is not None else {"portal-sync": "sync-password"}
        self.token_lifetime = token_lifetime
        self._seed = seed
        self._release = ""
        self.release = release
        self._catalogue = _Catalogue()
        self._tokens: dict[str, float] = {}  # token -> expiry (monotonic)
        self._faults: list[_Fault] = []
        self._seen: list[Seen] = []
        self.stalled = 0  # requests that hit a stall so far
        self._lock = threading.RLock()
        self._random = random.Random(seed)
        self._clock = _START
        self.started_at = _START  # "the server's start": publishedOn, dateOfDiskPurging
        self.v4_casts_dates = False  # True: a backend with PR #2346 (see the docstring)
        self.leak_relations = False  # True: relation lists ignore the caller's where
        self.public_only_lookups: set[str] = set()  # 4.17.1's sticky lookups (see _view)
        super().__init__(port=port)

    @property
    def release(self) -> str:
        return self._release

    @release.setter
    def release(self, value: str) -> None:
        if value not in RELEASES:
            raise ValueError(f"release must be one of {RELEASES}, not {value!r}")
        self._release = value

    def set_release(self, release: str) -> None:
        self.release = release

    @property
    def five(self) -> bool:
        return self._release == "5.2.1"

    def _build_server(self, address: tuple[str, int]) -> ThreadingHTTPServer:
        server = _Server(address, _Handler)
        server.standin = self
        return server

    def reset(self, *, release: str | None = None) -> None:
        """Empty, with the defaults again; the release is kept unless given."""
        with self._lock:
            if release is not None:
                self.release = release
            self._catalogue = _Catalogue()
            self._tokens.clear()
            self._faults.clear()
            self._seen.clear()
            self.stalled = 0
            self._random = random.Random(self._seed)
            self._clock = _START
            self.started_at = _START
            self.v4_casts_dates = False
            self.leak_relations = False
            self.public_only_lookups = set()

    # -- time -----------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The catalogue's clock: a millisecond later on every call, so writes are ordered."""
        with self._lock:
            self._clock += timedelta(milliseconds=1)
            return self._clock

    def set_clock(self, moment: datetime) -> None:
        with self._lock:
            self._clock = moment

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

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

    # -- faults ---------------------------------------------------------------------------------

    def fail(
        self,
        status: int = 503,
        *,
        times: int = 1,
        retry_after: str | None = None,
        path: str | None = None,
    ) -> None:
        with self._lock:
            self._faults.append(
                _Fault("fail", times, status=status, retry_after=retry_after, path=path)
            )

    def drop(self, *, times: int = 1, path: str | None = None) -> None:
        """Send the headers and part of the body of the next answer(s), then hang up."""
        with self._lock:
            self._faults.append(_Fault("drop", times, path=path))

    def stall(
        self, seconds: float, *, times: int = 1, path: str | None = None, after: int = 0
    ) -> None:
        """Answer the next request(s) only after ``seconds`` (after ``after`` others)."""
        with self._lock:
            self._faults.append(_Fault("stall", times, seconds=seconds, path=path, after=after))

    def expire_tokens(self) -> None:
        """Every token given out so far expires (4.17.1: calls with it become anonymous;
        5.2.1: 401 ``SESSION_EXPIRED``)."""
        with self._lock:
            for token in self._tokens:
                self._tokens[token] = 0.0

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path is None or path.startswith(fault.path):
                    if fault.after > 0:
                        fault.after -= 1
                        continue
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    @property
    def seen(self) -> list[Seen]:
        with self._lock:
            return list(self._seen)

    def requests(self, path_prefix: str) -> list[Seen]:
        return [s for s in self.seen if s.path.startswith(path_prefix)]

    # -- answering ------------------------------------------------------------------------------

    def _caller(self, header: str | None) -> bool:
        """True for a functional account's valid token; False for anonymous (no token, an
        unknown one, or, on 4.17.1, an expired one); 5.2.1 refuses an expired token."""
        if not header or not header.startswith("Bearer "):
            return False
        expiry = self._tokens.get(header[len("Bearer ") :])
        if expiry is None:
            return False
        if expiry > time.monotonic():
            return True
        if self.five:
            raise _Problem(401, "SESSION_EXPIRED")
        return False

    def _login(self, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict):
            raise _Problem(401, "Unauthorized")
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or self.accounts.get(username) != password:
            raise _Problem(401, "Unauthorized")
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = time.monotonic() + self.token_lifetime
        created = iso(datetime.now(UTC))
        return 201, {
            "access_token": token,
            "id": token,
            "expires_in": self.token_lifetime,
            "ttl": self.token_lifetime,
            "created": created,
            "userId": f"user-{username}",
            "user": {"username": username, "email": f"{username}@facility.example"},
        }

    @staticmethod
    def _param(params: dict[str, list[str]], name: str) -> str | None:
        return next(iter(params.get(name) or []), None)

    def answer(
        self,
        method: str,
        path: str,
        params: dict[str, list[str]],
        body: Any,
        auth: str | None,
        target: str | None = None,
    ) -> tuple[int, bytes, dict[str, str]]:
        target = target or path
        authed = self._caller(auth)  # the global JWT guard runs first, on every route
        if method == "POST" and path == "/api/v3/auth/login":
            status, doc = self._login(body)
            return status, _dumps(doc), {}
        if method != "GET":
            raise _Problem(404, f"Cannot {method} {target}")
        with self._lock:
            content = self._get(path, params, authed, target)
        return 200, content, {}

    def _get(self, path: str, params: dict[str, list[str]], authed: bool, target: str) -> bytes:
        if path == "/api/v3/health":
            return _dumps(_HEALTH)
        for prefix, api in (
            ("/api/v3/datasets", "v3"),
            ("/api/v4/datasets/public", "public"),
            ("/api/v4/datasets", "v4"),
        ):
            if path == prefix or path.startswith(prefix + "/"):
                if api == "v4" and not authed:
                    raise _Problem(403, "Forbidden resource")
                return self._datasets(api, path[len(prefix) :], params, authed)
        if path == "/api/v3/origdatablocks":
            if self.five and not authed:
                raise _Problem(403, "Forbidden resource")
            return self._v3_blocks(params)
        if path in ("/api/v4/origdatablocks", "/api/v4/origdatablocks/public") and self.five:
            public = path.endswith("/public")
            if not public and not authed:
                raise _Problem(403, "Forbidden resource")
            return self._v4_docs("blocks", params, public=public)
        if path in ("/api/v4/attachments", "/api/v4/attachments/public"):
            # anonymous on the first: the access filter leaves the published ones
            public = path.endswith("/public") or not authed
            return self._v4_docs("attachments", params, public=public)
        if path == "/api/v3/instruments":
            return self._instruments(params)
        if path == "/api/v3/proposals":
            return self._proposals(params, authed)
        for prefix in ("/api/v3/publisheddata", "/api/v4/publisheddata"):
            if path in (prefix, prefix + "/count") and (self.five or "v3" in prefix):
                return self._published_data(
                    params, authed, v4="v4" in prefix, count=path.endswith("/count")
                )
        raise _Problem(404, f"Cannot GET {target}")

    # -- datasets -------------------------------------------------------------------------------

    def _datasets(self, api: str, rest: str, params: dict[str, list[str]], authed: bool) -> bytes:
        raw = self._param(params, "filter")
        five = self.five
        count = rest == "/count"
        include: list[str] = []
        if api == "v3":
            if raw and not five:
                raw = _text_ops_4171(raw)
            doc = _parse_filter(raw)
            where = doc.get("where") or {}
            where = _map_ops_521(where) if five else _like_4171(where)
            if rest and not count:
                return self._v3_dataset(unquote(rest[1:]), doc, authed)
            if not authed:
                where = {**where, "isPublished": True} if five else {"isPublished": True}
            where = _v3_renames(where)
            strict = count or not five  # 4.17.1 lists with Mongoose find, 5.2.1 aggregates
            query = _Where(where, cast_dates=True, strict=strict)
            limits = _loopback_limits(doc.get("limits"), sort_too=five)
            include = _include_names(doc.get("include"), lenient=not five)
        else:
            if rest and not count:
                return self._v4_dataset(unquote(rest[1:]), params, authed, public=api == "public")
            doc = _parse_filter(raw)
            sections = _NO_INCLUDE if count else _ALL_SECTIONS
            _validate_v4(
                doc,
                _DATASET_KEYS_5 if five else _DATASET_KEYS_4,
                sections=sections,
                arbitrary=five,
            )
            where = doc.get("where") or {}
            if api == "public":
                where = {**where, "isPublished": True}
            cast = count or self.v4_casts_dates
            query = _Where(where, cast_dates=cast, strict=count)
            limits = _v4_limits(doc.get("limits"), key_by_key=five)
            include = _include_names(doc.get("include"))
        if count:
            total = sum(1 for e in self._catalogue.datasets.values() if query.matches(e))
            return _dumps({"count": total})
        fields = _fields(doc)
        view = self._view(api, authed, include)
        rows = self._rows(query, limits)
        return (
            b"["
            + b",".join(
                self._render(e, v3=api == "v3", fields=fields, include=include, view=view)
                for e in rows
            )
            + b"]"
        )

    def _view(self, api: str, authed: bool, include: list[str]) -> str:
        """Which related records an include joins, by caller (not by route):

        * "legacy": 4.17.1 v3 (every block of the catalogue, the dataset's attachments);
        * "all": 5.2.1 v3 (it skips the access pipelines, even for anonymous callers) and
          5.2.1 authenticated v4;
        * "public": anonymous v4 (origdatablocks and proposals with ``isPublished`` only);
        * "auth4": 4.17.1 authenticated v4: SciCat 4.17.1 writes the access pipeline into its
          module-wide ``$lookup`` stages, so after an anonymous include of origdatablocks or
          proposals every caller gets published ones only (:attr:`public_only_lookups`, until
          the server restarts: :meth:`reset`)."""
        if api == "v3":
            return "all" if self.five else "legacy"
        if not authed:
            if not self.five:
                self.public_only_lookups.update(
                    n for n in include if n in ("origdatablocks", "proposals")
                )
            return "public"
        return "all" if self.five else "auth4"

    def _v3_dataset(self, pid: str, doc: Raw, authed: bool) -> bytes:
        entry = self._catalogue.datasets.get(pid)
        if entry is None:
            raise _Problem(404, f"dataset: {pid} not found")
        if not authed and not entry.is_published:
            raise _Problem(403, "Unauthorized access")
        # 4.17.1 ignores include here; 5.2.1 joins.
        include = _include_names(doc.get("include")) if self.five else []
        view = self._view("v3", authed, include)
        return self._render(entry, v3=True, fields=None, include=include, view=view)

    def _v4_dataset(
        self, pid: str, params: dict[str, list[str]], authed: bool, *, public: bool
    ) -> bytes:
        include: list[str] = []
        for value in params.get("include") or []:
            with contextlib.suppress(ValueError):
                parsed = json.loads(value)
                if isinstance(parsed, dict):
                    include.extend(_include_names(parsed.get("include")))
                    continue
            include.extend(_include_names(value.split(",")))
        entry = self._catalogue.datasets.get(pid)
        if entry is None or (public and not entry.is_published):
            if public:
                return b""  # NestJS answers null with an empty 200
            if self.five:
                raise _Problem(404, "dataset: null not found")
            raise _Problem(500, "TypeError: reading 'pid' of null")
        view = self._view("v4", authed, include)
        return self._render(entry, v3=False, fields=None, include=include, view=view)

    def _rows(self, query: _Where, limits: _Limits) -> list[_Entry]:
        catalogue = self._catalogue
        catalogue.reindex()
        entries: Iterable[_Entry]
        order = [name for name, _ in limits.order]
        descending = any(desc for _, desc in limits.order)
        sorted_already = False
        if not descending and order in (["updatedAt", "pid"], ["updatedAt"]):
            bound = query.bounds("updatedAt")
            start = 0
            if bound is not None:
                moment = _parse_time(bound[0])
                if moment is not None:
                    key = (moment, "") if bound[1] else (moment, "\U0010ffff")
                    start = bisect.bisect_left(catalogue.by_updated, key)
            entries = (catalogue.datasets[pid] for _, pid in catalogue.by_updated[start:])
            sorted_already = True
        elif not descending and order == ["pid"]:
            bound = query.bounds("pid")
            start = 0
            if bound is not None and isinstance(bound[0], str):
                position = bisect.bisect_left if bound[1] else bisect.bisect_right
                start = position(catalogue.by_pid, bound[0])
            entries = (catalogue.datasets[pid] for pid in catalogue.by_pid[start:])
            sorted_already = True
        else:
            entries = catalogue.datasets.values()
        wanted = limits.skip + limits.limit
        single_key = len(order) == 1
        found: list[_Entry] = []
        for entry in entries:
            if query.matches(entry):
                found.append(entry)
                # Sorted on the first key: past the page's last value nothing can come first.
                if (
                    sorted_already
                    and len(found) > wanted
                    and (not single_key or entry.get(order[0]) != found[wanted - 1].get(order[0]))
                ):
                    break
        if not sorted_already:
            for name, desc in reversed(limits.order):
                found.sort(key=_sorter(name), reverse=desc)
        if single_key:
            found = self._shuffle_ties([(e.get(order[0]), e) for e in found])
        return found[limits.skip : wanted]

    def _shuffle_ties(self, keyed: list[tuple[Any, Any]]) -> list[Any]:
        """The records of a list sorted on one key (given with each), ties in random order."""
        out: list[Any] = []
        group: list[Any] = []
        last: Any = _MISSING
        for value, record in keyed:
            if group and value != last:
                if len(group) > 1:
                    self._random.shuffle(group)
                out.extend(group)
                group = []
            last = value
            group.append(record)
        if len(group) > 1:
            self._random.shuffle(group)
        out.extend(group)
        return out

    def _render(
        self, entry: _Entry, *, v3: bool, fields: list[str] | None, include: list[str], view: str
    ) -> bytes:
        relations = self._relations(entry, include, view) if include else []
        if fields:
            if entry.record is not None:
                record = _project(entry.record, fields)
            else:
                record = {"_id": entry.pid}
                for name in fields:
                    value = entry.get(name)
                    if value is _MISSING:
                        continue
                    if isinstance(value, datetime):
                        value = iso(value)
                    node = record
                    *heads, last = name.split(".")
                    for head in heads:
                        node = node.setdefault(head, {})
                    node[last] = value
            if v3:
                record.update(_v3_additions(record))
            if relations and not self.five and not v3:  # 4.17.1 projects after the lookups
                relations = [(n, docs) for n, docs in relations if n in fields]
            extra = b",".join(
                b'"' + name.encode() + b'":[' + b",".join(docs) + b"]" for name, docs in relations
            )
            return _splice(_dumps(record), extra)
        blob = entry.v3_blob() if v3 else entry.blob
        extra = b",".join(
            b'"' + name.encode() + b'":[' + b",".join(docs) + b"]" for name, docs in relations
        )
        return _splice(blob, extra)

    def _relations(
        self, entry: _Entry, names: list[str], view: str
    ) -> list[tuple[str, list[bytes]]]:
        catalogue = self._catalogue
        pid = entry.pid
        out: list[tuple[str, list[bytes]]] = []
        for name in names:
            docs: list[_Doc]
            sticky = view == "auth4" and name in self.public_only_lookups
            if name == "origdatablocks":
                if view == "legacy":  # findAll({datasetId}): no "where", so every block
                    docs = list(itertools.islice(catalogue.blocks.docs.values(), 100))
                else:
                    docs = catalogue.blocks.of(pid)
                    if view == "public" or sticky:
                        docs = [d for d in docs if d.fields.get("isPublished") is True]
            elif name == "attachments":
                if view == "legacy":
                    docs = sorted(
                        catalogue.attachments.of(pid),
                        key=lambda d: _sort_key(d.get("createdAt")),
                        reverse=True,
                    )[:10]
                elif not self.five:  # 4.17.1 joins Attachment.datasetId, which is never stored
                    docs = []
                else:
                    docs = catalogue.attachments.of(pid)
            elif name in ("instruments", "proposals"):
                if view == "legacy":
                    continue  # 4.17.1 v3 joins these not at all
                collection = catalogue.instruments if name == "instruments" else catalogue.proposals
                ids = entry.instrument_ids if name == "instruments" else entry.proposal_ids
                docs = [collection.docs[i] for i in ids if i in collection.docs]
                if name == "proposals" and (view == "public" or sticky):
                    docs = [d for d in docs if d.fields.get("isPublished") is True]
            elif name == "datablocks" or view != "legacy":
                docs = []
            else:
                continue
            out.append((name, [d.blob for d in docs]))
        return out

    # -- other collections ----------------------------------------------------------------------

    def _list(
        self,
        collection: _Collection,
        where: _Where,
        limits: _Limits,
        fields: list[str] | None,
        *,
        key: str,
    ) -> bytes:
        candidates, exact = collection.candidates(where.where, key)
        found = list(candidates) if exact else [d for d in candidates if where.matches(d)]
        if len(limits.order) == 1:
            name, desc = limits.order[0]
            keyed = [(_sort_key(d.get(name)), d) for d in found]
            keyed.sort(key=operator.itemgetter(0), reverse=desc)
            found = self._shuffle_ties(keyed)
        else:
            for name, desc in reversed(limits.order):
                found.sort(key=_sorter(name), reverse=desc)
        page = found[limits.skip : limits.skip + limits.limit]
        if fields:
            return _dumps([_project(d.full(), fields) for d in page])
        return b"[" + b",".join(d.blob for d in page) + b"]"

    def _leaky(self, where: _Where) -> _Where:
        return _Where({}, cast_dates=True, strict=False) if self.leak_relations else where

    def _v3_blocks(self, params: dict[str, list[str]]) -> bytes:
        doc = _parse_filter(self._param(params, "filter"))
        where = _fullquery_where(doc.get("where"))
        query = self._leaky(_Where(where, cast_dates=True, strict=True))
        limits = _loopback_limits(doc.get("limits"), sort_too=self.five)
        return self._list(self._catalogue.blocks, query, limits, _fields(doc), key="datasetId")

    def _v4_docs(self, kind: str, params: dict[str, list[str]], *, public: bool) -> bytes:
        doc = _parse_filter(self._param(params, "filter"))
        blocks = kind == "blocks"
        _validate_v4(
            doc,
            _BLOCK_KEYS if blocks else _ATTACHMENT_KEYS,
            sections=_ALL_SECTIONS if blocks else _NO_INCLUDE,
            extra_ops=() if blocks else ("$elemMatch",),
            arbitrary=self.five,
        )
        if blocks:
            for item in doc.get("include") or []:
                name = item.get("relation") if isinstance(item, dict) else item
                if name not in ("dataset", "all"):
                    raise _Problem(
                        400,
                        f"Provided include field {json.dumps(name)} is not part of the "
                        "dataset relations",
                    )
        where = doc.get("where") or {}
        if public:
            where = {**where, "isPublished": True}
        query = self._leaky(_Where(where, cast_dates=False, strict=False))
        limits = _v4_limits(doc.get("limits"), key_by_key=False)
        collection = self._catalogue.blocks if blocks else self._catalogue.attachments
        key = "datasetId" if blocks else "relationships.targetId"
        return self._list(collection, query, limits, _fields(doc), key=key)

    def _instruments(self, params: dict[str, list[str]]) -> bytes:
        doc = _parse_filter(self._param(params, "filter"))
        where = doc.get("where") or {}
        where = _map_ops_521(_json_leaves(where)) if self.five else _like_4171(where)
        query = self._leaky(_Where(where, cast_dates=True, strict=True))
        limits = _loopback_limits(doc.get("limits"), sort_too=self.five)
        return self._list(self._catalogue.instruments, query, limits, _fields(doc), key="pid")

    def _proposals(self, params: dict[str, list[str]], authed: bool) -> bytes:
        doc = _parse_filter(self._param(params, "filters"))  # "filter" is not read at all
        where = doc.get("where") or {}
        if not isinstance(where, dict):
            raise _Problem(500, "where must be an object")
        if not authed:
            where = {**where, "isPublished": True}
        query = self._leaky(_Where(where, cast_dates=True, strict=True))
        limits = _loopback_limits(doc.get("limits"), sort_too=self.five)
        # find(where) without a projection: "fields" changes nothing
        return self._list(self._catalogue.proposals, query, limits, None, key="proposalId")

    def _published_data(
        self, params: dict[str, list[str]], authed: bool, *, v4: bool, count: bool
    ) -> bytes:
        doc = _parse_filter(self._param(params, "filter"))
        limits_param = self._param(params, "limits")
        fields_param = self._param(params, "fields")
        projection: list[str] | None = None
        if not self.five:
            # find({...createFullqueryFilter(fields), ...where}); fields: the filter's, else
            # the "fields" parameter. The RegisteredInterceptor meant to add status
            # "registered" to that parameter for anonymous callers, but with Express 5
            # req.query is parsed anew on every read: anonymous callers see every status.
            fields: Any = doc.get("fields")
            if not fields and not isinstance(fields, list | dict):  # JavaScript's falsy
                fields = _parse_filter(fields_param)
            if isinstance(fields, list):
                if fields:
                    raise _Problem(500, "TypeError: cannot use 'in' operator to search for 'begin'")
                fields = {}
            if not isinstance(fields, dict):
                raise _Problem(500, "fields must be an object")
            conditions = {k: ({"$in": v} if isinstance(v, list) else v) for k, v in fields.items()}
            where = {**conditions, **(doc.get("where") or {})}
            limits_doc = doc.get("limits") or _parse_filter(limits_param)
            limits = _loopback_limits(limits_doc, sort_too=False)
        else:
            where = _map_ops_521(doc.get("where") or {})
            if v4 and fields_param:
                extra = _map_ops_521(_parse_filter(fields_param))
                where = extra if not where else {"$and": [extra, where]}
            if not authed:
                where = {**where, "status": "registered"}
                if v4:
                    where["$or"] = [
                        {"status": "public"},
                        {"status": "registered"},
                        {"status": "amended"},
                        {"status": "private", "createdBy": None},
                    ]
            limits_doc = doc.get("limits") or _parse_filter(limits_param)
            limits = _loopback_limits(limits_doc, sort_too=True)
            projection = _fields(doc)
        query = _Where(where, cast_dates=True, strict=True)
        records = [r for r in self._catalogue.published_data.values() if query.matches(_View(r))]
        if count:
            return _dumps({"count": len(records)})
        for name, desc in reversed(limits.order):
            records.sort(key=_record_sorter(name), reverse=desc)
        page = records[limits.skip : limits.skip + limits.limit]
        if projection:
            page = [_project(r, projection) for r in page]
        return _dumps(page)


def _sort_key(value: Any) -> tuple[int, Any]:
    """MongoDB's order of types: null, numbers, strings, objects, arrays, booleans, dates."""
    if value is _MISSING or value is None:
        return (0, "")
    if isinstance(value, bool):
        return (5, value)
    if isinstance(value, int | float):
        return (1, float(value))
    if isinstance(value, str):
        return (2, value)
    if isinstance(value, dict):
        return (3, json.dumps(value, sort_keys=True))
    if isinstance(value, list):
        return (4, json.dumps(value, sort_keys=True, default=str))
    if isinstance(value, datetime):
        return (6, value.timestamp())
    return (7, str(value))


def _sorter(name: str) -> Callable[[Any], tuple[int, Any]]:
    return lambda entry: _sort_key(entry.get(name))


def _record_sorter(name: str) -> Callable[[Raw], tuple[int, Any]]:
    return lambda record: _sort_key(_lookup(record, name))


# -- HTTP ---------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    standin: SciCatStandIn


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK add 40 ms to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests look at :attr:`SciCatStandIn.seen` instead."""

    def _send(self, status: int, content: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(content)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(content)

    def _handle(self, method: str) -> None:
        standin = self.server.standin
        parts = urlsplit(self.path)
        path = parts.path
        params = parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        auth = self.headers.get("Authorization")
        fault = standin._take_fault(path)
        headers: dict[str, str] = {}
        detail: str | None = None
        if fault is not None and fault.kind == "fail":
            status = fault.status
            content = _dumps({"statusCode": status, "message": "stand-in fault"})
            detail = "stand-in fault"
            if fault.retry_after:
                headers["Retry-After"] = fault.retry_after
        else:
            if fault is not None and fault.kind == "stall":
                with standin._lock:
                    standin.stalled += 1
                time.sleep(fault.seconds)
            try:
                try:
                    body = json.loads(raw_body) if raw_body else None
                except ValueError:
                    raise _Problem(400, "the body is not JSON") from None
                status, content, headers = standin.answer(
                    method, path, params, body, auth, target=self.path
                )
            except _Problem as problem:
                status = problem.status
                content = problem.body()
                detail = problem.message
        # Kept before answering, so a test that has its answer also sees its request here.
        with standin._lock:
            standin._seen.append(Seen(method, path, params, status, auth, detail))
        try:
            if fault is not None and fault.kind == "drop":
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content[: max(1, len(content) // 2)])
                self.wfile.flush()
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(2)
                return
            self._send(status, content, headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")


def main(argv: list[str] | None = None) -> int:
    """Serve an export until killed: ``python -m tests.standins.scicat --export DIR``."""
    parser = argparse.ArgumentParser(prog="python -m tests.standins.scicat")
    parser.add_argument("--export", type=Path, required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--release", choices=RELEASES, default="4.17.1")
    parser.add_argument("--ready-file", type=Path, help="write the URL here once serving")
    args = parser.parse_args(argv)
    standin = SciCatStandIn(port=args.port, release=args.release)
    count = standin.load_export(args.export)
    standin.start()
    if args.ready_file:
        args.ready_file.write_text(standin.url)
    print(f"serving {count} datasets at {standin.url} as SciCat {standin.release}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        standin.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
