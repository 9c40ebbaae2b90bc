"""A ``where`` on a small related model (instruments, techniques, documents, files) as a ``Q``.

These tables are small next to the datasets (or read per dataset), so they are asked directly; a
condition on them that narrows *datasets* becomes a list of their identifiers in a dataset clause
(:mod:`panosc.datasets`). LIKE patterns become anchored regular expressions (``%`` ``.*``, ``_``
``.``), which Django runs on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf

from catalogue.models import DataFile, Instrument, Technique
from catalogue.search.clauses import like_parts
from panosc.filters import FilterError, Scalar, Test, Where, time_value

_LOOKUP = {"eq": "exact", "lt": "lt", "lte": "lte", "gt": "gt", "gte": "gte", "inq": "in"}
_NEGATIVE = {"neq": "eq", "nin": "inq", "nlike": "like", "nilike": "ilike"}


def like_regex(pattern: str) -> str:
    out = []
    for kind, text in like_parts(pattern):
        out.append(".*" if kind == "any" else "." if kind == "one" else re.escape(text))
    return "^" + "".join(out) + "$"


def field_q(column: str, test: Test, kind: str = "text") -> Q:
    """``column`` by ``test``: text, number or time (``kind``)."""
    op = _NEGATIVE.get(test.op, test.op)
    values: list[Any] = list(test.values)
    if kind == "time":
        values = [time_value(v, test.prop) for v in values]
    elif kind == "number" and not all(isinstance(v, float) for v in values):
        raise FilterError(f"“{test.prop}” compares numbers.")
    elif kind == "text" and not all(isinstance(v, str) for v in values):
        raise FilterError(f"“{test.prop}” compares text; use a string.")
    if kind == "text" and op in ("lt", "lte", "gt", "gte", "between"):
        raise FilterError(f"“{test.op}” does not compare text (“{test.prop}”).")
    if kind != "text" and op in ("like", "ilike"):
        raise FilterError(f"“{test.op}” compares text, and “{test.prop}” is not text.")
    if op == "between":
        q = Q(**{f"{column}__range": sorted(values)})
    elif op in ("like", "ilike"):
        lookup = "regex" if op == "like" else "iregex"
        q = Q(**{f"{column}__{lookup}": like_regex(str(values[0]))})
    elif op == "inq":
        q = Q(**{f"{column}__in": values})
    else:
        q = Q(**{f"{column}__{_LOOKUP[op]}": values[0]})
    return ~q if test.op in _NEGATIVE else q


def constant_q(value: Scalar, test: Test) -> Q:
    """A property every record has with the same value (``isPublic``, ``type``)."""
    op = _NEGATIVE.get(test.op, test.op)
    if op == "eq":
        hit = test.values[0] == value
    elif op == "inq":
        hit = value in test.values
    else:
        raise FilterError(f"“{test.op}” does not apply to “{test.prop}”.")
    if test.op in _NEGATIVE:
        hit = not hit
    return Q() if hit else Q(pk__in=[])


def where_q(where: Where | None, leaf: Callable[[Test], Q]) -> Q:
    if where is None:
        return Q()
    if isinstance(where, Test):
        return leaf(where)
    parts = [where_q(child, leaf) for child in where.children]
    out = parts[0]
    for part in parts[1:]:
        out = (out & part) if where.joiner == "and" else (out | part)
    return out


def _text_any(columns: tuple[str, ...], test: Test) -> Q:
    """The PaNOSC ``text`` operator: any of ``columns`` contains the text, ignoring case."""
    if len(test.values) != 1 or not isinstance(test.values[0], str) or test.op != "eq":
        raise FilterError('“text” takes a string: {"text": "copper"}.')
    out = Q(pk__in=[])
    for column in columns:
        out |= Q(**{f"{column}__icontains": test.values[0]})
    return out


def instruments() -> QuerySet[Instrument]:
    """Instruments with the name PaNOSC shows (the unique name, else the name)."""
    return Instrument.objects.annotate(
        panosc_name=Coalesce(NullIf("unique_name", Value("")), "name")
    )


def instrument_q(where: Where | None) -> Q:
    def leaf(test: Test) -> Q:
        if test.prop == "text":
            return _text_any(("panosc_name", "facility"), test)
        column = {"pid": "pid", "name": "panosc_name", "facility": "facility"}[test.prop]
        return field_q(column, test)

    return where_q(where, leaf)


def technique_q(where: Where | None) -> Q:
    def leaf(test: Test) -> Q:
        if test.prop == "text":
            return _text_any(("name",), test)
        if test.prop in ("pid", "panetId"):
            lowered = Test(test.prop, test.op, tuple(_lower(v) for v in test.values))
            return field_q("pid", lowered) if test.op in ("like", "nlike") else _ipid(lowered)
        return field_q("name", test)

    return where_q(where, leaf)


def _lower(value: Scalar) -> Scalar:
    return value.lower() if isinstance(value, str) else value


def _ipid(test: Test) -> Q:
    """PaNET ids compare ignoring case (``http://purl.org/pan-science/PaNET/PaNET01188``)."""
    op = _NEGATIVE.get(test.op, test.op)
    if op in ("eq", "inq"):
        q = Q(pid__iexact=test.values[0]) if op == "eq" else Q(pk__in=[])
        if op == "inq":
            for value in test.values:
                q |= Q(pid__iexact=value)
        return ~q if test.op in _NEGATIVE else q
    return field_q("pid", test)


def file_q(where: Where | None) -> Q:
    def leaf(test: Test) -> Q:
        if test.prop == "text":
            return _text_any(("path",), test)
        if test.prop == "size":
            return field_q("size", test, "number")
        if test.prop == "id":
            ids = [int(v) for v in test.values if isinstance(v, str | float) and _is_int(v)]
            if len(ids) != len(test.values):
                raise FilterError("A file “id” is a whole number.")
            return field_q("id", Test("id", test.op, tuple(float(i) for i in ids)), "number")
        if test.prop == "name":  # the file's name without its folder
            if test.op in ("eq", "neq"):
                value = str(test.values[0])
                q = Q(path=value) | Q(path__endswith="/" + value)
                return ~q if test.op == "neq" else q
            pattern = Test(test.prop, test.op, tuple("%/" + str(v) for v in test.values))
            return field_q("path", test) | field_q("path", pattern)
        return field_q("path", test)

    return where_q(where, leaf)


def _is_int(value: Scalar) -> bool:
    try:
        return float(str(value)) == int(float(str(value)))
    except (ValueError, OverflowError):
        return False


def techniques() -> QuerySet[Technique]:
    return Technique.objects.all()


def files() -> QuerySet[DataFile]:
    return DataFile.objects.all()
