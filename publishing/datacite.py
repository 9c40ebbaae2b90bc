"""DataCite's REST API: the one module that knows its wire format.

Built on the ``datacite`` package's :class:`~datacite.DataCiteRESTClient`, with three things the
portal needs on top of it:

* every request and its answer is handed to an ``on_call`` callback (the audit log); the
  password never is, since it only travels in the Authorization header;
* answers are parsed once, here, into :class:`DoiRecord` (a DOI as DataCite holds it);
* failures become one of two exceptions: :class:`DataCiteUnavailable` (network trouble, a
  timeout, 429 or 5xx: try again later) or :class:`DataCiteRejected` (any other 4xx, with
  DataCite's own messages; :class:`DoiTaken` when the DOI exists already).

JSON:API bodies: ``{"data": {"type": "dois", "attributes": {...}}}``; errors come back as
``{"errors": [{"status": "422", "title": "...", "source": "..."}]}``. DOI states are ``draft``,
``registered`` (resolves, not in DataCite's search) and ``findable``; the ``event`` attribute
moves between them: ``publish`` (draft/registered → findable), ``register`` (draft →
registered) and ``hide`` (findable → registered).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests
from datacite import DataCiteRESTClient
from datacite.errors import DataCiteError, HttpError
from datacite.request import DataCiteRequest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# How much of an answer the audit log keeps.
MAX_LOGGED_BODY = 20_000


@dataclass(frozen=True, slots=True)
class Call:
    """One request to DataCite and what came back (``status`` is None when nothing did)."""

    method: str
    path: str
    request_body: str
    status: int | None
    response_body: str
    error: str
    duration_ms: int


@dataclass(frozen=True, slots=True)
class Problem:
    """One of DataCite's error messages: what it is about (``source``) and what is wrong."""

    source: str
    title: str

    def __str__(self) -> str:
        return f"{self.source}: {self.title}" if self.source else self.title


@dataclass(frozen=True, slots=True)
class DoiRecord:
    """A DOI as DataCite holds it."""

    doi: str
    state: str
    url: str
    client_id: str
    attributes: Mapping[str, Any] = field(default_factory=dict)


class DataCiteFailure(Exception):
    """Any failed call to DataCite."""


class DataCiteUnavailable(DataCiteFailure):
    """No usable answer (network error, timeout, 429, 5xx): the same call may work later."""


class DataCiteRejected(DataCiteFailure):
    """DataCite refused the request (4xx); ``problems`` are its messages."""

    def __init__(self, status: int, problems: list[Problem]) -> None:
        self.status = status
        self.problems = problems
        text = "; ".join(str(p) for p in problems) or "no message"
        super().__init__(f"DataCite refused the request (HTTP {status}): {text}")


class DoiTaken(DataCiteRejected):
    """422: "This DOI has already been taken"."""


def problems_from(body: str) -> list[Problem]:
    """DataCite's JSON:API error messages, or the start of a body that has none."""
    try:
        doc = json.loads(body)
    except ValueError:
        text = " ".join(body.split())[:300]
        return [Problem("", text)] if text else []
    errors = doc.get("errors") if isinstance(doc, dict) else None
    if not isinstance(errors, list):
        return [Problem("", " ".join(body.split())[:300])]
    out = []
    for error in errors:
        if not isinstance(error, dict):
            continue
        source = error.get("source", "")
        if isinstance(source, dict):  # JSON:API's {"pointer": "/data/attributes/creators"}
            source = str(source.get("pointer") or source.get("parameter") or "")
            source = source.removeprefix("/data/attributes/")
        title = str(error.get("title") or error.get("detail") or "").strip()
        out.append(Problem(str(source or ""), title))
    return out


def _record(doc: Any) -> DoiRecord:
    data = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("attributes"), dict):
        raise DataCiteUnavailable("DataCite answered without a DOI record")
    attributes = data["attributes"]
    client = (((data.get("relationships") or {}).get("client") or {}).get("data")) or {}
    return DoiRecord(
        doi=str(attributes.get("doi") or data.get("id") or "").lower(),
        state=str(attributes.get("state") or ""),
        url=str(attributes.get("url") or ""),
        client_id=str(client.get("id") or "") if isinstance(client, dict) else "",
        attributes=attributes,
    )


class _RecordingRequest(DataCiteRequest):
    """The package's request, timed, with each answer kept and reported."""

    def __init__(self, owner: _RecordingRESTClient, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._owner = owner

    def request(
        self,
        url: str,
        method: str = "GET",
        body: Any = None,
        params: Any = None,
        headers: Any = None,
    ) -> requests.Response:
        started = time.monotonic()
        self._owner.last_response = None
        try:
            response: requests.Response = super().request(url, method, body, params, headers)
        except HttpError as exc:
            self._owner.report(method, url, body, None, "", _describe(exc), started)
            raise
        self._owner.last_response = response
        self._owner.report(method, url, body, response.status_code, response.text, "", started)
        return response


def _describe(exc: HttpError) -> str:
    cause = exc.args[0] if exc.args else exc
    if isinstance(cause, requests.Timeout):
        return f"timed out ({type(cause).__name__})"
    if isinstance(cause, requests.ConnectionError):
        return f"connection failed ({type(cause).__name__})"
    return f"{type(cause).__name__}: {cause}"[:500]


class _RecordingRESTClient(DataCiteRESTClient):
    def __init__(self, *, on_call: Callable[[Call], None] | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_call = on_call
        self.last_response: requests.Response | None = None

    def _create_request(self) -> DataCiteRequest:
        return _RecordingRequest(
            self,
            base_url=self.api_url,
            username=self.username,
            password=self.password,
            timeout=self.timeout,
        )

    def report(
        self,
        method: str,
        url: str,
        body: Any,
        status: int | None,
        text: str,
        error: str,
        started: float,
    ) -> None:
        if self.on_call is None:
            return
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        self.on_call(
            Call(
                method=method,
                path="/" + url.removeprefix(self.api_url).lstrip("/"),
                request_body=str(body or ""),
                status=status,
                response_body=text[:MAX_LOGGED_BODY],
                error=error,
                duration_ms=round((time.monotonic() - started) * 1000),
            )
        )


@dataclass(frozen=True)
class Config:
    url: str
    username: str
    password: str = field(repr=False)
    prefix: str
    timeout: float

    @classmethod
    def from_settings(cls) -> Config:
        if not settings.DATACITE_URL:
            raise ImproperlyConfigured("DATACITE_URL: not set, so DOIs cannot be registered")
        return cls(
            url=settings.DATACITE_URL,
            username=settings.DATACITE_USERNAME,
            password=settings.DATACITE_PASSWORD,
            prefix=settings.DATACITE_PREFIX,
            timeout=settings.DATACITE_TIMEOUT,
        )


def configured() -> bool:
    return bool(settings.DATACITE_URL)


class Client:
    """DOIs of one DataCite repository account."""

    def __init__(self, config: Config, *, on_call: Callable[[Call], None] | None = None) -> None:
        self.config = config
        self._rest = _RecordingRESTClient(
            username=config.username,
            password=config.password,
            prefix=config.prefix,
            url=config.url,
            timeout=config.timeout,
            on_call=on_call,
        )

    @classmethod
    def from_settings(cls, *, on_call: Callable[[Call], None] | None = None) -> Client:
        return cls(Config.from_settings(), on_call=on_call)

    @property
    def prefix(self) -> str:
        return self.config.prefix

    def get(self, doi: str) -> DoiRecord | None:
        """The DOI as DataCite holds it, or None when DataCite does not know it."""
        try:
            self._rest.get_metadata(_path(doi))
        except HttpError as exc:
            raise DataCiteUnavailable(f"GET {doi}: {_describe(exc)}") from exc
        except DataCiteError as exc:
            if self._status() == 404:
                return None
            raise self._failure(f"GET {doi}") from exc
        return self._answer()

    def create(self, *, doi: str, attributes: Mapping[str, Any], event: str | None) -> DoiRecord:
        """``POST /dois``: a new DOI named ``doi`` (DoiTaken when it exists already)."""
        data = _data(doi, attributes, event)
        try:
            self._rest.post_doi(data)
        except HttpError as exc:
            raise DataCiteUnavailable(f"POST {doi}: {_describe(exc)}") from exc
        except DataCiteError as exc:
            raise self._failure(f"POST {doi}") from exc
        return self._answer()

    def update(self, *, doi: str, attributes: Mapping[str, Any], event: str | None) -> DoiRecord:
        """``PUT /dois/{doi}``: replace the attributes given, and move state by ``event``."""
        data = _data(doi, attributes, event)
        try:
            self._rest.put_doi(_path(doi), data)
        except HttpError as exc:
            raise DataCiteUnavailable(f"PUT {doi}: {_describe(exc)}") from exc
        except DataCiteError as exc:
            if self._status() not in (200, 201):  # the package only takes 200 for success
                raise self._failure(f"PUT {doi}") from exc
        return self._answer()

    # -- answers ---------------------------------------------------------------------------------

    def _status(self) -> int | None:
        response = self._rest.last_response
        return None if response is None else response.status_code

    def _answer(self) -> DoiRecord:
        response = self._rest.last_response
        assert response is not None
        try:
            return _record(response.json())
        except ValueError:
            raise DataCiteUnavailable("DataCite answered with something that is not JSON") from None

    def _failure(self, what: str) -> DataCiteFailure:
        response = self._rest.last_response
        if response is None:
            return DataCiteUnavailable(f"{what}: no answer")
        status = response.status_code
        if status == 429 or status >= 500 or status < 400:
            reason = response.reason or ""
            return DataCiteUnavailable(f"{what}: HTTP {status} {reason}".strip())
        problems = problems_from(response.text)
        if status == 422 and any("already been taken" in p.title for p in problems):
            return DoiTaken(status, problems)
        return DataCiteRejected(status, problems)


def _path(doi: str) -> str:
    return quote(doi, safe="/")


def _data(doi: str, attributes: Mapping[str, Any], event: str | None) -> dict[str, Any]:
    attrs = {**attributes, "doi": doi}
    if event:
        attrs["event"] = event
    else:
        attrs.pop("event", None)
    return {"id": doi, "type": "dois", "attributes": attrs}
