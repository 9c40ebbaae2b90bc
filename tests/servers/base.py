"""What every throwaway server shares: free ports, the errors, and :class:`_Server` (a temporary
directory, a process started with a parent-death signal, waiting until it answers, its log's tail
when it does not, stopping it and removing the directory)."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any, ClassVar, Self

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
