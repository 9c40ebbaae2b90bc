"""A stand-in of DataCite's usage reports API (SASHIMI): a real HTTP server on 127.0.0.1.

It follows what https://github.com/datacite/sashimi does (``ReportsController``, the
``CompressedRequests`` middleware, the ``Report`` model) and documents in its README and in
https://support.datacite.org/docs/usage-reports-api-guide, for the parts the portal uses:

* ``POST /reports`` and ``PUT /reports/{id}`` with ``Authorization: Bearer <token>`` (401
  ``You are not authorized to access this resource.`` without a known token); ``GET /reports/{id}``
  is public (404 for an unknown id).
* A body with ``Content-Encoding: gzip`` is gunzipped first (as the middleware does); a body that
  is not gzip or not JSON is a 400/422.
* A report needs a ``report-header`` with release ``rd1`` and a reporting period inside one month
  (422 ``Reports are monthly, reporting dates need to be within the same month``). A compressed
  report is a gzip body whose header carries the exception with code 69; a gzip body without it is
  refused, like SASHIMI's "Report protocol is incorrect".
* POST: when the same account already has a compressed report with the same ``created-by`` for the
  same month, the body becomes one more subset of it (the way DataCite takes reports of more than
  50,000 datasets); otherwise a new report with a new UUID. 201 either way.
* PUT: the id must be a UUID (422 otherwise); an existing report of the same account has its
  subsets replaced by this body (200), an unknown id is created (201); someone else's is 401.
* Answers ``{"report": {"id": ..., "report-header": {...}, "report-datasets": []}}``; errors as
  ``{"errors": [{"status": "422", "title": "..."}]}``.
* Every subset is validated against the COUNTER research-data schema DataCite uses
  (``usage/schemas/sushi_usage_schema.json``) at once, with the report's header flattened in, as
  SASHIMI's validator does; SASHIMI validates compressed subsets later in a job, the stand-in
  refuses them with 422 so that a test sees the mistake.

Faults for tests: :meth:`UsageReportsStandIn.fail` (answer a status without doing anything),
:meth:`UsageReportsStandIn.drop` (do the work, then hang up). Every request is in ``seen``.
"""

from __future__ import annotations

import gzip
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema

from tests.standins import LoopbackServer

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "usage" / "schemas" / "sushi_usage_schema.json"
_UNAUTHORIZED = "You are not authorized to access this resource."
_NOT_FOUND = "The resource you are looking for doesn't exist."


def schema_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    return jsonschema.Draft4Validator(schema)


@dataclass
class StoredReport:
    id: str
    user: str
    header: dict[str, Any]
    subsets: list[list[dict[str, Any]]]  # the datasets of each subset, in the order received

    @property
    def datasets(self) -> list[dict[str, Any]]:
        return [d for subset in self.subsets for d in subset]

    def month(self) -> tuple[int, int]:
        begin = date.fromisoformat(self.header["reporting-period"]["begin-date"])
        return begin.year, begin.month

    def document(self) -> dict[str, Any]:
        return {"report": {"id": self.id, "report-header": self.header, "report-datasets": []}}


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    document: Any = None
    status: int | None = None


@dataclass
class _State:
    tokens: dict[str, str]  # token -> account
    reports: dict[str, StoredReport] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    faults: list[tuple[str, str | None, int]] = field(default_factory=list)  # kind, method, status
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Problem(Exception):
    def __init__(self, status: int, *titles: str) -> None:
        super().__init__(status, titles)
        self.status = status
        self.titles = titles


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read ``seen``."""

    def _send(self, status: int, doc: Any) -> None:
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _user(self) -> str:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        user = self.server.state.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise _Problem(401, _UNAUTHORIZED)
        return user

    def _document(self, seen: Seen) -> tuple[dict[str, Any], bool]:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        compressed = self.headers.get("Content-Encoding", "").lower() == "gzip"
        if compressed:
            try:
                raw = gzip.decompress(raw)
            except (OSError, EOFError) as exc:
                raise _Problem(400, f"not in gzip format: {exc}") from None
        try:
            doc = json.loads(raw)
        except ValueError:
            raise _Problem(
                422, "You need to provide a payload following the SUSHI specification"
            ) from None
        seen.document = doc
        if not isinstance(doc, dict) or not isinstance(doc.get("report-header"), dict):
            raise _Problem(422, "You need to provide a payload following the SUSHI specification")
        return doc, compressed

    def _handle(self, method: str) -> None:
        state = self.server.state
        path = urlsplit(self.path).path.rstrip("/")
        seen = Seen(method, path, {k.lower(): v for k, v in self.headers.items()})
        with state.lock:
            state.seen.append(seen)
            fault = self.server.take_fault(method)
        if fault is not None and fault[0] == "fail":
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.status = fault[2]
            self._send(fault[2], {"errors": [{"status": str(fault[2]), "title": "Fault"}]})
            return
        try:
            with state.lock:
                status, doc = self._route(method, path, seen)
        except _Problem as problem:
            status = problem.status
            doc = {"errors": [{"status": str(status), "title": t} for t in problem.titles]}
        if fault is not None and fault[0] == "drop":
            self.close_connection = True
            return
        seen.status = status
        self._send(status, doc)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def _route(self, method: str, path: str, seen: Seen) -> tuple[int, Any]:
        reports = self.server.state.reports
        if path == "/reports" and method == "POST":
            user = self._user()
            doc, compressed = self._document(seen)
            header, datasets = _checked(doc, compressed, self.server.validator)
            month = _month(header)
            for report in reports.values():
                if (
                    compressed
                    and report.user == user
                    and report.header.get("created-by") == header.get("created-by")
                    and report.month() == month
                ):
                    report.subsets.append(datasets)
                    return 201, report.document()
            report = StoredReport(str(uuid.uuid4()), user, header, [datasets])
            reports[report.id] = report
            return 201, report.document()
        if path.startswith("/reports/") and method in {"GET", "PUT"}:
            report_id = path.removeprefix("/reports/")
            if method == "GET":
                if report_id not in reports:
                    raise _Problem(404, _NOT_FOUND)
                return 200, reports[report_id].document()
            user = self._user()
            if not _is_uuid(report_id):
                raise _Problem(422, "Record invalid")
            doc, compressed = self._document(seen)
            header, datasets = _checked(doc, compressed, self.server.validator)
            existing = reports.get(report_id)
            if existing is not None and existing.user != user:
                raise _Problem(401, _UNAUTHORIZED)
            reports[report_id] = StoredReport(report_id, user, header, [datasets])
            return (200 if existing else 201), reports[report_id].document()
        raise _Problem(404, _NOT_FOUND)


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


def _month(header: dict[str, Any]) -> tuple[int, int]:
    period = header.get("reporting-period")
    try:
        begin = date.fromisoformat(period["begin-date"])  # type: ignore[index]
        end = date.fromisoformat(period["end-date"])  # type: ignore[index]
    except (TypeError, KeyError, ValueError):
        raise _Problem(422, "param is missing or the value is empty: reporting_period") from None
    if (begin.year, begin.month) != (end.year, end.month):
        raise _Problem(422, "Reports are monthly, reporting dates need to be within the same month")
    return begin.year, begin.month


def _checked(
    doc: dict[str, Any], compressed: bool, validator: jsonschema.Draft4Validator
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    header = doc["report-header"]
    if header.get("release") != "rd1":
        raise _Problem(422, "Report protocol is incorrect")
    codes = [e.get("code") for e in header.get("exceptions") or [] if isinstance(e, dict)]
    if compressed != (69 in codes):
        raise _Problem(422, "Report protocol is incorrect")
    _month(header)
    datasets = doc.get("report-datasets")
    if not isinstance(datasets, list):
        raise _Problem(422, "param is missing or the value is empty: report_datasets")
    flat = {**header, "report-datasets": datasets}
    errors = sorted(validator.iter_errors(flat), key=lambda e: list(e.absolute_path))
    if errors:
        raise _Problem(
            422, *(f"#/{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in errors)
        )
    return header, datasets


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State
    validator: jsonschema.Draft4Validator

    def take_fault(self, method: str) -> tuple[str, str | None, int] | None:
        for index, fault in enumerate(self.state.faults):
            if fault[1] in (None, method):
                del self.state.faults[index]
                return fault
        return None


class UsageReportsStandIn(LoopbackServer):
    """The stand-in; ``url`` is what ``DATACITE_USAGE_URL`` points at."""

    thread_name = "datacite-usage-standin"

    def __init__(self, tokens: dict[str, str] | None = None) -> None:
        self.state = _State(tokens=dict(tokens or {"stand-in-jwt": "psf.portal"}))
        self._validator = schema_validator()
        super().__init__()

    def _build_server(self, address: tuple[str, int]) -> ThreadingHTTPServer:
        server = _Server(address, _Handler)
        server.state = self.state
        server.validator = self._validator
        return server

    def fail(self, status: int = 503, *, times: int = 1, method: str | None = None) -> None:
        """Answer the next ``times`` requests (of ``method``) with ``status``, doing nothing."""
        with self.state.lock:
            self.state.faults.extend([("fail", method, status)] * times)

    def drop(self, *, times: int = 1, method: str | None = None) -> None:
        """Do the work of the next requests, then hang up without answering."""
        with self.state.lock:
            self.state.faults.extend([("drop", method, 0)] * times)

    @property
    def seen(self) -> list[Seen]:
        with self.state.lock:
            return list(self.state.seen)

    def reports(self) -> dict[str, StoredReport]:
        with self.state.lock:
            return dict(self.state.reports)

    def reset(self) -> None:
        with self.state.lock:
            self.state.reports.clear()
            self.state.seen.clear()
            self.state.faults.clear()
