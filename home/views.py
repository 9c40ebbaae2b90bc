"""The home page: counts, a search box, the latest publications and datasets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_safe

from catalogue import page_cache
from catalogue.selectors import catalogue_counts, latest_datasets
from publishing.selectors import latest_publications, publication_count

LATEST = 5


@dataclass(frozen=True)
class LatestDataset:
    """A line of the "Latest datasets" list."""

    pid: str
    url: str
    title: str
    type: str
    start_iso: str
    start_text: str


def _latest_dataset(values: dict[str, Any]) -> LatestDataset:
    """A line from :func:`catalogue.selectors.latest_datasets`' values."""
    start: datetime | None = values["start_time"]
    local = timezone.localtime(start) if start is not None else None
    return LatestDataset(
        pid=values["pid"],
        url=reverse("landing:dataset", args=[values["pid"]]),
        title=values["title"],
        type=values["type"],
        start_iso=local.isoformat() if local else "",
        start_text=date_format(local, "SHORT_DATETIME_FORMAT") if local else "",
    )


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    cache_key = page_cache.home_key() if page_cache.cacheable(request) else ""
    if cache_key and (stored := page_cache.get(cache_key)) is not None:
        return page_cache.respond(request, stored)
    counts = catalogue_counts()
    context = {
        "dataset_count": counts.datasets,
        "instrument_count": counts.instruments,
        "publication_count": publication_count(),
        "latest_datasets": [_latest_dataset(d) for d in latest_datasets(LATEST)],
        "latest_publications": latest_publications(LATEST),
    }
    response = render(request, "home/home.html", context)
    if cache_key and (stored := page_cache.store(cache_key, response)) is not None:
        return page_cache.respond(request, stored)
    return page_cache.public(response)


@require_safe
def for_machines(request: HttpRequest) -> HttpResponse:
    """Where harvesters, crawlers and scripts should go: every machine interface that exists."""
    return render(request, "home/for_machines.html")
