"""The database backend's SQL of a clause tree (:mod:`catalogue.search.clauses`).

Every leaf is a condition on the dataset row; a negation is ``NOT COALESCE(positive, FALSE)`` so
that a missing value (no instrument, no start time) counts as "not equal", as OpenSearch's
``must_not`` has it. Relations (instrument, proposal, techniques, DOIs, parameters) are ``IN``
sub-selects. Patterns: ``LIKE``/``ILIKE`` with ``\\`` as escape on PostgreSQL; on SQLite, whose
``LIKE`` ignores case, case-sensitive patterns become ``GLOB``.
"""

# SQL here is assembled from constant fragments; every value is a bound parameter.
# ruff: noqa: S608
from __future__ import annotations

from typing import Any

from catalogue.search.clauses import (
    NEGATIVE,
    AllOf,
    AnyOf,
    Clause,
    FieldTest,
    NoneOf,
    ParameterTest,
    like_parts,
)
from catalogue.search.conditions import Condition
from catalogue.search.sql_compiler import DATASETS, Compiler

_COLUMNS = {
    "pid": f"{DATASETS}.pid",
    "title": f"{DATASETS}.title",
    "type": f"{DATASETS}.type",
    "license": f"{DATASETS}.license",
    "location": f"{DATASETS}.data_location",
    "id": f"{DATASETS}.id",
    "size": f"{DATASETS}.size",
    "creation_time": f"{DATASETS}.creation_time",
    "start_time": f"{DATASETS}.start_time",
}
# Related values: (sub-select of (dataset id, value), compared in lower case).
_RELATED = {
    "instrument": (
        f"SELECT d.id AS id, COALESCE(NULLIF(i.unique_name, ''), i.name) AS v FROM {DATASETS} d "
        "JOIN catalogue_instrument i ON i.id = d.instrument_id",
        False,
    ),
    "instrument_pid": (
        f"SELECT d.id AS id, i.pid AS v FROM {DATASETS} d "
        "JOIN catalogue_instrument i ON i.id = d.instrument_id",
        False,
    ),
    "proposal": (
        f"SELECT d.id AS id, p.proposal_id AS v FROM {DATASETS} d "
        "JOIN catalogue_proposal p ON p.id = d.proposal_id",
        False,
    ),
    "technique": (
        "SELECT dt.dataset_id AS id, t.name AS v FROM catalogue_dataset_techniques dt "
        "JOIN catalogue_technique t ON t.id = dt.technique_id",
        False,
    ),
    "technique_id": (
        "SELECT dt.dataset_id AS id, t.pid AS v FROM catalogue_dataset_techniques dt "
        "JOIN catalogue_technique t ON t.id = dt.technique_id",
        True,
    ),
    "doi": (
        "SELECT pd.dataset_id AS id, p.doi AS v FROM publishing_publication_datasets pd "
        "JOIN publishing_publication p ON p.id = pd.publication_id AND p.visibility = 'public'",
        True,
    ),
}
_COMPARE = {"eq": "=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def _glob(pattern: str) -> str:
    special = {"*": "[*]", "?": "[?]", "[": "[[]"}
    out = []
    for kind, text in like_parts(pattern):
        if kind == "any":
            out.append("*")
        elif kind == "one":
            out.append("?")
        else:
            out.append("".join(special.get(c, c) for c in text))
    return "".join(out)


class ClauseCompiler:
    """``(sql, params)`` of a clause tree on one database vendor."""

    def __init__(self, compiler: Compiler) -> None:
        self.compiler = compiler
        self.postgres = compiler.postgres

    def clause(self, clause: Clause) -> tuple[str, list[Any]]:
        if isinstance(clause, FieldTest):
            return self._negated(clause.op, self.field(clause))
        if isinstance(clause, ParameterTest):
            return self.parameter(clause)
        parts = [self.clause(child) for child in clause.children]
        params = [p for _, ps in parts for p in ps]
        if isinstance(clause, AllOf):
            return ("(" + " AND ".join(s for s, _ in parts) + ")", params) if parts else ("1=1", [])
        assert isinstance(clause, AnyOf | NoneOf)
        joined = "(" + " OR ".join(s for s, _ in parts) + ")" if parts else "1=0"
        if isinstance(clause, NoneOf):
            return f"NOT COALESCE({joined}, FALSE)", params
        return joined, params

    def _negated(self, op: str, positive: tuple[str, list[Any]]) -> tuple[str, list[Any]]:
        sql, params = positive
        if op in NEGATIVE:
            return f"NOT COALESCE(({sql}), FALSE)", params
        return sql, params

    def _text(self, expr: str, op: str, values: tuple[Any, ...], lower: bool) -> tuple[str, list]:
        """``expr`` against ``values`` by the positive form of ``op``."""
        op = NEGATIVE.get(op, op)
        if lower:
            expr = f"lower({expr})"
            values = tuple(str(v).lower() for v in values)
        if op in ("eq", "inq"):
            return f"{expr} IN ({', '.join(['%s'] * len(values))})", list(values)
        pattern = str(values[0])
        if op == "ilike":
            if self.postgres:
                return f"{expr} ILIKE %s ESCAPE '\\'", [pattern]
            return f"upper({expr}) LIKE upper(%s) ESCAPE '\\'", [pattern]
        if self.postgres:
            return f"{expr} LIKE %s ESCAPE '\\'", [pattern]
        return f"{expr} GLOB %s", [_glob(pattern)]

    def field(self, test: FieldTest) -> tuple[str, list[Any]]:
        if test.field in _RELATED:
            select, lower = _RELATED[test.field]
            inner, params = self._text("r.v", test.op, test.values, lower)
            return f"{DATASETS}.id IN (SELECT r.id FROM ({select}) r WHERE {inner})", params
        column = _COLUMNS[test.field]
        if test.text:
            return self._text(column, test.op, test.values, False)
        op = NEGATIVE.get(test.op, test.op)
        values = list(test.values)
        if op == "between":
            low, high = sorted(values)
            return f"{column} BETWEEN %s AND %s", [low, high]
        if op == "inq":
            return f"{column} IN ({', '.join(['%s'] * len(values))})", values
        return f"{column} {_COMPARE[op]} %s", values

    def parameter(self, test: ParameterTest) -> tuple[str, list[Any]]:
        """Some parameter row with this key passes (a negative test too: some row fails)."""
        select = (
            f"{DATASETS}.id IN (SELECT sp.dataset_id FROM catalogue_scientificparameter sp "
            "WHERE sp.key_path = %s"
        )
        if test.op == "exists":
            return f"{select})", [test.key]
        negate = "NOT " if test.op in NEGATIVE else ""
        if test.numeric:
            parts = [_within(c) for c in test.conditions()]
            inner = " OR ".join(s for s, _ in parts)
            return (
                f"{select} AND sp.si_unit = %s AND sp.si_value IS NOT NULL AND {negate}({inner}))",
                [test.key, test.si_unit, *(p for _, ps in parts for p in ps)],
            )
        op = NEGATIVE.get(test.op, test.op)
        inner, params = self._text("sp.text_value", op, test.texts, op in ("eq", "inq"))
        return (
            f"{select} AND sp.text_value <> '' AND {negate}({inner}))",
            [test.key, *params],
        )


def _within(condition: Condition) -> tuple[str, list[Any]]:
    """A parameter row's stored ``[si_value, si_value_max]`` reaches into the condition's bounds."""
    low, high = condition.bounds()
    strict = condition.op in ("<", ">")
    ranges: list[str] = []
    values: list[Any] = []
    if high is not None:
        ranges.append(f"sp.si_value {'<' if strict else '<='} %s")
        values.append(high)
    if low is not None:
        ranges.append(f"sp.si_value_max {'>' if strict else '>='} %s")
        values.append(low)
    return "(" + " AND ".join(ranges) + ")", values
