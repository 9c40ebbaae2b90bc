"""The databases a benchmark runs on, and the environment its child processes get for one.

SQLite is a fresh file in the database's work directory (with the settings' WAL and
``synchronous=NORMAL``). PostgreSQL is the throwaway server of ``tests/servers/``: a new cluster
per run, tuned for throwaway speed (``fsync=off``, ``synchronous_commit=off``,
``full_page_writes=off``), which flatters write-heavy figures against a durable production server.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATABASES = ("sqlite", "postgres")

# Integrations the benchmark must not reach for by accident (it measures the embedded defaults).
_UNSET = ("OPENSEARCH_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL")


class BenchError(RuntimeError):
    """The benchmark cannot go on; the message says why."""


@dataclass(frozen=True)
class Database:
    name: str  # "sqlite" or "postgres"
    url: str
    label: str
    server_pid: int | None = None  # PostgreSQL's postmaster, for its CPU time

    def server_cpu_seconds(self) -> float | None:
        """CPU seconds the database server has used so far (all its processes), if it has one."""
        return None if self.server_pid is None else process_tree_cpu(self.server_pid)


def _stat(pid: int | str) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return None
    return text[
        text.rindex(")") + 2 :
    ].split()  # fields from the state on (the name may hold spaces)


def process_tree_cpu(pid: int) -> float | None:
    """CPU seconds of ``pid`` with its reaped children and its live children (Linux ``/proc``)."""
    fields = _stat(pid)
    if fields is None:
        return None
    ticks = float(os.sysconf("SC_CLK_TCK"))
    total = sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (child := _stat(entry.name)) and child[1] == str(pid):
            total += int(child[11]) + int(child[12])
    return total / ticks


@contextmanager
def provision(name: str, workdir: Path) -> Iterator[Database]:
    """An empty database called ``name``, for as long as the ``with`` block runs."""
    if name == "sqlite":
        path = workdir / "portal.sqlite3"
        yield Database(
            name, f"sqlite:///{path}", f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)"
        )
        return
    if name != "postgres":
        raise BenchError(f"unknown database {name!r}; use one of {', '.join(DATABASES)}")
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from tests.servers import PostgresServer, ServerError, postgres_missing

    reason = postgres_missing()
    if reason is not None:
        raise BenchError(f"PostgreSQL cannot run here: {reason}")
    try:
        server = PostgresServer(dbname="bench", user="bench")
        server.start()
    except ServerError as exc:
        raise BenchError(str(exc)) from exc
    assert server.directory is not None
    postmaster = server.directory / "data" / "postmaster.pid"
    try:
        yield Database(
            name,
            server.database_url,
            f"PostgreSQL {server.version} (throwaway server: fsync=off, synchronous_commit=off, "
            "full_page_writes=off, default shared_buffers)",
            int(postmaster.read_text(encoding="ascii").split()[0]),
        )
    finally:
        server.stop()


def child_environment(database: Database, workdir: Path) -> dict[str, str]:
    """The environment of a child process: the portal's settings pointed at ``database``."""
    env = {k: v for k, v in os.environ.items() if k not in _UNSET}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=database.url,
        PORTAL_VAR_DIR=str(workdir / "var"),
        MEDIA_ROOT=str(workdir / "media"),
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env
