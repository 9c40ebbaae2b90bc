"""A live sync run that changes the catalogue ends by refreshing the statistics; one that does not
leaves them alone (the SciCat stand-in, as in tests/sync/test_sync_runs.py)."""

from __future__ import annotations

from typing import Any

import pytest

from stats.models import DatasetFigure, FiguresRefresh
from sync import live
from tests.standins.scicat import SciCatStandIn
from tests.sync.support import add

pytestmark = pytest.mark.django_db


def test_a_live_sync_that_changes_something_refreshes_the_figures(
    scicat: SciCatStandIn, django_capture_on_commit_callbacks: Any
) -> None:
    for n in range(3):
        add(scicat, n)
    with django_capture_on_commit_callbacks(execute=True):
        live.catalogue_sync()
    assert sum(f.datasets for f in DatasetFigure.objects.all()) == 3
    refreshed = FiguresRefresh.objects.get()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = live.catalogue_sync()
    assert (run.created, run.updated, run.withdrawn) == (0, 0, 0)
    assert callbacks == []
    assert FiguresRefresh.objects.get() == refreshed
