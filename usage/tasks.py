"""Background work for usage counting: thin adapters to :mod:`usage.services`.

Celery beat runs ``usage_events_drain`` every minute (the Redis buffer into the database) and
``usage_aggregate`` nightly at ``USAGE_AGGREGATE_HOUR`` (UTC); both also exist as
``manage.py usage drain`` and ``manage.py usage aggregate``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from celery import shared_task

from usage.services import months_due, usage_events_drain, usage_month_aggregate


@shared_task
def events_drain() -> int:
    return usage_events_drain()


@shared_task
def usage_aggregate() -> list[str]:
    """The buffer drained, then the months due aggregated (a month is closed once it has been
    over for a day)."""
    usage_events_drain()
    now = datetime.now(UTC)
    return [
        f"{result.month:%Y-%m}: {result.rows} rows{' (closed)' if result.closed else ''}"
        for result in (usage_month_aggregate(month=m, now=now) for m in months_due(now=now))
    ]
