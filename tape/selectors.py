"""Reads for pages and operators: a dataset's restage box, the operators' status, the metrics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from catalogue.models import Dataset
from tape.models import OPEN_STATES, DatasetLocality, RestageRequest, RestageState
from tape.restage import RESTAGE_LOCATIONS


@dataclass(frozen=True, slots=True)
class RestageBox:
    """What a dataset's landing page says about restaging.

    ``state``: ``offer`` (the form), ``restoring`` (requested at ``requested``), ``online`` (until
    ``online_until``, which may be unknown).
    """

    state: str
    requested: datetime | None = None
    online_until: datetime | None = None
    checked_at: datetime | None = None
    files_on_disk: int = 0
    files_total: int = 0


def restage_enabled() -> bool:
    """Whether datasets on tape can be asked for (a tape endpoint is configured)."""
    return bool(settings.PORTAL_TAPE_REST_URL)


def restage_offered(dataset: Dataset) -> bool:
    """Whether a dataset's (shared, cached) landing page has a restage part: its state and the
    form are then fetched from the uncached request page (``tape:request``, by htmx), so the
    page itself holds nothing that changes without the dataset changing, and no CSRF token."""
    if not settings.PORTAL_TAPE_REST_URL:
        return False
    if dataset.data_location in RESTAGE_LOCATIONS:
        return True
    return RestageRequest.objects.joinable().filter(dataset=dataset).exists()


def restage_box(dataset: Dataset) -> RestageBox | None:
    """None when there is nothing to say (no tape endpoint, or the files are on disk anyway)."""
    if not settings.PORTAL_TAPE_REST_URL:
        return None
    locality = DatasetLocality.objects.filter(dataset=dataset).first()
    extra: dict[str, Any] = {}
    if locality is not None:
        extra = {
            "checked_at": locality.checked_at,
            "files_on_disk": locality.files_on_disk,
            "files_total": locality.files_total,
        }
    request = RestageRequest.objects.joinable().filter(dataset=dataset).first()
    if request is not None and request.state in OPEN_STATES:
        return RestageBox("restoring", requested=request.created, **extra)
    if request is not None and request.state == RestageState.ONLINE:
        return RestageBox("online", online_until=request.online_until, **extra)
    if dataset.data_location in RESTAGE_LOCATIONS:
        return RestageBox("offer", **extra)
    return None


def tape_metrics() -> dict[str, int]:
    """Counts for monitoring (the Prometheus endpoint exports these as gauges).

    ``restage_open`` requests not finished (by state in ``restage_<state>``),
    ``restage_bytes_staged`` bytes brought online in total, ``restage_bytes_today`` bytes
    submitted today (against the budget), ``locality_datasets`` datasets with a stored locality.
    """
    now = timezone.now()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    by_state = dict(
        RestageRequest.objects.values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    sums = RestageRequest.objects.aggregate(
        staged=Sum("bytes", filter=Q(state__in=[RestageState.ONLINE, RestageState.EXPIRED])),
        today=Sum("bytes", filter=Q(submitted_at__gte=midnight)),
    )
    metrics = {f"restage_{state}": int(by_state.get(state, 0)) for state in RestageState.values}
    metrics["restage_open"] = sum(metrics[f"restage_{s}"] for s in OPEN_STATES)
    metrics["restage_bytes_staged"] = int(sums["staged"] or 0)
    metrics["restage_bytes_today"] = int(sums["today"] or 0)
    metrics["locality_datasets"] = DatasetLocality.objects.count()
    return metrics
