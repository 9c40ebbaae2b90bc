"""Background work for publications: thin adapters from a queue message to a service call.

Enqueued after the transaction that asked for them commits (``publishing.services.registration``
does that), so the worker sees the row it is asked about.
"""

from __future__ import annotations

import random

from celery import Task, shared_task

from publishing.datacite import DataCiteUnavailable
from publishing.services.registration import publication_push

# About two hours of retrying (5 s, 10 s, 20 s, ... capped at 30 min) before giving up.
MAX_RETRIES = 10
BACKOFF_FIRST = 5
BACKOFF_MAX = 1800


def retry_delay(retries: int) -> float:
    """Exponential backoff with full jitter (seconds before attempt ``retries + 2``)."""
    ceiling = min(BACKOFF_MAX, BACKOFF_FIRST * 2**retries)
    return random.uniform(ceiling / 2, ceiling)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def publication_sync(self: Task, publication_id: int) -> str:
    """Make DataCite match publication ``publication_id``; returns its DOI state afterwards."""
    retries = self.request.retries or 0
    try:
        outcome = publication_push(
            publication_id=int(publication_id),
            attempt=retries + 1,
            final=retries >= MAX_RETRIES,
        )
    except DataCiteUnavailable as exc:
        if self.request.is_eager:  # no broker (local use): the next attempt, at once, in-process
            return str(publication_sync.apply(args=[publication_id], retries=retries + 1).result)
        raise self.retry(exc=exc, countdown=retry_delay(retries)) from exc
    return outcome.state
