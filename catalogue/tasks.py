"""Background work for the catalogue: thin adapters from a queue message to a service call.

Enqueue after the transaction commits (``catalogue.services.search_index_after_commit``, or
``dataset_reindex.delay_on_commit(ids)``), so the worker sees the rows it is asked about.
"""

from __future__ import annotations

from celery import shared_task

from catalogue.search import SearchUnavailable, backend


@shared_task(
    autoretry_for=(SearchUnavailable,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def dataset_reindex(dataset_ids: list[int]) -> int:
    """Bring these datasets' search entries up to date; returns how many ids were handed over."""
    ids = [int(dataset_id) for dataset_id in dataset_ids]
    backend().index(ids)
    return len(ids)
