"""Reads from a PostgreSQL streaming replica (portal/replica.py): a real hot standby made with
``pg_basebackup`` from the suite's server. Its WAL replay is paused to tell the two apart: what a
page shows then comes from the replica, what a request wrote it reads back from the primary."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalogue.models import Dataset
from portal.replica import REPLICA, ReplicaRouter, replica_reads
from tests.factories import DatasetFactory
from tests.servers import PostgresServer
from tests.servers.postgres import PostgresReplica

pytestmark = [pytest.mark.postgresql]


def _wait_until(check: Any, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds:g} s")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def replica_server(postgres_server: PostgresServer) -> Iterator[PostgresReplica]:
    with PostgresReplica(postgres_server) as replica:
        yield replica


@pytest.fixture
def replica(
    replica_server: PostgresReplica, transactional_db: None, settings: Any
) -> Iterator[PostgresReplica]:
    """The ``replica`` database alias and the router, for one test."""
    primary = connections["default"]
    # A connection made here, not a configured alias: Django's test case lets it through.
    connections[REPLICA] = type(primary)(
        {**primary.settings_dict, "PORT": str(replica_server.port)}, alias=REPLICA
    )
    settings.DATABASE_ROUTERS = ["portal.replica.ReplicaRouter"]
    # The previous test's flush (a TRUNCATE) replayed in full before a test may pause the
    # replay: paused in the middle, the replay would hold the tables' lock and every read on
    # the replica would wait for it for ever.
    _wait_until(replica_server.caught_up, "replica caught up")
    try:
        yield replica_server
    finally:
        replica_server.resume_replay()
        connections[REPLICA].close()
        del connections[REPLICA]


def _in_a_visitors_request(work: Any) -> Any:
    """Run ``work`` as the replica middleware runs a visitor's GET request."""
    from django.test import RequestFactory

    return replica_reads(lambda request: work())(RequestFactory().get("/"))


def test_pages_read_from_the_replica(replica: PostgresReplica, client: Client) -> None:
    dataset = DatasetFactory.create(title="Replicated title")
    _wait_until(replica.caught_up, "replica caught up")
    replica.pause_replay()
    Dataset.objects.filter(pk=dataset.pk).update(title="Only on the primary")

    with (
        CaptureQueriesContext(connections["default"]) as on_primary,
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
    ):
        response = client.get(f"/datasets/{dataset.pid}")

    assert response.status_code == 200
    assert "Replicated title" in response.content.decode()
    assert on_replica.captured_queries
    assert not on_primary.captured_queries


def test_a_request_reads_its_own_writes_from_the_primary(replica: PostgresReplica) -> None:
    replica.pause_replay()

    def work() -> tuple[str, str, bool]:
        before = Dataset.objects.all().db
        made = DatasetFactory.create(title="Just written")
        return before, Dataset.objects.all().db, Dataset.objects.filter(pk=made.pk).exists()

    before, after, found = _in_a_visitors_request(work)

    assert (before, after, found) == (REPLICA, "default", True)
    on_replica = replica.query(
        "SELECT count(*) FROM catalogue_dataset WHERE title = 'Just written'",
        connections["default"].settings_dict["NAME"],
    )
    assert on_replica == [(0,)]  # not there yet: the read above came from the primary


def test_staff_tasks_and_transactions_stay_on_the_primary(replica: PostgresReplica) -> None:
    from django.db import transaction
    from django.test import RequestFactory

    router = ReplicaRouter()
    assert Dataset.objects.all().db == "default"  # no request: a task, a command

    def which(request: HttpRequest) -> HttpResponse:
        return HttpResponse(Dataset.objects.all().db)

    admin = replica_reads(which)
    assert admin(RequestFactory().get("/admin/catalogue/dataset/")).content == b"default"
    assert admin(RequestFactory().post("/datasets/")).content == b"default"

    def in_transaction() -> str:
        with transaction.atomic():
            return Dataset.objects.all().db

    assert _in_a_visitors_request(in_transaction) == "default"
    assert router.allow_migrate(REPLICA, "catalogue") is False
    assert router.allow_migrate("default", "catalogue") is True
