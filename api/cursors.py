"""Opaque cursors: the key of the record a page continues from, and which way it reads.

A cursor is URL-safe base64 of JSON ``{"k": key, "b": backwards, "s": sort}``. It is not signed:
it holds nothing but a sort value and an id, a client that makes one up gets the page after that
key or a 400, never another record than the search finds. Its sort must be the request's.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import orjson
from django.http import QueryDict
from django.utils.translation import gettext as _

from api.problems import bad_request

MAX_CURSOR = 2000


@dataclass(frozen=True)
class Cursor:
    key: tuple[Any, ...]
    backwards: bool
    sort: str

    def encode(self) -> str:
        raw = orjson.dumps({"k": list(self.key), "b": self.backwards, "s": self.sort})
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(value: str, sort: str) -> Cursor | None:
    """The cursor in ``value`` (None when empty) for a request sorted by ``sort``; a 400 problem
    when it cannot be read or belongs to another sort."""
    if not value:
        return None
    try:
        if len(value) > MAX_CURSOR:
            raise ValueError(value)
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        data = orjson.loads(raw)
        key, backwards, cursor_sort = data["k"], data["b"], data["s"]
        if not isinstance(key, list) or not isinstance(backwards, bool):
            raise ValueError(value)
    except (ValueError, TypeError, KeyError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise bad_request(
            _("This cursor cannot be read; use the next or previous link of a page as it is."),
            "cursor",
        ) from exc
    if cursor_sort != sort:
        raise bad_request(
            _("This cursor belongs to another sort order; start again without a cursor."),
            "cursor",
        )
    return Cursor(tuple(key), backwards, sort)


def page_url(base: str, params: QueryDict, cursor: Cursor) -> str:
    """``base`` with the request's parameters and ``cursor`` in place of its own."""
    pairs = [(k, v) for k, values in params.lists() if k != "cursor" for v in values]
    pairs.append(("cursor", cursor.encode()))
    return f"{base}?{urlencode(pairs)}"
