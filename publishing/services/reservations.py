"""DOIs reserved for records still under embargo, and their release when the sync brings them.

A journal asks for the DOI of the data behind a manuscript long before the facility's embargo
ends. :func:`reservation_create` makes a publication that holds nothing of the records but their
pids (:class:`~publishing.models.ReservedDataset`) and placeholder metadata (the facility as
creator, "data under embargo" as title), and asks DataCite for the DOI in the ``registered``
state (resolvable, not findable) through the ordinary registration workflow, with its
exactly-once and retry guarantees. The DOI resolves to a holding page (``landing``).

The sync calls :func:`reservations_release` with the pids it has just made public (after its
page committed). The first record of a reservation that arrives turns it into an ordinary
publication: the records' metadata replaces the placeholder, ``reserved`` goes, and the DOI is
updated and published (``registered`` → ``findable``); records arriving later join it.

:func:`reservation_cancel` withdraws a reservation that will not be released: the DOI stays
``registered`` and resolves to a tombstone saying that the data was not released (by staff, or
by ``review.withdrawals`` when the catalogue deleted every record first). What that check saw of
each record is kept by :func:`reservation_records_seen` (``ReservedDataset.missing_since``).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalogue.models import Dataset
from catalogue.visibility import WithdrawnBy
from publishing.models import DoiState, Publication, ReservedDataset
from publishing.services.drafts import default_title, prefill, publication_datasets_add
from publishing.services.errors import PublicationError
from publishing.services.indexing import publication_datasets_reindex
from publishing.services.registration import doi_update_request, publication_register
from publishing.services.withdrawal import publication_withdraw

logger = logging.getLogger(__name__)

NOT_RELEASED_REASON = "The data this DOI was reserved for was not released."


def placeholder_title(embargo_until: date | None) -> str:
    """The title DataCite holds for a reserved DOI: nothing of the embargoed records."""
    if embargo_until is None:
        return "Data under embargo"
    return f"Data under embargo until {embargo_until.isoformat()}"


@transaction.atomic
def reservation_create(*, pids: Sequence[str], embargo_until: date | None) -> Publication:
    """Reserve a DOI for records under embargo (by pid) and ask DataCite for it.

    The caller has checked with the internal catalogue that the records exist. Raises
    :class:`PublicationError` when there is nothing to reserve, a record is public here already
    (publish it instead), or DataCite is not configured.
    """
    wanted = list(dict.fromkeys(p.strip() for p in pids if p.strip()))
    if not wanted:
        raise PublicationError("No records to reserve a DOI for.")
    public = list(Dataset.objects.public().filter(pid__in=wanted).values_list("pid", flat=True))
    if public:
        raise PublicationError(
            f"Already public here, publish instead of reserving: {', '.join(sorted(public))}"
        )
    publisher = settings.PORTAL_PUBLISHER
    publication = Publication.objects.create(
        title=placeholder_title(embargo_until),
        creators=[{"name": publisher, "nameType": "Organizational"}],
        publisher=publisher,
        publication_year=(embargo_until or timezone.now().date()).year,
        resource_type="Dataset",
        dates=(
            [{"date": embargo_until.isoformat(), "dateType": "Available"}] if embargo_until else []
        ),
        doi_state=DoiState.DRAFT,
        doi_state_changed_at=timezone.now(),
        reserved=True,
        embargo_until=embargo_until,
    )
    ReservedDataset.objects.bulk_create(
        [ReservedDataset(publication=publication, pid=pid) for pid in wanted]
    )
    publication_register(publication_id=publication.pk)  # chooses the DOI; sent after commit
    publication.refresh_from_db()
    return publication


def reservations_release(*, dataset_pids: Sequence[str]) -> set[str]:
    """The sync made these records public: release the reservations waiting for them.

    Returns the pids that belong to a reservation (the automatic DOI policy leaves them alone).
    A cancelled reservation (withdrawn) is not released: its DOI keeps its tombstone.
    """
    if not dataset_pids:
        return set()
    waiting = ReservedDataset.objects.waiting_for(list(dataset_pids)).values_list(
        "publication_id", "pid"
    )
    by_publication: dict[int, list[str]] = {}
    for publication_id, pid in waiting:
        by_publication.setdefault(publication_id, []).append(pid)
    claimed: set[str] = set()
    for publication_id, pids in by_publication.items():
        claimed.update(pids)
        try:
            _release(publication_id, pids)
        except PublicationError as exc:  # reported; the records stay public all the same
            logger.warning("reserved DOI of publication %s not released: %s", publication_id, exc)
    return claimed


@transaction.atomic
def _release(publication_id: int, pids: list[str]) -> None:
    locked = Publication.objects.select_for_update().get(pk=publication_id)
    if locked.is_withdrawn:
        return
    datasets = list(
        Dataset.objects.public()
        .filter(pid__in=pids)
        .select_related("proposal")
        .prefetch_related("techniques")
        .order_by("start_time", "pk")
    )
    if not datasets:
        return
    if locked.reserved:
        locked.title = default_title(datasets)
        locked.abstract = datasets[0].description if len(datasets) == 1 else ""
        prefill(locked, datasets)
        locked.reserved = False
        locked.save()
        locked.datasets.set(datasets)
        doi_update_request(locked.pk)  # a DOI not confirmed yet is sent findable at once
        publication_datasets_reindex(locked.pk)
        logger.info("reserved DOI %s released with %d records", locked.doi, len(datasets))
    else:
        publication_datasets_add(publication=locked, datasets=datasets)
    ReservedDataset.objects.filter(
        publication=locked, pid__in=[d.pid for d in datasets], released_at__isnull=True
    ).update(released_at=timezone.now())


@transaction.atomic
def reservation_cancel(
    *, publication: Publication, reason: str = "", by: WithdrawnBy = WithdrawnBy.STAFF
) -> bool:
    """A reservation that will not be released: the DOI stays ``registered``, its page a
    tombstone. False when it was released already (withdraw the publication instead) or was
    cancelled before. ``by``: staff, or the catalogue (its records were deleted)."""
    locked = Publication.objects.select_for_update().get(pk=publication.pk)
    if not locked.reserved:
        return False
    return publication_withdraw(
        publication=locked, reason=reason.strip() or NOT_RELEASED_REASON, by=by
    )


def reservation_records_seen(
    *, publication_id: int, deleted: Collection[str], shown: Collection[str], now: datetime
) -> int:
    """What the catalogue said of a reservation's records not released yet: ``deleted`` ones
    are marked missing since ``now`` (the first time only), ``shown`` ones lose the mark (a
    record deleted and put back). Returns how many marks changed."""
    waiting = ReservedDataset.objects.filter(publication_id=publication_id, released_at=None)
    changed = 0
    if deleted:
        changed += waiting.filter(pid__in=list(deleted), missing_since=None).update(
            missing_since=now
        )
    if shown:
        changed += (
            waiting.filter(pid__in=list(shown))
            .exclude(missing_since=None)
            .update(missing_since=None)
        )
    return changed
