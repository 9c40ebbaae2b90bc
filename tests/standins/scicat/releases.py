"""What SciCat 4.17.1 and 5.2.1 do to a filter before MongoDB sees it: LoopBack operators rewritten
(4.17.1 in the filter's text, 5.2.1 by key), v4's FilterValidationPipe, v3's renames and
``createFullqueryFilter``, ``limits`` per dialect and release, ``fields`` and ``include``."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from tests.standins.scicat.common import (
    _ARBITRARY,
    _BLOCK_DATES,
    _BLOCK_OTHERS,
    _BLOCK_STRINGS,
    _V3_WHERE_RENAMES,
    _V4_WHERE_KEYS,
    _WHERE_PIPE_MAP,
    RELATIONS,
    Raw,
    _parse_time,
    _Problem,
    iso,
)

# -- what SciCat does to a filter before MongoDB sees it ----------------------------------------


def _parse_filter(text: str | None) -> Raw:
    if not text:
        return {}
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise _Problem(400, f"Invalid JSON in filter: {exc}") from None
    if not isinstance(doc, dict):
        raise _Problem(400, "the filter must be a JSON object")
    return doc


def _text_ops_4171(text: str) -> str:
    """4.17.1's FilterPipe (/api/v3/datasets): LoopBack operators replaced in the filter's text."""
    for bare, mongo in (
        ('{"inq":', '{"$in":'),
        ('{"nin":', '{"$nin":'),
        ('{"and":[', '{"$and":['),
        ('{"or":[', '{"$or":['),
    ):
        text = text.replace(bare, mongo)
    return text


def _like_4171(node: Any) -> Any:
    """4.17.1's replaceLikeOperator: ``like`` becomes ``$regex``; on the way, every array but a
    ``$or``/``$and``/``$in`` operand becomes an object (``for ... in`` over it), and non-object
    items of those become ``{}``."""

    def inner(value: Any) -> Raw:
        items: Iterable[tuple[str, Any]]
        if isinstance(value, dict):
            items = value.items()
        elif isinstance(value, list):
            items = ((str(i), v) for i, v in enumerate(value))
        else:
            items = ()
        out: Raw = {}
        for key, item in items:
            if key == "like" and not isinstance(item, (dict, list)) and item is not None:
                out["$regex"] = item
            elif isinstance(item, list) and key in ("$or", "$and", "$in"):
                out[key] = [v if isinstance(v, str) else inner(v) for v in item]
            elif isinstance(item, (dict, list)) or item is None:
                out[key] = inner(item)
            else:
                out[key] = item
        return out

    return inner(node)


def _map_ops_521(node: Any) -> Any:
    """5.2.1's WherePipe: LoopBack operator names mapped anywhere (``ilike`` adds ``$options``)."""
    if isinstance(node, list):
        return [_map_ops_521(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: Raw = {}
    for key, value in node.items():
        if key == "ilike":
            out["$options"] = "i"
            out["$regex"] = value
        else:
            out[_WHERE_PIPE_MAP.get(key) or key] = _map_ops_521(value)
    return out


def _json_leaves(node: Any) -> Any:
    """5.2.1's FilterPipe on ``@Query("filter")`` (instruments): every string value that is
    JSON is parsed (``"123"`` becomes 123); array items are left alone."""
    if isinstance(node, dict):
        out: Raw = {}
        for key, value in node.items():
            value = _json_leaves(value) if isinstance(value, dict | list) else value
            if isinstance(value, str):
                with contextlib.suppress(ValueError):
                    value = json.loads(value, parse_constant=_no_constant)
            out[key] = value
        return out
    if isinstance(node, list):
        return [_json_leaves(item) if isinstance(item, dict | list) else item for item in node]
    return node


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _v3_renames(where: Raw) -> Raw:
    """v3 datasets' convertObsoleteWhereFilterToCurrentSchema (top-level keys only)."""
    out = dict(where)
    for old, new in _V3_WHERE_RENAMES.items():
        if old in out:
            value = out.pop(old)
            if old == "investigator" and isinstance(value, str):
                value = {"$in": [value]}
            out[new] = value
    return out


def _flat_keys(node: Raw, prefix: str = "") -> Iterator[str]:
    """SciCat's flattenObject: dotted keys down to the leaves, not into arrays; null skipped."""
    for key, value in node.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            yield from _flat_keys(value, name)
        elif value is not None:
            yield name


def _validate_v4(
    doc: Raw, fields: set[str], *, sections: Iterable[str], extra_ops: Iterable[str] = (),
    arbitrary: bool,
) -> None:  # fmt: skip
    """The v4 FilterValidationPipes: every key part an allowed operator or DTO field name."""
    allowed = set(fields) | set(extra_ops)
    for section in sections:
        allowed |= {
            "where": _V4_WHERE_KEYS,
            "include": {"include"},
            "limits": {"limits", "limit", "skip", "sort"},
            "fields": {"fields"},
        }[section]
    for key in _flat_keys(doc):
        anything = False
        for part in key.split("."):
            if part not in allowed and not anything:
                raise _Problem(400, f"Property {key} should not exist in the filter object")
            if arbitrary and part in _ARBITRARY:
                anything = True


def _fullquery_where(where: Any) -> Raw:
    """createFullqueryFilter on an origdatablocks where (both releases), key by key."""
    if where is None:
        return {}
    if not isinstance(where, dict):
        raise _Problem(500, "where must be an object")
    out: Raw = {"$or": []}

    def expression(key: str, value: Any) -> Any:
        dates = key in _BLOCK_DATES
        if key not in _BLOCK_STRINGS | _BLOCK_DATES | _BLOCK_OTHERS and "." not in key:
            if isinstance(value, dict) and "begin" in value:
                dates = True
            elif value is not None and not isinstance(value, dict | list):
                # schemaTypeOf: '"begin" in value' on a primitive throws a TypeError
                raise _Problem(500, f"TypeError: cannot use 'in' on {value!r}")
        if dates:
            begin = _parse_time(value.get("begin")) if isinstance(value, dict) else None
            end = _parse_time(value.get("end")) if isinstance(value, dict) else None
            if begin is None or end is None:
                raise _Problem(500, f"Cast to date failed for {key}: {value!r}")
            return {"$gte": iso(begin), "$lte": iso(end)}
        if key == "isPublished":
            return {"$eq": value}
        if isinstance(value, list):
            if len(value) == 1 and key not in _BLOCK_OTHERS:
                return value[0]
            return {"$in": value}
        return value

    for key, value in where.items():
        if key == "mode" and isinstance(value, dict):
            out.update(value)
        elif key in ("text", "scientific", "characteristics"):
            raise _Problem(400, f"stand-in: '{key}' in an origdatablocks where is not supported")
        elif key in ("userGroups", "ownerGroup", "accessGroups", "sharedWith"):
            if not isinstance(out.get("$or"), list):
                raise _Problem(500, "TypeError: push on a $or that is not an array")
            names = ("ownerGroup", "accessGroups") if key == "userGroups" else (key,)
            for name in names:
                out["$or"].append({name: expression(name, value)})
        else:
            out[key] = expression(key, value)
    if out.get("$or") == []:
        del out["$or"]
    return out


@dataclass
class _Limits:
    limit: int
    skip: int
    order: list[tuple[str, bool]]  # (field, descending)


def _whole(value: Any, default: int) -> int:
    if not value:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _Problem(500, f"limit and skip must be whole numbers, not {value!r}")
    return value


def _loopback_limits(limits: Any, *, sort_too: bool) -> _Limits:
    """parseLimitFilters: ``limit`` (100), ``skip``, ``order`` "field:asc|desc" (5.2.1: or a
    ``sort`` object)."""
    if not limits:
        return _Limits(100, 0, [])
    if not isinstance(limits, dict):
        raise _Problem(500, "limits must be an object")
    order: list[tuple[str, bool]] = []
    value = limits.get("order")
    if value:
        if not isinstance(value, str):
            raise _Problem(500, "TypeError: limits.order.split is not a function")
        name, _, direction = value.partition(":")
        if direction in ("asc", "desc"):
            order = [(name, direction == "desc")]
    elif sort_too and isinstance(limits.get("sort"), dict):
        order = [(k, v in ("desc", -1, "-1")) for k, v in limits["sort"].items()]
    return _Limits(_whole(limits.get("limit"), 100), _whole(limits.get("skip"), 0), order)


def _v4_limits(limits: Any, *, key_by_key: bool) -> _Limits:
    """The v4 aggregations: ``{10, 0, createdAt desc}`` when limits is absent (5.2.1 datasets:
    key by key); ``parsePipelineSort``: anything but ``"asc"`` is descending."""
    defaults = {"limit": 10, "skip": 0, "sort": {"createdAt": "desc"}}
    if limits is None:
        limits = defaults
    elif not isinstance(limits, dict):
        raise _Problem(500, "limits must be an object")
    elif key_by_key:
        limits = {**defaults, **limits}
    sort = limits.get("sort") or {}
    if not isinstance(sort, dict):
        raise _Problem(500, "limits.sort must be an object")
    order = [(name, direction != "asc") for name, direction in sort.items()]
    return _Limits(_whole(limits.get("limit"), 10), _whole(limits.get("skip"), 0), order)


def _fields(doc: Raw) -> list[str] | None:
    fields = doc.get("fields")
    if fields is None or fields == [] or fields == {}:
        return None
    if isinstance(fields, dict):
        return [k for k, v in fields.items() if v]
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise _Problem(500, "fields must be a list of names")
    return fields


def _include_names(value: Any, *, lenient: bool = False) -> list[str]:
    """``include``: names or ``{"relation": name}``; ``all`` is every relation. Unknown: 400.
    ``lenient`` (4.17.1 v3): ``({relation}) => switch (relation)``: objects only, known names
    only, no ``all``, nothing refused."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = item.get("relation") if isinstance(item, dict) else item
        if lenient:
            if isinstance(item, dict) and name in RELATIONS:
                names.append(name)
            continue
        if name == "all":
            names.extend(RELATIONS)
        elif name in RELATIONS:
            names.append(name)
        else:
            raise _Problem(
                400,
                f"Provided include field {json.dumps(name)} is not part of the dataset relations",
            )
    return list(dict.fromkeys(names))
