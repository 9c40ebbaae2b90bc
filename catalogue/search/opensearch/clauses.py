"""OpenSearch's query of a clause tree (:mod:`catalogue.search.clauses`).

Fields map to the index's keyword fields (exact; ``technique_ids`` and ``dois`` are lower-cased by
their normalizer, so values are lower-cased here too); patterns become ``wildcard`` queries,
``case_insensitive`` for ``ilike``. A negation is ``must_not`` of the positive test, so a document
without the field matches it, as the database backend has it. Parameter tests are ``nested``:
*some* parameter with the key passes (for a negative test: some parameter with the key fails).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from catalogue.search.clauses import (
    NEGATIVE,
    AllOf,
    AnyOf,
    Clause,
    FieldTest,
    NoneOf,
    ParameterTest,
    Value,
    like_parts,
)
from catalogue.search.conditions import Condition

# Field -> (index field, lower-case values).
_FIELDS: dict[str, tuple[str, bool]] = {
    "pid": ("pid", False),
    "title": ("title.raw", False),
    "type": ("type", False),
    "license": ("license", False),
    "location": ("data_location", False),
    "instrument": ("instrument", False),
    "instrument_pid": ("instrument_pid", False),
    "proposal": ("proposal", False),
    "technique": ("techniques.raw", False),
    "technique_id": ("technique_ids", True),
    "doi": ("dois", True),
    "id": ("id", False),
    "size": ("size", False),
    "creation_time": ("creation_time", False),
    "start_time": ("start_time", False),
}
_RANGE = {"lt": "lt", "lte": "lte", "gt": "gt", "gte": "gte"}


def _wildcard(pattern: str) -> str:
    out = []
    for kind, text in like_parts(pattern):
        if kind == "any":
            out.append("*")
        elif kind == "one":
            out.append("?")
        else:
            out.append("".join("\\" + c if c in "*?\\" else c for c in text))
    return "".join(out)


def _plain(value: Value) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def _match(field: str, op: str, values: tuple[Value, ...], lower: bool) -> dict[str, Any]:
    """The positive test of ``op`` on an index field."""
    op = NEGATIVE.get(op, op)
    plain = [_plain(v) for v in values]
    if lower:
        plain = [str(v).lower() for v in plain]
    if op == "eq":
        return {"term": {field: plain[0]}}
    if op == "inq":
        return {"terms": {field: plain}}
    if op in ("like", "ilike"):
        query: dict[str, Any] = {"value": _wildcard(str(plain[0]))}
        if op == "ilike":
            query["case_insensitive"] = True
        return {"wildcard": {field: query}}
    if op == "between":
        low, high = sorted(plain)
        return {"range": {field: {"gte": low, "lte": high}}}
    return {"range": {field: {_RANGE[op]: plain[0]}}}


def compile_clause(clause: Clause) -> dict[str, Any]:
    if isinstance(clause, FieldTest):
        field, lower = _FIELDS[clause.field]
        positive = _match(field, clause.op, clause.values, lower)
        return {"bool": {"must_not": [positive]}} if clause.op in NEGATIVE else positive
    if isinstance(clause, ParameterTest):
        return _parameter(clause)
    children = [compile_clause(child) for child in clause.children]
    if isinstance(clause, AllOf):
        return {"bool": {"filter": children}} if children else {"match_all": {}}
    if isinstance(clause, NoneOf):
        return {"bool": {"must_not": children}} if children else {"match_all": {}}
    assert isinstance(clause, AnyOf)
    if not children:
        return {"match_none": {}}
    return {"bool": {"should": children, "minimum_should_match": 1}}


def _within(condition: Condition) -> dict[str, Any]:
    low, high = condition.bounds()
    strict = condition.op in ("<", ">")
    ranges: list[dict[str, Any]] = []
    if high is not None:
        ranges.append({"range": {"parameters.si_value": {"lt" if strict else "lte": high}}})
    if low is not None:
        ranges.append({"range": {"parameters.si_value_max": {"gt" if strict else "gte": low}}})
    return {"bool": {"filter": ranges}}


def _parameter(test: ParameterTest) -> dict[str, Any]:
    must: list[dict[str, Any]] = [{"term": {"parameters.key": test.key}}]
    must_not: list[dict[str, Any]] = []
    negative = test.op in NEGATIVE
    if test.numeric:
        must += [
            {"term": {"parameters.si_unit": test.si_unit}},
            {"exists": {"field": "parameters.si_value"}},
        ]
        within = [_within(c) for c in test.conditions()]
        test_query: dict[str, Any] = {"bool": {"should": within, "minimum_should_match": 1}}
        (must_not if negative else must).append(test_query)
    elif test.op != "exists":
        op = NEGATIVE.get(test.op, test.op)
        must.append({"exists": {"field": "parameters.text.raw"}})
        if op in ("eq", "inq"):
            positive = _match("parameters.text.raw", op, test.texts, True)
        elif op == "ilike":
            positive = _match("parameters.text.raw", "like", (test.texts[0].lower(),), False)
        else:
            positive = _match("parameters.value", op, test.texts, False)
        (must_not if negative else must).append(positive)
    inner: dict[str, Any] = {"bool": {"filter": must}}
    if must_not:
        inner["bool"]["must_not"] = must_not
    return {"nested": {"path": "parameters", "query": inner}}
