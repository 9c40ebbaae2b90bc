"""An import batch's rows written in bulk, without model instances (the child rows run to millions).

COPY on PostgreSQL, one prepared executemany on SQLite; new datasets' ids drawn from the table's
sequence. Used by :func:`catalogue.services.datasets_upsert`, the only writer of imported rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import orjson
from django.db import connection

from catalogue import scimeta
from catalogue.models import DataFile, Dataset, Instrument, Proposal
from catalogue.payloads import DatasetIn, FileIn
from catalogue.visibility import Visibility

# The payload's fields stored as they come, on the dataset's columns of the same names.
SCALAR_FIELDS = (
    "title",
    "type",
    "description",
    "creation_time",
    "start_time",
    "end_time",
    "size",
    "number_of_files",
    "keywords",
    "license",
    "run_number",
    "source_folder",
    "data_format",
    "principal_investigators",
    "creators",
    "data_location",
    "embargo_end",
    "scientific_metadata",
    "source_updated_at",
    "files_status",
)


PARAMETER_COLUMNS = (
    "dataset_id",
    "key_path",
    "original_value",
    "unit",
    "number",
    "number_max",
    "si_value",
    "si_value_max",
    "si_unit",
    "text_value",
)
FILE_COLUMNS = ("dataset_id", "path", "size", "checksum", "checksum_algorithm", "time")


def parameter_rows(
    dataset_id: int, parameters: Iterable[scimeta.Parameter]
) -> list[tuple[Any, ...]]:
    return [
        (
            dataset_id,
            p.key_path,
            p.original_value,
            p.unit,
            p.number,
            p.number_max,
            p.si_value,
            p.si_value_max,
            p.si_unit,
            p.text_value,
        )
        for p in parameters
    ]


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert plain rows, no model instances: the import's child rows run to millions.

    COPY on PostgreSQL, one prepared executemany on SQLite. Values must already be in the
    database's form (see ``_db_time``).
    """
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw_cursor: Any = cursor.cursor
            with raw_cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, list(rows))


def _db_time(value: datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def insert_files(files: Sequence[tuple[int, Sequence[FileIn]]]) -> None:
    """The files of each ``(dataset id, files)``: rows made as COPY takes them, no list of
    millions of intermediate tuples."""
    if not any(items for _, items in files):
        return
    if connection.vendor == "postgresql":
        rows: Iterable[tuple[Any, ...]] = (
            (i, f.path, f.size, f.checksum, f.checksum_algorithm, f.time)
            for i, items in files
            for f in items
        )
    else:
        rows = (
            (i, f.path, f.size, f.checksum, f.checksum_algorithm, _db_time(f.time))
            for i, items in files
            for f in items
        )
    insert_rows(DataFile._meta.db_table, FILE_COLUMNS, rows)


def _json_text(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:  # integers beyond 64 bits: jsonb takes them
        return json.dumps(value, ensure_ascii=False)


def insert_datasets(
    items: Sequence[DatasetIn],
    *,
    digests: dict[str, str],
    instruments: dict[str, Instrument],
    proposals: dict[str, Proposal],
    now: datetime,
) -> dict[str, int]:
    """Create datasets for ``items`` (none of them stored yet); returns their ids by pid.

    On PostgreSQL: ids drawn from the table's sequence, rows written by COPY straight from the
    payloads (no model instances, no client-side quoting of a multi-row INSERT), every column the
    payload does not give at its model default. Elsewhere: ``bulk_create``.
    """
    if not items:
        return {}
    if connection.vendor != "postgresql":
        datasets = []
        for item in items:
            dataset = Dataset(pid=item.pid, created=now, modified=now)
            apply_payload(
                dataset,
                item,
                digest=digests[item.pid],
                instruments=instruments,
                proposals=proposals,
            )
            datasets.append(dataset)
        Dataset.objects.bulk_create(datasets)
        return {d.pid: d.pk for d in datasets}
    table = Dataset._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(items)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    columns = list(Dataset._meta.concrete_fields)
    fixed: dict[str, Any] = {
        "visibility": Visibility.PUBLIC.value,
        "withdrawn_reason": "",
        "withdrawn_at": None,
        "withdrawn_by": "",
        "created": now,
        "modified": now,
    }
    defaults = {
        f.attname: f.get_default()
        for f in columns
        if f.attname not in fixed
        and f.attname not in SCALAR_FIELDS
        and f.attname not in _PAYLOAD_COLUMNS
    }
    json_fields = {f.attname for f in columns if f.get_internal_type() == "JSONField"}
    names = [f.attname for f in columns]

    def row(dataset_id: int, item: DatasetIn) -> tuple[Any, ...]:
        values = {
            **defaults,
            **fixed,
            "id": dataset_id,
            "pid": item.pid,
            "instrument_id": instruments[item.instrument.pid].pk if item.instrument else None,
            "proposal_id": proposals[item.proposal.proposal_id].pk if item.proposal else None,
            "source_digest": digests[item.pid],
        }
        for name in SCALAR_FIELDS:
            value = getattr(item, name)
            values[name] = _json_text(value) if name in json_fields else value
        return tuple(values[name] for name in names)

    insert_rows(table, names, (row(i, item) for i, item in zip(ids, items, strict=True)))
    return {item.pid: i for i, item in zip(ids, items, strict=True)}


_PAYLOAD_COLUMNS = ("id", "pid", "instrument_id", "proposal_id", "source_digest")


def apply_payload(
    dataset: Dataset,
    item: DatasetIn,
    *,
    digest: str,
    instruments: dict[str, Instrument],
    proposals: dict[str, Proposal],
) -> None:
    for name in SCALAR_FIELDS:
        setattr(dataset, name, getattr(item, name))
    dataset.instrument = instruments[item.instrument.pid] if item.instrument else None
    dataset.proposal = proposals[item.proposal.proposal_id] if item.proposal else None
    dataset.source_digest = digest
