"""The SciCat stand-in's HTTP server: requests in, the faults played, answers out."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from tests.standins.scicat.common import _dumps, _Problem
from tests.standins.scicat.store import Seen

if TYPE_CHECKING:
    from tests.standins.scicat.routes import SciCatStandIn


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    standin: SciCatStandIn


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK add 40 ms to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests look at :attr:`SciCatStandIn.seen` instead."""

    def _send(self, status: int, content: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(content)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(content)

    def _handle(self, method: str) -> None:
        standin = self.server.standin
        parts = urlsplit(self.path)
        path = parts.path
        params = parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        auth = self.headers.get("Authorization")
        fault = standin._take_fault(path)
        headers: dict[str, str] = {}
        detail: str | None = None
        if fault is not None and fault.kind == "fail":
            status = fault.status
            content = _dumps({"statusCode": status, "message": "stand-in fault"})
            detail = "stand-in fault"
            if fault.retry_after:
                headers["Retry-After"] = fault.retry_after
        else:
            if fault is not None and fault.kind == "stall":
                with standin._lock:
                    standin.stalled += 1
                time.sleep(fault.seconds)
            try:
                try:
                    body = json.loads(raw_body) if raw_body else None
                except ValueError:
                    raise _Problem(400, "the body is not JSON") from None
                status, content, headers = standin.answer(
                    method, path, params, body, auth, target=self.path
                )
            except _Problem as problem:
                status = problem.status
                content = problem.body()
                detail = problem.message
        # Kept before answering, so a test that has its answer also sees its request here.
        with standin._lock:
            standin._seen.append(Seen(method, path, params, status, auth, detail))
        try:
            if fault is not None and fault.kind == "drop":
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content[: max(1, len(content) // 2)])
                self.wfile.flush()
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(2)
                return
            self._send(status, content, headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")
