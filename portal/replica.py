"""Reads from a PostgreSQL streaming replica (``DATABASE_REPLICA_URL``), writes on the primary.

With the replica configured, settings add the ``replica`` database and :class:`ReplicaRouter`;
:func:`replica_reads` (a middleware) lets the router send a visitor's ``GET``/``HEAD`` request
there: the pages, search, feeds and exports, which are most of the traffic. Everything else reads
from the primary, which is never behind:

- a request's reads move to the primary at its first write and stay there (read-after-write);
- reads inside a transaction on the primary stay in it;
- the admin, the staff preview and every unsafe method (``POST`` ...) use the primary alone;
- Celery tasks and management commands (the sync, DOI registration, the index updates, which read
  rows just committed) never see the middleware, so they use the primary alone.

A replica lags by the time its WAL takes to arrive and replay (milliseconds on a LAN); a public
page may therefore show a change a moment later than the admin does, as a cached page would.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
# Paths whose reads must see the primary (staff work right after their own writes).
PRIMARY_ONLY_PREFIXES = ("/admin/", "/preview/")

_reads_from_replica: ContextVar[bool] = ContextVar("reads_from_replica", default=False)


class ReplicaRouter:
    """Django database router: see the module docstring."""

    def db_for_read(self, model: type[Any], **_hints: Any) -> str:
        if _reads_from_replica.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Any], **_hints: Any) -> str:
        _reads_from_replica.set(False)  # from now on this request reads what it wrote
        return DEFAULT_DB_ALIAS

    def allow_relation(self, _obj1: Any, _obj2: Any, **_hints: Any) -> bool:
        return True  # the same rows on both

    def allow_migrate(self, db: str, app_label: str, **_hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema by itself


def replica_reads(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Let a visitor's safe request read from the replica (until it writes)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.method not in {"GET", "HEAD"} or request.path.startswith(PRIMARY_ONLY_PREFIXES):
            return get_response(request)
        token = _reads_from_replica.set(True)
        try:
            return get_response(request)
        finally:
            _reads_from_replica.reset(token)

    return middleware
