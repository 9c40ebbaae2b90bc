"""Reads of the usage figures (the names are listed in :mod:`usage.models`' docstring).

Figures are monthly (:class:`~usage.models.UsageMonth`): a summary over several months adds the
months' uniques, as DataCite and COUNTER reports do (a visitor in two months is two unique visits).
Only public records are ranked; a withdrawn record's figures stay for the report and the admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Min, QuerySet, Sum

from catalogue.models import Dataset
from catalogue.visibility import Visibility
from usage.models import AccessMethod, AggregatedMonth, UsageMonth

__all__ = [
    "RankedDataset",
    "UsageSummary",
    "aggregated_months",
    "dataset_usage",
    "month_figures",
    "most_downloaded_datasets",
    "most_viewed_datasets",
    "publication_month_figures",
    "publication_usage",
    "usage_since",
]

_FIELDS = ("total_investigations", "unique_investigations", "total_requests", "unique_requests")


@dataclass(frozen=True)
class Counts:
    total_investigations: int = 0
    unique_investigations: int = 0
    total_requests: int = 0
    unique_requests: int = 0


@dataclass(frozen=True)
class UsageSummary:
    """A record's figures over every month counted: ``views`` are COUNTER investigations (which
    include requests), ``downloads`` requests; ``regular`` and ``machine`` access apart."""

    regular: Counts
    machine: Counts
    since: date | None

    @property
    def views(self) -> int:
        return self.regular.total_investigations + self.machine.total_investigations

    @property
    def unique_views(self) -> int:
        return self.regular.unique_investigations + self.machine.unique_investigations

    @property
    def downloads(self) -> int:
        return self.regular.total_requests + self.machine.total_requests

    @property
    def unique_downloads(self) -> int:
        return self.regular.unique_requests + self.machine.unique_requests


def _summary(rows: QuerySet[UsageMonth]) -> UsageSummary:
    grouped = (
        rows.values("access_method")
        .annotate(**{f: Sum(f) for f in _FIELDS})
        .order_by()
        .values_list("access_method", *_FIELDS)
    )
    sums = {method: Counts(*(int(value or 0) for value in values)) for method, *values in grouped}
    return UsageSummary(
        regular=sums.get(AccessMethod.REGULAR, Counts()),
        machine=sums.get(AccessMethod.MACHINE, Counts()),
        since=usage_since(),
    )


def dataset_usage(dataset_id: int) -> UsageSummary:
    return _summary(UsageMonth.objects.filter(dataset_id=dataset_id))


def publication_usage(publication_id: int) -> UsageSummary:
    """A DOI publication's figures: its own page and exports and those of its datasets."""
    return _summary(UsageMonth.objects.filter(publication_id=publication_id))


def usage_since() -> date | None:
    """The first month counted, or None before the first aggregation."""
    first = AggregatedMonth.objects.aggregate(first=Min("month"))["first"]
    return first if isinstance(first, date) else None


def aggregated_months() -> QuerySet[AggregatedMonth]:
    return AggregatedMonth.objects.order_by("month")


def month_figures(*, month: date) -> QuerySet[UsageMonth]:
    """Every row of ``month`` (its first day), datasets and publications, both access methods."""
    return (
        UsageMonth.objects.filter(month=month.replace(day=1))
        .select_related("dataset", "publication")
        .order_by("dataset_id", "publication_id", "access_method")
    )


def publication_month_figures(*, month: date) -> QuerySet[UsageMonth]:
    """The rows of ``month`` of public publications with a DOI (what DataCite is told)."""
    return (
        month_figures(month=month)
        .filter(publication__isnull=False, publication__visibility=Visibility.PUBLIC)
        .exclude(publication__doi="")
    )


@dataclass(frozen=True)
class RankedDataset:
    dataset: Dataset
    total: int
    unique: int


def _ranked(
    total: str,
    unique: str,
    *,
    limit: int,
    since: date | None,
    until: date | None,
    access_method: str | None,
) -> list[RankedDataset]:
    rows = UsageMonth.objects.filter(dataset__isnull=False, dataset__visibility=Visibility.PUBLIC)
    if since is not None:
        rows = rows.filter(month__gte=since.replace(day=1))
    if until is not None:
        rows = rows.filter(month__lte=until.replace(day=1))
    if access_method is not None:
        rows = rows.filter(access_method=access_method)
    ranked = list(
        rows.values("dataset_id")
        .annotate(total=Sum(total), unique=Sum(unique))
        .filter(total__gt=0)
        .order_by("-unique", "-total", "dataset_id")[:limit]
    )
    datasets = Dataset.objects.in_bulk([r["dataset_id"] for r in ranked])
    return [
        RankedDataset(datasets[r["dataset_id"]], int(r["total"]), int(r["unique"]))
        for r in ranked
        if r["dataset_id"] in datasets
    ]


def most_viewed_datasets(
    *,
    limit: int = 10,
    since: date | None = None,
    until: date | None = None,
    access_method: str | None = None,
) -> list[RankedDataset]:
    """Public datasets by unique then total investigations, months ``since``..``until``."""
    return _ranked(
        "total_investigations",
        "unique_investigations",
        limit=limit,
        since=since,
        until=until,
        access_method=access_method,
    )


def most_downloaded_datasets(
    *,
    limit: int = 10,
    since: date | None = None,
    until: date | None = None,
    access_method: str | None = None,
) -> list[RankedDataset]:
    """Public datasets by unique then total requests, months ``since``..``until``."""
    return _ranked(
        "total_requests",
        "unique_requests",
        limit=limit,
        since=since,
        until=until,
        access_method=access_method,
    )
