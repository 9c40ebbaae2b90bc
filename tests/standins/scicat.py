"""A SciCat backend stand-in: a real HTTP server on 127.0.0.1 (a thread, or a process of its own).

It answers the parts of SciCat's API the portal's sync reads, as the real backend does (only
``SCICAT_URL`` differs; see SciCatProject/backend):

* ``POST /api/v3/auth/login`` with ``{"username", "password"}``: 201 with ``access_token``,
  ``id`` (the same JWT-like token), ``expires_in``; 401 for a wrong account. v3 calls need
  ``Authorization: Bearer <token>``; an unknown or expired token gets 401.
* ``GET /api/v3/datasets?filter=`` (and ``/count``, ``/{pid}``): LoopBack filters. ``where`` with
  ``and`` / ``or`` / ``gt`` / ``gte`` / ``lt`` / ``lte`` / ``inq`` / ``nin`` / ``neq``, dotted field
  names; ``fields`` (a list); ``include`` (``[{"relation": name}]`` or names); ``limits`` with
  ``limit`` (default 100), ``skip`` and one ``order`` ``"field:asc|desc"`` (a ``sort`` object is
  ignored, as v3 does). Records come in v3 shape: singular ``proposalId``, ``instrumentId``,
  ``sampleId``, ``principalInvestigator``. Unpublished records are shown (a functional account).
* ``GET /api/v4/datasets/public?filter=`` (and ``/count``, ``/{pid}?include=``): no login, only
  ``isPublished`` records. MongoDB operators (``$gt``, ``$in``, ``$or``, ...); ``limits`` with
  ``limit`` (default 10), ``skip`` and a ``sort`` object (default ``createdAt`` descending); any
  other key in the filter is refused with 400, as SciCat's FilterValidationPipe does.
  Dates in ``where`` are ISO text: SciCat answers v4 lists with a MongoDB aggregation pipeline,
  which casts nothing, and casts date-like strings to dates itself only since
  SciCatProject/backend PR #2346 (November 2025); ``/count`` (``countDocuments``) always casts.
  ``v4_casts_dates = False`` plays an older backend: in a v4 list, a date given as text matches
  no record (MongoDB never finds a string equal to, or ordered against, a date).
* ``GET /api/v3/publisheddata`` / ``/api/v4/publisheddata``: LoopBack filters in both versions
  (``order``, not ``sort``); anonymous callers see ``registered`` / ``amended`` records only.
* Ties: with one sort key, records sharing the value come back in a different order on every
  request (MongoDB promises no order among ties), so a client that pages on ``updatedAt`` alone
  is caught out.

Ids contain ``/``; in paths they arrive URL-encoded. Errors look like NestJS's:
``{"statusCode": 400, "message": "..."}``.

Faults for tests: :meth:`fail` (answer with a status, optionally ``Retry-After``), :meth:`drop`
(send the headers and half the body of a page, then hang up), :meth:`stall` (answer only after
a delay: a client timeout), :meth:`expire_tokens` (every token given out so far stops working).
Every request is kept in :attr:`seen`.

For the benchmark, ``python -m tests.standins.scicat --export DIR`` serves a saved export (as
written by ``bench.generate``) from a process of its own, each record pre-rendered as JSON with
its origdatablocks, attachments, instrument and proposal, so that serving a page is joining bytes.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import json
import random
import secrets
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.standins import LoopbackServer

Raw = dict[str, Any]
RELATIONS = ("origdatablocks", "attachments", "instruments", "proposals", "datablocks", "samples")
PUBLIC_PUBLISHED_DATA = {"registered", "amended"}
_V4_WHERE_OPS = {"$in", "$or", "$and", "$nor", "$eq", "$gt", "$gte", "$lt", "$lte", "$ne", "$nin"}
_V3_WHERE_OPS = {"and", "or", "inq", "nin", "gt", "gte", "lt", "lte", "neq", "eq", "like"}
_MISSING = object()


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


class _Problem(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# -- the records --------------------------------------------------------------------------------


@dataclass
class _Entry:
    """One dataset: its record (or, served from an export, its pre-rendered JSON)."""

    pid: str
    updated_at: datetime
    created_at: datetime
    is_published: bool
    date_of_publishing: datetime | None
    record: Raw | None = None
    blob: bytes | None = None  # the v4 record with its relations, as JSON (export mode)

    def get(self, path: str) -> Any:
        if path == "pid":
            return self.pid
        if path == "updatedAt":
            return self.updated_at
        if path == "createdAt":
            return self.created_at
        if path == "isPublished":
            return self.is_published
        if path == "datasetlifecycle.dateOfPublishing":
            return self.date_of_publishing if self.date_of_publishing else _MISSING
        if self.record is None:
            raise _Problem(400, f"stand-in: {path} cannot be queried on a served export")
        value: Any = self.record
        for part in path.split("."):
            if not isinstance(value, dict) or part not in value:
                return _MISSING
            value = value[part]
        return _parse_time(value) or value


def _entry(record: Raw) -> _Entry:
    lifecycle = record.get("datasetlifecycle") or {}
    return _Entry(
        pid=record["pid"],
        updated_at=_parse_time(record.get("updatedAt")) or datetime.now(UTC),
        created_at=_parse_time(record.get("createdAt")) or datetime.now(UTC),
        is_published=record.get("isPublished") is True,
        date_of_publishing=_parse_time(lifecycle.get("dateOfPublishing"))
        if isinstance(lifecycle, dict)
        else None,
        record=record,
    )


# -- filters ------------------------------------------------------------------------------------


def _compare(value: Any, op: str, operand: Any, *, cast: bool = True) -> bool:
    if isinstance(value, datetime):
        if isinstance(operand, str) and not cast:
            return op in {"ne", "nin"}  # a string is never equal to, or ordered against, a date
        operand = _parse_time(operand) if isinstance(operand, str) else operand
        if not isinstance(operand, datetime) and op not in {"in", "nin"}:
            return False
    if op == "eq":
        return value == operand
    if op == "ne":
        return value != operand
    if op in {"in", "nin"}:
        if not isinstance(operand, list):
            raise _Problem(400, f"${op} needs an array")
        # value may be a datetime
        found = any(_compare(value, "eq", item, cast=cast) for item in operand)
        return found if op == "in" else not found
    if value is _MISSING or value is None or isinstance(value, (dict, list)):
        return False
    try:
        if op == "gt":
            return bool(value > operand)
        if op == "gte":
            return bool(value >= operand)
        if op == "lt":
            return bool(value < operand)
        if op == "lte":
            return bool(value <= operand)
    except TypeError:
        return False
    raise _Problem(400, f"unknown operator {op}")


class _Where:
    """A compiled ``where``: LoopBack (v3) or MongoDB (v4) syntax."""

    def __init__(self, where: Any, *, v3: bool, cast_dates: bool = True) -> None:
        if where is None:
            where = {}
        if not isinstance(where, dict):
            raise _Problem(400, "where must be an object")
        self.v3 = v3
        self.cast_dates = cast_dates
        self.where = where
        self._check(where)

    def _op(self, key: str) -> str | None:
        if self.v3:
            return key if key in _V3_WHERE_OPS else None
        if key.startswith("$"):
            if key not in _V4_WHERE_OPS:
                raise _Problem(400, f"Property where.{key} should not exist in the filter object")
            return key[1:]
        return None

    def _check(self, node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                self._op(key)
                self._check(value)
        elif isinstance(node, list):
            for item in node:
                self._check(item)

    def matches(self, entry: _Entry) -> bool:
        return self._node(self.where, entry)

    def _node(self, node: Raw, entry: _Entry) -> bool:
        for key, condition in node.items():
            op = self._op(key)
            if op in {"and", "or", "nor"}:
                if not isinstance(condition, list):
                    raise _Problem(400, f"{key} needs an array")
                results = [self._node(part, entry) for part in condition]
                ok = all(results) if op == "and" else any(results)
                if (not ok) if op != "nor" else any(results):
                    return False
                continue
            if not self._field(entry.get(key), condition):
                return False
        return True

    def _field(self, value: Any, condition: Any) -> bool:
        if (
            isinstance(condition, dict)
            and condition
            and all(self._op(k) is not None for k in condition)
        ):
            for key, operand in condition.items():
                op = self._op(key)
                assert op is not None
                op = {"inq": "in", "neq": "ne"}.get(op, op)
                if not _compare(value, op, operand, cast=self.cast_dates):
                    return False
            return True
        if isinstance(value, list):
            return condition in value
        return _compare(value, "eq", condition, cast=self.cast_dates)

    def bounds(self, name: str) -> tuple[Any, bool] | None:
        """A lower bound on a top-level field the where implies, for a fast start: (value,
        inclusive). Conditions inside ``or`` are not looked at."""
        condition = self.where.get(name)
        if condition is None:
            return None
        if not isinstance(condition, dict):
            return (condition, True)
        for key, operand in condition.items():
            op = self._op(key)
            if op in {"gte", "eq"}:
                return (operand, True)
            if op == "gt":
                return (operand, False)
        return None


@dataclass
class _Query:
    where: _Where
    fields: list[str] | None
    include: list[str]
    limit: int
    skip: int
    order: list[tuple[str, bool]]  # (field, descending)
    single_key: bool  # v3: ties come back in any order


def _query(
    raw: str | None,
    *,
    v3: bool,
    published_only: bool,
    count: bool = False,
    cast_dates: bool = True,
) -> _Query:
    try:
        doc = json.loads(raw) if raw else {}
    except ValueError as exc:
        raise _Problem(400, f"Invalid JSON in filter: {exc}") from None
    if not isinstance(doc, dict):
        raise _Problem(400, "the filter must be a JSON object")
    allowed = {"where"} if count else {"where", "include", "fields", "limits"}
    for key in doc:
        if key not in allowed and not v3:
            raise _Problem(400, f"Property {key} should not exist in the filter object")
    where = dict(doc.get("where") or {})
    if published_only:
        where["isPublished"] = True
    fields = doc.get("fields")
    if fields is not None and not (
        isinstance(fields, list) and all(isinstance(f, str) for f in fields)
    ):
        raise _Problem(400, "fields must be a list of names")
    include: list[str] = []
    for item in doc.get("include") or []:
        name = item.get("relation") if isinstance(item, dict) else item
        if name not in RELATIONS and name != "all":
            raise _Problem(400, f"Invalid include {name!r}")
        include.extend(RELATIONS[:4] if name == "all" else [name])
    limits = doc.get("limits") or {}
    if not isinstance(limits, dict):
        raise _Problem(400, "limits must be an object")
    if not v3:
        for key in limits:
            if key not in {"limit", "skip", "sort"}:
                raise _Problem(400, f"Property limits.{key} should not exist in the filter object")
    limit = limits.get("limit") or (100 if v3 else 10)
    skip = limits.get("skip") or 0
    if not isinstance(limit, int) or not isinstance(skip, int) or limit < 0 or skip < 0:
        raise _Problem(400, "limit and skip must be whole numbers")
    order: list[tuple[str, bool]] = []
    if v3:
        value = limits.get("order")
        if isinstance(value, str) and value:
            name, _, direction = value.partition(":")
            if direction in {"asc", "desc"}:
                order = [(name, direction == "desc")]
    else:
        sort = limits.get("sort", {"createdAt": "desc"})
        if not isinstance(sort, dict):
            raise _Problem(400, "limits.sort must be an object")
        order = [(name, direction == "desc") for name, direction in sort.items()]
    return _Query(
        where=_Where(where, v3=v3, cast_dates=cast_dates),
        fields=fields,
        include=include,
        limit=limit,
        skip=skip,
        order=order,
        single_key=len(order) == 1,
    )


# -- the stored catalogue -----------------------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    authorization: str | None

    @property
    def filter(self) -> Raw:
        values = self.query.get("filter")
        return json.loads(values[0]) if values else {}


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
    blocks: dict[str, list[Raw]] = field(default_factory=lambda: defaultdict(list))
    attachments: dict[str, list[Raw]] = field(default_factory=lambda: defaultdict(list))
    instruments: dict[str, Raw] = field(default_factory=dict)
    proposals: dict[str, Raw] = field(default_factory=dict)
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
    """The stand-in server. ``with SciCatStandIn() as scicat: scicat.url``."""

    thread_name = "scicat-standin"

    def __init__(
        self,
        *,
        accounts: dict[str, str] | None = None,
        token_lifetime: float = 3600,
        seed: int = 0,
        port: int = 0,
    ) -> None:
        self.accounts = accounts if accounts is not None else {"portal-sync": "sync-password"}
        self.token_lifetime = token_lifetime
        self._catalogue = _Catalogue()
        self._tokens: dict[str, float] = {}  # token -> expiry (monotonic)
        self._faults: list[_Fault] = []
        self._seen: list[Seen] = []
        self.stalled = 0  # requests that hit a stall so far
        self._lock = threading.RLock()
        self._random = random.Random(seed)
        self._clock = datetime(2025, 1, 1, tzinfo=UTC)
        self.v4_casts_dates = True  # False: a backend from before PR #2346 (see the docstring)
        super().__init__(port=port)

    def _build_server(self, address: tuple[str, int]) -> ThreadingHTTPServer:
        server = _Server(address, _Handler)
        server.standin = self
        return server

    def reset(self) -> None:
        with self._lock:
            self._catalogue = _Catalogue()
            self._tokens.clear()
            self._faults.clear()
            self._seen.clear()
            self.stalled = 0
            self._clock = datetime(2025, 1, 1, tzinfo=UTC)
            self.v4_casts_dates = True

    # -- time -----------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The catalogue's clock: a millisecond later on every call, so writes are ordered."""
        with self._lock:
            self._clock += timedelta(milliseconds=1)
            return self._clock

    def set_clock(self, moment: datetime) -> None:
        with self._lock:
            self._clock = moment

    # -- writing the catalogue (what SciCat's ingestors and curators do) -------------------------

    def put_dataset(
        self,
        record: Raw,
        *,
        blocks: Iterable[Raw] | None = None,
        attachments: Iterable[Raw] | None = None,
        updated_at: datetime | None = None,
    ) -> Raw:
        """Create or replace a dataset (v4 shape); ``updatedAt`` is now unless given."""
        with self._lock:
            record = json.loads(json.dumps(record))
            stamp = updated_at or self.now()
            record["updatedAt"] = iso(stamp)
            record.setdefault("createdAt", record["updatedAt"])
            pid = record["pid"]
            self._catalogue.datasets[pid] = _entry(record)
            if blocks is not None:
                self._catalogue.blocks[pid] = [
                    {**json.loads(json.dumps(b)), "datasetId": pid} for b in blocks
                ]
            if attachments is not None:
                self._catalogue.attachments[pid] = [json.loads(json.dumps(a)) for a in attachments]
            self._catalogue.dirty = True
            return record

    def update_dataset(
        self, pid: str, *, updated_at: datetime | None = None, **changes: Any
    ) -> Raw:
        with self._lock:
            entry = self._catalogue.datasets[pid]
            assert entry.record is not None
            record = {**entry.record, **changes}
            return self.put_dataset(record, updated_at=updated_at)

    def publish(self, pid: str, *, updated_at: datetime | None = None) -> Raw:
        return self.update_dataset(pid, isPublished=True, updated_at=updated_at)

    def unpublish(self, pid: str, *, updated_at: datetime | None = None) -> Raw:
        return self.update_dataset(pid, isPublished=False, updated_at=updated_at)

    def delete_dataset(self, pid: str) -> None:
        with self._lock:
            self._catalogue.datasets.pop(pid, None)
            self._catalogue.blocks.pop(pid, None)
            self._catalogue.attachments.pop(pid, None)
            self._catalogue.dirty = True

    def put_instrument(self, record: Raw) -> None:
        with self._lock:
            self._catalogue.instruments[record["pid"]] = dict(record)

    def put_proposal(self, record: Raw) -> None:
        with self._lock:
            self._catalogue.proposals[record["proposalId"]] = dict(record)

    def put_published_data(self, record: Raw, *, updated_at: datetime | None = None) -> Raw:
        with self._lock:
            record = json.loads(json.dumps(record))
            record["updatedAt"] = iso(updated_at or self.now())
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
        """Serve a saved v4 export (``bench.generate`` layout), each record pre-rendered."""
        files = sorted(path.glob("datasets.v4.*.json")) or [path / "datasets.v4.json"]
        instruments = {i["pid"]: i for i in json.loads((path / "instruments.v4.json").read_text())}
        proposals = {
            p["proposalId"]: p for p in json.loads((path / "proposals.v4.json").read_text())
        }
        published = path / "publisheddata.v4.json"
        if published.exists():
            for record in json.loads(published.read_text()):
                self._catalogue.published_data[record["doi"]] = record
        count = 0
        for datasets_file in files:
            suffix = datasets_file.name[len("datasets") :]
            blocks: dict[str, list[Raw]] = defaultdict(list)
            attachments: dict[str, list[Raw]] = defaultdict(list)
            blocks_file = path / f"origdatablocks{suffix}"
            if blocks_file.exists():
                for block in json.loads(blocks_file.read_text()):
                    blocks[block["datasetId"]].append(block)
            attachments_file = path / f"attachments{suffix}"
            if attachments_file.exists():
                for attachment in json.loads(attachments_file.read_text()):
                    for rel in attachment.get("relationships") or []:
                        attachments[rel.get("targetId")].append(attachment)
            for record in json.loads(datasets_file.read_text()):
                entry = _entry(record)
                pid = entry.pid
                full = {
                    **record,
                    "origdatablocks": blocks.get(pid, []),
                    "attachments": attachments.get(pid, []),
                    "instruments": [
                        instruments[i] for i in record.get("instrumentIds", []) if i in instruments
                    ],
                    "proposals": [
                        proposals[p] for p in record.get("proposalIds", []) if p in proposals
                    ],
                }
                entry.blob = json.dumps(full, separators=(",", ":")).encode()
                entry.record = None
                self._catalogue.datasets[pid] = entry
                count += 1
            if progress:
                progress(count)
        self._catalogue.dirty = True
        self._catalogue.reindex()
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

    def _authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        expiry = self._tokens.get(header[len("Bearer ") :])
        return expiry is not None and expiry > time.monotonic()

    def _login(self, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict):
            raise _Problem(400, "username and password are required")
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

    def _rows(self, query: _Query, *, v3: bool) -> list[_Entry]:
        catalogue = self._catalogue
        catalogue.reindex()
        entries: Iterable[_Entry]
        order = [name for name, _ in query.order]
        descending = any(desc for _, desc in query.order)
        sorted_already = False
        if not descending and order in (["updatedAt", "pid"], ["updatedAt"]):
            bound = query.where.bounds("updatedAt")
            start = 0
            if bound is not None:
                moment = _parse_time(bound[0])
                if moment is not None:
                    key = (moment, "") if bound[1] else (moment, "\U0010ffff")
                    start = bisect.bisect_left(catalogue.by_updated, key)
            entries = (catalogue.datasets[pid] for _, pid in catalogue.by_updated[start:])
            sorted_already = True
        elif not descending and order == ["pid"]:
            bound = query.where.bounds("pid")
            start = 0
            if bound is not None and isinstance(bound[0], str):
                position = bisect.bisect_left if bound[1] else bisect.bisect_right
                start = position(catalogue.by_pid, bound[0])
            entries = (catalogue.datasets[pid] for pid in catalogue.by_pid[start:])
            sorted_already = True
        else:
            entries = catalogue.datasets.values()
        wanted = query.skip + query.limit
        found: list[_Entry] = []
        for entry in entries:
            if query.where.matches(entry):
                found.append(entry)
                # Sorted on the first key: past the page's last value nothing can come first.
                if (
                    sorted_already
                    and len(found) > wanted
                    and (
                        not query.single_key
                        or entry.get(order[0]) != found[wanted - 1].get(order[0])
                    )
                ):
                    break
        if not sorted_already:
            for name, desc in reversed(query.order):
                found.sort(key=_sorter(name), reverse=desc)
        if query.single_key and query.order:
            found = self._shuffle_ties(found, query.order[0][0])
        return found[query.skip : wanted]

    def _shuffle_ties(self, entries: list[_Entry], name: str) -> list[_Entry]:
        out: list[_Entry] = []
        group: list[_Entry] = []
        for entry in entries:
            if group and entry.get(name) != group[0].get(name):
                self._random.shuffle(group)
                out.extend(group)
                group = []
            group.append(entry)
        self._random.shuffle(group)
        out.extend(group)
        return out

    def _render(self, entry: _Entry, query: _Query, *, v3: bool) -> bytes:
        if entry.blob is not None and not query.fields:
            return entry.blob
        if entry.record is None:
            assert query.fields is not None
            values = {name: entry.get(name) for name in query.fields}
            return _dumps(
                {
                    name: iso(value) if isinstance(value, datetime) else value
                    for name, value in values.items()
                    if value is not _MISSING
                }
            )
        record = dict(entry.record)
        pid = entry.pid
        relations = {
            "origdatablocks": lambda: list(self._catalogue.blocks.get(pid, [])),
            "attachments": lambda: list(self._catalogue.attachments.get(pid, [])),
            "instruments": lambda: [
                self._catalogue.instruments[i]
                for i in record.get("instrumentIds") or []
                if i in self._catalogue.instruments
            ],
            "proposals": lambda: [
                self._catalogue.proposals[p]
                for p in record.get("proposalIds") or []
                if p in self._catalogue.proposals
            ],
            "datablocks": lambda: [],
            "samples": lambda: [],
        }
        for name in query.include:
            record[name] = relations[name]()
        if v3:
            record = _v3_shape(record)
        if query.fields:
            keep = set(query.fields) | set(query.include)
            record = {k: v for k, v in record.items() if k in keep}
        return _dumps(record)

    def _datasets(self, *, v3: bool, rest: str, params: dict[str, list[str]]) -> tuple[int, bytes]:
        raw = next(iter(params.get("filter") or []), None)
        if rest == "/count":
            query = _query(raw, v3=v3, published_only=not v3, count=True)
            with self._lock:
                total = sum(1 for e in self._catalogue.datasets.values() if query.where.matches(e))
            return 200, _dumps({"count": total})
        if rest:
            pid = unquote(rest[1:])
            if v3:
                query = _query(raw, v3=True, published_only=False)
            else:
                include = params.get("include") or []
                query = _query(json.dumps({"include": include}), v3=False, published_only=True)
            with self._lock:
                entry = self._catalogue.datasets.get(pid)
                if entry is None or (not v3 and not entry.is_published):
                    if v3:
                        raise _Problem(404, f"dataset: {pid} not found")
                    return 200, b""
                return 200, self._render(entry, query, v3=v3)
        query = _query(raw, v3=v3, published_only=not v3, cast_dates=v3 or self.v4_casts_dates)
        with self._lock:
            rows = self._rows(query, v3=v3)
            return 200, b"[" + b",".join(self._render(e, query, v3=v3) for e in rows) + b"]"

    def _published_data(
        self, *, v3: bool, authorized: bool, params: dict[str, list[str]]
    ) -> tuple[int, bytes]:
        raw = next(iter(params.get("filter") or []), None)
        # Both versions run published data filters through the LoopBack-style pipe (one order).
        query = _query(raw, v3=True, published_only=False)
        with self._lock:
            records = [
                r
                for r in self._catalogue.published_data.values()
                if authorized or r.get("status") in PUBLIC_PUBLISHED_DATA
            ]
        entries = []
        for record in records:
            entry = _Entry(
                pid=record["doi"],
                updated_at=_parse_time(record.get("updatedAt")) or datetime.now(UTC),
                created_at=_parse_time(record.get("createdAt")) or datetime.now(UTC),
                is_published=True,
                date_of_publishing=None,
                record=record,
            )
            if query.where.matches(entry):
                entries.append(entry)
        for name, desc in reversed(query.order):
            entries.sort(key=_sorter(name), reverse=desc)
        page = entries[query.skip : query.skip + query.limit]
        out = []
        for entry in page:
            assert entry.record is not None
            record = entry.record
            if query.fields:
                record = {k: v for k, v in record.items() if k in set(query.fields)}
            out.append(record)
        return 200, _dumps(out)

    def answer(
        self, method: str, path: str, params: dict[str, list[str]], body: Any, auth: str | None
    ) -> tuple[int, bytes, dict[str, str]]:
        if method == "POST" and path == "/api/v3/auth/login":
            status, doc = self._login(body)
            return status, _dumps(doc), {}
        if method != "GET":
            raise _Problem(404, f"Cannot {method} {path}")
        for prefix, v3 in (("/api/v3/datasets", True), ("/api/v4/datasets/public", False)):
            if path == prefix or path.startswith(prefix + "/"):
                if v3 and not self._authorized(auth):
                    raise _Problem(401, "Unauthorized")
                status, content = self._datasets(v3=v3, rest=path[len(prefix) :], params=params)
                return status, content, {}
        for prefix, v3 in (("/api/v3/publisheddata", True), ("/api/v4/publisheddata", False)):
            if path == prefix:
                authorized = v3 and self._authorized(auth)
                if auth and not authorized:
                    raise _Problem(401, "Unauthorized")
                status, content = self._published_data(v3=v3, authorized=authorized, params=params)
                return status, content, {}
        raise _Problem(404, f"Cannot GET {path}")


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is _MISSING or value is None:
        return (0, "")
    if isinstance(value, datetime):
        return (1, value.timestamp())
    if isinstance(value, bool | int | float):
        return (2, float(value))
    return (3, str(value))


def _sorter(name: str) -> Callable[[_Entry], tuple[int, Any]]:
    return lambda entry: _sort_key(entry.get(name))


def _dumps(doc: Any) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def _v3_shape(record: Raw) -> Raw:
    """A v4 record as SciCat's v3 API answers it (the "obsolete" shape: singular ids)."""
    out = dict(record)
    for plural, singular in (
        ("proposalIds", "proposalId"),
        ("instrumentIds", "instrumentId"),
        ("sampleIds", "sampleId"),
        ("principalInvestigators", "principalInvestigator"),
    ):
        values = out.pop(plural, None)
        if isinstance(values, list) and values:
            out[singular] = values[0]
    return out


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
        if fault is not None and fault.kind == "fail":
            status = fault.status
            content = _dumps({"statusCode": status, "message": "stand-in fault"})
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
                status, content, headers = standin.answer(method, path, params, body, auth)
            except _Problem as problem:
                status = problem.status
                content = _dumps({"statusCode": status, "message": problem.message})
        # Kept before answering, so a test that has its answer also sees its request here.
        with standin._lock:
            standin._seen.append(Seen(method, path, params, status, auth))
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


def main(argv: list[str] | None = None) -> int:
    """Serve an export until killed: ``python -m tests.standins.scicat --export DIR``."""
    parser = argparse.ArgumentParser(prog="python -m tests.standins.scicat")
    parser.add_argument("--export", type=Path, required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready-file", type=Path, help="write the URL here once serving")
    args = parser.parse_args(argv)
    standin = SciCatStandIn(port=args.port)
    count = standin.load_export(args.export)
    standin.start()
    if args.ready_file:
        args.ready_file.write_text(standin.url)
    print(f"serving {count} datasets at {standin.url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        standin.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
