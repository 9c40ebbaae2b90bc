"""Reads for the landing pages and the download lists: few queries, however big the record."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch

from catalogue.models import DataFile, Dataset, Thumbnail
from publishing.models import Publication

DATASETS_PER_PAGE = 20
# Rows read per round trip when a download list streams a dataset's files.
FILE_CHUNK = 2000


def landing_datasets(publication: Publication) -> Paginator[Dataset]:
    """The public datasets of ``publication`` with what a dataset card shows, paged.

    Each page costs one query for the datasets (instrument and proposal joined) and one for their
    techniques and one for their thumbnails, whatever the number of files.
    """
    queryset = (
        publication.datasets.public()
        .select_related("instrument", "proposal")
        .defer("scientific_metadata", "description", "source_digest")
        .prefetch_related(
            "techniques",
            Prefetch("thumbnails", queryset=Thumbnail.objects.exclude(image="").order_by("id")),
        )
        .order_by("start_time", "pid")
    )
    return Paginator(queryset, DATASETS_PER_PAGE)


def datasets_page(publication: Publication, number: str | int | None) -> Page[Dataset]:
    return landing_datasets(publication).get_page(number)


@dataclass(frozen=True)
class Totals:
    datasets: int
    files: int
    size: int
    on_disk: int
    on_tape: int

    @classmethod
    def of(cls, datasets: Sequence[Dataset]) -> Totals:
        """The totals of ``datasets`` (loaded with their size, file count and location)."""
        return cls(
            datasets=len(datasets),
            files=sum(d.number_of_files for d in datasets),
            size=sum(d.size for d in datasets),
            on_disk=sum(d.data_location == "disk" for d in datasets),
            on_tape=sum(d.data_location == "tape" for d in datasets),
        )


@dataclass(frozen=True, slots=True)
class FileRow:
    path: str
    size: int
    checksum: str
    checksum_algorithm: str


def dataset_file_rows(dataset: Dataset) -> Iterator[FileRow]:
    """Every file of ``dataset`` in path order, read in chunks (never all in memory)."""
    rows = (
        DataFile.objects.filter(dataset=dataset)
        .order_by("path", "id")
        .values_list("path", "size", "checksum", "checksum_algorithm")
    )
    for path, size, checksum, algorithm in rows.iterator(chunk_size=FILE_CHUNK):
        yield FileRow(path, size, checksum, algorithm)
