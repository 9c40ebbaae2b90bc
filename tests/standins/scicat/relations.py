"""The SciCat stand-in's routes of related records, and ``include`` on the dataset routes: what each
release joins for which caller (4.17.1's legacy v3 include, its sticky published-only lookups,
5.2.1's joins without access filter), and ``leak_relations``."""

from __future__ import annotations

import itertools
import json
import operator
from typing import Any

from tests.standins.scicat.common import (
    _ALL_SECTIONS,
    _ATTACHMENT_KEYS,
    _BLOCK_KEYS,
    _MISSING,
    _NO_INCLUDE,
    _dumps,
    _Problem,
    _project,
    _sort_key,
    _sorter,
)
from tests.standins.scicat.releases import (
    _fields,
    _fullquery_where,
    _json_leaves,
    _like_4171,
    _Limits,
    _loopback_limits,
    _map_ops_521,
    _parse_filter,
    _v4_limits,
    _validate_v4,
)
from tests.standins.scicat.store import _Collection, _Doc, _Entry
from tests.standins.scicat.where import _Where
from tests.standins.scicat.writes import CatalogueWrites


class RelationRoutes(CatalogueWrites):
    """The related collections' routes (origdatablocks, attachments, instruments, proposals) and
    what the dataset routes' ``include`` joins, release by release."""

    @staticmethod
    def _param(params: dict[str, list[str]], name: str) -> str | None:
        return next(iter(params.get(name) or []), None)

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
