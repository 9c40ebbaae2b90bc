"""SciCat's list filters: MongoDB operators, limits per dialect, and what a filter excludes.

Filters always use MongoDB operators (``$gte``, ``$in``): SciCat 4.x translates only ``inq``,
``nin``, ``and`` and ``or`` from LoopBack's names and answers 500 for a bare ``gte``. ``/api/v3``
lists take LoopBack's ``limits`` (``limit``, ``skip`` and one ``order``, ``"updatedAt:asc"``),
``/api/v4`` lists a ``sort`` object, so the order can be ``updatedAt`` then ``pid``.

The ``stray`` predicates tell a record a list's filter excludes (``Client._list``): an answer
holding one means the catalogue ignored the filter. One function a filter.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sync.scicat.fields import parse_datetime

Raw = dict[str, Any]
# Ids per "pid in [...]" request: the filter travels in the URL, which servers cap (Node: 16 KB).
PIDS_PER_REQUEST = 100


def one_of(values: Sequence[str]) -> dict[str, list[str]]:
    """The condition "one of ``values``" (``$in``)."""
    return {"$in": list(values)}


def limits(path: str, *, limit: int, order: Sequence[str], skip: int = 0) -> dict[str, Any]:
    """A list's ``limits`` in the dialect of ``path``'s API version, ascending by ``order``."""
    if path.startswith("/api/v3/"):  # LoopBack's limits: one sort key, "field:direction"
        return {"limit": limit, "skip": skip, "order": f"{order[0]}:asc"}
    return {"limit": limit, "skip": skip, "sort": {key: "asc" for key in order}}


def chunks(values: Sequence[str], size: int = PIDS_PER_REQUEST) -> Iterator[list[str]]:
    """``values`` in runs short enough for one "in" filter."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def dumps(doc: Any) -> str:
    """A filter as the query parameter carries it (compact JSON)."""
    return json.dumps(doc, separators=(",", ":"))


def iso(moment: datetime) -> str:
    """The catalogue's form of a time: UTC, milliseconds, ``Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def updated_at(raw: Mapping[str, Any]) -> datetime | None:
    """A record's ``updatedAt``, or None when it has none (or an unreadable one)."""
    try:
        return parse_datetime(raw.get("updatedAt"), field="updatedAt", pid="")
    except ValueError:
        return None


# What a list's filter excludes, one function a filter.


def before(row: Raw, *, lower: datetime | None, inclusive: bool) -> bool:
    if lower is None:
        return False
    stamp = updated_at(row)
    return stamp is None or (stamp < lower if inclusive else stamp <= lower)


def outside_tie(row: Raw, *, stamp: datetime, key: str, after: str | None) -> bool:
    return updated_at(row) != stamp or (after is not None and str(row.get(key)) <= after)


def not_among(row: Raw, *, key: str, values: set[str]) -> bool:
    return row.get(key) not in values


def not_after_key(row: Raw, *, where: Mapping[str, Any], key: str, after: str | None) -> bool:
    return unlike(row, where) or (after is not None and str(row.get(key)) <= after)


def unlike(row: Mapping[str, Any], where: Mapping[str, Any]) -> bool:
    """Whether ``row`` contradicts a plain value of ``where`` (``isPublished: false`` answered
    with a published record); fields the row does not carry say nothing."""
    return any(
        name in row and row[name] != value
        for name, value in where.items()
        if isinstance(value, bool | int | str)
    )
