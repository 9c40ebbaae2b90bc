"""``/metrics``: Prometheus text format, only for the networks in ``METRICS_NETWORKS``.

Two sources. What each web process measures (:mod:`operations.instruments`: request latency by
view, responses by status, rate-limited requests) is collected from every gunicorn worker through
prometheus-client's multiprocess mode when ``PROMETHEUS_MULTIPROC_DIR`` is set, else from this
process. What the database knows (:class:`DatabaseCollector`) is read at scrape time: sync runs by
kind and outcome, records by what the sync did to them, the time of the last successful sync,
publications by DOI state, DataCite calls by outcome, and the search index's lag (backlog size
and the age of its oldest entry). Everyone else gets a 404, as if there were nothing here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db.models import Count, Min, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

from lib.client_address import in_networks, remote_address
from operations.instruments import REQUEST_SECONDS, RESPONSES

_METHODS = {"GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"}
SYNC_RECORD_FIELDS = ("created", "updated", "unchanged", "withdrawn", "failed", "dropped")


class DatabaseCollector(Collector):
    """Figures read from the database when Prometheus scrapes."""

    def collect(self) -> Iterator[Metric]:
        yield from _sync_metrics()
        yield from _doi_metrics()
        yield from _search_metrics()
        yield from _tape_metrics()


def _sync_metrics() -> Iterator[Metric]:
    from sync.models import SyncRun, SyncStatus

    runs = CounterMetricFamily(
        "portal_sync_runs", "Catalogue sync runs, by kind and outcome.", labels=["kind", "status"]
    )
    for row in SyncRun.objects.values("kind", "status").annotate(n=Count("id")).order_by():
        runs.add_metric([row["kind"], row["status"]], row["n"])
    yield runs
    records = CounterMetricFamily(
        "portal_sync_records",
        "Catalogue records the sync runs handled, by what they did with them.",
        labels=["action"],
    )
    sums = SyncRun.objects.aggregate(**{f: Sum(f) for f in SYNC_RECORD_FIELDS})
    for field in SYNC_RECORD_FIELDS:
        records.add_metric([field], sums[field] or 0)
    yield records
    last = GaugeMetricFamily(
        "portal_sync_last_success_timestamp_seconds",
        "When the last successful catalogue sync ended (Unix time; 0: never).",
    )
    finished = (
        SyncRun.objects.filter(status__in=[SyncStatus.SUCCEEDED, SyncStatus.PARTIAL])
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    last.add_metric([], finished.timestamp() if finished else 0)
    yield last


def _doi_metrics() -> Iterator[Metric]:
    from publishing.models import DataCiteCall, Publication

    states = GaugeMetricFamily(
        "portal_doi_publications", "Publications by DOI state.", labels=["state"]
    )
    for row in Publication.objects.values("doi_state").annotate(n=Count("id")).order_by():
        states.add_metric([row["doi_state"]], row["n"])
    yield states
    calls = CounterMetricFamily(
        "portal_datacite_calls",
        "Calls to DataCite (DOI registrations and updates), by outcome: ok (2xx) or failed.",
        labels=["outcome"],
    )
    ok = Q(status__gte=200, status__lt=300)
    counted = DataCiteCall.objects.aggregate(ok=Count("id", filter=ok), failed=Count("id", ~ok))
    calls.add_metric(["ok"], counted["ok"])
    calls.add_metric(["failed"], counted["failed"])
    yield calls


def _search_metrics() -> Iterator[Metric]:
    from catalogue.models import SearchBacklog

    backlog = SearchBacklog.objects.aggregate(n=Count("id"), oldest=Min("queued_at"))
    size = GaugeMetricFamily(
        "portal_search_index_backlog", "Datasets whose index update is still waiting."
    )
    size.add_metric([], backlog["n"])
    yield size
    lag = GaugeMetricFamily(
        "portal_search_index_lag_seconds",
        "Age of the oldest waiting index update (0: the index is up to date).",
    )
    oldest = backlog["oldest"]
    lag.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0)
    yield lag


def _tape_metrics() -> Iterator[Metric]:
    from tape.models import RestageState
    from tape.selectors import tape_metrics

    figures = tape_metrics()
    requests = GaugeMetricFamily(
        "portal_restage_requests", "Restage requests (tape/) by state.", labels=["state"]
    )
    for state in RestageState.values:
        requests.add_metric([state], figures[f"restage_{state}"])
    yield requests
    staged = CounterMetricFamily(
        "portal_restage_staged_bytes", "Bytes restage requests brought back online from tape."
    )
    staged.add_metric([], figures["restage_bytes_staged"])
    yield staged
    today = GaugeMetricFamily(
        "portal_restage_today_bytes",
        "Bytes restage requests submitted today (UTC), against PORTAL_RESTAGE_DAILY_BYTES.",
    )
    today.add_metric([], figures["restage_bytes_today"])
    yield today


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry(auto_describe=True)
        registry.register(_ThisProcess())
    registry.register(DatabaseCollector())
    return registry


class _ThisProcess(Collector):
    """The default registry's figures (this process's instruments, its CPU and memory)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    address = remote_address(
        request.META, behind_proxy=settings.BEHIND_PROXY, proxies=settings.PROXY_NETWORKS
    )
    if not in_networks(address, settings.METRICS_NETWORKS):
        raise Http404
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def request_metrics(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Middleware: each response's latency by view and its status."""

    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = get_response(request)
        match = request.resolver_match
        view = (match.view_name or "unnamed") if match is not None else "unmatched"
        if getattr(response, "rate_limited", False):
            view = "rate-limited"
        method = request.method if request.method in _METHODS else "other"
        REQUEST_SECONDS.labels(view, method).observe(time.perf_counter() - started)
        RESPONSES.labels(str(response.status_code)).inc()
        return response

    return middleware
