"""The catalogue's list of public records, compared with the portal inside the database.

The reconciliation streams the catalogue's ``(pid, updatedAt)`` pairs into a temporary table page
by page, then asks the database for the differences, so memory stays flat whatever the size of the
catalogue: the portal's public datasets missing from the list (to withdraw), and the listed
records the portal lacks, holds withdrawn by the catalogue, or holds in another version (to fetch).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from django.db import connection

from catalogue.models import Dataset

TABLE = "sync_listing"
NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    """``value`` as a field of PostgreSQL's COPY text format."""
    return value.translate(_COPY_ESCAPES) if "\\" in value or not value.isprintable() else value


class Listing:
    """A temporary table of the catalogue's listed records, for one ``with`` block."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.rows = 0

    def __enter__(self) -> Self:
        timestamp = "timestamp with time zone" if self.postgres else "datetime"
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {TABLE} "
                f"(pid varchar(255) NOT NULL, updated_at {timestamp} NULL)"
            )
        self._indexed = False
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def add(self, rows: Iterable[tuple[str, datetime | None]]) -> None:
        """Append listed records (pid, catalogue ``updatedAt``, None when not asked for)."""
        with connection.cursor() as cursor:
            if self.postgres:
                # One block of COPY text per page: psycopg's write_row costs some 5 us a row.
                lines = [
                    f"{_copy_text(pid)}\t{stamp.isoformat() if stamp else NULL}\n"
                    for pid, stamp in rows
                ]
                raw: Any = cursor.cursor
                with raw.copy(f"COPY {TABLE} (pid, updated_at) FROM STDIN") as copy:
                    copy.write("".join(lines))
                self.rows += len(lines)
            else:
                adapt = connection.ops.adapt_datetimefield_value
                values = [(pid, adapt(stamp)) for pid, stamp in rows]
                cursor.executemany(f"INSERT INTO {TABLE} (pid, updated_at) VALUES (%s, %s)", values)  # noqa: S608
                self.rows += len(values)

    def _index(self) -> None:
        if self._indexed:
            return
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX {TABLE}_pid ON {TABLE} (pid)")
            if self.postgres:
                cursor.execute(f"ANALYZE {TABLE}")
        self._indexed = True

    def _missing_sql(self) -> str:
        dataset = Dataset._meta.db_table
        return (
            f"FROM {dataset} d WHERE d.visibility = 'public' AND NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {TABLE} s WHERE s.pid = d.pid)"
        )

    def missing_count(self) -> int:
        """How many public datasets of the portal are not in the list."""
        self._index()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) {self._missing_sql()}")
            return int(cursor.fetchone()[0])

    def missing(self, *, chunk: int = 1000) -> Iterable[list[str]]:
        """The pids of the portal's public datasets not in the list, in chunks."""
        self._index()
        after = ""
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT d.pid {self._missing_sql()} AND d.pid > %s ORDER BY d.pid LIMIT %s",
                    [after, chunk],
                )
                pids = [row[0] for row in cursor.fetchall()]
            if not pids:
                return
            yield pids
            after = pids[-1]

    def stale(self, *, chunk: int = 500) -> Iterable[list[str]]:
        """Listed pids the portal lacks, holds withdrawn by the catalogue, or holds in another
        version (a different ``updatedAt``), in chunks."""
        self._index()
        dataset = Dataset._meta.db_table
        differs = (
            "d.source_updated_at IS DISTINCT FROM s.updated_at"
            if self.postgres
            else "NOT (d.source_updated_at IS s.updated_at)"
        )
        after = ""
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT DISTINCT s.pid FROM {TABLE} s "  # noqa: S608
                    f"LEFT JOIN {dataset} d ON d.pid = s.pid "
                    "WHERE s.pid > %s AND (d.id IS NULL "
                    "OR (d.visibility = 'withdrawn' AND d.withdrawn_by = 'catalogue') "
                    f"OR {differs}) ORDER BY s.pid LIMIT %s",
                    [after, chunk],
                )
                pids = [row[0] for row in cursor.fetchall()]
            if not pids:
                return
            yield pids
            after = pids[-1]
