"""Loopback stand-ins for remote web APIs (real HTTP servers on 127.0.0.1, in a thread)."""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Self


class LoopbackServer:
    """Starts, stops and addresses a stand-in's HTTP server; subclasses build the server."""

    thread_name = "stand-in"

    def __init__(self, *, port: int = 0) -> None:
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _build_server(self, address: tuple[str, int]) -> ThreadingHTTPServer:
        raise NotImplementedError

    def start(self) -> Self:
        self._server = self._build_server(("127.0.0.1", self._port))
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=self.thread_name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "the stand-in is not running"
        return f"http://127.0.0.1:{self._server.server_address[1]}"
