"""A small catalogue for the statistics: two facilities, three beamlines, years, disk and tape."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from catalogue.models import Dataset, Instrument
from catalogue.services import dataset_withdraw
from publishing.models import Publication
from stats.services import figures_refresh
from tests.factories import DatasetFactory, InstrumentFactory, PublicationFactory
from usage.models import UsageMonth


@dataclass
class Catalogue:
    p08: Instrument
    p10: Instrument
    id17: Instrument
    datasets: list[Dataset]
    publications: list[Publication]


def _at(year: int, month: int = 6) -> dt.datetime:
    return dt.datetime(year, month, 1, tzinfo=dt.UTC)


def catalogue_make() -> Catalogue:
    p08 = InstrumentFactory.create(pid="p08", unique_name="P08", facility="PETRA III")
    p10 = InstrumentFactory.create(pid="p10", unique_name="P10", facility="PETRA III")
    id17 = InstrumentFactory.create(pid="id17", unique_name="ID17", facility="ESRF")
    datasets = []
    plan = [
        # instrument, measured, place, size, files, embargo end
        (p08, 2021, "disk", 10**9, 10, None),
        (p08, 2021, "tape", 3 * 10**9, 30, _at(2023)),
        (p08, 2022, "tape", 5 * 10**9, 50, _at(2024)),
        (p10, 2022, "disk", 7 * 10**9, 70, None),
        (p10, 2023, "unknown", 11 * 10**9, 110, None),
        (id17, 2023, "disk", 13 * 10**9, 130, _at(2025)),
        (None, 2024, "disk", 17 * 10**9, 170, None),
    ]
    for instrument, year, place, size, files, embargo in plan:
        datasets.append(
            DatasetFactory.create(
                instrument=instrument,
                start_time=_at(year),
                creation_time=_at(year),
                data_location=place,
                size=size,
                number_of_files=files,
                embargo_end=embargo,
            )
        )
    undated = DatasetFactory.create(
        instrument=p08, start_time=None, creation_time=None, size=19, number_of_files=1
    )
    datasets.append(undated)
    gone = DatasetFactory.create(instrument=p08, start_time=_at(2021), size=10**12)
    dataset_withdraw(dataset=gone, reason="test")
    first = PublicationFactory.create(publication_year=2024)
    first.datasets.set([datasets[2], datasets[5]])  # on P08 (the lower id)
    second = PublicationFactory.create(publication_year=2025)
    second.datasets.set([datasets[5]])  # on ID17
    draft = PublicationFactory.create(  # a draft: no DOI yet, not counted
        doi="", doi_state="draft", registered_at=None, publication_year=2025
    )
    draft.datasets.set([datasets[0]])
    usage = [
        # dataset, month, access, unique views, total views, unique downloads, total downloads
        (0, dt.date(2024, 1, 1), "regular", 5, 9, 1, 1),
        (0, dt.date(2025, 3, 1), "regular", 2, 2, 0, 0),
        (3, dt.date(2024, 2, 1), "regular", 6, 6, 4, 7),
        (5, dt.date(2025, 1, 1), "regular", 1, 1, 3, 3),
        (5, dt.date(2025, 1, 1), "machine", 90, 90, 90, 90),  # machines: left out
    ]
    for index, month, access, uv, tv, ud, td in usage:
        UsageMonth.objects.create(
            dataset=datasets[index],
            month=month,
            access_method=access,
            unique_investigations=uv,
            total_investigations=tv,
            unique_requests=ud,
            total_requests=td,
        )
    UsageMonth.objects.create(  # a withdrawn dataset: never shown
        dataset=gone,
        month=dt.date(2024, 1, 1),
        access_method="regular",
        unique_investigations=100,
        total_investigations=100,
    )
    figures_refresh()
    return Catalogue(p08, p10, id17, datasets, [first, second])
