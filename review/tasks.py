"""The review app's Celery tasks: thin adapters to :mod:`review.withdrawals`.

``reviews_check`` runs hourly (beat ``review-check``; by hand ``manage.py review check``);
``review_check`` one review, asked by :func:`review_check_soon` when its page found records
missing. A catalogue that stays unreachable through the client's own retries is retried here a
few times more, with backoff; it never counts as a withdrawal.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from celery import shared_task
from django.core.cache import cache
from django.db import transaction

from review import withdrawals
from review.catalogue import CatalogueNotReadable
from sync.scicat import CatalogueUnavailable

logger = logging.getLogger(__name__)

_RETRY: dict[str, Any] = {
    "autoretry_for": (CatalogueUnavailable,),
    "retry_backoff": 60,
    "retry_backoff_max": 900,
    "retry_jitter": True,
    "max_retries": 3,
}
# A review page that finds records missing asks for a check at most this often per review.
SOON_SECONDS = 600


def _run(review_ids: list[int] | None) -> dict[str, Any]:
    try:
        return asdict(withdrawals.reviews_check(review_ids=review_ids))
    except CatalogueNotReadable as exc:
        logger.info("review check not run: %s", exc)
        return {"off": str(exc)}
    except withdrawals.MassDeletionRefused as exc:
        logger.error("review check refused: %s", exc)
        return {"refused": str(exc)}


@shared_task(**_RETRY)
def reviews_check() -> dict[str, Any]:
    """Every open review (beat, hourly)."""
    return _run(None)


@shared_task(**_RETRY)
def review_check(review_id: int) -> dict[str, Any]:
    """One review, now."""
    return _run([int(review_id)])


def review_check_soon(*, review_id: int) -> None:
    """Check this review after the current transaction (once per ``SOON_SECONDS``): its page
    found records that the catalogue no longer shows."""
    if cache.add(f"review:check-soon:{review_id}", 1, SOON_SECONDS):
        transaction.on_commit(lambda: review_check.delay(review_id))
