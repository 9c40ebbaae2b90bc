"""A ``where`` evaluated as MongoDB (aggregations, uncast) or Mongoose (``find``, dates cast) would:
operators, comparisons across types, dotted paths into arrays."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from tests.standins.scicat.common import _LOOPBACK_OPS, _MISSING, Pred, Raw, _parse_time, _Problem
from tests.standins.scicat.store import _View

# -- filters ------------------------------------------------------------------------------------


def _scalar_eq(value: Any, operand: Any) -> bool:
    if isinstance(value, bool) or isinstance(operand, bool):
        return type(value) is type(operand) and value == operand
    if isinstance(value, datetime) != isinstance(operand, datetime):
        return False
    return bool(value == operand)


def _eq(value: Any, operand: Any) -> bool:
    """MongoDB equality: null matches a missing field; an array matches by any element."""
    if operand is None:
        return value is _MISSING or value is None or (isinstance(value, list) and None in value)
    if value is _MISSING:
        return False
    if isinstance(value, list):
        if isinstance(operand, list):
            return value == operand or operand in value
        return any(_scalar_eq(item, operand) for item in value)
    return _scalar_eq(value, operand)


def _comparable(value: Any, operand: Any) -> bool:
    for kind in (datetime, str):
        if isinstance(value, kind) and isinstance(operand, kind):
            return True
    numbers = (int, float)
    return (
        isinstance(value, numbers)
        and isinstance(operand, numbers)
        and not isinstance(value, bool)
        and not isinstance(operand, bool)
    )


_ORDERS: dict[str, Callable[[Any, Any], bool]] = {
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$lt": operator.lt,
    "$lte": operator.le,
}


# Mongoose casts a condition to the field's schema type; not for paths it does not know (a
# LoopBack "and" left untranslated) nor below Mixed objects.
_UNTYPED = {"and", "or", "nor"}
_MIXED = {"scientificMetadata", "customMetadata", "jobParameters", "metadata"}


def _cast_fails(operand: Any) -> bool:
    """An object Mongoose cannot cast to a field's type (a LoopBack operator, or what SciCat
    4.17.1 made of an array)."""
    return isinstance(operand, dict) and (
        not operand or any(k in _LOOPBACK_OPS or k.isdigit() for k in operand)
    )


class _Where:
    """A ``where`` in MongoDB syntax, compiled to a predicate on records.

    ``strict``: answered by Mongoose's ``find`` (casting to a field's schema type fails for
    objects of LoopBack operators: 500) rather than an aggregation (such an object is a literal
    that matches nothing). ``cast_dates``: ISO text in the where compares as dates.
    """

    def __init__(self, where: Any, *, cast_dates: bool, strict: bool) -> None:
        if where is None:
            where = {}
        if not isinstance(where, dict):
            raise _Problem(500, "where must be an object")
        self.where: Raw = where
        self.cast_dates = cast_dates
        self.strict = strict
        self._match = self._node(where)

    def matches(self, doc: Any) -> bool:
        return self._match(doc)

    def bounds(self, name: str) -> tuple[Any, bool] | None:
        """A lower bound on a top-level field the where implies, for a fast start: (value,
        inclusive). Conditions inside ``$or`` are not looked at."""
        condition = self.where.get(name)
        if condition is None:
            return None
        if not isinstance(condition, dict):
            return (condition, True)
        for key, operand in condition.items():
            if key in {"$gte", "$eq"}:
                return (operand, True)
            if key == "$gt":
                return (operand, False)
        return None

    def _node(self, node: Any) -> Callable[[Any], bool]:
        if not isinstance(node, dict):
            raise _Problem(500, f"a where clause must be an object, not {node!r}")
        tests: list[Callable[[Any], bool]] = []
        for key, condition in node.items():
            if key in ("$and", "$or", "$nor"):
                if not isinstance(condition, list) or not condition:
                    raise _Problem(500, f"{key} must be a nonempty array")
                tests.append(self._logical(key, [self._node(part) for part in condition]))
            elif key.startswith("$"):
                raise _Problem(500, f"unknown top level operator: {key}")
            else:
                typed = self.strict and key not in _UNTYPED and key.split(".")[0] not in _MIXED
                tests.append(self._on_field(key, self._condition(condition, typed)))
        if len(tests) == 1:
            return tests[0]
        return lambda doc: all(test(doc) for test in tests)

    @staticmethod
    def _logical(key: str, parts: list[Callable[[Any], bool]]) -> Callable[[Any], bool]:
        if key == "$and":
            return lambda doc: all(part(doc) for part in parts)
        if key == "$or":
            return lambda doc: any(part(doc) for part in parts)
        return lambda doc: not any(part(doc) for part in parts)

    @staticmethod
    def _on_field(key: str, test: Pred) -> Callable[[Any], bool]:
        return lambda doc: test(doc.get(key))

    def _operand(self, operand: Any, typed: bool) -> Any:
        if typed and _cast_fails(operand):
            raise _Problem(500, f"Cast failed for value {operand!r}")
        if self.cast_dates and isinstance(operand, str) and operand[:4].isdigit():
            return _parse_time(operand) or operand
        return operand

    def _condition(self, condition: Any, typed: bool) -> Pred:
        if isinstance(condition, dict) and any(k.startswith("$") for k in condition):
            if not all(k.startswith("$") for k in condition):
                bad = next(k for k in condition if not k.startswith("$"))
                raise _Problem(500, f"unknown operator: {bad}")
            tests = [
                self._op(op, operand, condition, typed)
                for op, operand in condition.items()
                if op != "$options"
            ]
            if "$options" in condition and "$regex" not in condition:
                raise _Problem(500, "$options needs a $regex")
            if len(tests) == 1:
                return tests[0]
            return lambda value: all(test(value) for test in tests)
        if isinstance(condition, dict):
            if typed and _cast_fails(condition):
                raise _Problem(500, f"Cast failed for value {condition!r}")
            return lambda value: _eq(value, condition)
        return self._op("$eq", condition, {}, typed)

    def _op(self, op: str, operand: Any, whole: Raw, typed: bool) -> Pred:
        if op in ("$eq", "$ne"):
            x = self._operand(operand, typed)
            if op == "$eq":
                return lambda value: _eq(value, x)
            return lambda value: not _eq(value, x)
        if op in ("$in", "$nin"):
            if not isinstance(operand, list):
                raise _Problem(500, f"{op} needs an array")
            xs = [self._operand(item, typed) for item in operand]
            texts = {x for x in xs if isinstance(x, str)}
            others = [x for x in xs if not isinstance(x, str)]

            def found(value: Any) -> bool:
                if isinstance(value, str):
                    return value in texts
                if isinstance(value, list) and any(
                    isinstance(v, str) and v in texts for v in value
                ):
                    return True
                return any(_eq(value, x) for x in others)

            if op == "$in":
                return found
            return lambda value: not found(value)
        if op in _ORDERS:
            x = self._operand(operand, typed)
            compare = _ORDERS[op]

            def ordered(value: Any) -> bool:
                if isinstance(value, list):
                    return any(ordered(v) for v in value)
                return _comparable(value, x) and compare(value, x)

            return ordered
        if op == "$exists":
            wanted = bool(operand)
            return lambda value: (value is not _MISSING) == wanted
        if op == "$regex":
            if not isinstance(operand, str):
                raise _Problem(500, "$regex has to be a string")
            flags = 0
            options = whole.get("$options") or ""
            for letter, flag in (("i", re.I), ("m", re.M), ("s", re.S), ("x", re.X)):
                if letter in str(options):
                    flags |= flag
            try:
                pattern = re.compile(operand, flags)
            except re.error as exc:
                raise _Problem(500, f"invalid $regex: {exc}") from None

            def searched(value: Any) -> bool:
                if isinstance(value, list):
                    return any(searched(v) for v in value)
                return isinstance(value, str) and pattern.search(value) is not None

            return searched
        if op == "$not":
            if not isinstance(operand, dict) or not all(k.startswith("$") for k in operand):
                raise _Problem(500, "$not needs an object of operators")
            inner = self._condition(operand, typed)
            return lambda value: not inner(value)
        if op == "$elemMatch":
            if not isinstance(operand, dict):
                raise _Problem(500, "$elemMatch needs an object")
            if operand and all(k.startswith("$") for k in operand):
                element: Callable[[Any], bool] = self._condition(operand, typed)
            else:
                node = self._node(operand)

                def element(item: Any) -> bool:
                    return isinstance(item, dict) and node(_View(item))

            return lambda value: isinstance(value, list) and any(element(v) for v in value)
        raise _Problem(500, f"unknown operator: {op}")
