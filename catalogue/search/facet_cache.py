"""A cache of the database backend's totals and facet counts, correct across catalogue writes.

The counts of a search depend on its filter state only (text, facet selections, conditions), not
on the page or the sort, so they are kept in Django's cache under a key made of that state and of
the catalogue's *generation*: a number in a one-row table (migration 0008) that the catalogue's
write services bump after every commit that changes datasets
(:func:`catalogue.services.search_index_after_commit`). Reading it is one primary-key lookup; a
bump makes every earlier entry unreachable, so the next search counts again. The generation is
read *before* counting: counts computed from data older than the generation they are stored under
cannot happen (a write that commits while counting bumps the generation after the read).

Writes that bypass the services (the admin, raw SQL) are covered by a TTL only. Only searches
matching at least :data:`MIN_TOTAL` datasets are stored: smaller ones count fast anyway.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction

from catalogue.search.base import DatasetQuery

TABLE = "catalogue_search_generation"
TTL = 600  # seconds; bounds staleness after writes that do not go through the services
MIN_TOTAL = 2000
_PREFIX = "search:db-counts"


def generation() -> int:
    """The catalogue's current generation (0 when the row is missing)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {TABLE} WHERE id = 1")  # noqa: S608 - constant
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _bump() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET value = value + 1 WHERE id = 1")  # noqa: S608


def bump_after_commit() -> None:
    """Make every cached count stale once the current transaction commits (now outside one)."""
    transaction.on_commit(_bump)


def key(query: DatasetQuery, gen: int) -> str:
    """The cache key of ``query``'s filter state at generation ``gen`` (page and sort left out)."""
    state = {
        "db": connection.settings_dict.get("NAME"),
        "vendor": connection.vendor,
        "text": " ".join(query.text.split()),
        "filters": sorted((f, sorted(set(v))) for f, v in query.filters if v),
        "conditions": sorted(" ".join(c.split()) for c in query.conditions),
    }
    digest = hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:32]
    return f"{_PREFIX}:{gen}:{digest}"


def get(cache_key: str) -> Any:
    return cache.get(cache_key)


def put(cache_key: str, total: int, counted: dict[str, list[tuple[str, int]]] | None) -> None:
    if total >= MIN_TOTAL:
        cache.set(cache_key, (total, counted), TTL)
