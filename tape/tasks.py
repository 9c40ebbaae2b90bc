"""The tape app's Celery tasks: thin adapters from a queue message or beat to the services.

``restage_submit_task`` is enqueued after the commit that queued a request; beat runs
``restages_work`` every ``PORTAL_TAPE_POLL_SECONDS`` and ``localities_refresh`` hourly (both also
``manage.py tape poll`` / ``tape locality``). Retries of the storage's failures live in the
services (per request, with backoff), not here.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from tape import locality, restage


@shared_task
def restage_submit_task(request_id: int) -> str:
    if not settings.PORTAL_TAPE_REST_URL:
        return "off"
    return restage.restage_submit(request_id=int(request_id))


@shared_task
def restages_work() -> dict[str, Any]:
    """Submit what is due, poll what is staging, expire, erase lapsed addresses."""
    if not settings.PORTAL_TAPE_REST_URL:
        return {"off": True}
    return restage.restages_work()


@shared_task
def localities_refresh() -> dict[str, Any]:
    """Ask archiveinfo for the public datasets whose locality is due."""
    if not settings.PORTAL_TAPE_REST_URL:
        return {"off": True}
    report = locality.datasets_locality_check(dataset_ids=locality.localities_due())
    return {"checked": report.checked, "changed": report.changed, "errors": report.errors[:5]}


@shared_task
def localities_check(dataset_pids: list[str]) -> dict[str, Any]:
    """After the sync wrote these datasets: put the storage's answer back over the catalogue's."""
    if not settings.PORTAL_TAPE_REST_URL:
        return {"off": True}
    from catalogue.models import Dataset

    ids = list(Dataset.objects.filter(pid__in=dataset_pids).values_list("pk", flat=True))
    report = locality.datasets_locality_check(dataset_ids=ids)
    return {"checked": report.checked, "changed": report.changed, "errors": report.errors[:5]}
