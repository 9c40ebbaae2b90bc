"""What the statistics page shows: one section per chart, with its table and its CSV.

A section's numbers are read once (``stats.selectors``) and given three ways: the chart (SVG,
``stats.charts``), the accessible table (formatted cells) and the CSV download (raw numbers).
The template keeps each section's markup in the cache under ``digest`` (of its numbers) and
whether its chart was drawn: a table of a few hundred cells costs tens of milliseconds to render,
reading the numbers a few. A chart not drawn yet is left to the browser as an ``<img>`` of
``/statistics/<key>.svg``, so that no page waits for matplotlib.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from catalogue.sizes import human_size
from stats import charts
from stats.selectors import Filters, most_used, openness, per_beamline, per_place, per_year


@dataclass(frozen=True)
class Column:
    heading: str
    csv_heading: str
    kind: str  # "text", "count", "bytes" or "dataset" (a pid, linked)


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool
    exact: str = ""  # bytes: the exact count, shown on hover
    url: str = ""  # a dataset's landing page


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str
    columns: list[Column]
    rows: list[list[Any]]  # raw values, in column order
    chart: Callable[[], SafeString]  # draws it when not in the cache
    drawn: Callable[[], bool]  # whether it is in the cache

    @property
    def chart_ready(self) -> bool:
        """Inline the chart (in the cache), or else leave an ``<img>`` of it to the browser."""
        return self.drawn()

    @property
    def digest(self) -> str:
        """Of the numbers shown: the template caches the section's markup under it."""
        return hashlib.sha256(repr((charts.VERSION, self.key, self.rows)).encode()).hexdigest()

    @property
    def heading_id(self) -> str:
        return f"{self.key}-heading"

    @property
    def cells(self) -> list[list[Cell]]:
        return [[_cell(c, v) for c, v in zip(self.columns, row, strict=True)] for row in self.rows]

    @property
    def csv_rows(self) -> list[list[Any]]:
        return [[c.csv_heading for c in self.columns], *self.rows]


def _cell(column: Column, value: Any) -> Cell:
    if column.kind == "count":
        return Cell(str(intcomma(value)), True)
    if column.kind == "bytes":
        return Cell(
            human_size(value),
            True,
            gettext("%(bytes)s bytes") % {"bytes": intcomma(value)},
        )
    if column.kind == "dataset":
        return Cell(str(value), False, url=reverse("landing:dataset", args=[value]))
    return Cell(str(value), False)


def _total_columns() -> list[Column]:
    return [
        Column(gettext("Datasets"), "datasets", "count"),
        Column(gettext("Volume"), "volume_bytes", "bytes"),
        Column(gettext("Files"), "files", "count"),
    ]


SECTIONS = ("beamlines", "years", "places", "openness", "views", "downloads")


def _totals(
    key: str, title: str, intro: str, first: tuple[str, str], rows: Sequence[Any]
) -> Section:
    return Section(
        key,
        title,
        intro,
        [Column(first[0], first[1], "text"), *_total_columns()],
        [[r.label, r.datasets, r.size, r.files] for r in rows],
        lambda: charts.totals_chart(rows, kind=key),
        lambda: charts.is_drawn(key, rows),
    )


def section(key: str, filters: Filters) -> Section:
    """One section's numbers for these filters (``key`` is one of ``SECTIONS``)."""
    if key == "beamlines":
        return _totals(
            key,
            gettext("Datasets, volume and files per beamline"),
            gettext(
                "Public datasets measured on each beamline, their total size and number of files."
            ),
            (gettext("Beamline"), "beamline"),
            per_beamline(filters),
        )
    if key == "years":
        return _totals(
            key,
            gettext("Datasets, volume and files per year"),
            gettext(
                "Public datasets by the year they were measured (their start, else their creation)."
            ),
            (gettext("Year"), "year"),
            per_year(filters),
        )
    if key == "places":
        places = per_place(filters)
        return Section(
            key,
            gettext("Data on disk and on tape per beamline"),
            gettext(
                "Where each beamline's public data is kept: online on disk, archived on tape, or "
                "not said by the catalogue."
            ),
            [
                Column(gettext("Beamline"), "beamline", "text"),
                Column(gettext("Datasets on disk"), "disk_datasets", "count"),
                Column(gettext("Volume on disk"), "disk_bytes", "bytes"),
                Column(gettext("Datasets on tape"), "tape_datasets", "count"),
                Column(gettext("Volume on tape"), "tape_bytes", "bytes"),
                Column(gettext("Datasets, place unknown"), "unknown_datasets", "count"),
                Column(gettext("Volume, place unknown"), "unknown_bytes", "bytes"),
            ],
            [
                [
                    r.label,
                    r.disk_datasets,
                    r.disk_size,
                    r.tape_datasets,
                    r.tape_size,
                    r.unknown_datasets,
                    r.unknown_size,
                ]
                for r in places
            ],
            lambda: charts.places_chart(places),
            lambda: charts.is_drawn("places", places),
        )
    if key == "openness":
        opened = openness(filters)
        return Section(
            key,
            gettext("Public datasets and DOIs over time"),
            gettext(
                "Datasets made public (at the end of their embargo, else when created) and DOIs "
                "published, each year and in total since the first."
            ),
            [
                Column(gettext("Year"), "year", "text"),
                Column(gettext("Datasets made public"), "datasets_made_public", "count"),
                Column(gettext("Public datasets in total"), "public_datasets_total", "count"),
                Column(gettext("DOIs published"), "dois_published", "count"),
                Column(gettext("DOIs in total"), "dois_total", "count"),
            ],
            [[r.year, r.datasets, r.datasets_total, r.dois, r.dois_total] for r in opened],
            lambda: charts.openness_chart(opened),
            lambda: charts.is_drawn("openness", opened),
        )
    if key in {"views", "downloads"}:
        downloads = key == "downloads"
        ranked = most_used(filters, downloads=downloads)
        noun = "downloads" if downloads else "views"
        if downloads:
            title = gettext("Most downloaded datasets")
            intro = gettext(
                "The public datasets most downloaded by people (COUNTER unique downloads: one "
                "per visitor and hour; machine access left out), in the months of the years "
                "chosen."
            )
            unique, total = gettext("Unique downloads"), gettext("Total downloads")
        else:
            title = gettext("Most viewed datasets")
            intro = gettext(
                "The public datasets most viewed by people (COUNTER unique views: one per "
                "visitor and hour; machine access left out), in the months of the years chosen."
            )
            unique, total = gettext("Unique views"), gettext("Total views")
        return Section(
            key,
            title,
            intro,
            [
                Column(gettext("Dataset"), "pid", "dataset"),
                Column(gettext("Title"), "title", "text"),
                Column(gettext("Beamline"), "beamline", "text"),
                Column(unique, f"unique_{noun}", "count"),
                Column(total, f"total_{noun}", "count"),
            ],
            [[r.pid, r.title, r.beamline, r.unique, r.total] for r in ranked],
            lambda: charts.ranking_chart(ranked, kind=key, label=unique),
            lambda: charts.is_drawn(key, ranked),
        )
    raise KeyError(key)
