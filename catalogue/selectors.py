"""Reads of the public catalogue for the portal's pages."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from catalogue.id_lists import in_list
from catalogue.models import (
    DataFile,
    Dataset,
    Instrument,
    ScientificParameter,
    Thumbnail,
)
from catalogue.search import DatasetQuery, SearchPage, dataset_search
from catalogue.search.documents import has_table_row, table_row
from catalogue.visibility import Visibility

FILES_PER_PAGE = 100


@dataclass(frozen=True)
class CatalogueCounts:
    datasets: int
    instruments: int


def catalogue_counts() -> CatalogueCounts:
    """How many public datasets there are, and on how many instruments they were taken."""
    public = Dataset.objects.public()
    return CatalogueCounts(
        datasets=public.count(),
        instruments=Instrument.objects.filter(
            id__in=public.exclude(instrument=None).values("instrument_id")
        ).count(),
    )


# What a table row shows: the values() of one query (no model instances), the first thumbnail's
# file and caption as correlated subqueries on the thumbnail's dataset index.
TABLE_FIELDS = (
    "id",
    "pid",
    "title",
    "run_number",
    "source_folder",
    "size",
    "start_time",
    "type",
    "proposal__proposal_id",
)


def _table_values(datasets: QuerySet[Dataset]) -> QuerySet[Dataset, dict[str, Any]]:
    first = Thumbnail.objects.filter(dataset=OuterRef("pk")).order_by("id")
    return datasets.values(*TABLE_FIELDS).annotate(
        thumbnail_image=Subquery(first.values("image")[:1]),
        thumbnail_caption=Subquery(first.values("caption")[:1]),
    )


def dataset_table_rows(ids: list[int]) -> list[dict[str, Any]]:
    """The public datasets among ``ids`` with what a table row shows, in the order of ``ids``.

    One query whatever the number of rows (the first thumbnail of each comes as a subquery):
    dicts of :data:`TABLE_FIELDS` plus ``thumbnail_image`` and ``thumbnail_caption`` (``None``
    when the dataset has no thumbnail).
    """
    if not ids:
        return []
    datasets = Dataset.objects.public().filter(in_list("id", ids)).order_by()
    rows = {row["id"]: row for row in _table_values(datasets)}
    return [rows[i] for i in ids if i in rows]


def dataset_table_page(query: DatasetQuery) -> tuple[SearchPage, list[dict[str, Any]]]:
    """One page of the catalogue table: the search result and its rows, in order.

    When the search index brought the rows' fields with the hits (OpenSearch), the rows are
    made from them, and the database is only asked which of the ids are still public (one
    primary-key lookup): a dataset withdrawn a moment ago, whose index entry has not gone yet,
    is left out as it would be from the database's rows. Otherwise (the database backend, or
    entries written before the index held these fields) the rows are read from the database.
    """
    page = dataset_search(query)
    sources = page.sources
    if not page.ids or not all(has_table_row(sources.get(i, {})) for i in page.ids):
        return page, dataset_table_rows(page.ids)
    public = public_dataset_ids(page.ids)
    return page, [table_row(i, sources[i]) for i in page.ids if i in public]


def public_dataset_ids(ids: list[int]) -> set[int]:
    """Which of ``ids`` are public datasets: the check of a page made from search hits (a dataset
    withdrawn a moment ago may still have its index entry). One primary-key lookup; on PostgreSQL
    a fixed statement with the ids as one array (the query set's compiler cost twice the round
    trip, ~0.5 ms of a page of 100)."""
    if not ids:
        return set()
    if connection.vendor != "postgresql":
        rows = Dataset.objects.public().filter(in_list("id", ids)).order_by()
        return set(rows.values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(_PUBLIC_AMONG, [Visibility.PUBLIC.value, list(ids)])
        return {row[0] for row in cursor.fetchall()}


_PUBLIC_AMONG = (
    f'SELECT "id" FROM "{Dataset._meta.db_table}" WHERE "visibility" = %s AND "id" = ANY(%s)'  # noqa: S608 (the table is the model's, values are parameters)
)


def latest_datasets(limit: int = 5) -> list[dict[str, Any]]:
    """The newest public datasets, as :func:`dataset_table_rows` gives them."""
    return list(_table_values(Dataset.objects.public())[:limit])


def dataset_by_pid(pid: str) -> Dataset | None:
    """The dataset ``pid`` (public or withdrawn) with its instrument and proposal."""
    return Dataset.objects.select_related("instrument", "proposal").filter(pid=pid).first()


def dataset_thumbnails(dataset: Dataset) -> list[Thumbnail]:
    """The thumbnails that have an image file, in the order they came."""
    return list(dataset.thumbnails.exclude(image="").order_by("id"))


@dataclass(frozen=True)
class FilesPage:
    """A page of a dataset's files in (path, id) order, found by keyset, never by offset."""

    files: list[DataFile]
    total: int
    per_page: int
    has_previous: bool
    has_next: bool

    @property
    def first_id(self) -> int | None:
        return self.files[0].pk if self.files else None

    @property
    def last_id(self) -> int | None:
        return self.files[-1].pk if self.files else None


def _cursor(dataset: Dataset, file_id: int | None) -> tuple[str, int] | None:
    if file_id is None:
        return None
    rows = DataFile.objects.filter(dataset=dataset, pk=file_id).values_list("path", flat=True)
    path = rows.first()
    return None if path is None else (path, file_id)


def dataset_files_page(
    dataset: Dataset,
    *,
    after: int | None = None,
    before: int | None = None,
    last: bool = False,
    per_page: int = FILES_PER_PAGE,
) -> FilesPage:
    """The page of ``dataset``'s files after (or before) the file with id ``after`` (``before``).

    ``last`` gives the final page. An unknown cursor gives the first page. Each page costs a count
    and one indexed range query (plus one to read a cursor's path), however many files there are.
    """
    files = DataFile.objects.filter(dataset=dataset).only(
        "id", "dataset_id", "path", "size", "checksum", "checksum_algorithm"
    )
    total = files.count()
    after_key, before_key = _cursor(dataset, after), _cursor(dataset, before)
    if after_key is not None:
        path, pk = after_key
        rows = list(
            files.filter(Q(path__gt=path) | Q(path=path, id__gt=pk)).order_by("path", "id")[
                : per_page + 1
            ]
        )
        return FilesPage(rows[:per_page], total, per_page, True, len(rows) > per_page)
    if before_key is not None or last:
        backwards = files.order_by("-path", "-id")
        if before_key is not None:
            path, pk = before_key
            backwards = backwards.filter(Q(path__lt=path) | Q(path=path, id__lt=pk))
        rows = list(backwards[: per_page + 1])
        if before_key is not None and len(rows) <= per_page:
            # Nothing before this page: show the first page, full.
            return dataset_files_page(dataset, per_page=per_page)
        page = list(reversed(rows[:per_page]))
        return FilesPage(page, total, per_page, len(rows) > per_page, before_key is not None)
    rows = list(files.order_by("path", "id")[: per_page + 1])
    return FilesPage(rows[:per_page], total, per_page, False, len(rows) > per_page)


# -- scientific-metadata keys, for the condition builder's autocomplete ---------------------------

PARAMETER_KEYS_CACHE = "catalogue:parameter-keys:v1"
PARAMETER_KEYS_SECONDS = 300
_KEY_WORD_BREAK = re.compile(r"[._\-/: ]+")


@dataclass(frozen=True)
class KeySuggestion:
    key: str
    unit: str  # the unit most values of this key carry ("" for text or unitless values)
    count: int  # values (parameters) with this key in public datasets


def _parameter_keys() -> list[KeySuggestion]:
    """Every key of the public datasets' scientific metadata, most used first.

    One GROUP BY over the parameters, kept in the cache for a few minutes: the key list changes
    only with an import, and prefixes are then matched in memory (a few thousand keys at most).
    """
    cached: list[KeySuggestion] | None = cache.get(PARAMETER_KEYS_CACHE)
    if cached is not None:
        return cached
    rows = (
        ScientificParameter.objects.filter(dataset__visibility=Visibility.PUBLIC)
        .values_list("key_path", "unit")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, int] = {}
    units: dict[str, tuple[int, str]] = {}
    for key, unit, n in rows:
        counts[key] = counts.get(key, 0) + n
        if unit and n > units.get(key, (0, ""))[0]:
            units[key] = (n, unit)
    keys = sorted(
        (KeySuggestion(key, units.get(key, (0, ""))[1], n) for key, n in counts.items()),
        key=lambda s: (-s.count, s.key),
    )
    cache.set(PARAMETER_KEYS_CACHE, keys, PARAMETER_KEYS_SECONDS)
    return keys


def unknown_parameter_key(key: str, limit: int = 3) -> list[str] | None:
    """``None`` when some public dataset has the parameter ``key``; else the nearest known keys
    (by spelling, then by a shared word), best first, perhaps none."""
    keys = [s.key for s in _parameter_keys()]
    if key in keys:
        return None
    lowered = {k.lower(): k for k in keys}
    if key.lower() in lowered:
        return [lowered[key.lower()]]
    near = [lowered[k] for k in difflib.get_close_matches(key.lower(), lowered, limit, 0.6)]
    words = {w for w in _KEY_WORD_BREAK.split(key.lower()) if len(w) > 2}
    for known in keys:
        if len(near) >= limit:
            break
        if known not in near and words & set(_KEY_WORD_BREAK.split(known.lower())):
            near.append(known)
    return near


def parameter_key_suggestions(prefix: str, limit: int = 20) -> list[KeySuggestion]:
    """Keys of public datasets' scientific metadata matching what a visitor typed, best first.

    Keys starting with ``prefix`` come first, then keys with a word starting with it
    (``temp`` finds ``sample_temperature``), then keys containing it; each group most used first.
    """
    prefix = prefix.strip().lower()
    keys = _parameter_keys()
    if not prefix:
        return keys[:limit]
    starts, words, contains = [], [], []
    for suggestion in keys:
        key = suggestion.key.lower()
        if key.startswith(prefix):
            starts.append(suggestion)
        elif any(word.startswith(prefix) for word in _KEY_WORD_BREAK.split(key)):
            words.append(suggestion)
        elif prefix in key:
            contains.append(suggestion)
        if len(starts) >= limit:
            break
    return (starts + words + contains)[:limit]
