"""/metrics: only for the configured networks; request latency by view, responses by status,
sync, DOI and index figures from the database, rate-limited requests; gunicorn workers summed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from catalogue.models import SearchBacklog
from lib.client_address import parse_networks
from publishing.models import DataCiteCall, DoiState
from sync.models import SyncKind, SyncRun, SyncStatus
from tests.factories import PublicationFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _samples(client: Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain; version=")
    found = {}
    for family in text_string_to_metric_families(answer.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_are_hidden_from_other_networks(client: Client, settings: Any) -> None:
    settings.METRICS_NETWORKS = parse_networks(["10.1.0.0/16"])

    assert client.get("/metrics", REMOTE_ADDR="203.0.113.5").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_requests_are_measured_by_view_and_status(client: Client) -> None:
    client.get("/robots.txt")
    client.get("/datasets/no-such-dataset")

    found = _samples(client)

    assert found[("portal_http_responses_total", (("status", "404"),))] >= 1
    robots = (("method", "GET"), ("view", "landing:robots"))
    assert found[("portal_http_request_duration_seconds_count", robots)] >= 1
    bucket = tuple(sorted((*robots, ("le", "0.005"))))
    assert ("portal_http_request_duration_seconds_bucket", bucket) in found


def test_database_figures(client: Client) -> None:
    now = timezone.now()
    SyncRun.objects.create(
        kind=SyncKind.INCREMENTAL,
        status=SyncStatus.SUCCEEDED,
        source="x",
        started_at=now - timedelta(minutes=2),
        finished_at=now - timedelta(minutes=1),
        created=7,
        updated=3,
        withdrawn=1,
    )
    SyncRun.objects.create(
        kind=SyncKind.RECONCILE, status=SyncStatus.FAILED, source="x", started_at=now, failed=2
    )
    publication = PublicationFactory.create(doi_state=DoiState.FINDABLE)
    for status in (201, 200, 422, None):
        DataCiteCall.objects.create(
            publication=publication, at=now, method="PUT", path="/dois/x", status=status
        )
    SearchBacklog.objects.create(dataset_id=99)
    SearchBacklog.objects.filter(dataset_id=99).update(queued_at=now - timedelta(seconds=120))

    found = _samples(client)

    assert (
        found[("portal_sync_runs_total", (("kind", "incremental"), ("status", "succeeded")))] == 1
    )
    assert found[("portal_sync_runs_total", (("kind", "reconcile"), ("status", "failed")))] == 1
    assert found[("portal_sync_records_total", (("action", "created"),))] == 7
    assert found[("portal_sync_records_total", (("action", "failed"),))] == 2
    last = found[("portal_sync_last_success_timestamp_seconds", ())]
    assert abs(last - (now - timedelta(minutes=1)).timestamp()) < 1
    assert found[("portal_doi_publications", (("state", "findable"),))] == 1
    assert found[("portal_datacite_calls_total", (("outcome", "ok"),))] == 2
    assert found[("portal_datacite_calls_total", (("outcome", "failed"),))] == 2
    assert found[("portal_search_index_backlog", ())] == 1
    assert 110 < found[("portal_search_index_lag_seconds", ())] < 300


def test_rate_limited_requests_are_counted(client: Client, settings: Any, redis_url: str) -> None:
    settings.RATE_LIMIT_REDIS_URL = redis_url
    settings.RATE_LIMIT_SEARCH = 1
    before = _samples(client).get(
        ("portal_rate_limited_requests_total", (("bucket", "search"),)), 0
    )

    client.get("/datasets/", REMOTE_ADDR="203.0.113.9")
    client.get("/datasets/", REMOTE_ADDR="203.0.113.9")

    after = _samples(client)
    assert after[("portal_rate_limited_requests_total", (("bucket", "search"),))] == before + 1
    limited = (("method", "GET"), ("view", "rate-limited"))
    assert after[("portal_http_request_duration_seconds_count", limited)] >= 1


_WORKER = textwrap.dedent(
    """
    from operations.instruments import RESPONSES
    RESPONSES.labels("200").inc({n})
    """
)


def test_gunicorn_workers_are_added_up(client: Client, tmp_path: Path, monkeypatch: Any) -> None:
    """Each worker process writes its own files; the scrape, in any one of them, adds them up."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for n in (3, 4):
        subprocess.run([sys.executable, "-c", _WORKER.format(n=n)], cwd=ROOT, env=env, check=True)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))

    found = _samples(client)

    assert found[("portal_http_responses_total", (("status", "200"),))] == 7
    assert ("portal_sync_records_total", (("action", "created"),)) in found
