"""Recording usage events from pages: robots left out, machines apart, nothing personal stored,
withdrawn records not counted, no database write per page view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import counter_robots
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import DatasetFactory, PublicationFactory
from usage import buffer
from usage.models import UsageEvent, UsageSalt
from usage.selectors import dataset_usage
from usage.services import usage_events_drain, usage_month_aggregate

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IP = "203.0.113.77"


def _robot_agents() -> list[str]:
    """User agents that the COUNTER robot list itself names (one per pattern kind)."""
    return [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "ArchiveTeam ArchiveBot",
        "",
    ]


def _get(client: Client, url: str, agent: str = BROWSER, ip: str = IP) -> int:
    return client.get(url, HTTP_USER_AGENT=agent, REMOTE_ADDR=ip).status_code


def test_a_page_view_is_buffered_not_written() -> None:
    dataset = DatasetFactory.create()
    client = Client()
    _get(client, f"/datasets/{dataset.pid}")  # the first view of the day may make the salt
    with CaptureQueriesContext(connection) as queries:
        assert _get(client, f"/datasets/{dataset.pid}") == 200
    writes = ("INSERT", "UPDATE", "DELETE")
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().startswith(writes)]
    assert UsageEvent.objects.count() == 0
    assert usage_events_drain() == 2
    assert UsageEvent.objects.filter(dataset=dataset, kind="investigation").count() == 2


@pytest.mark.parametrize("agent", _robot_agents())
def test_robots_from_the_counter_list_are_not_counted(agent: str) -> None:
    assert counter_robots.is_robot(agent)
    dataset = DatasetFactory.create()
    assert _get(Client(), f"/datasets/{dataset.pid}", agent=agent) == 200
    assert usage_events_drain() == 0


@pytest.mark.parametrize("agent", ["curl/8.5.0", "python-requests/2.32.3", "Wget/1.21.4"])
def test_scripts_are_machine_access(agent: str) -> None:
    dataset = DatasetFactory.create()
    _get(Client(), f"/datasets/{dataset.pid}", agent=agent)
    usage_events_drain()
    assert UsageEvent.objects.get().access_method == "machine"


def test_content_negotiation_is_machine_access() -> None:
    dataset = DatasetFactory.create()
    response = Client().get(
        f"/datasets/{dataset.pid}",
        HTTP_ACCEPT="application/x-bibtex",
        HTTP_USER_AGENT=BROWSER,
    )
    assert response.status_code == 200
    usage_events_drain()
    assert UsageEvent.objects.get().access_method == "machine"


def test_browsers_are_regular_access_and_exports_count() -> None:
    publication = PublicationFactory.create()
    client = Client()
    _get(client, f"/doi/{publication.doi}")
    _get(client, f"/export/bibtex/doi/{publication.doi}")
    usage_events_drain()
    events = UsageEvent.objects.filter(publication=publication)
    assert [e.access_method for e in events] == ["regular", "regular"]


def test_withdrawn_records_are_not_counted() -> None:
    dataset = DatasetFactory.create(visibility="withdrawn", withdrawn_reason="Retracted")
    publication = PublicationFactory.create(visibility="withdrawn")
    client = Client()
    assert _get(client, f"/datasets/{dataset.pid}") == 410
    assert _get(client, f"/doi/{publication.doi}") == 410
    assert _get(client, f"/export/bibtex/datasets/{dataset.pid}") == 410
    assert usage_events_drain() == 0


def test_htmx_parts_and_head_requests_are_not_new_views() -> None:
    dataset = DatasetFactory.create()
    client = Client()
    client.get(f"/datasets/{dataset.pid}?style=ieee", HTTP_HX_REQUEST="true")
    client.head(f"/datasets/{dataset.pid}")
    assert usage_events_drain() == 0


def test_no_ip_address_or_user_agent_is_stored_anywhere() -> None:
    dataset = DatasetFactory.create()
    _get(Client(), f"/datasets/{dataset.pid}")
    usage_events_drain()
    event = UsageEvent.objects.get()
    assert IP not in event.visitor
    assert len(event.visitor) == 32
    with connection.cursor() as cursor:
        for model in (UsageEvent, UsageSalt):
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")  # noqa: S608
            for row in cursor.fetchall():
                text = " ".join(map(str, row))
                assert IP not in text
                assert "Firefox" not in text


def test_the_salt_rotates_daily_and_old_salts_are_deleted() -> None:
    from usage.services import usage_salt_of_day

    today = datetime.now(UTC).date()
    yesterday = usage_salt_of_day(day=today - timedelta(days=1))
    assert usage_salt_of_day(day=today) != yesterday
    assert list(UsageSalt.objects.values_list("day", flat=True)) == [today]


def test_same_visitor_is_one_unique_view_per_hour() -> None:
    dataset = DatasetFactory.create()
    client = Client()
    _get(client, f"/datasets/{dataset.pid}")
    _get(client, f"/datasets/{dataset.pid}", ip="198.51.100.1")
    _get(client, f"/datasets/{dataset.pid}")  # a reload within 30 s: a double click
    usage_events_drain()
    now = datetime.now(UTC)
    usage_month_aggregate(month=now.date(), now=now)
    summary = dataset_usage(dataset.pk)
    assert (summary.views, summary.unique_views) == (2, 2)


def test_the_in_process_buffer_writes_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(buffer, "MEMORY_BATCH", 3)
    dataset = DatasetFactory.create()
    client = Client()
    for _ in range(2):
        _get(client, f"/datasets/{dataset.pid}")
    assert UsageEvent.objects.count() == 0
    _get(client, f"/datasets/{dataset.pid}")
    assert UsageEvent.objects.count() == 3


@pytest.mark.redis
def test_with_redis_events_wait_in_a_shared_list(redis_url: str, settings: object) -> None:
    import redis

    settings.REDIS_URL = redis_url  # type: ignore[attr-defined]
    dataset = DatasetFactory.create()
    _get(Client(), f"/datasets/{dataset.pid}")
    assert buffer.flush()  # the sender thread pushes it (the page did not wait for Redis)
    assert redis.Redis.from_url(redis_url).llen(buffer.REDIS_KEY) == 1
    assert usage_events_drain() == 1
    assert UsageEvent.objects.filter(dataset=dataset).count() == 1


def test_recording_switched_off(settings: object) -> None:
    settings.USAGE_COUNTING = False  # type: ignore[attr-defined]
    dataset = DatasetFactory.create()
    _get(Client(), f"/datasets/{dataset.pid}")
    assert usage_events_drain() == 0


def test_an_oai_getrecord_is_a_machine_record_read(settings: object) -> None:
    dataset = DatasetFactory.create()
    publication = PublicationFactory.create()
    prefix = f"oai:{settings.OAI_REPOSITORY_IDENTIFIER}"  # type: ignore[attr-defined]
    client = Client()
    for key in (dataset.pid, publication.doi):
        response = client.get(
            "/oai",
            {"verb": "GetRecord", "identifier": f"{prefix}:{key}", "metadataPrefix": "oai_dc"},
            HTTP_USER_AGENT=BROWSER,
        )
        assert b"<GetRecord>" in response.content
    client.get("/oai", {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    usage_events_drain()
    events = UsageEvent.objects.order_by("id")
    assert [(e.dataset_id, e.publication_id, e.access_method) for e in events] == [
        (dataset.pk, None, "machine"),
        (None, publication.pk, "machine"),
    ]


@pytest.mark.redis
def test_a_page_does_not_wait_for_redis(redis_url: str, settings: object) -> None:
    """The request only queues the event: a Redis that hangs costs the page nothing, and what
    the sender could not push is logged, not raised."""
    import socket

    silent = socket.socket()  # accepts connections, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    host, port = silent.getsockname()
    settings.REDIS_URL = f"redis://{host}:{port}/0"  # type: ignore[attr-defined]
    dataset = DatasetFactory.create()
    try:
        assert _get(Client(), f"/datasets/{dataset.pid}") == 200
        assert buffer.flush(timeout=5)  # the sender gave up after its socket timeout
    finally:
        silent.close()
