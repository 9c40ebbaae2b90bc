"""A DataCite REST API stand-in: a real HTTP server on 127.0.0.1, in a thread of the test process.

It follows the parts of https://support.datacite.org/reference the portal uses, closely enough
that the portal's client cannot tell it from DataCite (only ``DATACITE_URL`` differs):

* ``POST /dois`` creates a DOI (``attributes.doi``, or ``prefix`` for a generated suffix);
  ``PUT /dois/{doi}`` updates the attributes it is given, or creates the DOI when nobody has it;
  ``GET /dois/{doi}``; ``DELETE /dois/{doi}`` for drafts only.
* JSON:API bodies ``{"data": {"type": "dois", "attributes": {...}}}``; answers carry the DOI's
  ``state`` and ``relationships.client``.
* States ``draft`` / ``registered`` / ``findable``, moved by ``event``: ``publish`` (draft or
  registered → findable), ``register`` (draft → registered), ``hide`` (findable → registered).
  A registered or findable DOI needs a ``url`` and metadata valid against DataCite kernel 4.7
  (:mod:`publishing.kernel`: the ``datacite`` package's 4.5 schema with the values added since,
  which DataCite accepts since March 2026); otherwise 422 with one error per problem.
* HTTP Basic auth with repository accounts that own prefixes: 401 on bad credentials, 403 for
  someone else's prefix or DOI. Without credentials, GET shows findable DOIs only.
* Errors as ``{"errors": [{"status": "422", "title": "...", "source": "..."}]}``: 422 for
  invalid metadata and for "This DOI has already been taken", 404 for an unknown DOI.

Faults for tests: :meth:`DataCiteStandIn.fail` (answer with a status, e.g. 503),
:meth:`DataCiteStandIn.drop` (do the work, then hang up without answering: the client never
learns that it worked) and :meth:`DataCiteStandIn.stall` (answer only after a delay, after doing
the work: a client timeout). Every request is kept in :attr:`DataCiteStandIn.seen`.

A little over 400 lines as one stand-in of one HTTP API: its records, the handler that plays the
routes and the faults, and the server tests start.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from publishing.kernel import validator as kernel_validator
from tests.standins import LoopbackServer

SCHEMA_VERSION = "http://datacite.org/schema/kernel-4"
# Attributes DataCite manages itself; they are answered, never taken from a request.
_MANAGED = {"state", "created", "registered", "published", "updated", "isActive", "event"}
_TRANSITIONS = {
    "publish": ({"draft", "registered", "findable"}, "findable"),
    "register": ({"draft", "registered"}, "registered"),
    "hide": ({"findable", "registered"}, "registered"),
}


@dataclass
class Account:
    password: str
    prefixes: tuple[str, ...]


@dataclass
class StoredDoi:
    doi: str
    client: str
    state: str
    attributes: dict[str, Any]
    created: str
    updated: str

    def document(self) -> dict[str, Any]:
        prefix, _, suffix = self.doi.partition("/")
        attributes = {
            **self.attributes,
            "doi": self.doi,
            "prefix": prefix,
            "suffix": suffix,
            "state": self.state,
            "isActive": self.state == "findable",
            "created": self.created,
            "updated": self.updated,
        }
        return {
            "data": {
                "id": self.doi,
                "type": "dois",
                "attributes": attributes,
                "relationships": {"client": {"data": {"id": self.client, "type": "clients"}}},
            }
        }


@dataclass
class Seen:
    """One request as the stand-in saw it, and the status it answered (None: no answer)."""

    method: str
    path: str
    user: str
    body: Any
    status: int | None = None


@dataclass
class _Fault:
    kind: str  # "fail", "drop" or "stall"
    method: str | None
    times: int
    status: int = 503
    seconds: float = 0.0


@dataclass
class _State:
    accounts: dict[str, Account]
    dois: dict[str, StoredDoi] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    faults: list[_Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Problem(Exception):
    def __init__(self, status: int, *errors: tuple[str, str]) -> None:
        super().__init__(status, errors)
        self.status = status
        self.errors = errors


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _metadata_problems(attributes: dict[str, Any]) -> list[tuple[str, str]]:
    """What stops these attributes from being registered: (source, message) pairs."""
    doc = {k: v for k, v in attributes.items() if k in kernel_validator.schema["properties"]}
    doc.pop("event", None)
    doc.setdefault("schemaVersion", SCHEMA_VERSION)
    problems = []
    if not attributes.get("url"):
        problems.append(("url", "can't be blank"))
    for error in sorted(kernel_validator.iter_errors(doc), key=lambda e: list(e.path)):
        path = [str(p) for p in error.absolute_path]
        if error.validator == "required" and not path:
            missing = error.message.split("'")[1] if "'" in error.message else ""
            problems.append((missing, f"{missing} can't be blank"))
        else:
            problems.append((".".join(path) or "metadata", error.message))
    return problems


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read :attr:`DataCiteStandIn.seen` instead."""

    # -- plumbing --------------------------------------------------------------------------------

    def _user(self) -> str | None:
        """The authenticated account; None without credentials; raises 401 on bad ones."""
        header = self.headers.get("Authorization", "")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        try:
            user, _, password = base64.b64decode(token).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise _Problem(401, ("", "Bad credentials.")) from None
        account = self.server.state.accounts.get(user.lower())
        if scheme.lower() != "basic" or account is None or account.password != password:
            raise _Problem(401, ("", "Bad credentials."))
        return user.lower()

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise _Problem(
                400, ("", "You need to provide a payload following the JSONAPI spec")
            ) from None

    def _send(self, status: int, doc: Any | None) -> None:
        body = b"" if doc is None else json.dumps(doc).encode()
        self.send_response(status)
        if body:
            self.send_header("Content-Type", "application/vnd.api+json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _doi_from_path(self, path: str) -> str:
        return unquote(path.removeprefix("/dois/")).strip().lower()

    def _handle(self, method: str) -> None:
        state = self.server.state
        path = urlsplit(self.path).path
        seen = Seen(method=method, path=path, user="", body=None)
        with state.lock:
            state.seen.append(seen)
            fault = self.server.take_fault(method)
        if fault is not None and fault.kind == "fail":
            seen.status = fault.status
            self._send(fault.status, {"errors": [{"status": str(fault.status), "title": "Fault"}]})
            return
        try:
            user = self._user()
            seen.user = user or ""
            body = self._body() if method in {"POST", "PUT"} else None
            seen.body = body
            with state.lock:
                status, doc = self._route(method, path, user, body)
        except _Problem as problem:
            status = problem.status
            doc = {
                "errors": [
                    {"status": str(problem.status), "source": source, "title": title}
                    for source, title in problem.errors
                ]
            }
        if fault is not None and fault.kind == "drop":
            self.close_connection = True  # the work is done, the answer never comes
            return
        if fault is not None and fault.kind == "stall":
            time.sleep(fault.seconds)
        seen.status = status
        with contextlib.suppress(OSError):  # the client gave up waiting
            self._send(status, doc)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # -- the API ---------------------------------------------------------------------------------

    def _route(
        self, method: str, path: str, user: str | None, body: Any
    ) -> tuple[int, dict[str, Any] | None]:
        if path == "/heartbeat" and method == "GET":
            return 200, {"status": "OK"}
        if path == "/dois" and method == "POST":
            return self._create(self._require(user), _attributes(body), put_doi=None)
        if path.startswith("/dois/") and len(path) > len("/dois/"):
            doi = self._doi_from_path(path)
            if method == "GET":
                return self._get(user, doi)
            if method == "PUT":
                return self._update(self._require(user), doi, _attributes(body))
            if method == "DELETE":
                return self._delete(self._require(user), doi)
        raise _Problem(404, ("", "The resource you are looking for doesn't exist."))

    def _require(self, user: str | None) -> str:
        if user is None:
            raise _Problem(401, ("", "Bad credentials."))
        return user

    def _owned(self, user: str, doi: str) -> StoredDoi:
        stored = self.server.state.dois.get(doi)
        if stored is None:
            raise _Problem(404, ("", "The resource you are looking for doesn't exist."))
        if stored.client != user:
            raise _Problem(403, ("", "You are not authorized to access this resource."))
        return stored

    def _get(self, user: str | None, doi: str) -> tuple[int, dict[str, Any]]:
        stored = self.server.state.dois.get(doi)
        if stored is None or (stored.state != "findable" and stored.client != user):
            raise _Problem(404, ("", "The resource you are looking for doesn't exist."))
        return 200, stored.document()

    def _create(
        self, user: str, attributes: dict[str, Any], *, put_doi: str | None
    ) -> tuple[int, dict[str, Any]]:
        account = self.server.state.accounts[user]
        doi = put_doi or str(attributes.get("doi") or "").strip().lower()
        if not doi:
            prefix = str(attributes.get("prefix") or "")
            doi = f"{prefix}/{secrets.token_hex(4)}-{secrets.token_hex(2)}".lower()
        prefix = doi.partition("/")[0]
        if prefix not in account.prefixes:
            raise _Problem(403, ("", "You are not authorized to access this resource."))
        if doi in self.server.state.dois:
            raise _Problem(422, ("doi", "This DOI has already been taken"))
        event = attributes.get("event")
        state = _next_state("draft", event)
        kept = {k: v for k, v in attributes.items() if k not in _MANAGED}
        if state != "draft" and (problems := _metadata_problems(kept)):
            raise _Problem(422, *problems)
        now = _now()
        stored = StoredDoi(doi, user, state, kept, now, now)
        self.server.state.dois[doi] = stored
        return 201, stored.document()

    def _update(
        self, user: str, doi: str, attributes: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        if doi not in self.server.state.dois:
            return self._create(user, attributes, put_doi=doi)
        stored = self._owned(user, doi)
        state = _next_state(stored.state, attributes.get("event"))
        kept = {
            **stored.attributes,
            **{k: v for k, v in attributes.items() if k not in _MANAGED and k != "doi"},
        }
        if state != "draft" and (problems := _metadata_problems(kept)):
            raise _Problem(422, *problems)
        stored.attributes, stored.state, stored.updated = kept, state, _now()
        return 200, stored.document()

    def _delete(self, user: str, doi: str) -> tuple[int, None]:
        stored = self._owned(user, doi)
        if stored.state != "draft":
            raise _Problem(405, ("", "This method is not allowed for this resource."))
        del self.server.state.dois[doi]
        return 204, None


def _attributes(body: Any) -> dict[str, Any]:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or data.get("type") not in (None, "dois"):
        raise _Problem(400, ("", "You need to provide a payload following the JSONAPI spec"))
    attributes = data.get("attributes")
    if not isinstance(attributes, dict):
        raise _Problem(400, ("", "You need to provide a payload following the JSONAPI spec"))
    return attributes


def _next_state(state: str, event: Any) -> str:
    if event in (None, ""):
        return state
    if event not in _TRANSITIONS:
        raise _Problem(422, ("event", f"Event {event!r} is not known"))
    sources, target = _TRANSITIONS[event]
    if state not in sources:
        raise _Problem(422, ("event", f"Event {event!r} cannot be fired from state {state!r}"))
    return target


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State

    def take_fault(self, method: str) -> _Fault | None:
        for fault in self.state.faults:
            if fault.times > 0 and fault.method in (None, method):
                fault.times -= 1
                return fault
        return None


class DataCiteStandIn(LoopbackServer):
    """The stand-in server; ``url`` is what ``DATACITE_URL`` points at."""

    thread_name = "datacite-standin"

    def __init__(self, accounts: dict[str, tuple[str, tuple[str, ...]]] | None = None) -> None:
        accounts = accounts or {"psf.portal": ("stand-in-password", ("10.99999",))}
        self.state = _State(
            accounts={
                user.lower(): Account(pw, prefixes) for user, (pw, prefixes) in accounts.items()
            }
        )
        super().__init__()

    def _build_server(self, address: tuple[str, int]) -> ThreadingHTTPServer:
        server = _Server(address, _Handler)
        server.state = self.state
        return server

    # -- faults ----------------------------------------------------------------------------------

    def fail(self, status: int = 503, *, times: int = 1, method: str | None = None) -> None:
        """Answer the next ``times`` requests (of ``method``) with ``status``, doing nothing."""
        with self.state.lock:
            self.state.faults.append(_Fault("fail", method, times, status=status))

    def drop(self, *, times: int = 1, method: str | None = None) -> None:
        """Carry out the next requests, then hang up without answering."""
        with self.state.lock:
            self.state.faults.append(_Fault("drop", method, times))

    def stall(self, seconds: float, *, times: int = 1, method: str | None = None) -> None:
        """Carry out the next requests, but answer only after ``seconds``."""
        with self.state.lock:
            self.state.faults.append(_Fault("stall", method, times, seconds=seconds))

    # -- what happened ---------------------------------------------------------------------------

    @property
    def seen(self) -> list[Seen]:
        with self.state.lock:
            return list(self.state.seen)

    def requests(self, method: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method]

    def dois(self) -> dict[str, StoredDoi]:
        with self.state.lock:
            return dict(self.state.dois)

    def doi(self, doi: str) -> StoredDoi:
        with self.state.lock:
            return self.state.dois[doi.lower()]

    def add(self, doi: str, *, client: str, state: str, attributes: dict[str, Any]) -> StoredDoi:
        """A DOI that exists already (registered by someone or something else)."""
        now = _now()
        stored = StoredDoi(doi.lower(), client.lower(), state, dict(attributes), now, now)
        with self.state.lock:
            self.state.dois[stored.doi] = stored
        return stored

    def reset(self) -> None:
        with self.state.lock:
            self.state.dois.clear()
            self.state.seen.clear()
            self.state.faults.clear()

    def iter_dois(self) -> Iterator[StoredDoi]:
        yield from self.dois().values()
