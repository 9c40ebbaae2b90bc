"""Reads for the review pages."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from review.models import Review, ReviewLink
from review.tokens import token_hash, well_formed


def link_by_token(token: str) -> ReviewLink | None:
    """The active link with this token: not expired, not revoked, its review not cancelled."""
    if not well_formed(token):
        return None
    return (
        ReviewLink.objects.select_related("review__publication")
        .filter(
            token_hash=token_hash(token),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            review__cancelled_at__isnull=True,
        )
        .first()
    )


def reviews_open() -> QuerySet[Review]:
    """Reviews still waiting for their records: not released, not cancelled, in id order."""
    return Review.objects.filter(cancelled_at__isnull=True, publication__reserved=True).order_by(
        "pk"
    )
