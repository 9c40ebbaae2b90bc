"""The monthly aggregation (usage.services.usage_month_aggregate) and its command."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import DatasetFactory, PublicationFactory
from usage.models import AggregatedMonth, UsageEvent, UsageMonth
from usage.selectors import (
    dataset_usage,
    month_figures,
    most_viewed_datasets,
    publication_usage,
    usage_since,
)
from usage.services import usage_month_aggregate

pytestmark = pytest.mark.django_db

MAY = date(2026, 5, 1)
JUNE_START = datetime(2026, 6, 1, tzinfo=UTC)


def _event(
    at: datetime,
    *,
    dataset=None,
    publication=None,
    kind="investigation",
    visitor="v1",
    method="regular",
    component="",
) -> UsageEvent:
    return UsageEvent.objects.create(
        occurred_at=at,
        kind=kind,
        dataset=dataset,
        publication=publication,
        access_method=method,
        visitor=visitor,
        component=component,
    )


def _figures(month: date, **item: object) -> tuple[int, int, int, int]:
    row = UsageMonth.objects.get(month=month, access_method="regular", **item)
    return (
        row.total_investigations,
        row.unique_investigations,
        row.total_requests,
        row.unique_requests,
    )


def test_months_split_at_midnight_utc() -> None:
    dataset = DatasetFactory.create()
    _event(JUNE_START - timedelta(seconds=1), dataset=dataset, visitor="a")
    _event(JUNE_START, dataset=dataset, visitor="b")
    now = JUNE_START + timedelta(hours=1)
    usage_month_aggregate(month=MAY, now=now)
    usage_month_aggregate(month=date(2026, 6, 1), now=now)
    assert _figures(MAY, dataset=dataset) == (1, 1, 0, 0)
    assert _figures(date(2026, 6, 1), dataset=dataset) == (1, 1, 0, 0)


def test_aggregating_again_gives_the_same_numbers() -> None:
    dataset = DatasetFactory.create()
    for minute in range(5):
        _event(datetime(2026, 5, 3, 10, minute, tzinfo=UTC), dataset=dataset, visitor="a")
    now = datetime(2026, 5, 20, tzinfo=UTC)
    usage_month_aggregate(month=MAY, now=now)
    first = list(month_figures(month=MAY).values_list("dataset_id", "total_investigations"))
    usage_month_aggregate(month=MAY, now=now)
    assert list(month_figures(month=MAY).values_list("dataset_id", "total_investigations")) == (
        first
    )
    assert first == [(dataset.pk, 5)]


def test_a_month_over_for_a_day_is_closed_and_its_raw_events_deleted() -> None:
    dataset = DatasetFactory.create()
    _event(datetime(2026, 5, 3, tzinfo=UTC), dataset=dataset)
    _event(JUNE_START + timedelta(seconds=5), dataset=dataset)  # June's: kept
    result = usage_month_aggregate(month=MAY, now=JUNE_START + timedelta(days=2))
    assert result.closed
    assert UsageEvent.objects.count() == 1
    assert AggregatedMonth.objects.get(month=MAY).closed
    again = usage_month_aggregate(month=MAY, now=JUNE_START + timedelta(days=3))
    assert again.unchanged
    assert _figures(MAY, dataset=dataset) == (1, 1, 0, 0)


def test_a_month_not_yet_over_keeps_its_raw_events() -> None:
    dataset = DatasetFactory.create()
    _event(datetime(2026, 5, 3, tzinfo=UTC), dataset=dataset)
    result = usage_month_aggregate(month=MAY, now=JUNE_START + timedelta(hours=2))
    assert not result.closed
    assert UsageEvent.objects.count() == 1


def test_a_doi_counts_its_datasets_events() -> None:
    first, second = DatasetFactory.create_batch(2)
    publication = PublicationFactory.create()
    publication.datasets.set([first, second])
    at = datetime(2026, 5, 3, 10, tzinfo=UTC)
    _event(at, publication=publication, visitor="a")
    _event(at + timedelta(minutes=1), dataset=first, visitor="a")
    _event(at + timedelta(minutes=2), dataset=second, kind="request", component="f", visitor="a")
    _event(at + timedelta(minutes=3), dataset=second, visitor="b")
    usage_month_aggregate(month=MAY, now=at + timedelta(days=1))
    assert _figures(MAY, publication=publication) == (4, 2, 1, 1)
    assert _figures(MAY, dataset=second) == (2, 2, 1, 1)
    summary = publication_usage(publication.pk)
    assert (summary.views, summary.unique_views, summary.downloads) == (4, 2, 1)
    assert summary.since == MAY


def test_machine_and_regular_rows_apart() -> None:
    dataset = DatasetFactory.create()
    at = datetime(2026, 5, 3, 10, tzinfo=UTC)
    _event(at, dataset=dataset, visitor="a")
    _event(at, dataset=dataset, visitor="m", method="machine")
    usage_month_aggregate(month=MAY, now=at + timedelta(days=1))
    summary = dataset_usage(dataset.pk)
    assert summary.regular.total_investigations == 1
    assert summary.machine.total_investigations == 1
    assert summary.views == 2


def test_nothing_counted_means_no_since() -> None:
    usage_month_aggregate(month=MAY, now=JUNE_START)
    assert usage_since() is None
    assert dataset_usage(DatasetFactory.create().pk).views == 0


def test_most_viewed_leaves_withdrawn_datasets_out() -> None:
    shown, withdrawn = DatasetFactory.create_batch(2)
    withdrawn.visibility = "withdrawn"
    withdrawn.save()
    at = datetime(2026, 5, 3, 10, tzinfo=UTC)
    for dataset in (shown, withdrawn):
        _event(at, dataset=dataset)
    usage_month_aggregate(month=MAY, now=at + timedelta(days=1))
    ranked = most_viewed_datasets(limit=5)
    assert [r.dataset for r in ranked] == [shown]


def test_command_aggregates_one_month() -> None:
    dataset = DatasetFactory.create()
    _event(datetime(2025, 3, 3, tzinfo=UTC), dataset=dataset)
    out = StringIO()
    call_command("usage", "aggregate", "--month", "2025-03", "--no-progress", stdout=out)
    assert "2025-03: 1 events, 1 rows (closed" in out.getvalue()
    assert _figures(date(2025, 3, 1), dataset=dataset) == (1, 1, 0, 0)


@pytest.mark.parametrize("value", ["2025-13", "March", "2999-01"])
def test_command_refuses_a_bad_month(value: str) -> None:
    with pytest.raises(CommandError, match="--month"):
        call_command("usage", "aggregate", "--month", value, "--no-progress")


def test_a_month_left_open_by_a_missed_night_is_due_again() -> None:
    from usage.services import months_due

    dataset = DatasetFactory.create()
    _event(datetime(2026, 3, 3, tzinfo=UTC), dataset=dataset)
    usage_month_aggregate(month=date(2026, 3, 1), now=datetime(2026, 3, 20, tzinfo=UTC))
    due = months_due(now=datetime(2026, 6, 10, tzinfo=UTC))
    assert due == [date(2026, 3, 1), date(2026, 5, 1), date(2026, 6, 1)]
