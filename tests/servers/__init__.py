"""Throwaway PostgreSQL, Redis and OpenSearch servers on free loopback ports.

Plain Python with no pytest in sight: ``tests/conftest.py`` wraps these in session fixtures and the
benchmark under ``bench/`` starts them directly::

    with PostgresServer() as pg, RedisServer() as redis, OpenSearchServer() as search:
        pg.database_url  # postgres://portal@127.0.0.1:<port>/portal
        redis.url  # redis://127.0.0.1:<port>/0
        search.url  # http://127.0.0.1:<port>

Each server lives in its own temporary directory, which is removed when it stops. Whether a server
can run at all is answered without starting it by ``postgres_missing()``, ``redis_missing()`` and
``opensearch_missing()``: ``None`` when it can, otherwise one sentence saying what is missing.
A server that does not come up raises :class:`ServerError` with the tail of its log.

A killed test run leaves no server behind: PostgreSQL and Redis get a parent-death signal (through
``setpriv``, when it is there) and OpenSearch stops when its standard input closes. The parent-death
signal follows the *thread* that started the server, so start servers from a thread that outlives
them (the main thread).

PostgreSQL refuses to run as root; as root, initdb and postgres run as the ``postgres`` account, or
``nobody`` when there is none.

The package: ``programs`` (whether each can run here; skipping or failing a test when not),
``base`` (what every server shares), ``postgres``, ``redis``, ``opensearch``. Import the names
below from here.
"""

from tests.servers.base import ServerError, ServerMissing, free_port
from tests.servers.opensearch import OpenSearchServer
from tests.servers.postgres import PostgresServer
from tests.servers.programs import (
    REPO_ROOT,
    REQUIRE_SERVICES,
    opensearch_missing,
    postgres_missing,
    redis_missing,
    require_service,
    services_required,
)
from tests.servers.redis import RedisServer
from tests.servers.smtp import SmtpSink

__all__ = [
    "REPO_ROOT",
    "REQUIRE_SERVICES",
    "OpenSearchServer",
    "PostgresServer",
    "RedisServer",
    "ServerError",
    "ServerMissing",
    "SmtpSink",
    "free_port",
    "opensearch_missing",
    "postgres_missing",
    "redis_missing",
    "require_service",
    "services_required",
]
