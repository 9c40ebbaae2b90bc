"""Operations' periodic jobs (thin: the work is in the modules they call)."""

from __future__ import annotations

from celery import shared_task

from operations.dumps import metadata_dump as write_dump


@shared_task(name="operations.tasks.metadata_dump")
def metadata_dump() -> int:
    """The nightly bulk dump (``manage.py dump_metadata``); returns the number of records."""
    return write_dump().records
