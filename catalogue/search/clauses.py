"""Structured conditions for machine clients: a boolean tree both backends compile.

The search page writes its scientific-metadata conditions as strings (:mod:`.conditions`); the
APIs (the PaNOSC search API, the REST API) build this tree in code instead, from filters that are
already structured (LoopBack ``where`` JSON, query parameters), with every value typed and every
quantity already in SI base units. :attr:`DatasetQuery.where <catalogue.search.base.DatasetQuery>`
holds it; both backends compile it (:mod:`.sql_clauses`, :mod:`.opensearch.clauses`) and the
contract suite checks they agree.

Leaves:

- :class:`FieldTest`: one of the dataset's own fields (:data:`TEXT_FIELDS`, :data:`NUMBER_FIELDS`)
  against values: ``eq``, ``neq``, ``inq``, ``nin``, ``like``/``nlike`` (case-sensitive),
  ``ilike``/``nilike`` (case-insensitive) on text; ``eq``, ``neq``, ``lt``, ``lte``, ``gt``,
  ``gte``, ``between``, ``inq``, ``nin`` on numbers and times. Patterns are SQL's: ``%`` any run of
  characters, ``_`` one, ``\\`` escapes either. Multi-valued fields (techniques, DOIs) match when
  any value does; their negations when none does.
- :class:`ParameterTest`: *some* scientific parameter with this key path passes the test: numbers
  in SI (``eq``, ``neq``, ``lt``, ``lte``, ``gt``, ``gte``, ``between``, ``inq``, ``nin``, ranges
  stored as ``[low, high]`` matching as :mod:`.conditions` says), texts (``eq``/``inq``
  case-insensitive, ``neq``/``nin``, ``like``, ``ilike``, ``nlike``, ``nilike``), or ``exists``.

Inner nodes: :class:`AllOf` (AND; empty: everything), :class:`AnyOf` (OR; empty: nothing),
:class:`NoneOf` (NOT of an OR).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from catalogue.search.base import QueryError
from catalogue.search.conditions import Condition

# Text fields of a dataset. Exact by default; "technique_id" (PaNET) and "doi" case-insensitively.
TEXT_FIELDS = (
    "pid",
    "title",
    "type",
    "license",
    "location",
    "instrument",  # the instrument's unique name (the search page's facet value)
    "instrument_pid",
    "proposal",
    "technique",  # a technique's name
    "technique_id",  # a technique's PaNET id
    "doi",  # a public publication's DOI
)
NUMBER_FIELDS = ("id", "size", "creation_time", "start_time")
TEXT_OPS = ("eq", "neq", "inq", "nin", "like", "nlike", "ilike", "nilike")
NUMBER_OPS = ("eq", "neq", "lt", "lte", "gt", "gte", "between", "inq", "nin")
NEGATIVE = {"neq": "eq", "nin": "inq", "nlike": "like", "nilike": "ilike"}
MAX_VALUES = 1000
MAX_LEAVES = 50

Value = str | float | datetime


@dataclass(frozen=True)
class FieldTest:
    field: str
    op: str
    values: tuple[Value, ...]

    def __post_init__(self) -> None:
        text = self.field in TEXT_FIELDS
        if not text and self.field not in NUMBER_FIELDS:
            raise QueryError(f"Unknown field “{self.field}”.")
        ops = TEXT_OPS if text else NUMBER_OPS
        if self.op not in ops:
            raise QueryError(
                f"“{self.op}” does not apply to “{self.field}”; use one of {', '.join(ops)}."
            )
        _check_count(self.op, self.values, self.field)
        for value in self.values:
            if text and not isinstance(value, str):
                raise QueryError(f"“{self.field}” compares text; {value!r} is not text.")
            if not text and (isinstance(value, str) or not _finite(value)):
                raise QueryError(f"“{self.field}” compares numbers or times; {value!r} is not one.")

    @property
    def text(self) -> bool:
        return self.field in TEXT_FIELDS


@dataclass(frozen=True)
class ParameterTest:
    """Some parameter ``key`` of the dataset passes: numbers in SI (``si_unit``), or texts."""

    key: str
    op: str
    numbers: tuple[float, ...] = ()
    texts: tuple[str, ...] = ()
    si_unit: str = ""
    unit: str = ""  # as the client wrote it, for messages

    def __post_init__(self) -> None:
        if not self.key:
            raise QueryError("A parameter condition needs the parameter's name.")
        if self.numbers and self.texts:
            raise QueryError(f"“{self.key}”: compare with numbers or with texts, not both.")
        if self.op == "exists":
            if self.numbers or self.texts:
                raise QueryError("“exists” takes no value.")
            return
        ops = NUMBER_OPS if self.numbers else TEXT_OPS
        if self.op not in ops:
            kind = "numbers" if self.numbers else "text"
            raise QueryError(
                f"“{self.op}” does not compare {kind} (parameter “{self.key}”); use one of "
                f"{', '.join(ops)}."
            )
        _check_count(self.op, self.numbers or self.texts, self.key)
        if not all(math.isfinite(n) for n in self.numbers):
            raise QueryError(f"A number compared with “{self.key}” is too large.")

    @property
    def numeric(self) -> bool:
        return bool(self.numbers)

    def conditions(self) -> list[Condition]:
        """The positive numeric test as :mod:`.conditions` conditions, OR'ed (``inq``: several).

        ``neq``/``nin`` give the conditions of ``eq``/``inq``; the compilers negate them.
        """
        op = NEGATIVE.get(self.op, self.op)
        symbol = {"eq": "=", "inq": "=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
        if op == "between":
            low, high = sorted(self.numbers)
            return [Condition(self.key, "between", self.key, low, high, self.si_unit, self.unit)]
        return [
            Condition(self.key, symbol[op], self.key, n, n, self.si_unit, self.unit)
            for n in self.numbers
        ]


@dataclass(frozen=True)
class AllOf:
    children: tuple[Clause, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Clause, ...]


@dataclass(frozen=True)
class NoneOf:
    children: tuple[Clause, ...]


Clause = FieldTest | ParameterTest | AllOf | AnyOf | NoneOf


def _finite(value: Value) -> bool:
    return isinstance(value, datetime) or (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    )


def _check_count(op: str, values: tuple[object, ...], name: str) -> None:
    if op == "between":
        if len(values) != 2:
            raise QueryError(f"“between” on “{name}” takes two values, low and high.")
    elif op in ("inq", "nin"):
        if not values:
            raise QueryError(f"“{op}” on “{name}” needs at least one value.")
        if len(values) > MAX_VALUES:
            raise QueryError(f"“{op}” on “{name}” takes at most {MAX_VALUES} values.")
    elif len(values) != 1:
        raise QueryError(f"“{op}” on “{name}” takes one value.")


def leaves(clause: Clause | None) -> list[FieldTest | ParameterTest]:
    if clause is None:
        return []
    if isinstance(clause, FieldTest | ParameterTest):
        return [clause]
    return [leaf for child in clause.children for leaf in leaves(child)]


def check_size(clause: Clause | None) -> None:
    if len(leaves(clause)) > MAX_LEAVES:
        raise QueryError(f"At most {MAX_LEAVES} conditions at once.")


def like_parts(pattern: str) -> list[tuple[str, str]]:
    """A SQL LIKE pattern as ``("text", literal)``, ``("any", "")``, ``("one", "")`` parts."""
    parts: list[tuple[str, str]] = []
    literal: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            literal.append(next(chars, "\\"))
        elif char in "%_":
            if literal:
                parts.append(("text", "".join(literal)))
                literal = []
            parts.append(("any" if char == "%" else "one", ""))
        else:
            literal.append(char)
    if literal:
        parts.append(("text", "".join(literal)))
    return parts
