"""The SciCat stand-in's answers: callers (tokens per release), the dataset routes of v3 and v4
(lists, counts, one by pid, paging in SciCat's orders) and published data; the HTTP handler calls
:meth:`SciCatStandIn.answer`."""

from __future__ import annotations

import bisect
import contextlib
import json
import secrets
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from tests.standins.scicat.common import (
    _ALL_SECTIONS,
    _DATASET_KEYS_4,
    _DATASET_KEYS_5,
    _HEALTH,
    _MISSING,
    _NO_INCLUDE,
    Raw,
    _dumps,
    _parse_time,
    _Problem,
    _project,
    _record_sorter,
    _sorter,
    _splice,
    iso,
)
from tests.standins.scicat.handler import _Handler, _Server
from tests.standins.scicat.relations import RelationRoutes
from tests.standins.scicat.releases import (
    _fields,
    _include_names,
    _like_4171,
    _Limits,
    _loopback_limits,
    _map_ops_521,
    _parse_filter,
    _text_ops_4171,
    _v3_renames,
    _v4_limits,
    _validate_v4,
)
from tests.standins.scicat.store import _Entry, _v3_additions, _View
from tests.standins.scicat.where import _Where


class SciCatStandIn(RelationRoutes):
    """The stand-in server. ``with SciCatStandIn(release="5.2.1") as scicat: scicat.url``."""

    def _build_server(self, address: tuple[str, int]) -> ThreadingHTTPServer:
        server = _Server(address, _Handler)
        server.standin = self
        return server

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
