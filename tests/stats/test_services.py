"""stats.services.figures_refresh: the aggregates equal plain SQL over the catalogue."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from stats.models import DatasetFigure, FiguresRefresh, OpennessFigure
from stats.services import figures_refresh
from sync.services import export_import
from tests.demo import DEMO_EXPORT
from tests.factories import DatasetFactory
from tests.stats.figures_catalogue import Catalogue

pytestmark = pytest.mark.django_db


def sql(query: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(query)
        return [tuple(row) for row in cursor.fetchall()]


def figures(**group: str) -> set[tuple[Any, ...]]:
    fields = list(group.values())
    rows: dict[tuple[Any, ...], list[int]] = {}
    for figure in DatasetFigure.objects.all():
        key = tuple(getattr(figure, f) for f in fields)
        sums = rows.setdefault(key, [0, 0, 0])
        sums[0] += figure.datasets
        sums[1] += figure.size
        sums[2] += figure.files
    return {(*key, *sums) for key, sums in rows.items()}


def test_figures_per_beamline_equal_plain_sql(catalogue: Catalogue) -> None:
    expected = sql(
        "SELECT coalesce(i.pid, ''), count(*), sum(d.size), sum(d.number_of_files) "
        "FROM catalogue_dataset d LEFT JOIN catalogue_instrument i ON i.id = d.instrument_id "
        "WHERE d.visibility = 'public' GROUP BY 1"
    )
    assert figures(a="beamline_pid") == set(expected)


def test_figures_per_year_and_place_equal_plain_sql(catalogue: Catalogue) -> None:
    expected = sql(
        "SELECT extract(year FROM coalesce(start_time, creation_time))::int, data_location, "
        "count(*), sum(size), sum(number_of_files) FROM catalogue_dataset "
        "WHERE visibility = 'public' GROUP BY 1, 2"
    )
    assert figures(a="year", b="data_location") == set(expected)


def test_withdrawn_datasets_are_not_counted(catalogue: Catalogue) -> None:
    assert sum(f.datasets for f in DatasetFigure.objects.all()) == 8
    assert FiguresRefresh.objects.get().datasets == 8
    assert max(f.size for f in DatasetFigure.objects.all()) < 10**12


def test_datasets_are_made_public_at_embargo_end_else_creation(catalogue: Catalogue) -> None:
    expected = sql(
        "SELECT extract(year FROM coalesce(embargo_end, creation_time, created))::int, count(*) "
        "FROM catalogue_dataset WHERE visibility = 'public' GROUP BY 1"
    )
    made: dict[int | None, int] = {}
    for figure in OpennessFigure.objects.all():
        made[figure.year] = made.get(figure.year, 0) + figure.datasets
    assert {(y, n) for y, n in made.items() if n} == set(expected)


def test_each_doi_counts_once_on_its_first_datasets_beamline(catalogue: Catalogue) -> None:
    dois = {(f.beamline_pid, f.year): f.dois for f in OpennessFigure.objects.filter(dois__gt=0)}
    assert dois == {("p08", 2024): 1, ("id17", 2025): 1}


def test_refresh_replaces_the_figures(catalogue: Catalogue) -> None:
    DatasetFactory.create(instrument=catalogue.p10, size=1, number_of_files=1)
    figures_refresh()
    assert sum(f.datasets for f in DatasetFigure.objects.all()) == 9
    assert FiguresRefresh.objects.count() == 1


def test_an_import_that_changes_something_refreshes_the_figures(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        export_import(path=DEMO_EXPORT)
    assert sum(f.datasets for f in DatasetFigure.objects.all()) == 5
    refreshed = FiguresRefresh.objects.get()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        export_import(path=DEMO_EXPORT)  # the same export again: nothing changes
    assert callbacks == []
    assert FiguresRefresh.objects.get() == refreshed
