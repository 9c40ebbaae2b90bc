"""A throwaway PostgreSQL cluster (as the ``postgres`` account when run as root)."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

from tests.servers.base import ServerError, _Server, free_port
from tests.servers.programs import _unprivileged_account, postgres_bin_dir, postgres_missing


class PostgresServer(_Server):
    """A PostgreSQL cluster made by initdb, tuned for throwaway speed (no fsync), with one database.

    ``database_url`` is ``postgres://<user>@127.0.0.1:<port>/<dbname>``; the user is a superuser
    and needs no password, so Django can create and drop its ``test_<dbname>`` database.
    """

    name = "PostgreSQL"
    death_signal = "QUIT"  # immediate shutdown: nothing in a throwaway cluster is worth keeping

    def __init__(
        self, *, dbname: str = "portal", user: str = "portal", start_timeout: float = 60
    ) -> None:
        super().__init__(start_timeout=start_timeout)
        self.dbname, self.user = dbname, user
        self.bin_dir = postgres_bin_dir()
        self.version = ""

    def missing(self) -> str | None:
        return postgres_missing()

    @property
    def database_url(self) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{self.dbname}"

    def django_database(self) -> dict[str, Any]:
        """The keys of a Django ``DATABASES`` entry that point at this server."""
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": self.dbname,
            "USER": self.user,
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "OPTIONS": {},
            "CONN_MAX_AGE": 0,
        }

    def _run_as(self) -> pwd.struct_passwd | None:
        return _unprivileged_account() if os.geteuid() == 0 else None

    def _program(self, name: str) -> str:
        assert self.bin_dir is not None
        return str(self.bin_dir / name)

    def _prepare(self, directory: Path) -> None:
        initdb = [
            self._program("initdb"),
            f"--pgdata={directory / 'data'}",
            f"--username={self.user}",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
            "--no-instructions",
        ]
        try:
            self._run([*initdb, "--locale=C.UTF-8"], what="initdb")
        except ServerError as exc:
            if "locale" not in str(exc):
                raise
            shutil.rmtree(directory / "data", ignore_errors=True)
            self._run([*initdb, "--no-locale"], what="initdb")

    def _command(self, directory: Path) -> list[str]:
        self.port = free_port()
        return [
            self._program("postgres"),
            "-D",
            str(directory / "data"),
            "-k",
            str(directory),
            "-p",
            str(self.port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
        ]

    def _connect(self, dbname: str) -> Any:
        import psycopg

        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=self.user,
            dbname=dbname,
            connect_timeout=2,
            autocommit=True,
        )

    def _is_ready(self) -> bool:
        import psycopg

        try:
            with self._connect("postgres") as conn:
                row = conn.execute("SHOW server_version").fetchone()
                self.version = str(row[0]) if row else ""
        except psycopg.OperationalError:
            return False
        return True

    def _after_ready(self) -> None:
        from psycopg import sql

        with self._connect("postgres") as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.dbname)))

    def _ask_to_stop(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGINT)  # fast shutdown: disconnects clients, then stops


class PostgresReplica(PostgresServer):
    """A streaming replica of ``primary``: ``pg_basebackup -R`` (its standby.signal and
    primary_conninfo), then a hot standby on a port of its own. ``pause_replay`` and
    ``resume_replay`` hold and release the WAL replay, to tell primary and replica apart."""

    name = "PostgreSQL replica"

    def __init__(self, primary: PostgresServer, *, start_timeout: float = 120) -> None:
        super().__init__(dbname=primary.dbname, user=primary.user, start_timeout=start_timeout)
        self.primary = primary

    def _prepare(self, directory: Path) -> None:
        self._run(
            [
                self._program("pg_basebackup"),
                "--host=127.0.0.1",
                f"--port={self.primary.port}",
                f"--username={self.user}",
                f"--pgdata={directory / 'data'}",
                "--write-recovery-conf",
                "--wal-method=stream",
                "--checkpoint=fast",
                "--no-sync",
            ],
            what="pg_basebackup",
        )

    def _command(self, directory: Path) -> list[str]:
        return [*super()._command(directory), "-c", "hot_standby=on"]

    def _after_ready(self) -> None:
        """Nothing to create: the replica holds the primary's databases."""

    def query(self, sql: str, dbname: str | None = None) -> list[tuple[Any, ...]]:
        with self._connect(dbname or self.dbname) as conn:
            return list(conn.execute(sql).fetchall())

    def pause_replay(self) -> None:
        self.query("SELECT pg_wal_replay_pause()", "postgres")

    def resume_replay(self) -> None:
        self.query("SELECT pg_wal_replay_resume()", "postgres")

    def caught_up(self) -> bool:
        """Whether the replica has replayed everything the primary has written so far."""
        with self.primary._connect("postgres") as conn:
            row = conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()
        target = row[0] if row else "0/0"
        found = self.query(
            f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn",
            "postgres",
        )
        return bool(found and found[0][0])
