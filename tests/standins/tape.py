"""A stand-in of a storage system's WLCG Tape REST API (v1): a real HTTP server on 127.0.0.1.

It follows the specification (github.com/wlcg-storage/wlcg-tape-rest-api, reference document v1)
as dCache implements it, for what the portal uses:

* ``GET /.well-known/wlcg-tape-rest-api``: ``{"sitename", "description", "endpoints": [{"uri":
  "<base>/api/v1", "version": "v1", "metadata": {}}]}``.
* ``POST /api/v1/archiveinfo`` ``{"paths": [...]}``: per path ``{"path", "locality"}`` or
  ``{"path", "error": "No such file or directory"}``.
* ``POST /api/v1/stage`` ``{"files": [{"path", "diskLifetime"}]}``: 201 ``{"requestId"}`` with a
  ``Location`` header; a body without files, a file without path or a bad ``diskLifetime`` is a
  400 problem.
* ``GET /api/v1/stage/{id}``: the request with per-file ``state``: ``SUBMITTED``, after
  ``start_seconds`` ``STARTED``, after ``stage_seconds`` ``COMPLETED`` with ``onDisk: true``
  (the file's locality becomes ``DISK_AND_TAPE``); a file already on disk is ``COMPLETED`` at
  once; a lost file ``FAILED`` with an error. Time is the stand-in's own clock, which a test
  moves on with :meth:`TapeStandIn.advance`.
* ``POST /api/v1/stage/{id}/cancel`` ``{"paths"}``: those files ``CANCELLED``; ``POST
  /api/v1/release/{id}`` ``{"paths"}``: the disk copies released (back to ``TAPE``);
  ``DELETE /api/v1/stage/{id}``: the request forgotten. An unknown id is a 404 problem, a path
  not in the request a 400.
* Errors are RFC 7807 problem details (``application/problem+json``).

Faults for tests: :meth:`fail` (answer a status instead of doing anything), :meth:`slow` (wait
before answering), :meth:`lose` (a file becomes LOST). ``token``: when set, requests without
``Authorization: Bearer <token>`` get 401. Every request is in ``seen``.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from tests.standins import LoopbackServer

_LIFETIME = re.compile(r"^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")


@dataclass
class _Request:
    id: str
    created: float
    files: dict[str, dict[str, Any]]  # path -> {"state", "error", "lifetime"}


@dataclass
class _State:
    token: str
    start_seconds: float
    stage_seconds: float
    files: dict[str, str] = field(default_factory=dict)  # path -> locality
    requests: dict[str, _Request] = field(default_factory=dict)
    seen: list[tuple[str, str, Any]] = field(default_factory=list)
    faults: list[list[Any]] = field(default_factory=list)  # [method, prefix, status, times]
    delays: list[list[Any]] = field(default_factory=list)  # [method, prefix, seconds, times]
    offset: float = 0.0
    lock: threading.RLock = field(default_factory=threading.RLock)

    def now(self) -> float:
        return time.time() + self.offset


class _Problem(Exception):
    def __init__(self, status: int, title: str, detail: str = "") -> None:
        super().__init__(status, title)
        self.status, self.title, self.detail = status, title, detail


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read ``seen``."""

    def _send(
        self, status: int, doc: Any, *, problem: bool = False, headers: dict[str, str] | None = None
    ) -> None:
        body = json.dumps(doc).encode()
        self.send_response(status)
        kind = "application/problem+json" if problem else "application/json"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        # The client may have given up waiting (a slow answer injected): nothing to tell it.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise _Problem(400, "Bad Request", "the body is not JSON") from None

    def _handle(self, method: str) -> None:
        state = self.server.state
        path = urlsplit(self.path).path
        try:
            body = self._body() if method in ("POST", "PUT") else None
        except _Problem as exc:
            self._send(
                exc.status,
                {"title": exc.title, "status": exc.status, "detail": exc.detail},
                problem=True,
            )
            return
        with state.lock:
            state.seen.append((method, path, body))
            delay = _take(state.delays, method, path)
            fault = _take(state.faults, method, path)
        if delay:
            time.sleep(delay)
        if fault:
            self._send(fault, {"title": "Injected failure", "status": fault}, problem=True)
            return
        if state.token and self.headers.get("Authorization") != f"Bearer {state.token}":
            self._send(401, {"title": "Unauthorized", "status": 401}, problem=True)
            return
        try:
            status, doc, headers = self.server.route(method, path, body)
        except _Problem as exc:
            doc = {"title": exc.title, "status": exc.status}
            if exc.detail:
                doc["detail"] = exc.detail
            self._send(exc.status, doc, problem=True)
            return
        self._send(status, doc, headers=headers)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")


def _take(rules: list[list[Any]], method: str, path: str) -> Any:
    for rule in rules:
        if (rule[0] in (None, method)) and path.startswith(rule[1]) and rule[3] > 0:
            rule[3] -= 1
            return rule[2]
    return None


def _paths(body: Any) -> list[str]:
    if not isinstance(body, dict) or not isinstance(body.get("paths"), list) or not body["paths"]:
        raise _Problem(
            400, "Bad Request", 'the body must be {"paths": [...]} with at least one path'
        )
    if not all(isinstance(p, str) for p in body["paths"]):
        raise _Problem(400, "Bad Request", "every path must be a string")
    return body["paths"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: _State) -> None:
        super().__init__(address, _Handler)
        self.state = state

    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def route(self, method: str, path: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        state = self.state
        with state.lock:
            if method == "GET" and path == "/.well-known/wlcg-tape-rest-api":
                return (
                    200,
                    {
                        "sitename": "standin-tape",
                        "description": "Loopback stand-in of a dCache Tape REST API",
                        "endpoints": [
                            {"uri": self.base() + "/api/v1", "version": "v1", "metadata": {}}
                        ],
                    },
                    {},
                )
            if method == "POST" and path == "/api/v1/archiveinfo":
                return 200, [self._info(p) for p in _paths(body)], {}
            if method == "POST" and path == "/api/v1/stage":
                return self._stage(body)
            match = re.fullmatch(r"/api/v1/(stage|release)/([^/]+)(/cancel)?", path)
            if match:
                request = state.requests.get(unquote(match.group(2)))
                if request is None:
                    raise _Problem(404, "Not Found", "no such stage request")
                kind, cancel = match.group(1), bool(match.group(3))
                if kind == "stage" and method == "GET" and not cancel:
                    return 200, self._status(request), {}
                if kind == "stage" and method == "DELETE" and not cancel:
                    del state.requests[request.id]
                    return 200, None, {}
                if method == "POST" and (cancel or kind == "release"):
                    paths = _paths(body)
                    unknown = [p for p in paths if p not in request.files]
                    if unknown:
                        raise _Problem(400, "Bad Request", f"not in the request: {unknown[0]}")
                    for p in paths:
                        if cancel:
                            self._advance(request)
                            if request.files[p]["state"] != "COMPLETED":
                                request.files[p]["state"] = "CANCELLED"
                        elif state.files.get(p) == "DISK_AND_TAPE":
                            state.files[p] = "TAPE"
                    return 200, None, {}
            raise _Problem(404 if method in ("GET", "POST", "DELETE") else 405, "Not Found")

    def _info(self, path: str) -> dict[str, Any]:
        locality = self.state.files.get(path)
        if locality is None:
            return {"path": path, "error": "No such file or directory"}
        return {"path": path, "locality": locality}

    def _stage(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("files"), list)
            or not body["files"]
        ):
            raise _Problem(
                400, "Bad Request", 'the body must be {"files": [...]} with at least one file'
            )
        files: dict[str, dict[str, Any]] = {}
        for entry in body["files"]:
            if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
                raise _Problem(400, "Bad Request", "every file needs a path")
            lifetime = entry.get("diskLifetime", "P1D")
            if not isinstance(lifetime, str) or not _LIFETIME.match(lifetime):
                raise _Problem(
                    400, "Bad Request", f"diskLifetime is not an ISO 8601 duration: {lifetime!r}"
                )
            files[entry["path"]] = {"state": "SUBMITTED", "error": "", "lifetime": lifetime}
        request = _Request(str(uuid.uuid4()), self.state.now(), files)
        self.state.requests[request.id] = request
        location = f"{self.base()}/api/v1/stage/{request.id}"
        return 201, {"requestId": request.id}, {"Location": location}

    def _advance(self, request: _Request) -> None:
        state = self.state
        age = state.now() - request.created
        for path, item in request.files.items():
            if item["state"] in ("COMPLETED", "FAILED", "CANCELLED"):
                continue
            locality = state.files.get(path)
            if locality is None or locality in ("LOST", "NONE", "UNAVAILABLE"):
                item["state"] = "FAILED"
                item["error"] = (
                    "No such file or directory" if locality is None else f"File is {locality}"
                )
            elif locality in ("DISK", "DISK_AND_TAPE") or age >= state.stage_seconds:
                item["state"] = "COMPLETED"
                if locality == "TAPE":
                    state.files[path] = "DISK_AND_TAPE"
            elif age >= state.start_seconds:
                item["state"] = "STARTED"

    def _status(self, request: _Request) -> dict[str, Any]:
        self._advance(request)
        states = [f["state"] for f in request.files.values()]
        done = all(s in ("COMPLETED", "FAILED", "CANCELLED") for s in states)
        files = []
        for path, item in request.files.items():
            entry: dict[str, Any] = {"path": path, "state": item["state"]}
            entry["onDisk"] = self.state.files.get(path) in ("DISK", "DISK_AND_TAPE")
            if item["error"]:
                entry["error"] = item["error"]
            files.append(entry)
        doc: dict[str, Any] = {"id": request.id, "createdAt": int(request.created), "files": files}
        if any(s != "SUBMITTED" for s in states):
            doc["startedAt"] = int(request.created + self.state.start_seconds)
        if done:
            doc["completedAt"] = int(self.state.now())
        return doc


class TapeStandIn(LoopbackServer):
    """The stand-in server; ``files`` maps each path it stores to its locality."""

    thread_name = "tape-standin"

    def __init__(
        self,
        *,
        files: dict[str, str] | None = None,
        token: str = "",
        start_seconds: float = 60,
        stage_seconds: float = 600,
        port: int = 0,
    ) -> None:
        super().__init__(port=port)
        self.state = _State(token=token, start_seconds=start_seconds, stage_seconds=stage_seconds)
        self.state.files.update(files or {})

    def _build_server(self, address: tuple[str, int]) -> ThreadingHTTPServer:
        return _Server(address, self.state)

    # --- test controls ----------------------------------------------------------------------

    @property
    def seen(self) -> list[tuple[str, str, Any]]:
        return self.state.seen

    def put(self, path: str, locality: str = "TAPE") -> None:
        with self.state.lock:
            self.state.files[path] = locality

    def lose(self, path: str) -> None:
        self.put(path, "LOST")

    def locality(self, path: str) -> str | None:
        return self.state.files.get(path)

    def advance(self, seconds: float) -> None:
        """Move the stand-in's clock on (stage requests progress with it)."""
        with self.state.lock:
            self.state.offset += seconds

    def fail(
        self, status: int, *, method: str | None = None, path: str = "/", times: int = 1
    ) -> None:
        with self.state.lock:
            self.state.faults.append([method, path, status, times])

    def slow(
        self, seconds: float, *, method: str | None = None, path: str = "/", times: int = 1
    ) -> None:
        with self.state.lock:
            self.state.delays.append([method, path, seconds, times])

    def stage_requests(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [
                {
                    "id": r.id,
                    "paths": sorted(r.files),
                    "lifetimes": {f["lifetime"] for f in r.files.values()},
                }
                for r in self.state.requests.values()
            ]

    def reset(self) -> None:
        with self.state.lock:
            self.state.files.clear()
            self.state.requests.clear()
            self.state.seen.clear()
            self.state.faults.clear()
            self.state.delays.clear()
            self.state.offset = 0.0
