"""The test suite's real services: throwaway PostgreSQL, Redis and OpenSearch on loopback ports.

Session fixtures, each started on first use and stopped at the end of the run:

``postgres_server``
    The database of the whole suite: every ``django_db`` test runs on it (Django creates its
    ``test_portal`` database there). Only a test that wants the server itself asks for it.
``redis_server``
    ``redis_server.url`` is ``redis://127.0.0.1:<port>/0``.
``opensearch_server``
    ``opensearch_server.url`` is ``http://127.0.0.1:<port>``; point the portal at it with
    ``settings.OPENSEARCH_URL = opensearch_server.url`` and an index name of the test's own.

``smtp_server``
    A real SMTP server (aiosmtpd) on loopback; per test, ``mailbox`` points Django's mail at it
    and empties it.

Per test: ``redis_url`` (flushes Redis afterwards), ``opensearch_url`` (deletes the indices the
test made), ``redis_celery_app`` (the portal's Celery app sending to the throwaway Redis) and
``redis_celery_worker`` (that, plus a real worker running the tasks; brings ``transactional_db``).
The markers ``redis``, ``opensearch`` and ``postgresql`` make a test need that service without
asking for a fixture.

The real SciCat backend (``scicat_real`` and friends) has its fixtures in
``tests/scicat_real/fixtures.py``, loaded below as a plugin.

When a server's programs are missing here, the tests that need it skip and say why; with
``PORTAL_TEST_REQUIRE_SERVICES=1`` (CI) they fail instead. Without PostgreSQL the suite falls back
to SQLite, and only the tests that need PostgreSQL itself skip.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from celery.signals import setup_logging
from django.test import override_settings
from kombu import pools

from tests.servers import (
    OpenSearchServer,
    PostgresServer,
    RedisServer,
    ServerMissing,
    SmtpSink,
    opensearch_missing,
    postgres_missing,
    redis_missing,
    require_service,
    services_required,
)

if TYPE_CHECKING:
    from celery import Celery
    from celery.worker import WorkController

# The real SciCat backend's fixtures (scicat_real, scicat_real_v4, ...), usable from any test.
pytest_plugins = ["tests.scicat_real.fixtures"]

# Servers started in this session, for the start-up times in the summary.
_started: list[PostgresServer | RedisServer | OpenSearchServer] = []

ServerT = TypeVar("ServerT", PostgresServer, RedisServer, OpenSearchServer)


def _serve(server: ServerT) -> Iterator[ServerT]:
    try:
        server.start()
    except ServerMissing as exc:
        missing = str(exc)
    else:
        missing = ""
    if missing:
        require_service(server.name, missing)
    _started.append(server)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    yield from _serve(PostgresServer())


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    yield from _serve(RedisServer())


@pytest.fixture(scope="session")
def opensearch_server() -> Iterator[OpenSearchServer]:
    yield from _serve(OpenSearchServer())


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpSink]:
    """A real SMTP server on loopback (aiosmtpd) keeping every message it receives."""
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def mailbox(smtp_server: SmtpSink, settings: Any) -> Iterator[SmtpSink]:
    """Django's mail goes to the SMTP sink, emptied before and after the test."""
    smtp_server.clear()
    for name, value in smtp_server.settings().items():
        setattr(settings, name, value)
    yield smtp_server
    smtp_server.clear()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:
    """The Redis URL for one test; whatever the test stored is gone afterwards."""
    yield redis_server.url
    redis_server.flush()


@pytest.fixture
def opensearch_url(opensearch_server: OpenSearchServer) -> Iterator[str]:
    """The OpenSearch URL for one test; the indices it created are deleted afterwards."""
    yield opensearch_server.url
    opensearch_server.delete_indices()


def _forget_connections(app: Celery) -> None:
    """Drop the app's cached broker pool and result backend so they follow its current settings."""
    app._pool = None
    pools.reset()  # kombu keeps the pools by URL, and would hand back a closed one
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    backends = [app._backend_cache, getattr(app._local, "backend", None)]
    app._backend_cache = None
    with contextlib.suppress(AttributeError):
        del app._local.backend
    for backend in filter(None, backends):
        with contextlib.suppress(Exception):
            backend.result_consumer.stop()
        with contextlib.suppress(Exception):
            backend.client.connection_pool.disconnect()


@pytest.fixture
def redis_celery_app(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Celery]:
    """The portal's Celery app with the throwaway Redis as broker and result backend.

    Tasks are sent for real (nothing runs eagerly); add ``redis_celery_worker`` to have them run.
    """
    from portal.celery import app

    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # it would win over the settings
    changes = {
        "broker_url": redis_url,
        "result_backend": redis_url,
        "task_always_eager": False,
        "worker_hijack_root_logger": False,
    }
    saved = {key: app.conf.get(key) for key in changes}
    app.conf.update(changes)
    _forget_connections(app)
    try:
        yield app
    finally:
        app.conf.update(saved)
        _forget_connections(app)


def _leave_logging_alone(**kwargs: object) -> None:
    """A ``setup_logging`` receiver: its presence stops Celery from reconfiguring logging."""


@pytest.fixture
def redis_celery_worker(
    redis_celery_app: Celery, transactional_db: None
) -> Iterator[WorkController]:
    """A real Celery worker (solo pool, in a thread of this process) consuming from Redis.

    The worker thread has its own database connection, so it only sees committed rows: hence
    ``transactional_db`` (the worker start also closes this thread's connections, which would
    break the ``db`` fixture's transaction).
    """
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the start check)
    from celery.contrib.testing.worker import start_worker

    setup_logging.connect(_leave_logging_alone)
    try:
        with start_worker(redis_celery_app, pool="solo", shutdown_timeout=30) as worker:
            yield worker
    finally:
        setup_logging.disconnect(_leave_logging_alone)
        logging.captureWarnings(False)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Point the default database at the throwaway PostgreSQL before the test database is made.

    pytest-django asks for this just before it creates the test databases, so PostgreSQL only starts
    when a test needs the database.
    """
    from django.conf import settings
    from django.db import connections

    database = settings.DATABASES["default"]
    reason = postgres_missing()
    if reason is None:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        database.update(server.django_database())
    else:
        if services_required():
            require_service("PostgreSQL", reason)
        if database["ENGINE"] != "django.db.backends.sqlite3":
            path = tmp_path_factory.mktemp("sqlite") / "portal.sqlite3"
            database.update(ENGINE="django.db.backends.sqlite3", NAME=str(path), OPTIONS={})
            database.update(USER="", PASSWORD="", HOST="", PORT="", CONN_MAX_AGE=0)
    # A connection made before now (say, by code asking for ``connection.vendor``) belongs to the
    # old engine: drop it so the next use builds one from the settings above.
    for connection in connections.all(initialized_only=True):
        if connection.alias == "default":
            connection.close()
            del connections["default"]
    # The xdist/tox suffixes apply to whichever database we ended up with.
    request.getfixturevalue("django_db_modify_db_settings_parallel_suffix")


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Thumbnails and other uploads go to a temporary directory, never to var/media."""
    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=media):
        yield media


@pytest.fixture(autouse=True)
def _service_markers(request: pytest.FixtureRequest) -> None:
    """``@pytest.mark.redis`` / ``opensearch`` / ``postgresql``: the test needs that service."""
    if request.node.get_closest_marker("redis"):
        request.getfixturevalue("redis_server")
    if request.node.get_closest_marker("opensearch"):
        request.getfixturevalue("opensearch_server")
    if request.node.get_closest_marker("postgresql"):
        reason = postgres_missing()
        if reason is not None:
            require_service("PostgreSQL", reason)
        request.getfixturevalue("postgres_server")


def pytest_report_header(config: pytest.Config) -> list[str]:
    missing = {
        "PostgreSQL": postgres_missing(),
        "Redis": redis_missing(),
        "OpenSearch": opensearch_missing(),
    }
    lines = [f"{name}: {reason}" for name, reason in missing.items() if reason]
    required = " (required)" if services_required() else ""
    if not lines:
        return [f"throwaway services{required}: PostgreSQL, Redis and OpenSearch available"]
    return [f"throwaway services{required}, missing:", *(f"  {line}" for line in lines)]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _started:
        times = ", ".join(
            f"{server.name} {server.startup_seconds:.1f} s"
            for server in _started
            if server.startup_seconds is not None
        )
        terminalreporter.write_line(f"throwaway servers started in: {times}")


@pytest.fixture(autouse=True)
def _usage_buffer_discarded() -> Iterator[None]:
    """Usage events a test's pages recorded in this process are not handed to the next test."""
    from usage import buffer

    buffer.discard()
    yield
    buffer.discard()


@pytest.fixture(autouse=True)
def _rate_limit_refusals_forgotten() -> None:
    """Refusals the limiter remembers in this process (each test has an empty Redis) are not
    carried into the next test."""
    from operations import rate_limit

    rate_limit.forget_refusals()


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """Each test starts in the default language: a German request leaves German active in the
    thread (Django's LocaleMiddleware activates, never deactivates), and code called directly
    afterwards (a page model, a label) would be German in the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
