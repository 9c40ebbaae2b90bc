"""Reads for the OAI-PMH endpoint: records by identifier, pages of a list, and the sets.

The list is every publication on the site and every dataset the portal holds, public or
withdrawn (a withdrawn record stays in the list for ever, as ``deleted``), ordered by
(datestamp, kind, id): publications before datasets at the same instant. A page is read with
keyset conditions on that order (``modified > t or modified = t and id > n``, written so the
database can start the index scan at ``t``), one query per kind, never with OFFSET; a page's
related rows (instruments, techniques, publications) are read in bulk, a few queries per page
whatever its size.

A little over 400 lines as the reads of one endpoint: the list's keyset paging, its records and
its sets share the order, the identifiers and the bulk reads.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Min, QuerySet

from catalogue.models import Dataset, Instrument
from catalogue.visibility import Visibility
from oai import sets
from oai.formats import with_access_rights
from oai.sets import Selection
from oai.tokens import Position
from publishing.metadata import dataset_metadata, publication_metadata
from publishing.models import Publication
from publishing.record import DataCiteRecord, parse
from publishing.selectors import normalize_doi

PUBLICATION, DATASET = 0, 1
# Characters an oai-identifier may hold unescaped (the oai-identifier scheme's syntax).
_IDENTIFIER_SAFE = "-_.!~*'();/?:@&=+$,"
_DATASET_FIELDS = (
    "id",
    "modified",
    "visibility",
    "pid",
    "title",
    "description",
    "type",
    "creation_time",
    "start_time",
    "end_time",
    "size",
    "number_of_files",
    "keywords",
    "license",
    "data_format",
    "creators",
    "principal_investigators",
    "embargo_end",
    "created",
    "instrument__id",
    "instrument__pid",
    "instrument__unique_name",
    "instrument__name",
    "instrument__facility",
)


@dataclass(slots=True)
class Record:
    kind: int
    id: int
    modified: datetime
    deleted: bool
    key: str  # the DOI of a publication, the PID of a dataset
    specs: list[str]
    # With the open-access right added (OpenAIRE); None when deleted or not asked for.
    metadata: DataCiteRecord | None = None

    @property
    def position(self) -> Position:
        return Position(self.modified, self.kind, self.id)

    @property
    def identifier(self) -> str:
        return oai_identifier(self.key)


def oai_identifier(key: str) -> str:
    return f"oai:{settings.OAI_REPOSITORY_IDENTIFIER}:{quote(key, safe=_IDENTIFIER_SAFE)}"


def key_of(identifier: str) -> str | None:
    """The DOI or PID an OAI identifier of this repository names; None if it names none."""
    prefix = f"oai:{settings.OAI_REPOSITORY_IDENTIFIER}:"
    if not identifier.startswith(prefix) or len(identifier) == len(prefix):
        return None
    return unquote(identifier[len(prefix) :])


# -- the records in the list ----------------------------------------------------------------------


def publications() -> QuerySet[Publication]:
    """The publications harvesters see: those with a landing page, public or withdrawn."""
    return Publication.objects.public() | Publication.objects.withdrawn()


def datasets() -> QuerySet[Dataset]:
    """Every dataset the portal holds is public or withdrawn (embargoed ones never get here)."""
    return Dataset.objects.all()


def earliest_datestamp() -> datetime | None:
    candidates = [
        publications().aggregate(first=Min("modified"))["first"],
        datasets().aggregate(first=Min("modified"))["first"],
    ]
    present = [c for c in candidates if c is not None]
    return min(present) if present else None


@dataclass(frozen=True, slots=True)
class InstrumentInfo:
    pid: str
    facility: str


def instruments() -> dict[int, InstrumentInfo]:
    """Every instrument by id (a small table, read once per request)."""
    return {
        pk: InstrumentInfo(pid, facility)
        for pk, pid, facility in Instrument.objects.values_list("id", "pid", "facility")
    }


def _dataset_filter(
    queryset: QuerySet[Dataset], selection: Selection, known: dict[int, InstrumentInfo]
) -> QuerySet[Dataset] | None:
    """``queryset`` narrowed to ``selection``; None when nothing can match."""
    if selection.dataset_type is not None:
        queryset = queryset.filter(type=selection.dataset_type)
    if selection.with_instrument:
        queryset = queryset.filter(instrument__isnull=False)
    ids: list[int] | None = None
    if selection.instrument_pid is not None:
        ids = [pk for pk, info in known.items() if info.pid == selection.instrument_pid]
    elif selection.facility is not None:
        ids = [pk for pk, info in known.items() if info.facility == selection.facility]
    elif selection.with_facility:
        ids = [pk for pk, info in known.items() if info.facility]
    if ids is not None:
        if not ids:
            return None
        queryset = queryset.filter(instrument_id__in=ids)
    return queryset


def _between(
    queryset: QuerySet[Any], from_: datetime | None, until: datetime | None
) -> QuerySet[Any]:
    if from_ is not None:
        queryset = queryset.filter(modified__gte=from_)
    if until is not None:
        queryset = queryset.filter(modified__lt=until)
    return queryset


def _after(queryset: QuerySet[Any], kind: int, after: Position | None) -> QuerySet[Any]:
    """The rows of ``kind`` that come after ``after`` in (modified, kind, id) order."""
    if after is None:
        return queryset
    if kind > after.kind:
        return queryset.filter(modified__gte=after.modified)
    if kind < after.kind:
        return queryset.filter(modified__gt=after.modified)
    return queryset.filter(modified__gte=after.modified).exclude(
        modified=after.modified, id__lte=after.id
    )


@dataclass(frozen=True, slots=True)
class Listing:
    """The records a list request asks for."""

    selection: Selection
    from_: datetime | None = None
    until: datetime | None = None  # exclusive


def _querysets(
    listing: Listing, known: dict[int, InstrumentInfo]
) -> tuple[QuerySet[Publication] | None, QuerySet[Dataset] | None]:
    selection = listing.selection
    pubs = (
        _between(publications(), listing.from_, listing.until) if selection.publications else None
    )
    data = None
    if selection.datasets:
        narrowed = _dataset_filter(datasets(), selection, known)
        data = _between(narrowed, listing.from_, listing.until) if narrowed is not None else None
    return pubs, data


def list_size(listing: Listing) -> int:
    """The exact number of records in the list."""
    pubs, data = _querysets(listing, instruments())
    return (pubs.count() if pubs is not None else 0) + (data.count() if data is not None else 0)


def list_size_within(listing: Listing, *, budget_ms: int) -> tuple[int, bool]:
    """The list's size, and whether it is exact: counted, or estimated when counting would take
    longer than ``budget_ms`` (PostgreSQL: counting a million rows the visibility map does not
    cover reads the whole table; its planner's estimate is then used, as the protocol allows)."""
    if connection.vendor != "postgresql":
        return list_size(listing), True
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # Local to the transaction (or, in a savepoint, put back below / by the rollback).
            cursor.execute("SELECT current_setting('statement_timeout')")
            previous = cursor.fetchone()[0]
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{budget_ms}ms"])
            size = list_size(listing)
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
            return size, True
    except OperationalError:  # cancelled by the timeout; the savepoint is rolled back
        return _estimated_size(listing), False


def _estimated_size(listing: Listing) -> int:
    pubs, data = _querysets(listing, instruments())
    total = pubs.count() if pubs is not None else 0  # publications are few
    if data is not None:
        sql, params = data.values("id").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        total += int(plan[0]["Plan"]["Plan Rows"])
    return total


def list_page(
    listing: Listing, *, after: Position | None, limit: int, with_metadata: bool
) -> tuple[list[Record], bool]:
    """The next ``limit`` records after ``after``, and whether more follow them.

    The headers of up to ``limit + 1`` records of each kind are read, merged in list order and
    cut to the page; only then is the metadata of the page's live records read, in bulk.
    """
    known = instruments()
    pubs, data = _querysets(listing, known)
    rows: list[Record] = []
    if pubs is not None:
        rows += _publication_headers(
            _after(pubs, PUBLICATION, after).order_by("modified", "id")[: limit + 1]
        )
    if data is not None:
        rows += _dataset_headers(
            _after(data, DATASET, after).order_by("modified", "id")[: limit + 1], known
        )
    rows.sort(key=lambda r: (r.modified, r.kind, r.id))
    page = rows[:limit]
    if with_metadata:
        _add_metadata(page)
    return page, len(rows) > limit


def record(key: str, *, with_metadata: bool) -> Record | None:
    """The record with DOI or PID ``key`` (publications first), or None."""
    found = _publication_headers(publications().filter(doi=normalize_doi(key))[:1])
    if not found:
        found = _dataset_headers(datasets().filter(pid=key)[:1], instruments())
    if found and with_metadata:
        _add_metadata(found)
    return found[0] if found else None


# -- building records -----------------------------------------------------------------------------


def _publication_headers(queryset: QuerySet[Publication]) -> list[Record]:
    return [
        Record(
            PUBLICATION,
            pk,
            modified,
            visibility == Visibility.WITHDRAWN,
            doi or "",
            sets.publication_specs(),
        )
        for pk, modified, visibility, doi in queryset.values_list(
            "id", "modified", "visibility", "doi"
        )
    ]


def _dataset_headers(queryset: QuerySet[Dataset], known: dict[int, InstrumentInfo]) -> list[Record]:
    out = []
    values = queryset.values_list("id", "modified", "visibility", "pid", "type", "instrument_id")
    for pk, modified, visibility, pid, kind, instrument_id in values:
        info = known.get(instrument_id) if instrument_id is not None else None
        out.append(
            Record(
                DATASET,
                pk,
                modified,
                visibility == Visibility.WITHDRAWN,
                pid,
                sets.dataset_specs(
                    kind, info.pid if info else None, info.facility if info else None
                ),
            )
        )
    return out


def _add_metadata(records: Sequence[Record]) -> None:
    """Fill in the metadata of the live ``records``: a few queries, whatever their number."""
    live = [r for r in records if not r.deleted]
    publication_ids = [r.id for r in live if r.kind == PUBLICATION]
    dataset_ids = [r.id for r in live if r.kind == DATASET]
    metadata: dict[tuple[int, int], dict[str, Any]] = {}
    if publication_ids:
        members: dict[int, list[Dataset]] = defaultdict(list)
        through = Publication.datasets.through.objects.filter(
            publication_id__in=publication_ids, dataset__visibility=Visibility.PUBLIC
        ).order_by("dataset__pid")
        for publication_id, pid in through.values_list("publication_id", "dataset__pid"):
            members[publication_id].append(Dataset(pid=pid))
        for publication in Publication.objects.filter(id__in=publication_ids):
            metadata[PUBLICATION, publication.pk] = publication_metadata(
                publication, datasets=members[publication.pk]
            )
    if dataset_ids:
        part_of: dict[int, list[str]] = defaultdict(list)
        through = Publication.datasets.through.objects.filter(
            dataset_id__in=dataset_ids,
            publication__in=Publication.objects.public().filter(doi__isnull=False),
        ).order_by("publication__doi")
        for dataset_id, doi in through.values_list("dataset_id", "publication__doi"):
            part_of[dataset_id].append(doi)
        techniques: dict[int, list[tuple[str, str]]] = defaultdict(list)
        used = Dataset.techniques.through.objects.filter(dataset_id__in=dataset_ids).order_by(
            "technique__name", "technique__pid"
        )
        for dataset_id, pid, name in used.values_list(
            "dataset_id", "technique__pid", "technique__name"
        ):
            techniques[dataset_id].append((pid, name))
        page = Dataset.objects.filter(id__in=dataset_ids).select_related("instrument")
        for dataset in page.only(*_DATASET_FIELDS):
            metadata[DATASET, dataset.pk] = dataset_metadata(
                dataset, part_of=part_of[dataset.pk], techniques=techniques[dataset.pk]
            )
    for record in live:
        found = metadata.get((record.kind, record.id))
        record.metadata = parse(with_access_rights(found)) if found is not None else None


# -- sets -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetInfo:
    spec: str
    name: str
    description: str


def set_catalogue() -> list[SetInfo]:
    """Every set, parents before their children."""
    out = [
        SetInfo(
            sets.PUBLICATIONS, "Publications", "DOI publications: citable collections of datasets."
        ),
        SetInfo(sets.DATASETS, "Datasets", "The facility's public datasets."),
        SetInfo(
            sets.OPENAIRE,
            "OpenAIRE data",
            "Every record, following the OpenAIRE Guidelines for Data Archives "
            "(metadataPrefix oai_datacite); all of them are open access.",
        ),
        SetInfo(
            sets.INSTRUMENT, "Instruments", "Datasets by the instrument they were measured at."
        ),
    ]
    rows = list(
        Instrument.objects.order_by("pid").values_list("pid", "unique_name", "name", "facility")
    )
    for pid, unique_name, name, facility in rows:
        label = " ".join(part for part in (unique_name, name) if part) or pid
        where = f" ({facility})" if facility else ""
        out.append(
            SetInfo(
                f"{sets.INSTRUMENT}:{sets.encode(pid)}",
                f"Instrument {label}{where}",
                f"Datasets measured at the instrument {label}{where}.",
            )
        )
    out.append(
        SetInfo(sets.FACILITY, "Facilities", "Datasets by the facility they were measured at.")
    )
    for facility in sorted({row[3] for row in rows if row[3]}):
        out.append(
            SetInfo(
                f"{sets.FACILITY}:{sets.encode(facility)}",
                f"Facility {facility}",
                f"Datasets measured at {facility}.",
            )
        )
    out.append(SetInfo(sets.TYPE, "Dataset types", "Datasets by type (raw, derived, ...)."))
    types = Dataset.objects.order_by("type").values_list("type", flat=True).distinct()
    for dataset_type in types:
        if dataset_type:
            out.append(
                SetInfo(
                    f"{sets.TYPE}:{sets.encode(dataset_type)}",
                    f"{dataset_type.capitalize()} datasets",
                    f"Datasets of type {dataset_type}.",
                )
            )
    return out
