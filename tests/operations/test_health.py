"""/healthz and /readyz: liveness without touching anything, readiness with ages and 503s."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from catalogue.models import SearchBacklog
from publishing.models import DoiState
from sync.models import SyncKind, SyncRun, SyncStatus
from tests.factories import PublicationFactory

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_the_database(client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        answer = client.get("/healthz")

    assert answer.status_code == 200
    assert answer.content == b"ok\n"
    assert len(queries) == 0
    assert "no-cache" in answer["Cache-Control"] or "max-age=0" in answer["Cache-Control"]


def _run(finished_ago: timedelta | None, status: str = SyncStatus.SUCCEEDED) -> SyncRun:
    now = timezone.now()
    return SyncRun.objects.create(
        kind=SyncKind.INCREMENTAL,
        status=status,
        source="https://scicat.example",
        started_at=now - (finished_ago or timedelta()) - timedelta(seconds=5),
        finished_at=None if finished_ago is None else now - finished_ago,
    )


def test_readyz_reports_the_age_of_the_last_successful_sync(client: Client, settings: Any) -> None:
    settings.SCICAT_URL = "https://scicat.example"
    settings.READYZ_MAX_SYNC_AGE = 600
    _run(timedelta(minutes=3))
    _run(timedelta(minutes=1), status=SyncStatus.FAILED)

    body = client.get("/readyz").json()

    assert body["status"] == "ok"
    assert 170 < body["checks"]["sync"]["last_success_age_seconds"] < 200


def test_a_stale_sync_degrades_and_fails_readiness_when_required(
    client: Client, settings: Any
) -> None:
    settings.SCICAT_URL = "https://scicat.example"
    settings.READYZ_MAX_SYNC_AGE = 600
    _run(timedelta(hours=2))

    degraded = client.get("/readyz")
    assert degraded.status_code == 200
    assert degraded.json()["status"] == "degraded"
    assert degraded.json()["checks"]["sync"]["status"] == "stale"

    settings.READYZ_REQUIRED = ["sync"]
    unavailable = client.get("/readyz")
    assert unavailable.status_code == 503
    assert unavailable.json()["status"] == "unavailable"


def test_readyz_reports_the_oldest_unsent_doi_and_index_updates(
    client: Client, settings: Any, opensearch_url: str
) -> None:
    settings.DATACITE_URL = "https://api.test.datacite.org"
    settings.OPENSEARCH_URL = opensearch_url
    settings.READYZ_MAX_BACKLOG_AGE = 3600
    PublicationFactory.create(
        doi_state=DoiState.REGISTERING, doi_state_changed_at=timezone.now() - timedelta(hours=3)
    )
    SearchBacklog.objects.create(dataset_id=12345)
    SearchBacklog.objects.filter(dataset_id=12345).update(
        queued_at=timezone.now() - timedelta(minutes=10)
    )
    settings.READYZ_REQUIRED = ["doi"]

    answer = client.get("/readyz")
    checks = answer.json()["checks"]

    assert answer.status_code == 503
    assert checks["doi"]["status"] == "stale"
    assert checks["doi"]["backlog"] == 1
    assert checks["doi"]["backlog_age_seconds"] > 3 * 3600 - 60
    assert checks["search"]["backlog"] == 1
    assert 590 < checks["search"]["backlog_age_seconds"] < 700


def test_redis_down_is_reported_and_can_be_required(client: Client, settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing answers

    degraded = client.get("/readyz")
    assert degraded.status_code == 200
    assert degraded.json()["checks"]["redis"]["status"] == "down"

    settings.READYZ_REQUIRED = ["redis"]
    assert client.get("/readyz").status_code == 503


def test_redis_up_is_ok(client: Client, settings: Any, redis_url: str) -> None:
    settings.REDIS_URL = redis_url

    body = client.get("/readyz").json()

    assert body["checks"]["redis"]["status"] == "ok"
