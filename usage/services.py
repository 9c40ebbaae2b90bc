"""The writes of the usage counting: the daily salt, storing buffered events, the monthly
aggregation (COUNTER rules in :mod:`usage.counting`) and deleting raw events once their month is
final.

A month is aggregated from its raw events (plus the next month's first 30 seconds, for double
clicks) into :class:`~usage.models.UsageMonth`, all its rows replaced in one transaction: running
it again gives the same numbers. A month over for more than :data:`CLOSE_AFTER` (so every buffered
event of it has been stored) is *closed* when aggregated: its raw events are deleted and its
figures are final; aggregating it again changes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import transaction

from catalogue.models import Dataset
from publishing.models import Publication
from usage import buffer
from usage.counting import DOUBLE_CLICK, Event, Item, count_month
from usage.models import AggregatedMonth, UsageEvent, UsageMonth, UsageSalt

__all__ = [
    "CLOSE_AFTER",
    "MonthResult",
    "month_bounds",
    "months_due",
    "usage_events_drain",
    "usage_events_store",
    "usage_month_aggregate",
    "usage_salt_of_day",
]

CLOSE_AFTER = timedelta(days=1)
DRAIN_BATCH = 5000


def usage_salt_of_day(*, day: date) -> str:
    """The salt of ``day`` (made on first use); the salts of earlier days are deleted."""
    found = UsageSalt.objects.filter(day=day).values_list("salt", flat=True).first()
    if found:
        return found
    with transaction.atomic():
        salt, _ = UsageSalt.objects.get_or_create(day=day, defaults={"salt": secrets.token_hex(32)})
        UsageSalt.objects.filter(day__lt=day).delete()
    return salt.salt


def usage_events_store(*, events: list[buffer.RawEvent]) -> int:
    """Write buffered events (one ``bulk_create``); events of records since deleted are dropped."""
    if not events:
        return 0
    dataset_ids = {e[2] for e in events if e[2] is not None}
    publication_ids = {e[3] for e in events if e[3] is not None}
    datasets = set(Dataset.objects.filter(pk__in=dataset_ids).values_list("pk", flat=True))
    publications = set(
        Publication.objects.filter(pk__in=publication_ids).values_list("pk", flat=True)
    )
    rows = [
        UsageEvent(
            occurred_at=datetime.fromtimestamp(when, UTC),
            kind=kind,
            dataset_id=dataset_id,
            publication_id=publication_id,
            access_method=method,
            visitor=visitor,
            component=component,
        )
        for when, kind, dataset_id, publication_id, method, visitor, component in events
        if (dataset_id is None or dataset_id in datasets)
        and (publication_id is None or publication_id in publications)
        and (dataset_id is not None or publication_id is not None)
    ]
    UsageEvent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def usage_events_drain(*, limit: int | None = None) -> int:
    """Move the waiting events (Redis or this process) into the database; how many were stored."""
    stored = 0
    while limit is None or stored < limit:
        batch = buffer.take(DRAIN_BATCH if limit is None else min(DRAIN_BATCH, limit - stored))
        if not batch:
            break
        try:
            stored += usage_events_store(events=batch)
        except Exception:
            buffer.give_back(batch)
            raise
    return stored


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of ``month`` and of the next one, UTC."""
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def months_due(*, now: datetime) -> list[date]:
    """What the nightly job aggregates: any earlier month not closed yet (a night missed), last
    month and this month."""
    this_month = now.date().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    earlier = AggregatedMonth.objects.filter(month__lt=last_month, closed=False)
    return [*earlier.order_by("month").values_list("month", flat=True), last_month, this_month]


@dataclass(frozen=True)
class MonthResult:
    month: date
    events: int
    rows: int
    closed: bool
    unchanged: bool = False  # a closed month: nothing left to read, the figures stay


def _events(start: datetime, until: datetime, progress: Callable[[int], None]) -> Iterator[Event]:
    rows = (
        UsageEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=until)
        .order_by("occurred_at", "id")
        .values_list(
            "occurred_at",
            "kind",
            "dataset_id",
            "publication_id",
            "access_method",
            "visitor",
            "component",
        )
    )
    for number, (when, kind, dataset_id, publication_id, method, visitor, part) in enumerate(
        rows.iterator(chunk_size=5000), start=1
    ):
        item: Item = ("d", dataset_id) if dataset_id is not None else ("p", publication_id)
        yield Event(when, kind, item, method, visitor, part)
        if number % 5000 == 0:
            progress(5000)


def _publications_by_dataset(start: datetime, end: datetime) -> dict[int, list[int]]:
    """The DOI publications holding each dataset that has events in the month."""
    links = Publication.datasets.through.objects.filter(
        dataset_id__in=UsageEvent.objects.filter(
            occurred_at__gte=start, occurred_at__lt=end, dataset__isnull=False
        ).values("dataset_id"),
    ).exclude(publication__doi="")
    holding: dict[int, list[int]] = {}
    for dataset_id, publication_id in links.values_list("dataset_id", "publication_id"):
        holding.setdefault(dataset_id, []).append(publication_id)
    return holding


def usage_month_aggregate(
    *,
    month: date,
    now: datetime | None = None,
    progress: Callable[[int], None] = lambda n: None,
) -> MonthResult:
    """Build ``month``'s :class:`UsageMonth` rows from its raw events (see the module's text)."""
    month = month.replace(day=1)
    now = now or datetime.now(UTC)
    start, end = month_bounds(month)
    if start > now:
        raise ValueError(f"{month:%Y-%m} has not begun")
    done = AggregatedMonth.objects.filter(month=month).first()
    if done is not None and done.closed:
        return MonthResult(month, done.events, 0, closed=True, unchanged=True)
    holding = _publications_by_dataset(start, end)
    tallies = count_month(
        _events(start, end + DOUBLE_CLICK, progress),
        end=end,
        publications_of=lambda dataset_id: holding.get(dataset_id, ()),
    )
    events = UsageEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    rows = [
        UsageMonth(
            month=month,
            dataset_id=item_id if kind == "d" else None,
            publication_id=item_id if kind == "p" else None,
            access_method=method,
            total_investigations=tally.total_investigations,
            unique_investigations=tally.unique_investigations,
            total_requests=tally.total_requests,
            unique_requests=tally.unique_requests,
        )
        for ((kind, item_id), method), tally in sorted(tallies.items())
    ]
    close = now >= end + CLOSE_AFTER
    with transaction.atomic():
        count = events.count()
        if done is None and not count and not rows:
            return MonthResult(month, 0, 0, closed=False)  # nothing counted: no "since" yet
        UsageMonth.objects.filter(month=month).delete()
        UsageMonth.objects.bulk_create(rows, batch_size=1000)
        AggregatedMonth.objects.update_or_create(
            month=month, defaults={"aggregated_at": now, "events": count, "closed": close}
        )
        if close:
            events.delete()
    return MonthResult(month, count, len(rows), closed=close)
