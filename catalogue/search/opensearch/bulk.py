"""Writing documents: updates by dataset id, the rebuild's fill of a new index, and a full sync's
bulk load with the refresh paused.

Documents are built by :func:`catalogue.search.documents.documents` and sent as bulk requests whose
lines orjson writes; deleting a document that is not there is no failure.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import orjson
from opensearchpy import helpers

from catalogue.search.base import SearchUnavailable
from catalogue.search.documents import documents
from catalogue.search.opensearch.connection import ERRORS
from catalogue.search.opensearch.lifecycle import IndexLifecycle

logger = logging.getLogger(__name__)
BULK_CHUNK = 1000
_ADMIN_TIMEOUT = 120  # settings changes and a refresh after a bulk load: seconds, not the query's


class BulkWrites(IndexLifecycle):
    def _actions(self, ids: list[int], index: str) -> Iterator[dict[str, Any]]:
        docs = documents(ids)
        for dataset_id in ids:
            doc = docs.get(dataset_id)
            if doc is None:  # withdrawn or gone: must leave the index
                yield {"_op_type": "delete", "_index": index, "_id": str(dataset_id)}
            else:
                yield {
                    "_op_type": "index",
                    "_index": index,
                    "_id": str(dataset_id),
                    "_source": _source_text(doc),
                }

    def _bulk(self, ids: list[int], index: str) -> int:
        """Index (or delete) these datasets in ``index``; returns how many failed."""
        return self._send(self._actions(ids, index), timeout=max(60, self.timeout))

    def _send(self, actions: Iterable[dict[str, Any]], *, timeout: int) -> int:
        """Send bulk actions; log and count the failures (deleting a missing document is none)."""
        _, errors = helpers.bulk(
            self.client,
            actions,
            chunk_size=BULK_CHUNK,
            max_chunk_bytes=20 * 1024 * 1024,
            raise_on_error=False,
            raise_on_exception=True,
            request_timeout=timeout,
        )
        failed = [e for e in errors if not _is_missing_delete(e)]
        if failed:
            logger.error("search index: %d documents failed, first: %s", len(failed), failed[0])
        return len(failed)

    def index(self, dataset_ids: list[int]) -> None:
        if not dataset_ids:
            return
        try:
            if not self._index_ready:
                self.ensure_index()
            ids = list(dict.fromkeys(int(i) for i in dataset_ids))
            for start in range(0, len(ids), BULK_CHUNK):
                self._bulk(ids[start : start + BULK_CHUNK], self.alias)
        except ERRORS as exc:
            raise SearchUnavailable(str(exc)) from exc

    def rebuild(
        self, ids: Iterable[list[int]], *, progress: Callable[[int], None] | None = None
    ) -> str:
        """Fill a new versioned index, swap the alias to it at once, delete the old one.

        Searches keep using the old index until the swap; ``ids`` yields batches of dataset ids.
        Documents are built in this thread while two others send the bulk requests, so the
        database, Python and OpenSearch work at the same time. Writes made while the new index
        fills go to the old one; the caller re-indexes what changed since the start after the
        swap (``search_index --rebuild`` does).
        """
        name = self._new_index_name()

        def send(actions: list[dict[str, Any]]) -> int:
            self._send(actions, timeout=max(120, self.timeout))
            return len(actions)

        try:
            self._create(name, bulk=True)
            # Documents are read from the database in this thread (its connection, its
            # transaction); two threads send them, at most two batches ahead.
            with ThreadPoolExecutor(max_workers=2) as pool:
                pending: deque[Future[int]] = deque()
                for batch in ids:
                    pending.append(pool.submit(send, list(self._actions(batch, name))))
                    if len(pending) > 2:
                        pending.popleft().result()
                    if progress:
                        progress(len(batch))
                while pending:
                    pending.popleft().result()
            self.client.indices.put_settings(
                index=name,
                body={"index": {"refresh_interval": "1s", "translog.durability": "request"}},
            )
            self.client.indices.refresh(index=name)
            self.swap(name)
        except ERRORS as exc:
            raise SearchUnavailable(str(exc)) from exc
        return name

    def bulk_load_start(self) -> None:
        refresh_pause(self)

    def bulk_load_finish(self) -> bool:
        return refresh_resume(self)


def _source_text(doc: dict[str, Any]) -> str | dict[str, Any]:
    """A document as the bulk request's JSON line: orjson, three times faster than the client's
    ``json.dumps`` (sync bench); the document itself for what orjson refuses (integers beyond
    64 bits), which the client then writes."""
    try:
        return orjson.dumps(doc).decode()
    except orjson.JSONEncodeError:
        return doc


def _is_missing_delete(error: dict[str, Any]) -> bool:
    delete = error.get("delete") if isinstance(error, dict) else None
    return bool(delete and delete.get("status") == 404)


def refresh_pause(backend: IndexLifecycle) -> None:
    """Stop the periodic refresh of the live index while a full sync fills it.

    Refreshing once a second while thousands of documents a second arrive costs OpenSearch about
    40% more CPU (sync bench). Documents sent meanwhile are stored, but searchable only after
    :func:`refresh_resume`; every sync run starts by resuming, so a killed run cannot leave the
    index stale for longer than one sync interval.
    """
    try:
        name = backend.ensure_index()
        backend.client.indices.put_settings(
            index=name, body={"index": {"refresh_interval": "-1"}}, request_timeout=_ADMIN_TIMEOUT
        )
    except ERRORS as exc:
        raise SearchUnavailable(str(exc)) from exc


def refresh_resume(backend: IndexLifecycle) -> bool:
    """If the live index's refresh is paused: back to the index's default, and one refresh now.

    Cheap when it is not paused (one settings read); True when it was.
    """
    try:
        name = backend.current_index()
        if name is None:
            return False
        answer = backend.client.indices.get_settings(
            index=name, name="index.refresh_interval", request_timeout=_ADMIN_TIMEOUT
        )
        index_settings = answer.get(name, {}).get("settings", {}).get("index", {})
        if index_settings.get("refresh_interval") != "-1":
            return False
        backend.client.indices.put_settings(
            index=name, body={"index": {"refresh_interval": None}}, request_timeout=_ADMIN_TIMEOUT
        )
        backend.client.indices.refresh(index=name, request_timeout=_ADMIN_TIMEOUT)
    except ERRORS as exc:
        raise SearchUnavailable(str(exc)) from exc
    return True
