"""Reviews and their links: made, used, revoked, renewed, cancelled.

A review reserves a DOI for records under embargo (:mod:`publishing.services.reservations`,
which registers it at DataCite as ``registered``) and gives out secret links to its page. The
records are checked with the internal catalogue first (they must exist there), outside any
transaction; nothing of their metadata is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from catalogue.visibility import WithdrawnBy
from publishing.services.errors import PublicationError
from publishing.services.reservations import reservation_cancel, reservation_create
from review.catalogue import CatalogueNotReadable, live_records, proposal_pids
from review.models import Review, ReviewLink
from review.tokens import new_token, token_hash


class ReviewError(Exception):
    """A review cannot be made or changed as asked; the message says why."""


@dataclass(frozen=True)
class NewLink:
    """A link just made: the token exists only here (and in the URL given to the reviewer)."""

    link: ReviewLink
    token: str

    @property
    def url(self) -> str:
        return review_url(self.token)


def review_url(token: str) -> str:
    return settings.PORTAL_BASE_URL + reverse("review:page", args=[token])


def _expiry(expires: date | None) -> datetime:
    if expires is None:
        return timezone.now() + timedelta(days=settings.PORTAL_REVIEW_LINK_DAYS)
    moment = datetime.combine(expires, time(23, 59, 59), tzinfo=UTC)
    if moment <= timezone.now():
        raise ReviewError(f"The expiry date {expires.isoformat()} has passed.")
    return moment


def review_create(
    *,
    pids: Sequence[str] = (),
    proposal_id: str = "",
    expires: date | None = None,
    anonymous: bool = False,
    note: str = "",
    created_by: Any = None,
) -> tuple[Review, NewLink]:
    """A review of records under embargo (by pid, or every dataset of a proposal): its DOI
    reserved at DataCite and its first link. Raises :class:`ReviewError` with the reason."""
    pids = list(dict.fromkeys(p.strip() for p in pids if p.strip()))
    proposal_id = proposal_id.strip()
    if bool(pids) == bool(proposal_id):
        raise ReviewError("Give either datasets (their PIDs) or a proposal, not both or neither.")
    expiry = _expiry(expires)
    try:
        if proposal_id:
            pids = proposal_pids(proposal_id)
            if not pids:
                raise ReviewError(f"The internal catalogue has no datasets of {proposal_id}.")
        records = live_records(pids, fresh=True)
    except CatalogueNotReadable as exc:
        raise ReviewError(str(exc)) from exc
    if records.missing:
        raise ReviewError(
            "The internal catalogue does not show these datasets: " + ", ".join(records.missing)
        )
    embargo = records.embargo_end
    with transaction.atomic():
        try:
            publication = reservation_create(
                pids=pids, embargo_until=embargo.date() if embargo else None
            )
        except PublicationError as exc:
            raise ReviewError(str(exc)) from exc
        review = Review.objects.create(
            publication=publication,
            anonymous=anonymous,
            note=note.strip(),
            proposal_id=proposal_id,
            created_by=created_by,
        )
        link = _link(review, expiry, label="")
    return review, link


def _link(review: Review, expiry: datetime, *, label: str) -> NewLink:
    token = new_token()
    link = ReviewLink.objects.create(
        review=review, token_hash=token_hash(token), expires_at=expiry, label=label.strip()
    )
    return NewLink(link=link, token=token)


@transaction.atomic
def review_link_create(*, review: Review, expires: date | None = None, label: str = "") -> NewLink:
    """Another secret link to a review (for a second reviewer, or to replace a revoked one)."""
    if review.cancelled:
        raise ReviewError("This review was cancelled.")
    return _link(review, _expiry(expires), label=label)


def review_link_revoke(*, link: ReviewLink) -> bool:
    """The link stops working at once (404). False when it was revoked already."""
    return bool(
        ReviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def review_link_renew(*, link: ReviewLink, expires: date | None = None) -> bool:
    """A new expiry date (default: ``PORTAL_REVIEW_LINK_DAYS`` from now); a revoked link stays
    revoked. False when it is."""
    return bool(
        ReviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            expires_at=_expiry(expires)
        )
    )


def review_link_used(*, link: ReviewLink) -> None:
    ReviewLink.objects.filter(pk=link.pk).update(
        use_count=F("use_count") + 1, last_used_at=timezone.now()
    )


@transaction.atomic
def review_cancel(*, review: Review, reason: str = "", by: WithdrawnBy = WithdrawnBy.STAFF) -> bool:
    """The records will not be released: every link stops working, and the reserved DOI stays
    ``registered``, resolving to a tombstone. False when released or cancelled already.
    ``by``: staff, or the catalogue (it deleted every record, :mod:`review.withdrawals`)."""
    locked = Review.objects.select_for_update().select_related("publication").get(pk=review.pk)
    if locked.cancelled or locked.released:
        return False
    reservation_cancel(publication=locked.publication, reason=reason, by=by)
    locked.cancelled_at = timezone.now()
    locked.save(update_fields=["cancelled_at"])
    locked.links.filter(revoked_at__isnull=True).update(revoked_at=locked.cancelled_at)
    review.cancelled_at = locked.cancelled_at
    return True
