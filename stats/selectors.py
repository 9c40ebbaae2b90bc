"""The statistics' reads: sums over the aggregate tables (a few thousand rows at most).

Every query here reads ``DatasetFigure`` or ``OpennessFigure`` only, never the catalogue, so the
page costs the same whatever the catalogue's size. ``Filters`` narrows each one the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Max, Min, Q, QuerySet, Sum

from catalogue.visibility import Visibility
from stats.models import DatasetFigure, FiguresRefresh, OpennessFigure
from usage.models import AccessMethod, UsageMonth

TOP = 10


@dataclass(frozen=True)
class Filters:
    facility: str = ""
    beamline: str = ""  # an instrument pid
    year_from: int | None = None
    year_to: int | None = None

    @property
    def any(self) -> bool:
        return bool(self.facility or self.beamline or self.year_from or self.year_to)

    def where(self, *, years: bool = True) -> Q:
        q = Q()
        if self.facility:
            q &= Q(facility=self.facility)
        if self.beamline:
            q &= Q(beamline_pid=self.beamline)
        if years and self.year_from is not None:
            q &= Q(year__gte=self.year_from)
        if years and self.year_to is not None:
            q &= Q(year__lte=self.year_to)
        return q


@dataclass(frozen=True)
class Totals:
    label: str
    datasets: int
    size: int
    files: int


@dataclass(frozen=True)
class Places:
    label: str
    disk_datasets: int
    disk_size: int
    tape_datasets: int
    tape_size: int
    unknown_datasets: int
    unknown_size: int


@dataclass(frozen=True)
class Openness:
    year: int
    datasets: int
    dois: int
    datasets_total: int
    dois_total: int


@dataclass(frozen=True)
class Ranked:
    pid: str
    title: str
    beamline: str
    unique: int
    total: int


@dataclass(frozen=True)
class Choices:
    facilities: list[str]
    beamlines: list[tuple[str, str, str]]  # pid, name, facility
    first_year: int | None
    last_year: int | None


def _label(facility: str, beamline: str) -> str:
    if not beamline:
        return f"{facility}: no beamline" if facility else "No beamline"
    return f"{beamline} ({facility})" if facility else beamline


def _datasets(filters: Filters) -> QuerySet[DatasetFigure]:
    return DatasetFigure.objects.filter(filters.where())


def _sums(rows: QuerySet[Any]) -> QuerySet[Any]:
    return rows.annotate(n=Sum("datasets"), bytes=Sum("size"), files_sum=Sum("files"))


def per_beamline(filters: Filters) -> list[Totals]:
    """Datasets, volume and files per beamline, by facility then beamline name."""
    rows = _sums(
        _datasets(filters).values("facility", "beamline_pid", "beamline").order_by()
    ).order_by("facility", "beamline", "beamline_pid")
    return [
        Totals(_label(r["facility"], r["beamline"]), r["n"], r["bytes"], r["files_sum"])
        for r in rows
    ]


def per_year(filters: Filters) -> list[Totals]:
    """Datasets, volume and files per year of measurement, oldest first, undated last."""
    rows = list(_sums(_datasets(filters).values("year").order_by()).order_by("year"))
    rows.sort(key=lambda r: (r["year"] is None, r["year"] or 0))
    return [
        Totals(str(r["year"]) if r["year"] else "Undated", r["n"], r["bytes"], r["files_sum"])
        for r in rows
    ]


def per_place(filters: Filters) -> list[Places]:
    """Per beamline: datasets and volume on disk, on tape, and where the catalogue does not say."""
    cells: dict[tuple[str, str, str], dict[str, tuple[int, int]]] = {}
    rows = (
        _datasets(filters)
        .values("facility", "beamline_pid", "beamline", "data_location")
        .order_by()
        .annotate(n=Sum("datasets"), bytes=Sum("size"))
    )
    for r in rows:
        key = (r["facility"], r["beamline"], r["beamline_pid"])
        cells.setdefault(key, {})[r["data_location"]] = (r["n"], r["bytes"])
    out = []
    for (facility, beamline, _pid), places in sorted(cells.items()):
        disk, tape = places.get("disk", (0, 0)), places.get("tape", (0, 0))
        unknown = [v for k, v in places.items() if k not in {"disk", "tape"}]
        out.append(
            Places(
                _label(facility, beamline),
                disk[0],
                disk[1],
                tape[0],
                tape[1],
                sum(u[0] for u in unknown),
                sum(u[1] for u in unknown),
            )
        )
    return out


def openness(filters: Filters) -> list[Openness]:
    """Per year: datasets made public and DOIs published, and the running totals.

    The totals count everything before the year range too (the catalogue as it stood then).
    """
    unbounded = Filters(facility=filters.facility, beamline=filters.beamline)
    rows = (
        OpennessFigure.objects.filter(unbounded.where(), year__isnull=False)
        .values("year")
        .order_by("year")
        .annotate(n=Sum("datasets"), d=Sum("dois"))
    )
    out = []
    datasets_total = dois_total = 0
    for r in rows:
        year = r["year"] or 0  # never 0: nulls are left out above
        datasets_total += r["n"]
        dois_total += r["d"]
        if filters.year_from is not None and year < filters.year_from:
            continue
        if filters.year_to is not None and year > filters.year_to:
            break
        out.append(Openness(year, r["n"], r["d"], datasets_total, dois_total))
    return out


def most_used(filters: Filters, *, downloads: bool) -> list[Ranked]:
    """The public datasets most viewed (or downloaded) by people, by unique then total count.

    COUNTER figures of regular access (``usage``'s monthly aggregates; machine access is counted
    apart and left out here), over the months of the year range.
    """
    unique, total = (
        ("unique_requests", "total_requests")
        if downloads
        else ("unique_investigations", "total_investigations")
    )
    rows = UsageMonth.objects.filter(
        dataset__isnull=False,
        dataset__visibility=Visibility.PUBLIC,
        access_method=AccessMethod.REGULAR,
    )
    if filters.facility:
        rows = rows.filter(dataset__instrument__facility=filters.facility)
    if filters.beamline:
        rows = rows.filter(dataset__instrument__pid=filters.beamline)
    if filters.year_from is not None:
        rows = rows.filter(month__gte=date(filters.year_from, 1, 1))
    if filters.year_to is not None:
        rows = rows.filter(month__lte=date(filters.year_to, 12, 1))
    ranked = (
        rows.values(
            "dataset_id",
            "dataset__pid",
            "dataset__title",
            "dataset__instrument__unique_name",
            "dataset__instrument__name",
        )
        .annotate(u=Sum(unique), t=Sum(total))
        .filter(t__gt=0)
        .order_by("-u", "-t", "dataset_id")[:TOP]
    )
    return [
        Ranked(
            r["dataset__pid"],
            r["dataset__title"],
            r["dataset__instrument__unique_name"] or r["dataset__instrument__name"] or "",
            int(r["u"]),
            int(r["t"]),
        )
        for r in ranked
    ]


def choices() -> Choices:
    """What the filters may name: the facilities and beamlines counted, the years spanned."""
    beamlines = list(
        DatasetFigure.objects.exclude(beamline_pid="")
        .values_list("beamline_pid", "beamline", "facility")
        .distinct()
        .order_by("facility", "beamline", "beamline_pid")
    )
    facilities = sorted({f for _, _, f in beamlines if f})
    span = DatasetFigure.objects.aggregate(first=Min("year"), last=Max("year"))
    return Choices(facilities, beamlines, span["first"], span["last"])


def last_refresh() -> FiguresRefresh | None:
    return FiguresRefresh.objects.order_by("-finished_at").first()
