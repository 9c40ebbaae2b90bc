"""A throwaway Redis server."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.servers.base import _Server, free_port
from tests.servers.programs import redis_missing


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
