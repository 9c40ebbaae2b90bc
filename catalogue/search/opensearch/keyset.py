"""Keyset paging in OpenSearch: ``search_after`` from a key in the search layer's JSON types.

Keys are ``(sort value, id)`` as :mod:`catalogue.search.keyset` defines them for both backends
(dates as ISO 8601 text, ``None`` for a missing value, relevance as ``(score, id)``); here they are
turned into the sort values OpenSearch compares (dates as epoch milliseconds, a missing date as
the extreme long it sorts as) and back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from catalogue.search.base import SORTS, key_error

Key = tuple[Any, ...]
# What OpenSearch sorts a missing date as: last ascending (the largest long), last descending
# (the smallest).
LONG_MAX = 2**63 - 1
LONG_MIN = -(2**63)
_DATES = {"start_time"}
_NUMBERS = {"size", "_score"}


def search_after(sort: str, after: Key) -> list[Any]:
    """The ``search_after`` of ``after`` for ``sort``; a malformed key is a QueryError."""
    field, descending = SORTS[sort]
    if len(after) != 2 or not isinstance(after[1], int) or isinstance(after[1], bool):
        raise key_error(after)
    value, pk = after
    if isinstance(value, bool):
        raise key_error(after)
    if field in _DATES:
        if value is None:
            return [LONG_MIN if descending else LONG_MAX, pk]
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise key_error(after) from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return [int(moment.timestamp() * 1000) // 1, pk]
    if field in _NUMBERS:
        if not isinstance(value, int | float):
            raise key_error(after)
        return [value, pk]
    if value is not None and not isinstance(value, str):
        raise key_error(after)
    return [value, pk]


def key_of(sort: str, values: list[Any]) -> Key:
    """The key of a hit from its ``sort`` values."""
    field, _ = SORTS[sort]
    value, pk = values[0], int(values[-1])
    if field in _DATES:
        if value is None or value in (LONG_MIN, LONG_MAX):
            return (None, pk)
        return (datetime.fromtimestamp(int(value) / 1000, UTC).isoformat(), pk)
    return (value, pk)
