"""Choosing a backend, and falling back to the database when OpenSearch cannot answer.

While OpenSearch is down, searches go straight to the database for ``RETRY_AFTER`` seconds
before trying it again, so a storm of requests does not wait for a storm of timeouts; the outage
is logged once when it starts and once when it ends, not per request.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from functools import cache

from django.conf import settings

from catalogue.search.base import DatasetQuery, SearchBackend, SearchPage, SearchUnavailable
from catalogue.search.clauses import AllOf, Clause, FieldTest
from catalogue.search.database import DatabaseBackend

logger = logging.getLogger(__name__)
RETRY_AFTER = 10.0


@cache
def _configured(url: str, index: str) -> SearchBackend:
    if not url:
        return DatabaseBackend()
    from catalogue.search.opensearch import OpenSearchBackend

    return OpenSearchBackend(url=url, index=index, timeout=settings.OPENSEARCH_TIMEOUT)


def backend() -> SearchBackend:
    """The backend the settings ask for."""
    return _configured(settings.OPENSEARCH_URL, settings.OPENSEARCH_INDEX)


@dataclasses.dataclass
class Outage:
    """Whether the configured backend is down, since when, and when to try it again."""

    since: float | None = None
    retry_at: float = 0.0
    failures: int = 0
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def failed(self, name: str, exc: BaseException) -> None:
        with self.lock:
            now = time.monotonic()
            self.failures += 1
            self.retry_at = now + RETRY_AFTER
            if self.since is None:
                self.since = now
                logger.error(
                    "search backend %s is unavailable (%s); answering from the database until "
                    "it is back",
                    name,
                    exc,
                )

    def succeeded(self, name: str) -> None:
        if self.since is None:
            return
        with self.lock:
            if self.since is not None:
                logger.warning(
                    "search backend %s is back after %.0f s (%d failed calls)",
                    name,
                    time.monotonic() - self.since,
                    self.failures,
                )
            self.since, self.failures, self.retry_at = None, 0, 0.0

    @property
    def down(self) -> bool:
        return self.since is not None

    def skip(self) -> bool:
        return self.since is not None and time.monotonic() < self.retry_at


outage = Outage()


def with_date_range(query: DatasetQuery) -> DatasetQuery:
    """``query`` with its start-time range (``start_from``, ``start_to``: whole days, UTC) as
    ``where`` clauses, which both backends compile."""
    if query.start_from is None and query.start_to is None:
        return query
    tests: list[Clause] = [query.where] if query.where is not None else []
    if query.start_from is not None:
        since = datetime.combine(query.start_from, day_time.min, tzinfo=UTC)
        tests.append(FieldTest("start_time", "gte", (since,)))
    if query.start_to is not None:
        until = datetime.combine(query.start_to + timedelta(days=1), day_time.min, tzinfo=UTC)
        tests.append(FieldTest("start_time", "lt", (until,)))
    return dataclasses.replace(query, where=AllOf(tuple(tests)), start_from=None, start_to=None)


def dataset_search(query: DatasetQuery) -> SearchPage:
    """Search with the configured backend; on failure answer from the database, marked degraded."""
    query = with_date_range(query)
    chosen = backend()
    if not chosen.separate_index:
        return chosen.search(query)
    if not outage.skip():
        try:
            page = chosen.search(query)
        except SearchUnavailable as exc:
            outage.failed(chosen.name, exc)
        else:
            outage.succeeded(chosen.name)
            return page
    page = DatabaseBackend().search(query)
    return dataclasses.replace(page, degraded=True)
