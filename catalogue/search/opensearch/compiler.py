"""The query compiler: a :class:`DatasetQuery` into OpenSearch's request, and its answer back.

Queries are compiled from the query language's tree (:mod:`catalogue.search.query`) and the
conditions (:mod:`catalogue.search.conditions`); facets are aggregations, each one filtered by every
*other* facet's selection, while the selections themselves go into ``post_filter`` (OR within a
facet, AND across facets). Nothing here talks to OpenSearch.
"""

from __future__ import annotations

from typing import Any

from catalogue.search.base import SORTS, DatasetQuery, FacetValue, QueryError
from catalogue.search.conditions import Condition, parse_conditions
from catalogue.search.documents import ROW_FIELDS
from catalogue.search.opensearch.clauses import compile_clause
from catalogue.search.opensearch.mapping import FACET_FIELDS
from catalogue.search.query import (
    PID_PREFIX_MIN,
    And,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    looks_like_identifier,
    parse,
    positive_words,
)

FACET_SIZE = 20
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
        should: list[dict[str, Any]] = [
            {"multi_match": {"query": word, "fields": _TEXT_FIELDS, "operator": "and"}},
            {"term": {"identifiers": {"value": word, "boost": 10}}},
        ]
        if looks_like_identifier(word) and len(word) >= PID_PREFIX_MIN:
            # A partial PID: its beginning, or the beginning of its part after a "/".
            lower = _lower(word)
            should.append({"prefix": {"pid.lower": {"value": lower}}})
            should.append({"wildcard": {"pid.lower": {"value": "*/" + _wildcard(lower) + "*"}}})
        return {"bool": {"should": should}}
    return _field_query(term.field, word, prefix=term.prefix, phrase=False)


def _wildcard(text: str) -> str:
    """``text`` with the wildcard query's own characters escaped."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


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


def sort_clause(sort: str, *, backwards: bool = False) -> list[dict[str, Any]]:
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


def request_body(query: DatasetQuery) -> dict[str, Any]:
    """The search request of ``query`` without paging: query, post filter, facet aggregations,
    highlights, and the row fields from ``_source``."""
    if query.effective_sort not in SORTS:
        raise QueryError(f"Unknown sort {query.effective_sort!r}; use one of: {', '.join(SORTS)}")
    node = parse(query.text)
    conditions = parse_conditions(query.conditions)
    must: list[dict[str, Any]] = []
    if node is not None:
        must.append(compile_node(node))
    filters = [compile_condition(c) for c in conditions]
    if query.where is not None:
        filters.append(compile_clause(query.where))
    main: dict[str, Any] = {"bool": {"must": must, "filter": filters}}
    if not must and not filters:
        main = {"match_all": {}}
    selected = {
        facet: values for facet, values in query.filters if facet in FACET_FIELDS and values
    }
    body: dict[str, Any] = {
        "query": main,
        "track_total_hits": True,
        # The page's table rows, and what else the answer reads from the hits.
        "_source": {"includes": [*ROW_FIELDS, *query.source]},
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


def facet_values(aggs: dict[str, Any], query: DatasetQuery) -> dict[str, list[FacetValue]]:
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


def sources(hits: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {int(hit["_id"]): hit["_source"] for hit in hits if "_source" in hit}


def highlights(hits: list[dict[str, Any]]) -> dict[int, dict[str, list[str]]]:
    return {int(hit["_id"]): dict(hit["highlight"]) for hit in hits if hit.get("highlight")}


def scores(hits: list[dict[str, Any]]) -> dict[int, float]:
    """Each hit's relevance score (sorted by ``_score``, it is also the first sort value)."""
    out: dict[int, float] = {}
    for hit in hits:
        score = hit.get("_score")
        if score is None and hit.get("sort"):
            score = hit["sort"][0]
        out[int(hit["_id"])] = max(float(score or 0.0), 0.0)
    return out
