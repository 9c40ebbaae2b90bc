"""One field of a SciCat record, read: typed and trimmed, or a :class:`RecordError` naming it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

Raw = Mapping[str, Any]


class RecordError(ValueError):
    """A catalogue record that cannot be mapped; the message names the field."""

    def __init__(self, pid: str, message: str) -> None:
        super().__init__(f"{pid or '<no pid>'}: {message}")
        self.pid = pid
        self.message = message


def read_text(raw: Raw, key: str, pid: str, *, default: str = "", limit: int | None = None) -> str:
    value = raw.get(key)
    if value is None:
        return default
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise RecordError(pid, f"{key}: expected text, got {type(value).__name__}")
    value = value.strip()
    return value[:limit] if limit else value


def parse_datetime(value: Any, *, field: str, pid: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise RecordError(pid, f"{field}: expected an ISO 8601 date, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(pid, f"{field}: not an ISO 8601 date: {value!r}") from None
    if parsed.tzinfo is None:
        raise RecordError(pid, f"{field}: date without a time zone: {value!r}")
    return parsed


def read_whole_number(raw: Raw, key: str, pid: str) -> int:
    value = raw.get(key)
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RecordError(pid, f"{key}: expected a whole number, got {value!r}")
    try:
        number = int(float(value))
    except ValueError:
        raise RecordError(pid, f"{key}: expected a whole number, got {value!r}") from None
    if number < 0:
        raise RecordError(pid, f"{key}: must not be negative, got {number}")
    return number


def read_texts(value: Any, key: str, pid: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list) and None in value:
        value = [item for item in value if item is not None]  # SciCat: no instrument is [null]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RecordError(pid, f"{key}: expected a list of text")
    seen: dict[str, None] = {}
    for item in value:
        if item.strip():
            seen.setdefault(item.strip(), None)
    return list(seen)


def read_ids(raw: Raw, plural: str, singular: str, pid: str) -> list[str]:
    """v4 carries id arrays (``instrumentIds``), v3 singular ids (``instrumentId``)."""
    ids = read_texts(raw.get(plural), plural, pid)
    if not ids and raw.get(singular):
        ids = read_texts(raw.get(singular), singular, pid)
    return ids


def read_dicts(value: Any, key: str, pid: str) -> list[dict[str, Any]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise RecordError(pid, f"{key}: expected a list of objects")
    return [dict(item) for item in value]
