"""The Celery application. Broker and behaviour come from Django settings (``CELERY_*``).

Celery beat runs the catalogue sync (``sync.tasks``): the incremental sync every
``SYNC_INTERVAL_MINUTES``, the embargo-end check hourly, and the reconciliation nightly at
``SYNC_RECONCILE_HOUR`` (UTC). Each also exists as ``manage.py sync_catalogue`` for operators.
Usage counting (``usage.tasks``): buffered events stored every minute, the monthly figures built
nightly at ``USAGE_AGGREGATE_HOUR`` (``manage.py usage drain`` / ``usage aggregate``).
The tape archive (``tape.tasks``): restage requests every ``PORTAL_TAPE_POLL_SECONDS``, data
locality hourly for the datasets due (``manage.py tape poll`` / ``tape locality``).
"""

import os
from typing import Any

from celery import Celery
from celery.schedules import crontab, schedule
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def beat_schedule() -> dict[str, dict[str, Any]]:
    """The periodic jobs, from the settings."""
    from django.conf import settings

    return {
        "catalogue-sync": {
            "task": "sync.tasks.catalogue_sync",
            "schedule": schedule(settings.SYNC_INTERVAL_MINUTES * 60),
            # A run that could not start within one interval is superseded by the next one.
            "options": {"expires": settings.SYNC_INTERVAL_MINUTES * 60},
        },
        "catalogue-embargo-check": {
            "task": "sync.tasks.embargo_check",
            "schedule": crontab(minute=7),
            "options": {"expires": 3600},
        },
        # Index updates that failed while OpenSearch was down (a no-op when the backlog is empty).
        "search-backlog-drain": {
            "task": "catalogue.tasks.search_backlog_drain",
            "schedule": schedule(60),
            "options": {"expires": 60},
        },
        # Usage counting: buffered events into the database, and the nightly monthly figures.
        "usage-events-drain": {
            "task": "usage.tasks.events_drain",
            "schedule": schedule(60),
            "options": {"expires": 60},
        },
        "usage-aggregate": {
            "task": "usage.tasks.usage_aggregate",
            "schedule": crontab(hour=settings.USAGE_AGGREGATE_HOUR, minute=37),
            "options": {"expires": 6 * 3600},
        },
        # The tape archive (PORTAL_TAPE_REST_URL; the tasks do nothing without it): restage
        # requests submitted, polled, expired; each dataset's locality asked again when due.
        "tape-restages": {
            "task": "tape.tasks.restages_work",
            "schedule": schedule(settings.PORTAL_TAPE_POLL_SECONDS),
            "options": {"expires": settings.PORTAL_TAPE_POLL_SECONDS},
        },
        "tape-localities": {
            "task": "tape.tasks.localities_refresh",
            "schedule": crontab(minute=41),
            "options": {"expires": 3600},
        },
        # The bulk dump of the public metadata (/dumps/, manage.py dump_metadata).
        "metadata-dump": {
            "task": "operations.tasks.metadata_dump",
            "schedule": crontab(hour=settings.DUMP_HOUR, minute=47),
            "options": {"expires": 6 * 3600},
        },
        "catalogue-reconcile": {
            "task": "sync.tasks.catalogue_reconcile",
            "schedule": crontab(hour=settings.SYNC_RECONCILE_HOUR, minute=17),
            "options": {"expires": 6 * 3600},
        },
        # Reviews whose records the catalogue deleted before release (review/withdrawals.py).
        "review-check": {
            "task": "review.tasks.reviews_check",
            "schedule": crontab(minute=23),
            "options": {"expires": 3600},
        },
    }


@task_prerun.connect
def _task_started(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    """A task's log lines carry its task id where a request's carry the request id."""
    from operations.logs import set_request_id

    _tokens[task_id or ""] = set_request_id(task_id or "")


@task_postrun.connect
def _task_ended(task_id: str | None = None, **kwargs: Any) -> None:
    from operations.logs import reset_request_id

    token = _tokens.pop(task_id or "", None)
    if token is not None:
        reset_request_id(token)


_tokens: dict[str, object] = {}


@app.on_after_configure.connect
def _schedule(sender: Celery, **kwargs: Any) -> None:
    sender.conf.beat_schedule = beat_schedule()
