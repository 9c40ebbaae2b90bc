"""Requests handed to Django's WSGI handler in the benchmark's process, as a WSGI server hands them.

No sockets and no test client: what is timed is the portal's own request handling (middleware,
view, template, streaming body), not a client library's.
"""

from __future__ import annotations

import gc
from typing import Any


class Wsgi:
    def __init__(self) -> None:
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import RequestFactory

        self.handler = WSGIHandler()
        self.factory = RequestFactory()
        # As portal/wsgi.py does once the application is loaded.
        gc.freeze()
        gc.set_threshold(50_000, 20, 20)

    def get(
        self, path: str, params: dict[str, str] | None = None, *, accept: str = ""
    ) -> tuple[int, bytes]:
        """The status code and the whole body of ``GET path?params``."""
        headers = {"Accept": accept} if accept else {}
        environ = self.factory.get(path, params, headers=headers).environ
        statuses: list[str] = []

        def start_response(status: str, headers: Any, exc_info: Any = None, /) -> Any:
            statuses.append(status)
            return statuses.append

        response = self.handler(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            response.close()
        return int(statuses[0].split()[0]), body
