"""The LoopBack ``filter`` of the PaNOSC search API, parsed once into typed parts.

A filter is JSON: ``where`` (conditions on the model's own properties, joined by ``and``/``or``),
``include`` (relations, each with a ``scope`` holding its own ``where`` and ``include``), ``limit``
and ``skip``, and the PaNOSC addition ``query`` (free text, scored). Everything a client can get
wrong is a :class:`FilterError` naming the part at fault (the view answers 400 with it): bad JSON,
an unknown property, relation or operator, a value of the wrong type, a unit pint does not know.

``where`` conditions are :class:`Test` leaves (property, operator, values) in :class:`Group` trees;
the selectors translate them for each model (datasets into the search layer's clauses).
Parameters are special: a parameter condition is a conjunction on *one* parameter (``name``,
``value``, ``unit``); ``and``/``or`` above it join such conjunctions (:func:`parameter_clause`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from catalogue.scimeta import canonical_unit, conversion
from catalogue.search import QueryError
from catalogue.search.clauses import AllOf, AnyOf, Clause, ParameterTest

OPERATORS = (
    "eq",
    "neq",
    "lt",
    "lte",
    "gt",
    "gte",
    "between",
    "inq",
    "nin",
    "like",
    "nlike",
    "ilike",
    "nilike",
)
MAX_LIMIT = 1000
MAX_FILTER_LENGTH = 20_000
MAX_DEPTH = 8
# Model -> relation -> the related model, as the PaNOSC data model names them.
RELATIONS: dict[str, dict[str, str]] = {
    "Dataset": {
        "parameters": "Parameter",
        "files": "File",
        "techniques": "Technique",
        "instrument": "Instrument",
        "samples": "Sample",
        "documents": "Document",
    },
    "Document": {"datasets": "Dataset", "members": "Member", "parameters": "Parameter"},
    "Member": {"person": "Person", "affiliation": "Affiliation"},
    "Instrument": {},
    "Parameter": {},
    "File": {},
    "Technique": {},
    "Sample": {},
    "Person": {},
    "Affiliation": {},
}
# Model -> the properties a ``where`` may name ("text" is the PaNOSC full-text operator).
PROPERTIES: dict[str, tuple[str, ...]] = {
    "Dataset": ("pid", "title", "isPublic", "creationDate", "size", "text"),
    "Document": (
        "pid",
        "doi",
        "title",
        "summary",
        "type",
        "isPublic",
        "keywords",
        "license",
        "releaseDate",
        "text",
    ),
    "Instrument": ("pid", "name", "facility", "text"),
    "Parameter": ("name", "value", "unit"),
    "File": ("id", "name", "path", "size", "text"),
    "Technique": ("pid", "name", "panetId", "text"),
    "Sample": ("pid", "name", "description", "text"),
    "Member": ("role",),
    "Person": ("id", "fullName", "orcid", "firstName", "lastName"),
    "Affiliation": ("id", "name", "address", "city", "country"),
}


class FilterError(QueryError):
    """A filter the client can fix; the message names the part at fault."""


Scalar = str | float | bool | None


@dataclass(frozen=True)
class Test:
    """``prop op values`` (``values`` has one item except for between/inq/nin)."""

    prop: str
    op: str
    values: tuple[Scalar, ...]


@dataclass(frozen=True)
class Group:
    """``and``/``or`` of tests and groups."""

    joiner: str  # "and" | "or"
    children: tuple[Test | Group, ...]


Where = Test | Group


@dataclass(frozen=True)
class Include:
    relation: str
    model: str
    where: Where | None = None
    includes: tuple[Include, ...] = ()

    def child(self, relation: str) -> Include | None:
        return next((i for i in self.includes if i.relation == relation), None)


@dataclass(frozen=True)
class Filter:
    model: str
    where: Where | None = None
    includes: tuple[Include, ...] = ()
    limit: int = MAX_LIMIT
    skip: int = 0
    query: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def include(self, relation: str) -> Include | None:
        return next((i for i in self.includes if i.relation == relation), None)


def _load(raw: str, name: str) -> Any:
    if len(raw) > MAX_FILTER_LENGTH:
        raise FilterError(f"“{name}” is longer than {MAX_FILTER_LENGTH:,} characters.")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise FilterError(f"“{name}” is not valid JSON: {exc}") from None


def parse_filter(raw: str | None, model: str, *, query: str = "") -> Filter:
    """The ``filter`` query parameter of a list or get call on ``model``."""
    data = _load(raw, "filter") if raw else {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FilterError('“filter” must be a JSON object such as {"limit": 10}.')
    unknown = set(data) - {
        "where",
        "include",
        "limit",
        "skip",
        "offset",
        "query",
        "fields",
        "order",
    }
    if unknown:
        raise FilterError(f"Unknown filter part(s): {', '.join(sorted(unknown))}.")
    if "order" in data or "fields" in data:
        part = "order" if "order" in data else "fields"
        raise FilterError(
            f"“{part}” is not offered: results come by score with a query, else in the "
            "documented order, with every field."
        )
    text = data.get("query", query) or query
    if not isinstance(text, str):
        raise FilterError("“query” must be a string.")
    return Filter(
        model=model,
        where=parse_where(data.get("where"), model, "where"),
        includes=_includes(data.get("include"), model, "include", 0),
        limit=_whole(data.get("limit"), "limit", MAX_LIMIT, default=MAX_LIMIT, least=1),
        skip=_whole(data.get("skip", data.get("offset")), "skip", None, default=0, least=0),
        query=text.strip(),
    )


def parse_where_param(raw: str | None, model: str) -> Where | None:
    """The ``where`` query parameter of a count call."""
    if not raw:
        return None
    return parse_where(_load(raw, "where"), model, "where")


def _whole(value: Any, name: str, most: int | None, *, default: int, least: int) -> int:
    if value is None:
        return default
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise FilterError(f"“{name}” must be a whole number.")
    if value < least:
        raise FilterError(f"“{name}” must be at least {least}.")
    if most is not None and value > most:
        raise FilterError(f"“{name}” is at most {most:,}; page with “skip” for more.")
    return value


def _includes(value: Any, model: str, path: str, depth: int) -> tuple[Include, ...]:
    if value is None:
        return ()
    if depth > MAX_DEPTH:
        raise FilterError(f"“{path}” is nested too deeply.")
    items = value if isinstance(value, list) else [value]
    out: list[Include] = []
    for number, item in enumerate(items):
        where = f"{path}[{number}]"
        if isinstance(item, str):
            item = {"relation": item}
        if not isinstance(item, dict) or not isinstance(item.get("relation"), str):
            raise FilterError(f'“{where}” must name a relation: {{"relation": "files"}}.')
        unknown = set(item) - {"relation", "scope"}
        if unknown:
            raise FilterError(f"Unknown key(s) in “{where}”: {', '.join(sorted(unknown))}.")
        relation = item["relation"]
        related = RELATIONS[model].get(relation)
        if related is None:
            known = ", ".join(RELATIONS[model]) or "none"
            raise FilterError(
                f"“{relation}” in “{where}” is not a relation of {model} (relations: {known})."
            )
        scope = item.get("scope") or {}
        if not isinstance(scope, dict):
            raise FilterError(f"“{where}.scope” must be an object.")
        unknown = set(scope) - {"where", "include", "limit", "skip", "fields", "order"}
        if unknown:
            raise FilterError(f"Unknown key(s) in “{where}.scope”: {', '.join(sorted(unknown))}.")
        out.append(
            Include(
                relation=relation,
                model=related,
                where=parse_where(scope.get("where"), related, f"{where}.scope.where", depth),
                includes=_includes(scope.get("include"), related, f"{where}.scope", depth + 1),
            )
        )
    return tuple(out)


def parse_where(value: Any, model: str, path: str, depth: int = 0) -> Where | None:
    if value is None or value == {}:
        return None
    if depth > MAX_DEPTH:
        raise FilterError(f"“{path}” is nested too deeply.")
    if not isinstance(value, dict):
        raise FilterError(f'“{path}” must be an object such as {{"title": "..."}}.')
    children: list[Where] = []
    for key, item in value.items():
        here = f"{path}.{key}"
        if key in ("and", "or"):
            if not isinstance(item, list) or not item:
                raise FilterError(f"“{here}” must be a non-empty list of conditions.")
            parts = [parse_where(c, model, f"{here}[{n}]", depth + 1) for n, c in enumerate(item)]
            kept = tuple(p for p in parts if p is not None)
            # An empty condition ({}) matches everything: it drops out of an "and" and makes
            # an "or" always true.
            if (len(kept) == len(parts) or key == "and") and kept:
                children.append(Group(key, kept) if len(kept) > 1 else kept[0])
            continue
        if key not in PROPERTIES[model]:
            known = ", ".join(PROPERTIES[model])
            raise FilterError(f"“{key}” in “{path}” is not a property of {model} ({known}).")
        children.append(_test(key, item, here))
    if not children:
        return None
    return children[0] if len(children) == 1 else Group("and", tuple(children))


def _scalar(value: Any, path: str) -> Scalar:
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            raise FilterError(f"The number in “{path}” is too large.")
        return number
    raise FilterError(f"“{path}” must be a string, a number, true, false or null.")


def _test(prop: str, value: Any, path: str) -> Test:
    if not isinstance(value, dict):
        return Test(prop, "eq", (_scalar(value, path),))
    if len(value) != 1:
        raise FilterError(f'“{path}” must hold one operator, such as {{"gt": 10}}.')
    ((op, operand),) = value.items()
    here = f"{path}.{op}"
    if op not in OPERATORS:
        raise FilterError(
            f"Unknown operator “{op}” in “{path}”; use one of {', '.join(OPERATORS)}."
        )
    if op in ("between", "inq", "nin"):
        if not isinstance(operand, list):
            raise FilterError(f"“{here}” takes a list.")
        if op == "between" and len(operand) != 2:
            raise FilterError(f"“{here}” takes two values: [low, high].")
        if not operand:
            raise FilterError(f"“{here}” needs at least one value.")
        return Test(prop, op, tuple(_scalar(v, here) for v in operand))
    if op in ("like", "nlike", "ilike", "nilike") and not isinstance(operand, str):
        raise FilterError(f"“{here}” takes a pattern string.")
    return Test(prop, op, (_scalar(operand, here),))


def time_value(value: Scalar, path: str) -> datetime:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise FilterError(f"“{path}” compares dates; {value!r} is not an ISO 8601 date.")


# -- parameters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitChoice:
    """A quantity's unit as the client wrote it, and how to reach SI from it."""

    unit: str
    scale: float
    offset: float
    si_unit: str

    def from_si(self, si: float) -> float:
        return (si - self.offset) / self.scale


def unit_choice(unit: str, path: str) -> UnitChoice:
    name = canonical_unit(unit)
    conv = conversion(name)
    if conv is None or conv.scale == 0:
        raise FilterError(
            f"Unknown unit “{unit}” in “{path}”; use a unit such as K, degC, mK, eV, keV, "
            "angstrom, mm, bar or s (case-sensitive)."
        )
    return UnitChoice(unit, conv.scale, conv.offset, conv.si_unit)


def parameter_clause(where: Where, units: dict[str, UnitChoice], path: str) -> Clause:
    """A parameters scope ``where`` as a clause: each conjunction tests one parameter.

    ``units`` collects, per parameter name, the unit the client asked in (answers convert to it).
    """
    if isinstance(where, Group) and where.joiner == "or":
        return AnyOf(tuple(parameter_clause(c, units, path) for c in where.children))
    tests = _conjunction(where, path)
    if tests is None:  # an "and" of groups: each its own parameter
        assert isinstance(where, Group)
        return AllOf(tuple(parameter_clause(c, units, path) for c in where.children))
    names = [t for t in tests if t.prop == "name"]
    values = [t for t in tests if t.prop == "value"]
    unit_tests = [t for t in tests if t.prop == "unit"]
    if len(names) != 1 or names[0].op != "eq" or not isinstance(names[0].values[0], str):
        raise FilterError(
            f"Each parameter condition in “{path}” names one parameter: "
            '{"name": "sample_temperature", "value": {"lt": 80}, "unit": "degC"}.'
        )
    name = str(names[0].values[0])
    if len(unit_tests) > 1 or (unit_tests and unit_tests[0].op != "eq"):
        raise FilterError(f"“unit” in “{path}” takes one unit, as a string.")
    unit = str(unit_tests[0].values[0] or "") if unit_tests else ""
    if not values:
        return ParameterTest(name, "exists")
    leaves = tuple(_value_test(name, t, unit, units, path) for t in values)
    return leaves[0] if len(leaves) == 1 else AllOf(leaves)


def _conjunction(where: Where, path: str) -> list[Test] | None:
    """The tests of a flat conjunction, or None when it joins groups (each its own parameter)."""
    if isinstance(where, Test):
        return [where]
    if where.joiner == "or":
        return None
    if all(isinstance(c, Test) for c in where.children):
        return [c for c in where.children if isinstance(c, Test)]
    flat: list[Test] = []
    for child in where.children:
        if isinstance(child, Test):
            flat.append(child)
        elif child.joiner == "and" and all(isinstance(c, Test) for c in child.children):
            flat += [c for c in child.children if isinstance(c, Test)]
        else:
            return None
    return flat


def _value_test(
    name: str, test: Test, unit: str, units: dict[str, UnitChoice], path: str
) -> ParameterTest:
    numbers = [v for v in test.values if isinstance(v, float)]
    texts = [v for v in test.values if isinstance(v, str)]
    if any(v is None or isinstance(v, bool) for v in test.values) or (numbers and texts):
        raise FilterError(f"“value” of “{name}” in “{path}” compares numbers or strings.")
    if texts:
        return ParameterTest(name, test.op, texts=tuple(texts))
    choice = unit_choice(unit, path) if unit else UnitChoice("", 1.0, 0.0, "")
    if unit:
        units[name] = choice
    try:
        return ParameterTest(
            name,
            test.op,
            numbers=tuple(choice.scale * n + choice.offset for n in numbers),
            si_unit=choice.si_unit,
            unit=unit,
        )
    except QueryError as exc:
        raise FilterError(f"{exc} (in “{path}”)") from None
