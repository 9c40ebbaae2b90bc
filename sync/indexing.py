"""The search index during a sync: documents from the pages just written, sent in a thread.

Every other writer hands dataset ids to the reindex task, which reads the rows back from the
database after the commit. The sync still holds what it has just written, so once a page's
transaction commits it hands the page's payloads to a thread, which builds their documents
(:func:`~catalogue.search.documents.documents_from_payloads`: the payloads, plus a few small
queries for ids, visibility, the stored instrument and proposal, DOIs and thumbnails) and sends
them to OpenSearch while the sync maps and writes the next page. The thread's work overlaps the
sync's waits for PostgreSQL and the catalogue. At most ``DEPTH`` pages wait; then the sync waits
for the thread (memory stays flat).

What OpenSearch does not take (it is down) goes to the search backlog
(:class:`~catalogue.models.SearchBacklog`), which ``search_backlog_drain`` applies later. An
unexpected error in the thread comes out in the sync at the next page, or at the end (the run
fails); that page and every later one go to the backlog. A run killed with pages still waiting
loses nothing: the next run reindexes every dataset the dead run changed
(``sync.live._recover_abandoned``).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime

from django.db import connection, transaction

from catalogue.models import Dataset
from catalogue.payloads import DatasetIn
from catalogue.search import SearchUnavailable, backend
from catalogue.search.backends import outage
from catalogue.search.documents import documents_from_payloads
from catalogue.search.maintenance import search_backlog_add
from catalogue.search.opensearch import OpenSearchBackend

logger = logging.getLogger(__name__)
DEPTH = 2  # written pages waiting for the sending thread

_Written = tuple[Sequence[DatasetIn], datetime]


class SearchFeed:
    """Indexes written pages from a thread; use as a context manager."""

    def __init__(self, index: OpenSearchBackend, *, depth: int = DEPTH) -> None:
        self.index = index
        self.sent = 0  # documents sent (deletions included)
        self.backlogged = 0  # datasets put into the search backlog
        self._pages: queue.Queue[_Written | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="search-feed", daemon=True)

    def __enter__(self) -> SearchFeed:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self._pages.put(None)
        self._thread.join()
        if kind is None and self._error is not None:
            raise self._error

    def _run(self) -> None:
        try:
            while (page := self._pages.get()) is not None:
                try:
                    if self._error is None:
                        self._index(*page)
                    else:  # after an unexpected error: the drain indexes them later
                        self._backlog(*page)
                except BaseException as exc:  # handed to the sync, which raises it
                    self._error = exc
                    self._backlog(*page)
                finally:
                    self._pages.task_done()
            self._pages.task_done()
        finally:
            connection.close()  # this thread's own database connection

    def _index(self, items: Sequence[DatasetIn], since: datetime) -> None:
        docs = documents_from_payloads(items, written_since=since)
        ids = list(docs)
        if not ids:
            return
        if not outage.skip():  # it failed moments ago: no timeout per page while it is down
            try:
                self.index.index(ids, docs)
            except SearchUnavailable as exc:
                outage.failed(self.index.name, exc)
            else:
                outage.succeeded(self.index.name)
                self.sent += len(ids)
                return
        search_backlog_add(dataset_ids=ids)
        self.backlogged += len(ids)

    def _backlog(self, items: Sequence[DatasetIn], since: datetime) -> None:
        """Put the datasets written from ``items`` into the search backlog, without building
        their documents (what failed may be the building)."""
        try:
            ids = list(
                Dataset.objects.filter(
                    pid__in=[item.pid for item in items], modified__gte=since
                ).values_list("pk", flat=True)
            )
            search_backlog_add(dataset_ids=ids)
            self.backlogged += len(ids)
        except Exception:  # the database too: the sync fails with the first error anyway
            logger.exception("search index: could not put %d datasets in the backlog", len(items))

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def page_written(self, items: Sequence[DatasetIn], *, since: datetime) -> None:
        """Once the current transaction commits, index the datasets written from ``items``
        since ``since`` (blocks while ``depth`` pages wait; raises what went wrong in the
        thread)."""
        self._raise()
        if items:
            transaction.on_commit(lambda: self._pages.put((items, since)))

    def flush(self) -> None:
        """Wait until every written page is indexed (or in the backlog)."""
        self._pages.join()
        self._raise()


@contextlib.contextmanager
def search_feed() -> Iterator[SearchFeed | None]:
    """A feed while OpenSearch is the search backend; None with the database backend (its
    search needs no index)."""
    chosen = backend()
    if not isinstance(chosen, OpenSearchBackend):
        yield None
        return
    with SearchFeed(chosen) as feed:
        yield feed
