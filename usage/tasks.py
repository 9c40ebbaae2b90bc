"""Background work for usage counting: thin adapters to :mod:`usage.services`.

Celery beat runs ``usage_events_drain`` every minute (the Redis buffer into the database) and
``usage_aggregate`` nightly at ``USAGE_AGGREGATE_HOUR`` (UTC); both also exist as
``manage.py usage drain`` and ``manage.py usage aggregate``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from celery import shared_task

from usage.services import usage_events_drain, usage_month_aggregate


@shared_task
def events_drain() -> int:
    return usage_events_drain()


@shared_task
def usage_aggregate() -> list[str]:
    """The buffer drained, then last month and this month aggregated (last month is closed once
    it has been over for a day)."""
    usage_events_drain()
    now = datetime.now(UTC)
    this_month = now.date().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    return [
        f"{result.month:%Y-%m}: {result.rows} rows{' (closed)' if result.closed else ''}"
        for result in (
            usage_month_aggregate(month=last_month, now=now),
            usage_month_aggregate(month=this_month, now=now),
        )
    ]
