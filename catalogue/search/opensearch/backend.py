"""The backend itself: the search contract (:class:`~catalogue.search.base.SearchBackend`) put
together from the parts, and the one search that every page makes."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from opensearchpy.exceptions import RequestError

from catalogue.search.base import DatasetQuery, QueryError, SearchPage, SearchUnavailable
from catalogue.search.clauses import ParameterTest, check_size, leaves
from catalogue.search.conditions import check_units, parse_conditions
from catalogue.search.opensearch import keyset, paging
from catalogue.search.opensearch.bulk import BulkWrites
from catalogue.search.opensearch.compiler import (
    facet_values,
    highlights,
    request_body,
    scores,
    sort_clause,
    sources,
)
from catalogue.search.opensearch.connection import ERRORS
from catalogue.search.opensearch.paging import DeepPaging

UNITS_TTL = 300.0


class OpenSearchBackend(BulkWrites, DeepPaging):
    name = "opensearch"
    separate_index = True

    def search(self, query: DatasetQuery) -> SearchPage:
        try:
            if not self._index_ready:
                self.ensure_index()
            conditions = parse_conditions(query.conditions)
            for condition in conditions:
                if condition.numeric:
                    check_units(condition, self._stored_units(condition.key))
            check_size(query.where)
            for leaf in leaves(query.where):
                if isinstance(leaf, ParameterTest) and leaf.numeric:
                    check_units(leaf.conditions()[0], self._stored_units(leaf.key))
            body = request_body(query)
            keys: dict[int, tuple[Any, ...]] = {}
            more = False
            if query.keyset:
                answer, total, ids, keys, more = self._keyset_page(body, query)
            else:
                answer, total, ids = self._hits(
                    body, query.effective_sort, query.offset, query.per_page
                )
        except ERRORS as exc:
            if isinstance(exc, RequestError):
                raise QueryError("This search cannot be run; simplify it.") from exc
            raise SearchUnavailable(str(exc)) from exc
        return SearchPage(
            ids=ids,
            total=total,
            query=query,
            backend=self.name,
            facets=facet_values(answer.get("aggregations", {}), query),
            highlights=highlights(answer["hits"]["hits"]),
            sources=sources(answer["hits"]["hits"]),
            keys=keys,
            more=more,
            scores=scores(answer["hits"]["hits"]) if query.effective_sort == "relevance" else {},
        )

    def _keyset_page(
        self, body: dict[str, Any], query: DatasetQuery
    ) -> tuple[dict[str, Any], int, list[int], dict[int, tuple[Any, ...]], bool]:
        """The page after (or before) ``query.after`` by ``search_after``: any depth, one
        request; its answer, the total, ids, keys, and whether more hits follow."""
        sort = query.effective_sort
        request = {
            **body,
            "sort": sort_clause(sort, backwards=query.backwards),
            "size": query.per_page + 1,
        }
        if query.after is not None:
            request["search_after"] = keyset.search_after(sort, query.after)
        answer = self._page(request)
        hits = answer["hits"]["hits"]
        more = len(hits) > query.per_page
        hits = hits[: query.per_page]
        if query.backwards:
            hits.reverse()
        answer["hits"]["hits"] = hits
        total = int(answer["hits"]["total"]["value"])
        keys = {int(hit["_id"]): keyset.key_of(sort, hit["sort"]) for hit in hits}
        return answer, total, [int(hit["_id"]) for hit in hits], keys, more

    def raw_search(self, query: DatasetQuery) -> Callable[[], object] | None:
        """The page's hits (row fields from ``_source``) and its facet counts as a size-0 search
        the shard request cache may answer, in one ``_msearch``, exactly as :meth:`search`
        sends them; None for a page past ``MAX_WINDOW`` (several requests by design)."""
        if query.offset + query.per_page > paging.MAX_WINDOW:
            return None
        body = {
            **request_body(query),
            "sort": sort_clause(query.effective_sort),
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
