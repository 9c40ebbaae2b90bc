"""Keeping the search index in step with the database: updates, the backlog, and rebuilds.

An index update that fails because OpenSearch is down is remembered in
:class:`~catalogue.models.SearchBacklog` and applied by :func:`search_backlog_drain` (beat, every
minute, and ``manage.py search_index --catch-up``) once OpenSearch answers again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

from catalogue.models import Dataset, SearchBacklog
from catalogue.search.backends import backend, outage
from catalogue.search.base import SearchUnavailable
from catalogue.search.documents import public_ids

logger = logging.getLogger(__name__)
DRAIN_BATCH = 1000


def search_backlog_add(*, dataset_ids: list[int]) -> None:
    rows = [SearchBacklog(dataset_id=i) for i in dict.fromkeys(dataset_ids)]
    SearchBacklog.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["dataset_id"], update_fields=["queued_at"]
    )


def search_reindex(*, dataset_ids: list[int]) -> bool:
    """Index these datasets now; when OpenSearch is down, put them in the backlog (False)."""
    chosen = backend()
    if not chosen.separate_index or not dataset_ids:
        return True
    try:
        chosen.index(dataset_ids)
    except SearchUnavailable as exc:
        outage.failed(chosen.name, exc)
        search_backlog_add(dataset_ids=dataset_ids)
        return False
    outage.succeeded(chosen.name)
    return True


def search_backlog_drain(*, progress: Callable[[int], None] | None = None) -> int:
    """Index every dataset in the backlog; returns how many were indexed (0 when still down)."""
    chosen = backend()
    if not chosen.separate_index:
        SearchBacklog.objects.all().delete()
        return 0
    done = 0
    while True:
        batch = list(
            SearchBacklog.objects.order_by("id").values_list("id", "dataset_id")[:DRAIN_BATCH]
        )
        if not batch:
            return done
        read_at = timezone.now()
        try:
            chosen.index([dataset_id for _, dataset_id in batch])
        except SearchUnavailable as exc:
            outage.failed(chosen.name, exc)
            return done
        outage.succeeded(chosen.name)
        # A row queued again while this batch was indexed keeps its newer time: next round.
        SearchBacklog.objects.filter(
            id__in=[row_id for row_id, _ in batch], queued_at__lt=read_at
        ).delete()
        done += len(batch)
        if progress:
            progress(len(batch))
        if len(batch) < DRAIN_BATCH:
            return done


def search_backlog_size() -> int:
    return SearchBacklog.objects.count()


def search_index_rebuild(
    *, batch: int = 2000, progress: Callable[[int], None] | None = None
) -> tuple[str, int]:
    """Build a new index from the database and swap the alias to it; (index name, changed after).

    Datasets changed while the new index filled (their ``modified`` is after the start) are
    indexed again through the alias once it points to the new index, so no write is lost.
    """
    chosen = backend()
    if not chosen.separate_index:
        raise SearchUnavailable("OPENSEARCH_URL is not set: the database backend has no index")
    started: datetime = timezone.now()
    name = chosen.rebuild(public_ids(batch), progress=progress)
    changed = list(
        Dataset.objects.filter(modified__gte=started).order_by().values_list("pk", flat=True)
    )
    for start in range(0, len(changed), DRAIN_BATCH):
        chosen.index(changed[start : start + DRAIN_BATCH])
    return name, len(changed)
