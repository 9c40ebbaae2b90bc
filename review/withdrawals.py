"""Reviews whose records the internal catalogue deleted before release (issue #17).

What counts as withdrawn. SciCat 4.x and 5.x have no "withdrawn" flag for a dataset: an
embargoed record leaves the catalogue by being deleted (``findOneAndDelete``, for good). A record
of a review counts as deleted only when both

* a list of the review's pids read with the sync's account (which sees embargoed records; pids
  only, one call per 100 pids: :meth:`~sync.scicat.SciCatApi.dataset_pids_shown`) leaves it out,
  and
* its own URL, ``/api/v3/datasets/{pid}``, answers 404 ``dataset: <pid> not found``
  (:meth:`~sync.scicat.SciCatApi.dataset_presence`).

A 403 there (the record exists, but the account may no longer read it: its groups changed, or
4.17 read an expired token as anonymous) is logged and changes nothing; so does every error: a
5xx, a timeout or a refused login outlasting the client's retries ends the check with nothing
written (every page is asked before anything is written). No tombstone ever comes from a hiccup,
nor from a catalogue that lost many records at once (restored from an old backup, or another
instance behind ``SCICAT_URL``): past the sync's ``SYNC_MAX_WITHDRAW_PERCENT`` the check refuses
to mark anything until staff confirm (``review check --allow-mass-deletion``). A record the
catalogue un-publishes is still there (and was never public here anyway).

What follows. The first check that finds a record deleted marks it
(``ReservedDataset.missing_since``); a check that sees it again clears the mark (a dataset
deleted and ingested again under the same pid, as facilities do to repair one, is simply back).
When every record of a review not released yet has been marked for
``PORTAL_REVIEW_WITHDRAWN_AFTER_HOURS``, the review is closed as not released through
:func:`review.services.review_cancel` (by the catalogue): its links answer 404 like any cancelled
review's, and the DOI stays ``registered``, its URL the tombstone saying the data was not
released (the DataCite update goes through publishing's outbox, exactly once, retried). A record
back after that does not reopen the review: the DOI's tombstone is public record by then, and
when the record becomes public it is published like any other (a new DOI).

When only some records are deleted, the review stays open: its page shows the others with a
note saying how many are no longer in the catalogue, and the release brings the others only
(the sync releases what it imports; a deleted record is never imported).

Runs hourly (beat ``review-check``, ``manage.py review check``) and soon after a review page
found records missing (:func:`review.tasks.review_check_soon`). Log lines carry ids and counts
only, never a token or an embargoed record's metadata.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalogue.visibility import WithdrawnBy
from publishing.models import ReservedDataset
from publishing.services.reservations import reservation_records_seen
from review.catalogue import catalogue_api
from review.models import Review
from review.selectors import reviews_open
from review.services import review_cancel
from sync import scicat

logger = logging.getLogger(__name__)

WITHDRAWN_REASON = (
    "The data this DOI was reserved for was withdrawn from the facility's catalogue before its "
    "release; it was not released."
)
# Reviews checked together: their records' pids are asked in one list call per 100 pids.
REVIEWS_PER_PAGE = 100
# Newly deleted records one check may mark whatever the percentage (see reviews_check).
MASS_DELETION_FLOOR = 10


@dataclass
class CheckReport:
    reviews: int = 0
    records: int = 0
    deleted: int = 0  # records the catalogue has deleted, as of this check
    hidden: int = 0  # records there but unreadable to the sync's account: left alone
    closed: list[int] = field(default_factory=list)  # reviews closed as not released
    partial: list[int] = field(default_factory=list)  # open reviews with records deleted


class MassDeletionRefused(Exception):
    """The catalogue seems to have lost many review records at once: nothing was marked."""


@dataclass
class _Answer:
    """What the catalogue said of one page of reviews' records (nothing written yet)."""

    by_review: dict[int, set[str]]
    marked: set[int]  # reviews with records marked deleted before this check
    shown: set[str]
    deleted: set[str]


def reviews_check(
    *,
    review_ids: Sequence[int] | None = None,
    on_progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
    allow_mass_deletion: bool = False,
) -> CheckReport:
    """Ask the catalogue about the records of the open reviews (all, or these) and close those
    whose records are all deleted (see the module docstring).

    Everything is asked before anything is written, so a catalogue that stops answering halfway
    leaves every review as it was. Raises :class:`~review.catalogue.CatalogueNotReadable`
    without a catalogue to ask, :class:`sync.scicat.CatalogueError` when it does not answer, and
    :class:`MassDeletionRefused` when more records than the sync would withdraw in one run
    (``SYNC_MAX_WITHDRAW_PERCENT``, at least :data:`MASS_DELETION_FLOOR`) are newly found
    deleted: a catalogue restored from an old backup, or ``SCICAT_URL`` pointing at another,
    emptier instance, must not close every review. ``allow_mass_deletion`` (``review check
    --allow-mass-deletion``) when it is right."""
    now = now or timezone.now()
    grace = timedelta(hours=settings.PORTAL_REVIEW_WITHDRAWN_AFTER_HOURS)
    queryset = reviews_open()
    if review_ids is not None:
        queryset = queryset.filter(pk__in=list(review_ids))
    ids = list(queryset.values_list("pk", flat=True))
    report = CheckReport()
    if not ids:
        return report
    answers: list[_Answer] = []
    api = catalogue_api()
    try:
        for start in range(0, len(ids), REVIEWS_PER_PAGE):
            page = ids[start : start + REVIEWS_PER_PAGE]
            answers.append(_ask(api, page, report))
            if on_progress is not None:
                on_progress(len(page))
    finally:
        api.close()
    if not allow_mass_deletion:
        _refuse_mass_deletion(answers, records=report.records)
    for answer in answers:
        for review_id, own in sorted(answer.by_review.items()):
            if review_id not in answer.marked and not own & answer.deleted:
                continue  # the steady state: nothing deleted, nothing to write
            _settle(
                review_id,
                deleted=own & answer.deleted,
                shown=own & answer.shown,
                now=now,
                grace=grace,
                report=report,
            )
    return report


def _ask(api: scicat.SciCatApi, review_ids: list[int], report: CheckReport) -> _Answer:
    waiting = ReservedDataset.objects.filter(
        publication__review__pk__in=review_ids, released_at=None
    ).values_list("publication__review__pk", "pid", "missing_since")
    by_review: dict[int, set[str]] = {}
    marked: set[int] = set()
    for review_id, pid, missing_since in waiting:
        by_review.setdefault(review_id, set()).add(pid)
        if missing_since is not None:
            marked.add(review_id)
    pids = sorted(set().union(*by_review.values())) if by_review else []
    shown = api.dataset_pids_shown(pids)
    deleted: set[str] = set()
    hidden = 0
    for pid in pids:
        if pid in shown:
            continue
        presence = api.dataset_presence(pid)
        if presence is scicat.Presence.DELETED:
            deleted.add(pid)
        elif presence is scicat.Presence.SHOWN:
            shown.add(pid)  # the list missed it; its own URL has it
        else:
            hidden += 1
    if hidden:
        logger.warning(
            "review check: %d records of reviews exist in the catalogue but the sync's account "
            "may not read them (its groups?): left as they are",
            hidden,
        )
    report.reviews += len(review_ids)
    report.records += len(pids)
    report.deleted += len(deleted)
    report.hidden += hidden
    return _Answer(by_review=by_review, marked=marked, shown=shown, deleted=deleted)


def _refuse_mass_deletion(answers: list[_Answer], *, records: int) -> None:
    deleted = set().union(*(a.deleted for a in answers))
    already = set(
        ReservedDataset.objects.filter(pid__in=list(deleted), released_at=None)
        .exclude(missing_since=None)
        .values_list("pid", flat=True)
    )
    new = len(deleted - already)
    allowed = max(MASS_DELETION_FLOOR, records * settings.SYNC_MAX_WITHDRAW_PERCENT / 100)
    if new > allowed:
        raise MassDeletionRefused(
            f"the catalogue no longer has {new} of the {records} records of open reviews, more "
            f"than SYNC_MAX_WITHDRAW_PERCENT={settings.SYNC_MAX_WITHDRAW_PERCENT}% (at least "
            f"{MASS_DELETION_FLOOR}) allows; nothing was marked. If this is right, run "
            "`manage.py review check --allow-mass-deletion`."
        )


def _settle(
    review_id: int,
    *,
    deleted: set[str],
    shown: set[str],
    now: datetime,
    grace: timedelta,
    report: CheckReport,
) -> None:
    review = Review.objects.select_related("publication").get(pk=review_id)
    with transaction.atomic():
        changed = reservation_records_seen(
            publication_id=review.publication_id, deleted=deleted, shown=shown, now=now
        )
        marks = _marks(review.publication_id)
        if marks and all(m is not None and m <= now - grace for m in marks):
            if review_cancel(review=review, reason=WITHDRAWN_REASON, by=WithdrawnBy.CATALOGUE):
                report.closed.append(review_id)
                logger.warning(
                    "review %s closed as not released: the catalogue deleted its %d records "
                    "(publication %s keeps its registered DOI, now a tombstone)",
                    review_id,
                    len(marks),
                    review.publication_id,
                )
            return
    gone = sum(1 for m in marks if m is not None)
    if gone:
        report.partial.append(review_id)
        if changed:
            logger.info(
                "review %s: %d of its %d records not released are deleted in the catalogue",
                review_id,
                gone,
                len(marks),
            )


def _marks(publication_id: int) -> list[datetime | None]:
    return list(
        ReservedDataset.objects.filter(publication_id=publication_id, released_at=None).values_list(
            "missing_since", flat=True
        )
    )
