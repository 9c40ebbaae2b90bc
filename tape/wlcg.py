"""The WLCG Tape REST API (v1): the one module that knows its wire format.

dCache, EOS+CTA and StoRM speak it. What the portal uses of the specification
(github.com/wlcg-storage/wlcg-tape-rest-api, "WLCG Tape REST API reference document" v1):

* Discovery: ``GET /.well-known/wlcg-tape-rest-api`` on the storage's host answers
  ``{"sitename": ..., "description": ..., "endpoints": [{"uri": ..., "version": "v1",
  "metadata": {...}}]}``; the client takes the ``uri`` of the newest ``v1.x`` endpoint and
  calls the resources below it. ``PORTAL_TAPE_REST_URL`` may also name an endpoint directly
  (any URL whose path is not ``/``).
* ``POST {uri}/archiveinfo`` ``{"paths": [...]}`` → 200 ``[{"path": ..., "locality": "DISK" |
  "TAPE" | "DISK_AND_TAPE" | "LOST" | "NONE" | "UNAVAILABLE"} | {"path": ..., "error": ...}]``.
* ``POST {uri}/stage`` ``{"files": [{"path": ..., "diskLifetime": "P7D"}]}`` → 201
  ``{"requestId": ...}`` (and a ``Location`` header).
* ``GET {uri}/stage/{id}`` → 200 ``{"id", "createdAt", "startedAt", "completedAt", "files":
  [{"path", "state": "SUBMITTED" | "STARTED" | "CANCELLED" | "FAILED" | "COMPLETED", "onDisk",
  "error", "startedAt", "finishedAt"}]}`` (times in seconds since the epoch).
* ``POST {uri}/stage/{id}/cancel`` and ``POST {uri}/release/{id}`` ``{"paths": [...]}`` → 200;
  ``DELETE {uri}/stage/{id}`` → 200.
* Errors are RFC 7807 problem details (``application/problem+json``: ``title``, ``status``,
  ``detail``); 404 for an unknown request id.

Authentication: a bearer token (``PORTAL_TAPE_TOKEN``, e.g. a WLCG JWT or a dCache macaroon)
when set. Failures become :class:`TapeUnavailable` (network, timeout, 429, 5xx, an answer that is
not the specification's shape: try again later) or :class:`TapeRejected` (another 4xx, with the
storage's own words). Answers are parsed here, once, into the frozen records below.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import requests

WELL_KNOWN = "/.well-known/wlcg-tape-rest-api"
# Paths per archiveinfo / stage call: storage systems cap a bulk request (dCache: 10,000 by
# default); a smaller batch keeps each answer quick.
BATCH = 1000


class Locality(enum.StrEnum):
    DISK = "DISK"
    TAPE = "TAPE"
    DISK_AND_TAPE = "DISK_AND_TAPE"
    LOST = "LOST"
    NONE = "NONE"
    UNAVAILABLE = "UNAVAILABLE"

    @property
    def online(self) -> bool:
        return self in (Locality.DISK, Locality.DISK_AND_TAPE)


class FileState(enum.StrEnum):
    SUBMITTED = "SUBMITTED"
    STARTED = "STARTED"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"
    COMPLETED = "COMPLETED"


@dataclass(frozen=True, slots=True)
class FileLocality:
    path: str
    locality: Locality | None  # None with an error
    error: str = ""


@dataclass(frozen=True, slots=True)
class StagedFile:
    path: str
    state: FileState
    on_disk: bool
    error: str = ""


@dataclass(frozen=True, slots=True)
class StageStatus:
    id: str
    created_at: datetime | None
    completed_at: datetime | None
    files: tuple[StagedFile, ...]

    @property
    def done(self) -> bool:
        """Every file reached a final state."""
        final = (FileState.COMPLETED, FileState.FAILED, FileState.CANCELLED)
        return all(f.state in final for f in self.files)

    @property
    def online(self) -> bool:
        return all(f.state == FileState.COMPLETED or f.on_disk for f in self.files)

    @property
    def failed(self) -> tuple[StagedFile, ...]:
        return tuple(f for f in self.files if f.state in (FileState.FAILED, FileState.CANCELLED))


class TapeFailure(Exception):
    """Any failed call to the storage system."""


class TapeUnavailable(TapeFailure):
    """No usable answer (network, timeout, 429, 5xx, a malformed answer): try again later."""


class TapeRejected(TapeFailure):
    """The storage refused the request (4xx); the message is its own."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


def _time(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value, tz=UTC)
    return None


def _problem(response: requests.Response) -> str:
    try:
        doc = response.json()
    except ValueError:
        return response.text[:300].strip() or response.reason
    if isinstance(doc, dict):
        parts = [str(doc.get(k)) for k in ("title", "detail") if doc.get(k)]
        if parts:
            return ": ".join(parts)
    return response.reason


def parse_endpoint(document: Any, *, base: str) -> str:
    """The newest v1 endpoint's URI from a discovery document (relative URIs joined to ``base``)."""
    if not isinstance(document, dict) or not isinstance(document.get("endpoints"), list):
        raise TapeUnavailable("the discovery document has no 'endpoints' list")
    found: list[tuple[tuple[int, ...], str]] = []
    for entry in document["endpoints"]:
        if not isinstance(entry, dict):
            continue
        uri, version = entry.get("uri"), str(entry.get("version", ""))
        if not isinstance(uri, str) or not version.startswith("v1"):
            continue
        try:
            key = tuple(int(p) for p in version[1:].split("."))
        except ValueError:
            continue
        if uri.startswith("/"):
            parts = urlsplit(base)
            uri = f"{parts.scheme}://{parts.netloc}{uri}"
        found.append((key, uri.rstrip("/")))
    if not found:
        raise TapeUnavailable("the discovery document offers no v1 endpoint")
    return max(found)[1]


def parse_archiveinfo(document: Any) -> list[FileLocality]:
    if not isinstance(document, list):
        raise TapeUnavailable("archiveinfo did not answer a list")
    out: list[FileLocality] = []
    for entry in document:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            continue
        raw = entry.get("locality")
        try:
            locality = Locality(raw) if raw is not None else None
        except ValueError:
            locality = None
        error = str(entry.get("error") or "")
        if locality is None and not error:
            error = f"unknown locality {raw!r}"
        out.append(FileLocality(entry["path"], locality, error))
    return out


def parse_stage_status(document: Any) -> StageStatus:
    if not isinstance(document, dict) or not isinstance(document.get("files"), list):
        raise TapeUnavailable("the stage request's status has no 'files' list")
    files: list[StagedFile] = []
    for entry in document["files"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            continue
        try:
            state = FileState(str(entry.get("state", "")).upper())
        except ValueError:
            state = FileState.SUBMITTED  # unknown: not final, ask again later
        files.append(
            StagedFile(
                path=entry["path"],
                state=state,
                on_disk=entry.get("onDisk") is True,
                error=str(entry.get("error") or ""),
            )
        )
    return StageStatus(
        id=str(document.get("id", "")),
        created_at=_time(document.get("createdAt")),
        completed_at=_time(document.get("completedAt")),
        files=tuple(files),
    )


class TapeClient:
    """One storage system's Tape REST API. Thread-safe; the endpoint is discovered once."""

    def __init__(self, url: str, *, token: str = "", timeout: float = 30) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._session = requests.Session()
        self._session.headers["Accept"] = "application/json"
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"
        self._endpoint: str | None = None
        self._lock = threading.Lock()

    # --- transport -------------------------------------------------------------------------

    def _request(self, method: str, url: str, body: Any = None) -> requests.Response:
        try:
            response = self._session.request(method, url, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise TapeUnavailable(f"{method} {url}: {exc.__class__.__name__}: {exc}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise TapeUnavailable(f"{method} {url}: {response.status_code} {_problem(response)}")
        if response.status_code >= 400:
            raise TapeRejected(response.status_code, _problem(response))
        return response

    def _json(self, response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise TapeUnavailable(f"{response.url}: the answer is not JSON") from exc

    def endpoint(self) -> str:
        """The v1 endpoint's URI, from the discovery document (asked once)."""
        with self._lock:
            if self._endpoint is None:
                if urlsplit(self.url).path not in ("", "/"):
                    self._endpoint = self.url
                else:
                    response = self._request("GET", self.url + WELL_KNOWN)
                    self._endpoint = parse_endpoint(self._json(response), base=self.url)
            return self._endpoint

    def _call(self, method: str, resource: str, body: Any = None) -> requests.Response:
        return self._request(method, f"{self.endpoint()}/{resource}", body)

    # --- resources ------------------------------------------------------------------------

    def archiveinfo(self, paths: Sequence[str]) -> list[FileLocality]:
        """The locality of each path (in batches of :data:`BATCH`)."""
        out: list[FileLocality] = []
        for start in range(0, len(paths), BATCH):
            batch = list(paths[start : start + BATCH])
            out.extend(
                parse_archiveinfo(self._json(self._call("POST", "archiveinfo", {"paths": batch})))
            )
        return out

    def stage(self, paths: Iterable[str], *, disk_lifetime: str) -> str:
        """Submit one stage request for ``paths``; its id."""
        files = [{"path": p, "diskLifetime": disk_lifetime} for p in paths]
        doc = self._json(self._call("POST", "stage", {"files": files}))
        request_id = doc.get("requestId") if isinstance(doc, dict) else None
        if not isinstance(request_id, str) or not request_id:
            raise TapeUnavailable("the stage answer has no requestId")
        return request_id

    def stage_status(self, request_id: str) -> StageStatus:
        return parse_stage_status(
            self._json(self._call("GET", f"stage/{quote(request_id, safe='')}"))
        )

    def cancel(self, request_id: str, paths: Sequence[str]) -> None:
        self._call("POST", f"stage/{quote(request_id, safe='')}/cancel", {"paths": list(paths)})

    def release(self, request_id: str, paths: Sequence[str]) -> None:
        self._call("POST", f"release/{quote(request_id, safe='')}", {"paths": list(paths)})

    def delete(self, request_id: str) -> None:
        self._call("DELETE", f"stage/{quote(request_id, safe='')}")


_clients: dict[tuple[str, str, float], TapeClient] = {}


def client_from_settings(settings: Any) -> TapeClient | None:
    """The configured client (kept per URL/token), or None without ``PORTAL_TAPE_REST_URL``."""
    url = getattr(settings, "PORTAL_TAPE_REST_URL", "")
    if not url:
        return None
    key = (url, settings.PORTAL_TAPE_TOKEN, float(settings.PORTAL_TAPE_TIMEOUT))
    if key not in _clients:
        _clients[key] = TapeClient(key[0], token=key[1], timeout=key[2])
    return _clients[key]
