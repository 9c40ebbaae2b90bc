"""A cache of the database backend's totals and facet counts, correct across catalogue writes.

The counts of a search depend on its filter state only (text, facet selections, conditions), not
on the page or the sort, so they are kept in Django's cache under a key made of that state and of
the catalogue's *generation*: a number in a one-row table (migration 0008) that the catalogue's
write services bump after every commit that changes datasets or their publications
(:func:`catalogue.services.search_index_after_commit`, also called by the publishing services).
Reading it is one primary-key lookup in the database, so every process sees a bump whatever the
cache backend (a per-process memory cache included); a bump makes every earlier entry
unreachable, so the next search counts again. The generation is
read *before* counting: counts computed from data older than the generation they are stored under
cannot happen (a write that commits while counting bumps the generation after the read).

The key also holds the newest dataset id and ``modified`` time (two index lookups in the same
statement), so rows saved outside the services (the admin, factories in tests) are seen too. Only
raw SQL that deletes rows or leaves ``modified`` alone, outside the services, is covered by the
TTL alone. Even small results are stored: their facets count over the datasets without the
facet's own selection, which can be most of the catalogue.
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
MIN_TOTAL = 0  # searches matching fewer datasets are not stored
_PREFIX = "search:db-counts"


def generation() -> str:
    """The catalogue's current state: the generation, and the newest dataset row and change.

    The last two (index lookups) also catch rows saved outside the services (admin, factories).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT value FROM catalogue_search_generation WHERE id = 1), "
            "(SELECT max(id) FROM catalogue_dataset), (SELECT max(modified) FROM catalogue_dataset)"
        )
        row = cursor.fetchone()
    return ":".join(str(v) for v in row) if row else ""


def _bump() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET value = value + 1 WHERE id = 1")  # noqa: S608


def bump_after_commit() -> None:
    """Make every cached count stale once the current transaction commits (now outside one)."""
    transaction.on_commit(_bump)


def key(query: DatasetQuery, gen: str) -> str:
    """The cache key of ``query``'s filter state at generation ``gen`` (page and sort left out)."""
    state = {
        "db": connection.settings_dict.get("NAME"),
        "generation": gen,
        "vendor": connection.vendor,
        "text": " ".join(query.text.split()),
        "filters": sorted((f, sorted(set(v))) for f, v in query.filters if v),
        "conditions": sorted(" ".join(c.split()) for c in query.conditions),
        "where": repr(query.where) if query.where is not None else None,
    }
    digest = hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:32]
    return f"{_PREFIX}:{digest}"


def get(cache_key: str) -> Any:
    return cache.get(cache_key)


def put(cache_key: str, total: int, counted: dict[str, list[tuple[str, int]]] | None) -> None:
    if total >= MIN_TOTAL:
        cache.set(cache_key, (total, counted), TTL)
