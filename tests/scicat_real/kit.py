"""A real SciCat backend on loopback ports, started and stopped with the shared scicat-real kit.

Plain Python with no pytest in sight (``tests/scicat_real/conftest.py`` wraps it in fixtures; a
benchmark can use it directly)::

    with SciCatBackend("v5.2.1") as scicat:
        scicat.url  # http://127.0.0.1:<port>
        scicat.accounts["admin"].password

The kit (``up.sh VERSION WORKDIR PORT MONGO_PORT`` / ``down.sh WORKDIR``, see its README.md) is
found at ``<repo>/../shared/scicat-real`` or ``$PORTAL_SCICAT_KIT``; it is only read. Its builds
(FerretDB, and SciCat per version: minutes when cold) are cached in ``$PORTAL_SCICAT_KIT_CACHE``,
default ``~/.cache/portal-scicat-kit``, outside the repo; with a warm cache a start takes ~9 s.
Several runs may share the cache: up.sh serialises its builds on a lock there.

Each backend lives in its own WORKDIR (a temporary directory unless one is given), which holds
the FerretDB database, the logs and the ``env`` file up.sh writes; :meth:`SciCatBackend.stop` runs
down.sh and removes a temporary WORKDIR. A watcher process does both should this process die
without stopping the backend (its pipe from us closes however we end, even on SIGKILL).

:meth:`SciCatBackend.wipe` empties the catalogue (datasets, blocks, attachments, proposals,
instruments, published data, ...) in ~0.1 s by deleting the documents of those collections
through FerretDB's wire protocol, leaving the accounts SciCat made at start-up alone;
:meth:`SciCatBackend.restart` with ``empty=True`` is the slow way (down.sh, delete the database,
up.sh: ~9 s).

``scicat_kit_missing()`` answers without starting anything whether the kit can run here: ``None``
or one sentence saying what is missing (kit folder, go, node >= 20, npm, tar, patch/git).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from tests.scicat_real import mongowire
from tests.servers import REPO_ROOT, ServerError, ServerMissing, free_port

VERSIONS = ("v4.17.1", "v5.2.1")
KIT_ENV = "PORTAL_SCICAT_KIT"
CACHE_ENV = "PORTAL_SCICAT_KIT_CACHE"
DEFAULT_CACHE = Path("~/.cache/portal-scicat-kit")
# up.sh may wait up to 30 minutes for another run's build on the shared cache, then build itself.
UP_TIMEOUT = 3600.0
DOWN_TIMEOUT = 60.0
_START_ATTEMPTS = 3
_PORT_TROUBLE = ("is already in use", "EADDRINUSE", "address already in use")
# SciCat v5.2.1 on an empty database sometimes dies at its first start: it creates the accounts'
# roles concurrently and two inserts of one role collide. A second start finds the roles made.
_FIRST_START_RACE = "E11000 duplicate key error"
# SciCat's own bookkeeping, made at start-up: the functional accounts and the runtime config.
# Every other collection is catalogue content and is emptied by wipe().
KEPT_COLLECTIONS = frozenset(
    {"User", "UserIdentity", "UserRole", "UserSetting", "Role", "RuntimeConfig"}
)
DATABASE = "scicat"


def kit_dir() -> Path:
    override = os.environ.get(KIT_ENV)
    if override:
        return Path(override).expanduser().resolve()
    return (REPO_ROOT.parent / "shared" / "scicat-real").resolve()


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE).expanduser()


def _node_major() -> int | None:
    try:
        result = subprocess.run(
            ["node", "-p", "process.versions.node.split('.')[0]"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return int(result.stdout.strip())
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def scicat_kit_missing() -> str | None:
    """``None`` when the kit can start a SciCat backend here, otherwise why not."""
    kit = kit_dir()
    if not (kit / "up.sh").is_file() or not (kit / "down.sh").is_file():
        return (
            f"the scicat-real kit (up.sh, down.sh) is not at {kit} "
            f"(set {KIT_ENV}, or put shared/ beside the repo)"
        )
    for program in ("go", "node", "npm", "tar"):
        if shutil.which(program) is None:
            return f"'{program}' not found on PATH (the kit's README.md says what to install)"
    major = _node_major()
    if major is None or major < 20:
        return f"node >= 20 required, found {'an unreadable version' if major is None else major}"
    if shutil.which("patch") is None and shutil.which("git") is None:
        return "neither 'patch' nor 'git' found on PATH (Debian: apt-get install patch)"
    return None


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    role: str
    email: str = ""


def read_env_file(path: Path) -> dict[str, str]:
    """The ``KEY=VALUE`` lines of an env file written by up.sh."""
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and not key.startswith("#"):
            values[key.strip()] = value.strip()
    return values


def read_accounts(workdir: Path) -> dict[str, Account]:
    """The functional accounts of a WORKDIR, keyed by username: from ``accounts.json`` (with
    their roles), else from the ``SCICAT_<ACCOUNT>_USERNAME`` / ``_PASSWORD`` lines of ``env``."""
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        entries = json.loads((workdir / "accounts.json").read_text())
        return {
            str(entry["username"]): Account(
                str(entry["username"]),
                str(entry["password"]),
                str(entry["role"]),
                str(entry.get("email", "")),
            )
            for entry in entries
        }
    env = read_env_file(workdir / "env")
    accounts: dict[str, Account] = {}
    for key, username in env.items():
        match = re.fullmatch(r"SCICAT_([A-Z_]+)_USERNAME", key)
        if match:
            password = env.get(f"SCICAT_{match.group(1)}_PASSWORD", "")
            role = match.group(1).lower().replace("_", "")
            accounts[username] = Account(username, password, role)
    return accounts


class SciCatBackend:
    """One SciCat backend (SciCat + FerretDB) of ``version``, started by the kit's up.sh."""

    def __init__(
        self,
        version: str,
        *,
        workdir: Path | None = None,
        cache: Path | None = None,
        kit: Path | None = None,
    ) -> None:
        if not version.startswith("v"):
            version = f"v{version}"
        self.version = version
        self.name = f"SciCat {version}"
        self.kit = kit or kit_dir()
        self.cache = cache or cache_dir()
        self._given_workdir = workdir
        self.workdir: Path | None = None
        self.port = 0
        self.mongo_port = 0
        self.env: dict[str, str] = {}
        self.accounts: dict[str, Account] = {}
        self.startup_seconds: float | None = None
        self._watcher: subprocess.Popen[bytes] | None = None

    # --- addresses -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if not self.port:
            raise RuntimeError(f"{self.name} is not running")
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.workdir is not None and (self.workdir / "pids").is_file()

    def log_tail(self, name: str = "scicat.log", lines: int = 40) -> str:
        if self.workdir is None:
            return ""
        try:
            text = (self.workdir / "logs" / name).read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # --- lifecycle -------------------------------------------------------------------------------

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

    def start(self) -> None:
        """Run up.sh on two free ports; raise :class:`ServerMissing` or :class:`ServerError`."""
        if self.running:
            raise RuntimeError(f"{self.name} is already running")
        missing = scicat_kit_missing()
        if missing:
            raise ServerMissing(missing)
        if not (self.kit / "sources" / f"scicat-backend-{self.version}.tar.gz").is_file():
            raise ServerMissing(f"the kit at {self.kit} has no sources for SciCat {self.version}")
        started = time.monotonic()
        if self.workdir is None:
            if self._given_workdir is not None:
                self.workdir = self._given_workdir
                self.workdir.mkdir(parents=True, exist_ok=True)
            else:
                prefix = f"portal-scicat-{self.version}-"
                self.workdir = Path(tempfile.mkdtemp(prefix=prefix))
        try:
            self._up(fresh_ports=True)
            self._watch()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started

    def stop(self) -> None:
        """Run down.sh; remove the WORKDIR when it was a temporary one. Safe to call twice."""
        if self.workdir is None:
            return
        try:
            self._down()
        finally:
            self._unwatch()
            if self._given_workdir is None:
                shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
            self.port = self.mongo_port = 0

    def restart(self, *, empty: bool = False) -> float:
        """Stop and start again on the same ports (``empty``: with a new, empty database).

        Returns the seconds it took.
        """
        assert self.workdir is not None, f"{self.name} is not running"
        began = time.monotonic()
        self._down()
        if empty:
            shutil.rmtree(self.workdir / "ferretdb", ignore_errors=True)
        self._up(fresh_ports=False)
        return time.monotonic() - began

    def wipe(self) -> dict[str, int]:
        """Delete every catalogue document (all collections but the accounts'); ~0.1 s.

        Returns how many documents went, by collection.
        """
        if not self.mongo_port:
            raise RuntimeError(f"{self.name} is not running")
        reply = mongowire.command(
            "127.0.0.1", self.mongo_port, DATABASE, {"listCollections": 1, "nameOnly": True}
        )
        names = sorted(str(c["name"]) for c in reply["cursor"]["firstBatch"])
        deleted: dict[str, int] = {}
        for name in names:
            if name in KEPT_COLLECTIONS or name.startswith("system."):
                continue
            answer = mongowire.command(
                "127.0.0.1",
                self.mongo_port,
                DATABASE,
                {"delete": name, "deletes": [{"q": {}, "limit": 0}]},
            )
            deleted[name] = int(answer.get("n", 0))
        return deleted

    # --- details ---------------------------------------------------------------------------------

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env["SCICAT_KIT_CACHE"] = str(self.cache)
        return env

    def _up(self, *, fresh_ports: bool) -> None:
        assert self.workdir is not None
        self.cache.mkdir(parents=True, exist_ok=True)
        for attempt in range(1, _START_ATTEMPTS + 1):
            if fresh_ports or not self.port:
                self.port = free_port()
                self.mongo_port = free_port(avoid=(self.port,))
            command = [
                "bash",
                str(self.kit / "up.sh"),
                self.version,
                str(self.workdir),
                str(self.port),
                str(self.mongo_port),
            ]
            try:
                result = subprocess.run(
                    command,
                    env=self._environment(),
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=UP_TIMEOUT,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise ServerError(
                    f"{self.name}: up.sh did not finish in {UP_TIMEOUT:g} s.\n"
                    f"{_text(exc.stderr)}\n{self.log_tail()}"
                ) from None
            if result.returncode == 0:
                break
            output = f"{result.stderr}\n{result.stdout}".strip()
            port_trouble = any(sign in output for sign in _PORT_TROUBLE)
            race = _FIRST_START_RACE in output or _FIRST_START_RACE in self.log_tail(lines=400)
            if (port_trouble or race) and attempt < _START_ATTEMPTS:
                fresh_ports = True
                continue
            raise ServerError(
                f"{self.name}: `{' '.join(command)}` failed (exit {result.returncode}). "
                f"Its output, with the last lines of the logs:\n{output}"
            )
        self.env = read_env_file(self.workdir / "env")
        self.accounts = read_accounts(self.workdir)

    def _down(self) -> None:
        assert self.workdir is not None
        if not (self.workdir / "pids").exists():
            return
        result = subprocess.run(
            ["bash", str(self.kit / "down.sh"), str(self.workdir)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=DOWN_TIMEOUT,
            check=False,
        )
        if result.returncode != 0:
            raise ServerError(f"{self.name}: down.sh failed: {result.stderr.strip()}")

    def _watch(self) -> None:
        """A process that runs down.sh once its pipe from us closes (we died without stop())."""
        assert self.workdir is not None
        script = (
            "import shutil, subprocess, sys\n"
            "sys.stdin.buffer.read()\n"
            "subprocess.run(['bash', sys.argv[1], sys.argv[2]], stdin=subprocess.DEVNULL,"
            " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
            "if sys.argv[3] == 'remove':\n"
            "    shutil.rmtree(sys.argv[2], ignore_errors=True)\n"
        )
        remove = "keep" if self._given_workdir is not None else "remove"
        self._watcher = subprocess.Popen(
            [sys.executable, "-c", script, str(self.kit / "down.sh"), str(self.workdir), remove],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C in the terminal is ours to handle, not its
        )

    def _unwatch(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is None:
            return
        watcher.kill()  # down.sh already ran; it must not run again on a reused WORKDIR
        watcher.wait()
        if watcher.stdin is not None:
            with contextlib.suppress(OSError):
                watcher.stdin.close()

    def __repr__(self) -> str:
        state = self.url if self.port else "stopped"
        return f"<SciCatBackend {self.version} {state}>"


def _text(value: str | bytes | None) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
