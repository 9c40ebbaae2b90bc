"""The OpenSearch backend: the one module that speaks to OpenSearch.

Datasets live in a versioned index (``<alias>-v3-<timestamp>``) behind an alias, so a rebuild fills
a new index and swaps the alias in one atomic ``_aliases`` call: searches never see a missing or
half-filled index. Documents are keyed by the dataset's primary key and hold public fields only
(:mod:`catalogue.search.documents`).

Queries are compiled from the query language's tree (:mod:`catalogue.search.query`); facets are
aggregations, each one filtered by every *other* facet's selection, while the selections
themselves go into ``post_filter`` (OR within a facet, AND across facets). Pages up to
``MAX_WINDOW`` deep use ``from``; pages near the end are read backwards from the far end; pages
in the middle of a longer list are reached with ``search_after`` from cursors remembered every
``MAX_WINDOW`` hits (see :meth:`OpenSearchBackend._deep`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from functools import cached_property, partial
from typing import Any

import orjson
from django.core.cache import cache
from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import NotFoundError, RequestError, TransportError

from catalogue.search.base import (
    FACETS,
    SORTS,
    DatasetQuery,
    FacetValue,
    IndexState,
    QueryError,
    SearchPage,
    SearchUnavailable,
)
from catalogue.search.conditions import Condition, check_units, parse_conditions
from catalogue.search.documents import ROW_FIELDS, documents
from catalogue.search.query import And, Node, Not, Or, Phrase, Term, parse, positive_words

logger = logging.getLogger(__name__)
INDEX_VERSION = "v3"
# OpenSearch's index.max_result_window: the deepest ``from + size`` it answers.
MAX_WINDOW = 10_000
# Pages in the middle of a long list are walked to MAX_WINDOW hits at a time: at most this far.
DEEP_LIMIT = 250_000
# ...remembering a cursor every this many hits near the page (see OpenSearchBackend._cursor).
CURSOR_STEP = 1_000
FACET_SIZE = 20
# Fields added to the mapping since v2; put into an older live index in place (adding a field
# needs no reindex), so documents with them can be written before the next rebuild.
_ADDED_FIELDS = ("source_folder", "thumbnail")
BULK_CHUNK = 1000
UNITS_TTL = 300.0

_RAW: dict[str, Any] = {"raw": {"type": "keyword", "ignore_above": 512}}
_LOWER: dict[str, Any] = {"lower": {"type": "keyword", "normalizer": "lower"}}
_ENGLISH: dict[str, Any] = {"type": "text", "analyzer": "english", "copy_to": "text"}
SETTINGS: dict[str, Any] = {
    "number_of_shards": 1,
    "number_of_replicas": 0,
    "max_result_window": MAX_WINDOW,
    "analysis": {
        "analyzer": {
            "prefix": {"tokenizer": "prefix", "filter": ["lowercase", "asciifolding"]},
            "folded": {"tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
        },
        "tokenizer": {
            "prefix": {
                "type": "edge_ngram",
                "min_gram": 2,
                "max_gram": 20,
                "token_chars": ["letter", "digit"],
            },
        },
        "normalizer": {"lower": {"type": "custom", "filter": ["lowercase"]}},
    },
}
MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "long"},
        # Identifiers: exact, case-insensitive; "identifiers" gathers them for unquoted matches.
        "pid": {"type": "keyword", "fields": _LOWER, "copy_to": "identifiers"},
        "run_number": {"type": "keyword", "copy_to": "identifiers"},
        "dois": {"type": "keyword", "normalizer": "lower", "copy_to": "identifiers"},
        "proposal": {"type": "keyword", "fields": _LOWER, "copy_to": "identifiers"},
        "identifiers": {"type": "keyword", "normalizer": "lower"},
        # Text: English stemming, a keyword subfield for sorting and facets.
        "title": {
            **_ENGLISH,
            "fields": {
                **_RAW,
                "prefix": {"type": "text", "analyzer": "prefix", "search_analyzer": "folded"},
            },
        },
        "description": _ENGLISH,
        "keywords": {**_ENGLISH, "fields": _RAW},
        "techniques": {**_ENGLISH, "fields": _RAW},
        "technique_ids": {"type": "keyword", "normalizer": "lower"},
        "proposal_title": _ENGLISH,
        "principal_investigators": {"type": "text", "copy_to": "text"},
        "creators": {"type": "text", "copy_to": "text"},
        # Every word unstemmed, for prefix queries (dppg*) outside the title.
        "text": {"type": "text", "analyzer": "folded"},
        # Facets and sorts.
        "type": {"type": "keyword"},
        "instrument": {"type": "keyword", "fields": _LOWER},
        "facility": {"type": "keyword"},
        "license": {"type": "keyword"},
        "year": {"type": "keyword"},
        "data_location": {"type": "keyword"},
        "data_format": {"type": "keyword"},
        "size": {"type": "long"},
        "number_of_files": {"type": "long"},
        "start_time": {"type": "date"},
        "end_time": {"type": "date"},
        "creation_time": {"type": "date"},
        # Shown in the search page's rows, never searched: stored in _source only.
        "source_folder": {"type": "keyword", "index": False, "doc_values": False},
        "thumbnail": {"type": "object", "enabled": False},
        "parameters": {
            "type": "nested",
            "properties": {
                "key": {"type": "keyword"},
                "si_value": {"type": "double"},
                "si_value_max": {"type": "double"},
                "si_unit": {"type": "keyword"},
                "value": {"type": "keyword", "ignore_above": 256},
                "unit": {"type": "keyword"},
                "text": {
                    "type": "text",
                    "analyzer": "folded",
                    "fields": {
                        "raw": {"type": "keyword", "normalizer": "lower", "ignore_above": 256}
                    },
                },
            },
        },
    },
}
# Facet (URL name) -> field aggregated and filtered.
FACET_FIELDS: dict[str, str] = {
    "type": "type",
    "instrument": "instrument",
    "technique": "techniques.raw",
    "year": "year",
    "keyword": "keywords.raw",
    "license": "license",
    "proposal": "proposal",
    "location": "data_location",
}
_SORT_FIELDS = {"title": "title.raw", "_score": "_score"}
# Relevance: title and keywords count most.
_TEXT_FIELDS = [
    "title^4",
    "keywords^3",
    "techniques^2",
    "description",
    "proposal_title",
    "text",
]
_HIGHLIGHT: dict[str, Any] = {
    "pre_tags": ["<mark>"],
    "post_tags": ["</mark>"],
    "encoder": "html",
    "require_field_match": False,
    "fields": {
        "title": {"number_of_fragments": 0},
        "description": {"fragment_size": 160, "number_of_fragments": 2},
        "keywords": {"number_of_fragments": 0},
    },
}
assert set(FACET_FIELDS) == set(FACETS)

_ERRORS = (OSConnectionError, TransportError)


def _lower(text: str) -> str:
    return text.lower()


def _term_query(term: Term) -> dict[str, Any]:
    word = term.text
    if term.field == "":
        if term.prefix:
            return {
                "bool": {
                    "should": [
                        {"match": {"title.prefix": {"query": word, "boost": 3}}},
                        {"prefix": {"text": {"value": _lower(word)}}},
                        {"prefix": {"identifiers": {"value": _lower(word)}}},
                    ]
                }
            }
        return {
            "bool": {
                "should": [
                    {"multi_match": {"query": word, "fields": _TEXT_FIELDS, "operator": "and"}},
                    {"term": {"identifiers": {"value": word, "boost": 10}}},
                ]
            }
        }
    return _field_query(term.field, word, prefix=term.prefix, phrase=False)


def _field_query(field: str, value: str, *, prefix: bool, phrase: bool) -> dict[str, Any]:
    text_fields = {"title": "title", "keyword": "keywords", "technique": "techniques"}
    keyword_fields = {
        "instrument": "instrument.lower",
        "proposal": "proposal.lower",
        "pid": "pid.lower",
        "doi": "dois",
    }
    if field in text_fields:
        name = text_fields[field]
        if prefix:
            query: dict[str, Any] = {"match_phrase_prefix": {name: value}}
        elif phrase:
            query = {"match_phrase": {name: value}}
        else:
            query = {"match": {name: {"query": value, "operator": "and"}}}
        if field == "technique":
            ids = {"prefix" if prefix else "term": {"technique_ids": _lower(value)}}
            return {"bool": {"should": [query, ids]}}
        return query
    name = keyword_fields[field]
    if prefix:
        return {"prefix": {name: {"value": _lower(value)}}}
    return {"term": {name: {"value": _lower(value)}}}


def compile_node(node: Node) -> dict[str, Any]:
    """The OpenSearch query of a query-language tree."""
    if isinstance(node, Term):
        return _term_query(node)
    if isinstance(node, Phrase):
        if node.field:
            return _field_query(node.field, node.text, prefix=False, phrase=True)
        return {
            "bool": {
                "should": [
                    {"multi_match": {"query": node.text, "type": "phrase", "fields": _TEXT_FIELDS}},
                    {"term": {"identifiers": {"value": node.text, "boost": 10}}},
                ]
            }
        }
    if isinstance(node, Not):
        return {"bool": {"must_not": [compile_node(node.child)]}}
    if isinstance(node, And):
        return {"bool": {"must": [compile_node(child) for child in node.children]}}
    assert isinstance(node, Or)
    return {"bool": {"should": [compile_node(child) for child in node.children]}}


def compile_condition(condition: Condition) -> dict[str, Any]:
    """A nested query: some parameter of the dataset satisfies ``condition``."""
    key = {"term": {"parameters.key": condition.key}}
    if not condition.numeric:
        if condition.op == "contains":
            text: dict[str, Any] = {"match_phrase": {"parameters.text": condition.text}}
        else:
            text = {"term": {"parameters.text.raw": _lower(condition.text)}}
        inner: dict[str, Any] = {"bool": {"filter": [key, text]}}
    else:
        unit = {"term": {"parameters.si_unit": condition.si_unit}}
        ranges = _ranges(condition)
        if condition.op == "!=":
            inner = {"bool": {"filter": [key, unit], "must_not": [{"bool": {"filter": ranges}}]}}
        else:
            inner = {"bool": {"filter": [key, unit, *ranges]}}
    return {"nested": {"path": "parameters", "query": inner}}


def _ranges(condition: Condition) -> list[dict[str, Any]]:
    low, high = condition.bounds()
    strict = condition.op in ("<", ">")
    out: list[dict[str, Any]] = []
    if high is not None:  # the stored range starts at or below the top
        out.append({"range": {"parameters.si_value": {"lt" if strict else "lte": high}}})
    if low is not None:  # and ends at or above the bottom
        out.append({"range": {"parameters.si_value_max": {"gt" if strict else "gte": low}}})
    return out


def _facet_filter(facet: str, values: tuple[str, ...]) -> dict[str, Any]:
    return {"terms": {FACET_FIELDS[facet]: list(values)}}


class OpenSearchBackend:
    name = "opensearch"
    separate_index = True

    def __init__(self, *, url: str, index: str, timeout: int) -> None:
        self.url = url
        self.alias = index
        self.timeout = timeout
        self._index_ready = False
        self._units: dict[str, tuple[float, set[str]]] = {}

    @cached_property
    def client(self) -> OpenSearch:
        return OpenSearch(
            hosts=[self.url],
            timeout=self.timeout,
            max_retries=0,
            retry_on_timeout=False,
            http_compress=False,
            pool_maxsize=4,  # the rebuild sends from two threads
        )

    # -- index management -----------------------------------------------------------------------

    def _new_index_name(self) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        return f"{self.alias}-{INDEX_VERSION}-{stamp}"

    def _create(self, name: str, *, bulk: bool = False) -> None:
        settings = dict(SETTINGS)
        if bulk:  # no refreshes, no fsync per request while filling; back on before the swap
            settings["refresh_interval"] = "-1"
            settings["translog.durability"] = "async"
        self.client.indices.create(index=name, body={"settings": settings, "mappings": MAPPING})

    def current_index(self) -> str | None:
        try:
            existing = self.client.indices.get_alias(name=self.alias)
        except NotFoundError:
            return None
        return next(iter(existing))

    def ensure_index(self) -> str:
        """Create a versioned index behind the alias if there is none; return its name."""
        try:
            current = self.current_index()
            if current is None:
                current = self._new_index_name()
                self._create(current)
                self.client.indices.put_alias(index=current, name=self.alias)
            else:
                self._add_missing_fields(current)
        except _ERRORS as exc:
            raise SearchUnavailable(str(exc)) from exc
        self._index_ready = True
        return current

    def _add_missing_fields(self, index: str) -> None:
        """Put the fields added since the index was made into its mapping (no reindex needed)."""
        answer = self.client.indices.get_mapping(index=index)
        properties = answer.get(index, {}).get("mappings", {}).get("properties", {})
        missing = {f: MAPPING["properties"][f] for f in _ADDED_FIELDS if f not in properties}
        if missing:
            self.client.indices.put_mapping(index=index, body={"properties": missing})
            logger.info("search index %s: fields added to the mapping: %s", index, list(missing))

    def _actions(self, ids: list[int], index: str) -> Iterator[dict[str, Any]]:
        docs = documents(ids)
        for dataset_id in ids:
            doc = docs.get(dataset_id)
            if doc is None:  # withdrawn or gone: must leave the index
                yield {"_op_type": "delete", "_index": index, "_id": str(dataset_id)}
            else:
                yield {
                    "_op_type": "index",
                    "_index": index,
                    "_id": str(dataset_id),
                    "_source": _source_text(doc),
                }

    def _bulk(self, ids: list[int], index: str) -> int:
        """Index (or delete) these datasets in ``index``; returns how many failed."""
        return self._send(self._actions(ids, index), timeout=max(60, self.timeout))

    def _send(self, actions: Iterable[dict[str, Any]], *, timeout: int) -> int:
        """Send bulk actions; log and count the failures (deleting a missing document is none)."""
        _, errors = helpers.bulk(
            self.client,
            actions,
            chunk_size=BULK_CHUNK,
            max_chunk_bytes=20 * 1024 * 1024,
            raise_on_error=False,
            raise_on_exception=True,
            request_timeout=timeout,
        )
        failed = [e for e in errors if not _is_missing_delete(e)]
        if failed:
            logger.error("search index: %d documents failed, first: %s", len(failed), failed[0])
        return len(failed)

    def index(self, dataset_ids: list[int]) -> None:
        if not dataset_ids:
            return
        try:
            if not self._index_ready:
                self.ensure_index()
            ids = list(dict.fromkeys(int(i) for i in dataset_ids))
            for start in range(0, len(ids), BULK_CHUNK):
                self._bulk(ids[start : start + BULK_CHUNK], self.alias)
        except _ERRORS as exc:
            raise SearchUnavailable(str(exc)) from exc

    def index_documents(self, docs: Iterable[dict[str, Any]], index: str | None = None) -> int:
        """Bulk-load ready-made documents (the benchmark's); returns how many were sent."""
        sent = 0

        def actions() -> Iterator[dict[str, Any]]:
            nonlocal sent
            for doc in docs:
                sent += 1
                yield {"_index": index or self.alias, "_id": str(doc["id"]), "_source": doc}

        for ok, item in helpers.streaming_bulk(
            self.client,
            actions(),
            chunk_size=BULK_CHUNK,
            max_chunk_bytes=20 * 1024 * 1024,
            raise_on_error=False,
            request_timeout=120,
        ):
            if not ok:
                logger.error("bulk: %s", item)
        return sent

    def rebuild(
        self, ids: Iterable[list[int]], *, progress: Callable[[int], None] | None = None
    ) -> str:
        """Fill a new versioned index, swap the alias to it at once, delete the old one.

        Searches keep using the old index until the swap; ``ids`` yields batches of dataset ids.
        Documents are built in this thread while two others send the bulk requests, so the
        database, Python and OpenSearch work at the same time. Writes made while the new index
        fills go to the old one; the caller re-indexes what changed since the start after the
        swap (``search_index --rebuild`` does).
        """
        name = self._new_index_name()

        def send(actions: list[dict[str, Any]]) -> int:
            self._send(actions, timeout=max(120, self.timeout))
            return len(actions)

        try:
            self._create(name, bulk=True)
            # Documents are read from the database in this thread (its connection, its
            # transaction); two threads send them, at most two batches ahead.
            with ThreadPoolExecutor(max_workers=2) as pool:
                pending: deque[Future[int]] = deque()
                for batch in ids:
                    pending.append(pool.submit(send, list(self._actions(batch, name))))
                    if len(pending) > 2:
                        pending.popleft().result()
                    if progress:
                        progress(len(batch))
                while pending:
                    pending.popleft().result()
            self.client.indices.put_settings(
                index=name,
                body={"index": {"refresh_interval": "1s", "translog.durability": "request"}},
            )
            self.client.indices.refresh(index=name)
            self.swap(name)
        except _ERRORS as exc:
            raise SearchUnavailable(str(exc)) from exc
        return name

    def swap(self, name: str) -> list[str]:
        """Point the alias at ``name`` in one atomic call; delete the indices it left."""
        try:
            old = list(self.client.indices.get_alias(name=self.alias))
        except NotFoundError:
            old = []
        actions: list[dict[str, Any]] = [
            {"remove": {"index": index, "alias": self.alias}} for index in old if index != name
        ]
        actions.append({"add": {"index": name, "alias": self.alias}})
        self.client.indices.update_aliases(body={"actions": actions})
        for index in old:
            if index != name:
                self.client.indices.delete(index=index, ignore_unavailable=True)
        self._index_ready = True
        return old

    def refresh(self) -> None:
        self.client.indices.refresh(index=self.alias)

    def ping(self) -> bool:
        try:
            return bool(self.client.ping(request_timeout=2))
        except Exception:
            return False

    def index_state(self) -> IndexState | None:
        try:
            current = self.current_index()
            count = self.client.count(index=self.alias)["count"] if current else 0
        except _ERRORS as exc:
            raise SearchUnavailable(str(exc)) from exc
        return IndexState(alias=self.alias, index=current, documents=int(count))

    def bulk_load_start(self) -> None:
        refresh_pause(self)

    def bulk_load_finish(self) -> bool:
        return refresh_resume(self)

    def raw_search(self, query: DatasetQuery) -> Callable[[], object] | None:
        """The page's hits (row fields from ``_source``) and its facet counts as a size-0 search
        the shard request cache may answer, in one ``_msearch``, exactly as :meth:`search`
        sends them; None for a page past ``MAX_WINDOW`` (several requests by design)."""
        if query.offset + query.per_page > MAX_WINDOW:
            return None
        body = {
            **self.body(query),
            "sort": self._sort(query.effective_sort),
            "from": query.offset,
            "size": query.per_page,
        }
        aggs = body.pop("aggs")
        searches = [
            {"index": self.alias},
            body,
            {"index": self.alias, "request_cache": True},
            {"query": body["query"], "aggs": aggs, "size": 0, "track_total_hits": False},
        ]
        return partial(self.client.msearch, body=searches)

    # -- search ---------------------------------------------------------------------------------

    def _sort(self, sort: str, *, backwards: bool = False) -> list[dict[str, Any]]:
        if sort not in SORTS:
            raise QueryError(f"Unknown sort {sort!r}; use one of: {', '.join(SORTS)}")
        field, descending = SORTS[sort]
        if backwards:
            descending = not descending
        order = "desc" if descending else "asc"
        if field == "_score":
            return [{"_score": {"order": order}}, {"id": {"order": order}}]
        # Undated and the like come last in the forward order, first read backwards.
        missing = "_first" if backwards else "_last"
        return [
            {_SORT_FIELDS.get(field, field): {"order": order, "missing": missing}},
            {"id": {"order": order}},
        ]

    def _stored_units(self, key: str) -> set[str]:
        """The SI units ``key`` is stored in (cached a few minutes per process)."""
        now = time.monotonic()
        cached = self._units.get(key)
        if cached and now - cached[0] < UNITS_TTL:
            return cached[1]
        body = {
            "size": 0,
            "aggs": {
                "p": {
                    "nested": {"path": "parameters"},
                    "aggs": {
                        "k": {
                            "filter": {"term": {"parameters.key": key}},
                            "aggs": {"u": {"terms": {"field": "parameters.si_unit", "size": 10}}},
                        }
                    },
                }
            },
        }
        answer = self.client.search(index=self.alias, body=body, request_cache=True)
        units = {b["key"] for b in answer["aggregations"]["p"]["k"]["u"]["buckets"]}
        if len(self._units) > 1000:
            self._units.clear()
        self._units[key] = (now, units)
        return units

    def body(self, query: DatasetQuery) -> dict[str, Any]:
        """The search request of ``query`` (without paging), for the search and the benchmark."""
        if query.effective_sort not in SORTS:
            raise QueryError(
                f"Unknown sort {query.effective_sort!r}; use one of: {', '.join(SORTS)}"
            )
        node = parse(query.text)
        conditions = parse_conditions(query.conditions)
        must: list[dict[str, Any]] = []
        if node is not None:
            must.append(compile_node(node))
        filters = [compile_condition(c) for c in conditions]
        main: dict[str, Any] = {"bool": {"must": must, "filter": filters}}
        if not must and not filters:
            main = {"match_all": {}}
        selected = {
            facet: values for facet, values in query.filters if facet in FACET_FIELDS and values
        }
        body: dict[str, Any] = {
            "query": main,
            "track_total_hits": True,
            "_source": {"includes": list(ROW_FIELDS)},  # the page's table rows
        }
        if selected:
            body["post_filter"] = {
                "bool": {"filter": [_facet_filter(f, v) for f, v in selected.items()]}
            }
        if query.facets:
            aggs: dict[str, Any] = {}
            for facet, field in FACET_FIELDS.items():
                others = [_facet_filter(f, v) for f, v in selected.items() if f != facet]
                terms = {"terms": {"field": field, "size": FACET_SIZE}}
                if others:
                    aggs[facet] = {
                        "filter": {"bool": {"filter": others}},
                        "aggs": {"values": terms},
                    }
                else:
                    aggs[facet] = terms
            body["aggs"] = aggs
        if node is not None and positive_words(node):
            body["highlight"] = _HIGHLIGHT
        return body

    def _run(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.client.search(index=self.alias, body=body)
        except RequestError as exc:
            # A query OpenSearch refuses (say, too many clauses) is the visitor's to change.
            raise QueryError("This search cannot be run; simplify it.") from exc

    def _page(self, request: dict[str, Any]) -> dict[str, Any]:
        """The hits and the facet counts in one round trip (``_msearch``), as two searches.

        The counts go in a search of their own with ``size: 0``, which OpenSearch's shard
        request cache keeps until the index next changes: a facet count is computed once per
        query and refresh, not on every page, sort or repeat of it.
        """
        aggs = request.pop("aggs", None)
        if not aggs:
            return self._run(request)
        counts = {"query": request["query"], "aggs": aggs, "size": 0, "track_total_hits": False}
        answers = self.client.msearch(
            body=[
                {"index": self.alias},
                request,
                {"index": self.alias, "request_cache": True},
                counts,
            ]
        )["responses"]
        for answer in answers:
            if "error" in answer:
                status = int(answer.get("status", 500))
                if 400 <= status < 500:
                    raise QueryError("This search cannot be run; simplify it.")
                raise SearchUnavailable(str(answer["error"])[:500])
        hits, facets = answers
        return {**hits, "aggregations": facets.get("aggregations", {})}

    def search(self, query: DatasetQuery) -> SearchPage:
        try:
            if not self._index_ready:
                self.ensure_index()
            conditions = parse_conditions(query.conditions)
            for condition in conditions:
                if condition.numeric:
                    check_units(condition, self._stored_units(condition.key))
            body = self.body(query)
            sort = query.effective_sort
            start, size = query.offset, query.per_page
            if start + size <= MAX_WINDOW:
                answer = self._page({**body, "sort": self._sort(sort), "from": start, "size": size})
                total = int(answer["hits"]["total"]["value"])
                ids = [int(hit["_id"]) for hit in answer["hits"]["hits"]]
            else:
                answer, total, ids = self._deep(body, sort, start, size)
        except _ERRORS as exc:
            if isinstance(exc, RequestError):
                raise QueryError("This search cannot be run; simplify it.") from exc
            raise SearchUnavailable(str(exc)) from exc
        return SearchPage(
            ids=ids,
            total=total,
            query=query,
            backend=self.name,
            facets=_facets(answer.get("aggregations", {}), query),
            highlights=_highlights(answer["hits"]["hits"]),
            sources=_sources(answer["hits"]["hits"]),
        )

    def _deep(
        self, body: dict[str, Any], sort: str, start: int, size: int
    ) -> tuple[dict[str, Any], int, list[int]]:
        """A page past ``MAX_WINDOW``: from the far end when near it, else by search_after."""
        head = self._run({**body, "size": 0})  # the total and the facets (request-cached)
        total = int(head["hits"]["total"]["value"])
        if start >= total:
            return head, total, []
        stop = min(start + size, total)
        # The total is known: the requests below need not count (which lets OpenSearch skip
        # documents that cannot make the page when sorting by a field).
        plain = {k: v for k, v in body.items() if k not in ("aggs", "highlight")}
        plain["track_total_hits"] = False
        if total - start <= MAX_WINDOW:
            request = {
                **plain,
                "sort": self._sort(sort, backwards=True),
                "from": total - stop,
                "size": stop - start,
            }
            if body.get("highlight"):
                request["highlight"] = body["highlight"]
            answer = self._run(request)
            hits = answer["hits"]["hits"][::-1]
        else:
            if start > DEEP_LIMIT:
                raise QueryError(
                    f"Pages past the first {DEEP_LIMIT:,} results can only be reached near the "
                    "end of the list; narrow the search, or sort the other way round."
                )
            cursor, skip = self._cursor(plain, sort, start)
            if skip and skip + size > MAX_WINDOW:  # one more hop, so the page fits the window
                cursor, skip = self._hop(plain, sort, cursor, skip), 0
            hits = self._hits_after(body, plain, sort, cursor, skip, size)
        return (
            {"aggregations": head.get("aggregations", {}), "hits": {"hits": hits}},
            total,
            [int(hit["_id"]) for hit in hits],
        )

    def _hits_after(
        self,
        body: dict[str, Any],
        plain: dict[str, Any],
        sort: str,
        cursor: Any,
        skip: int,
        size: int,
    ) -> list[dict[str, Any]]:
        """The ``size`` hits after the ``skip`` hits that follow ``cursor``, in order.

        Two requests: the ids up to the page (no ``_source``, no highlights for the thousands
        skipped), then the page's own hits by id, with their row fields and highlights.
        """
        request = {**plain, "sort": self._sort(sort), "size": skip + size, "_source": False}
        if cursor is not None:
            request["search_after"] = cursor
        answer = self.client.search(index=self.alias, body=request, filter_path=["hits.hits._id"])
        ids = [hit["_id"] for hit in answer.get("hits", {}).get("hits", [])[skip:]]
        if not ids:
            return []
        detail: dict[str, Any] = {
            "query": {"bool": {"must": [plain["query"]], "filter": [{"ids": {"values": ids}}]}},
            "_source": plain["_source"],
            "size": len(ids),
            "track_total_hits": False,
        }
        if body.get("highlight"):
            detail["highlight"] = body["highlight"]
        found = {hit["_id"]: hit for hit in self._run(detail)["hits"]["hits"]}
        return [found[i] for i in ids if i in found]  # one deleted meanwhile is left out

    def _cursor(self, plain: dict[str, Any], sort: str, start: int) -> tuple[Any, int]:
        """The sort values of the hit before ``start`` (or of one a little before), and the skip.

        The walk goes in ``MAX_WINDOW`` steps, then one step to the last multiple of
        ``CURSOR_STEP`` before ``start``; each step fetches sort values only, and its cursor is
        remembered in the cache for ten minutes per query. So only the first visit walks, and a
        page skips fewer than ``CURSOR_STEP`` hits: the cost of a page after a cursor grows with
        the hits it skips (at a million documents, ~25 ms for none, ~70 ms for 1,000, ~160 ms
        for 5,000).
        """
        digest = hashlib.sha256(
            json.dumps([self.alias, plain, sort], sort_keys=True, default=str).encode()
        ).hexdigest()
        coarse = (start // MAX_WINDOW) * MAX_WINDOW
        stops = list(range(MAX_WINDOW, coarse + 1, MAX_WINDOW))
        if (fine := (start // CURSOR_STEP) * CURSOR_STEP) > coarse:
            stops.append(fine)
        cursor: Any = None
        reached = 0
        for stop in stops:
            key = f"search-cursor:{digest}:{stop}"
            found = cache.get(key)
            if found is None:
                found = self._hop(plain, sort, cursor, stop - reached)
                if found is None:
                    break
                cache.set(key, found, 600)
            cursor, reached = found, stop
        return cursor, start - reached

    def _hop(self, plain: dict[str, Any], sort: str, cursor: Any, size: int) -> Any:
        """The sort values ``size`` hits after ``cursor`` (None when the list ends first)."""
        request = {
            **plain,
            "sort": self._sort(sort),
            "size": size,
            "_source": False,
            "track_total_hits": False,
        }
        if cursor is not None:
            request["search_after"] = cursor
        answer = self.client.search(index=self.alias, body=request, filter_path=["hits.hits.sort"])
        hits = answer.get("hits", {}).get("hits", [])
        return hits[-1]["sort"] if hits else None


def _source_text(doc: dict[str, Any]) -> str | dict[str, Any]:
    """A document as the bulk request's JSON line: orjson, three times faster than the client's
    ``json.dumps`` (sync bench); the document itself for what orjson refuses (integers beyond
    64 bits), which the client then writes."""
    try:
        return orjson.dumps(doc).decode()
    except orjson.JSONEncodeError:
        return doc


def _is_missing_delete(error: dict[str, Any]) -> bool:
    delete = error.get("delete") if isinstance(error, dict) else None
    return bool(delete and delete.get("status") == 404)


def _facets(aggs: dict[str, Any], query: DatasetQuery) -> dict[str, list[FacetValue]]:
    out: dict[str, list[FacetValue]] = {}
    for facet in FACET_FIELDS:
        agg = aggs.get(facet)
        if agg is None:
            continue
        buckets = (agg.get("values") or agg)["buckets"]
        chosen = set(query.selected(facet))
        values = [
            FacetValue(
                value=str(b["key"]), count=int(b["doc_count"]), selected=str(b["key"]) in chosen
            )
            for b in buckets
        ]
        seen = {v.value for v in values}
        # A selected value with no hits left still shows, so it can be removed.
        values += [FacetValue(value=v, count=0, selected=True) for v in chosen if v not in seen]
        out[facet] = values
    return out


def _sources(hits: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {int(hit["_id"]): hit["_source"] for hit in hits if "_source" in hit}


def _highlights(hits: list[dict[str, Any]]) -> dict[int, dict[str, list[str]]]:
    return {int(hit["_id"]): dict(hit["highlight"]) for hit in hits if hit.get("highlight")}


# -- bulk loading by the catalogue sync (added by the sync; called from sync.live) ---------------


def refresh_pause(backend: OpenSearchBackend) -> None:
    """Stop the periodic refresh of the live index while a full sync fills it.

    Refreshing once a second while thousands of documents a second arrive costs OpenSearch about
    40% more CPU (sync bench). Documents sent meanwhile are stored, but searchable only after
    :func:`refresh_resume`; every sync run starts by resuming, so a killed run cannot leave the
    index stale for longer than one sync interval.
    """
    try:
        name = backend.ensure_index()
        backend.client.indices.put_settings(
            index=name, body={"index": {"refresh_interval": "-1"}}, request_timeout=_ADMIN_TIMEOUT
        )
    except _ERRORS as exc:
        raise SearchUnavailable(str(exc)) from exc


def refresh_resume(backend: OpenSearchBackend) -> bool:
    """If the live index's refresh is paused: back to the index's default, and one refresh now.

    Cheap when it is not paused (one settings read); True when it was.
    """
    try:
        name = backend.current_index()
        if name is None:
            return False
        answer = backend.client.indices.get_settings(
            index=name, name="index.refresh_interval", request_timeout=_ADMIN_TIMEOUT
        )
        index_settings = answer.get(name, {}).get("settings", {}).get("index", {})
        if index_settings.get("refresh_interval") != "-1":
            return False
        backend.client.indices.put_settings(
            index=name, body={"index": {"refresh_interval": None}}, request_timeout=_ADMIN_TIMEOUT
        )
        backend.client.indices.refresh(index=name, request_timeout=_ADMIN_TIMEOUT)
    except _ERRORS as exc:
        raise SearchUnavailable(str(exc)) from exc
    return True


_ADMIN_TIMEOUT = 120  # settings changes and a refresh after a bulk load: seconds, not the query's
