"""The statistics' writes: the aggregate tables rebuilt from the catalogue and the publications.

``figures_refresh`` reads every public dataset once per table in a few ``GROUP BY`` queries (the
database does the work; Python sees only the groups: beamlines x years x places) and replaces the
tables' rows in one transaction, so the page never sees half a refresh. The sync asks for it at
the end of every run that changed something (``figures_refresh_after_commit``); the
``stats_refresh`` command runs it by hand.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Min, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from catalogue.models import Dataset, Instrument
from publishing.models import Publication
from stats.models import DatasetFigure, FiguresRefresh, OpennessFigure

Beamline = tuple[str, str, str]  # facility, pid, name
NO_BEAMLINE: Beamline = ("", "", "")


def _beamlines(ids: Iterable[int | None]) -> dict[int | None, Beamline]:
    wanted = {i for i in ids if i is not None}
    found: dict[int | None, Beamline] = {
        pk: (facility, pid, unique_name or name)
        for pk, pid, unique_name, name, facility in Instrument.objects.filter(
            id__in=wanted
        ).values_list("id", "pid", "unique_name", "name", "facility")
    }
    found[None] = NO_BEAMLINE
    return found


def _dataset_figures() -> tuple[list[DatasetFigure], int]:
    groups = list(
        Dataset.objects.public()
        .annotate(measured=ExtractYear(Coalesce("start_time", "creation_time")))
        .values("instrument_id", "measured", "data_location")
        .annotate(datasets=Count("id"), bytes=Sum("size"), file_count=Sum("number_of_files"))
        .order_by()
    )
    beamlines = _beamlines(g["instrument_id"] for g in groups)
    figures = []
    for group in groups:
        facility, pid, name = beamlines.get(group["instrument_id"], NO_BEAMLINE)
        figures.append(
            DatasetFigure(
                facility=facility,
                beamline_pid=pid,
                beamline=name,
                year=group["measured"],
                data_location=group["data_location"],
                datasets=group["datasets"],
                size=group["bytes"] or 0,
                files=group["file_count"] or 0,
            )
        )
    return figures, sum(g["datasets"] for g in groups)


def _openness_figures() -> list[OpennessFigure]:
    cells: dict[tuple[int | None, int | None], list[int]] = defaultdict(lambda: [0, 0])
    for group in (
        Dataset.objects.public()
        .annotate(opened=ExtractYear(Coalesce("embargo_end", "creation_time", "created")))
        .values("instrument_id", "opened")
        .annotate(datasets=Count("id"))
        .order_by()
    ):
        cells[(group["instrument_id"], group["opened"])][0] += group["datasets"]
    # Each DOI on the beamline of its first dataset; a publication without datasets on none.
    dois = list(
        Publication.objects.public()
        .exclude(doi="")
        .annotate(
            first=Min("datasets__id"),
            published=Coalesce("publication_year", ExtractYear("registered_at")),
        )
        .values_list("first", "published")
    )
    instrument_of = dict(
        Dataset.objects.filter(id__in={first for first, _ in dois if first is not None})
        .values_list("id", "instrument_id")
        .iterator(chunk_size=10_000)
    )
    for first, published in dois:
        cells[(instrument_of.get(first), published)][1] += 1
    beamlines = _beamlines(instrument for instrument, _ in cells)
    figures = []
    for (instrument, year), (datasets, doi_count) in cells.items():
        facility, pid, name = beamlines.get(instrument, NO_BEAMLINE)
        figures.append(
            OpennessFigure(
                facility=facility,
                beamline_pid=pid,
                beamline=name,
                year=year,
                datasets=datasets,
                dois=doi_count,
            )
        )
    return figures


def figures_refresh() -> FiguresRefresh:
    """Rebuild the statistics' aggregate tables from the public catalogue, in one transaction."""
    started = time.perf_counter()
    with transaction.atomic():
        dataset_figures, datasets = _dataset_figures()
        openness_figures = _openness_figures()
        DatasetFigure.objects.all().delete()
        OpennessFigure.objects.all().delete()
        DatasetFigure.objects.bulk_create(dataset_figures, batch_size=1000)
        OpennessFigure.objects.bulk_create(openness_figures, batch_size=1000)
        FiguresRefresh.objects.all().delete()
        return FiguresRefresh.objects.create(
            finished_at=timezone.now(),
            seconds=time.perf_counter() - started,
            datasets=datasets,
        )


def figures_refresh_after_commit() -> None:
    """Queue a rebuild once the current transaction commits (at once outside of one)."""
    from stats.tasks import figures_refresh as task

    transaction.on_commit(task.delay, robust=True)
