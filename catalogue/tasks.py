"""Background work for the catalogue: thin adapters from a queue message to a service call.

Enqueue after the transaction commits (``catalogue.services.search_index_after_commit``, or
``dataset_reindex.delay_on_commit(ids)``), so the worker sees the rows it is asked about.
"""

from __future__ import annotations

from celery import shared_task

from catalogue.search.maintenance import search_backlog_drain as drain
from catalogue.search.maintenance import search_reindex


@shared_task
def dataset_reindex(dataset_ids: list[int]) -> int:
    """Bring these datasets' search entries up to date; returns how many ids were handed over.

    When OpenSearch is down the ids go to the backlog, which ``search_backlog_drain`` applies
    once it is back (no retry storm against a dead cluster).
    """
    ids = [int(dataset_id) for dataset_id in dataset_ids]
    search_reindex(dataset_ids=ids)
    return len(ids)


@shared_task
def search_backlog_drain() -> int:
    """Index what failed while OpenSearch was down (beat runs this every minute)."""
    return drain()
