"""The OpenSearch backend: the one module that speaks to OpenSearch.

Datasets live in a versioned index (``<alias>-<version>``) behind an alias, so a rebuild can fill a
new index and swap the alias without downtime. Documents are keyed by the dataset's primary key.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import NotFoundError, TransportError

from catalogue.search.base import SORTS, DatasetQuery, QueryError, SearchPage, SearchUnavailable
from catalogue.search.documents import dataset_document, datasets_for_index

logger = logging.getLogger(__name__)
INDEX_VERSION = "v1"
MAX_WINDOW = 10_000

_RAW: dict[str, Any] = {"raw": {"type": "keyword", "ignore_above": 512}}
_TEXT: dict[str, Any] = {"type": "text", "analyzer": "english", "fields": _RAW}
MAPPING: dict[str, Any] = {
    "settings": {
        "number_of_shards": 1,
        "number_of_replicas": 0,
        "analysis": {
            "analyzer": {
                "prefix": {"tokenizer": "prefix", "filter": ["lowercase"]},
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
    },
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "id": {"type": "long"},
            "pid": {"type": "keyword", "normalizer": "lower"},
            "title": {
                **_TEXT,
                "fields": {
                    **_RAW,
                    "prefix": {"type": "text", "analyzer": "prefix", "search_analyzer": "standard"},
                },
            },
            "description": {"type": "text", "analyzer": "english"},
            "type": {"type": "keyword"},
            "keywords": _TEXT,
            "license": {"type": "keyword"},
            "run_number": {"type": "keyword"},
            "source_folder": {"type": "keyword", "ignore_above": 1024},
            "data_format": {"type": "keyword"},
            "data_location": {"type": "keyword"},
            "size": {"type": "long"},
            "number_of_files": {"type": "long"},
            "start_time": {"type": "date"},
            "end_time": {"type": "date"},
            "creation_time": {"type": "date"},
            "instrument": {"type": "keyword"},
            "facility": {"type": "keyword"},
            "proposal": {"type": "keyword", "normalizer": "lower"},
            "proposal_title": {"type": "text", "analyzer": "english"},
            "techniques": _TEXT,
            "technique_ids": {"type": "keyword"},
            "principal_investigators": _TEXT,
            "creators": _TEXT,
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
                        "fields": {"raw": {"type": "keyword", "ignore_above": 256}},
                    },
                },
            },
        },
    },
}
_SORT_FIELDS = {"title": "title.raw", "proposal": "proposal"}
_TEXT_FIELDS = [
    "title^3",
    "title.prefix",
    "keywords^2",
    "description",
    "techniques",
    "proposal_title",
    "principal_investigators",
    "creators",
]
_ID_FIELDS = ["pid", "run_number", "proposal"]


class OpenSearchBackend:
    name = "opensearch"

    def __init__(self, *, url: str, index: str, timeout: int) -> None:
        self.url = url
        self.alias = index
        self.timeout = timeout
        self._index_ready = False

    @cached_property
    def client(self) -> OpenSearch:
        return OpenSearch(
            hosts=[self.url],
            timeout=self.timeout,
            max_retries=0,
            retry_on_timeout=False,
            http_compress=False,
        )

    # -- index management -----------------------------------------------------------------------

    def ensure_index(self) -> str:
        """Create the versioned index behind the alias if there is none; return its name."""
        try:
            existing = self.client.indices.get_alias(name=self.alias)
            self._index_ready = True
            return next(iter(existing))
        except NotFoundError:
            pass
        except (OSConnectionError, TransportError) as exc:
            raise SearchUnavailable(str(exc)) from exc
        name = f"{self.alias}-{INDEX_VERSION}"
        try:
            if not self.client.indices.exists(index=name):
                self.client.indices.create(index=name, body=MAPPING)
            self.client.indices.put_alias(index=name, name=self.alias)
        except (OSConnectionError, TransportError) as exc:
            raise SearchUnavailable(str(exc)) from exc
        self._index_ready = True
        return name

    def _actions(self, ids: list[int]) -> Iterator[dict[str, Any]]:
        seen: set[int] = set()
        for dataset in datasets_for_index(ids):
            seen.add(dataset.pk)
            yield {
                "_op_type": "index",
                "_index": self.alias,
                "_id": str(dataset.pk),
                "_source": dataset_document(dataset),
            }
        for missing in set(ids) - seen:  # withdrawn or gone: must leave the index
            yield {"_op_type": "delete", "_index": self.alias, "_id": str(missing)}

    def index(self, dataset_ids: list[int]) -> None:
        if not dataset_ids:
            return
        if not self._index_ready:
            self.ensure_index()
        try:
            helpers.bulk(
                self.client,
                self._actions(list(dataset_ids)),
                chunk_size=500,
                raise_on_error=False,
                raise_on_exception=True,
            )
        except (OSConnectionError, TransportError) as exc:
            raise SearchUnavailable(str(exc)) from exc

    def refresh(self) -> None:
        self.client.indices.refresh(index=self.alias)

    # -- search ---------------------------------------------------------------------------------

    def _body(self, query: DatasetQuery) -> dict[str, Any]:
        sort = query.effective_sort
        if sort not in SORTS:
            raise QueryError(f"Unknown sort {sort!r}; use one of: {', '.join(SORTS)}")
        field, descending = SORTS[sort]
        order = "desc" if descending else "asc"
        text = query.text.strip()
        if text:
            match: dict[str, Any] = {
                "bool": {
                    "should": [
                        {"multi_match": {"query": text, "fields": _TEXT_FIELDS, "operator": "and"}},
                        *({"term": {name: {"value": text, "boost": 10}}} for name in _ID_FIELDS),
                    ],
                    "minimum_should_match": 1,
                }
            }
        else:
            match = {"match_all": {}}
        return {
            "query": match,
            "sort": [
                {"_score": {"order": "desc"}}
                if field == "_score"
                else {_SORT_FIELDS.get(field, field): {"order": order, "missing": "_last"}},
                {"id": {"order": order}},
            ],
            "from": query.offset,
            "size": query.per_page,
            "track_total_hits": True,
            "_source": False,
        }

    def search(self, query: DatasetQuery) -> SearchPage:
        if query.offset + query.per_page > MAX_WINDOW:
            raise QueryError(
                f"Results past the first {MAX_WINDOW:,} cannot be paged; narrow the search."
            )
        try:
            if not self._index_ready:
                self.ensure_index()
            answer = self.client.search(index=self.alias, body=self._body(query))
        except (OSConnectionError, TransportError) as exc:
            raise SearchUnavailable(str(exc)) from exc
        hits = answer["hits"]
        return SearchPage(
            ids=[int(hit["_id"]) for hit in hits["hits"]],
            total=int(hits["total"]["value"]),
            query=query,
            backend=self.name,
        )
