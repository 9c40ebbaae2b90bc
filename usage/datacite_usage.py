"""DataCite's usage reports API (``/reports``): the one module that knows its wire format.

The API is DataCite's SASHIMI service (https://github.com/datacite/sashimi, the "Usage Reports
API" of https://support.datacite.org/docs/usage-reports-api-guide):

* writes need ``Authorization: Bearer <JWT>``, a token DataCite gives its members (valid for a
  year); reads are public;
* ``POST /reports`` stores a report; a compressed report is sent as the gzip of its JSON with
  ``Content-Type: application/gzip`` and ``Content-Encoding: gzip``. A POST for a month that
  already has a compressed report from the same account (same ``created-by``) adds the body to it
  as one more subset: that is how a report of more than 50,000 datasets is sent, in parts;
* ``PUT /reports/{id}`` replaces the report ``id`` with the body (its subsets start again from
  this one), or creates it under that id (a UUID the sender chooses) when there is none;
* both answer ``{"report": {"id": ..., "report-header": {...}}}``, 201 when the report is new,
  200 when it was replaced; errors come as ``{"errors": [{"status": "422", "title": "..."}]}``
  (401 without a valid token, 404 for an unknown report, 422 for a report that breaks the
  protocol or the schema).

A PUT can be repeated safely; a POST cannot (each one adds a subset). So transient failures
(5xx, 429, timeouts, dropped connections) are retried with exponential backoff for a PUT, and
for a POST only when the request is known not to have arrived (the connection was refused) or
the server answered with an error; a POST whose answer was lost raises :class:`ReportUncertain`
and the caller starts the month again from its PUT. Any other 4xx raises :class:`ReportRejected`
with DataCite's own messages.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import requests

logger = logging.getLogger(__name__)

# The first retry waits about this long, each further one twice as long (up to a minute).
BACKOFF_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 60.0
_TRANSIENT = {429, 500, 502, 503, 504}


class ReportFailure(Exception):
    """Any failed call to the usage reports API."""


class ReportUnavailable(ReportFailure):
    """No usable answer after every retry (5xx, 429, timeout, network): try again later."""


class ReportUncertain(ReportUnavailable):
    """A POST went out but its answer did not come back: DataCite may or may not have it."""


class ReportRejected(ReportFailure):
    """DataCite refused the report (4xx); ``messages`` are its own words."""

    def __init__(self, status: int, messages: list[str]) -> None:
        self.status = status
        self.messages = messages
        text = "; ".join(messages) or "no message"
        super().__init__(f"DataCite refused the usage report (HTTP {status}): {text}")


@dataclass(frozen=True, slots=True)
class Stored:
    """DataCite's answer to a report sent: its id, and whether it was new (201) or replaced."""

    report_id: str
    created: bool


def messages_from(body: bytes) -> list[str]:
    """The titles of a JSON:API ``errors`` list; else the messages of a Rails errors hash; else
    the start of the body."""
    try:
        doc = json.loads(body)
    except ValueError:
        text = " ".join(body.decode("utf-8", "replace").split())[:300]
        return [text] if text else []
    if isinstance(doc, dict) and isinstance(doc.get("errors"), list):
        out = []
        for error in doc["errors"]:
            if isinstance(error, dict):
                title = str(error.get("title") or error.get("detail") or "").strip()
                source = error.get("source")
                out.append(f"{source}: {title}" if isinstance(source, str) and source else title)
        return [m for m in out if m]
    if isinstance(doc, dict):  # {"base": ["..."]}: Rails model errors, as POST answers them
        return [f"{k}: {v}" for k, values in doc.items() for v in _listed(values)]
    return [" ".join(str(doc).split())[:300]]


def _listed(values: object) -> list[object]:
    return values if isinstance(values, list) else [values]


class UsageReportsClient:
    """Sends compressed SUSHI reports to ``base_url`` (``DATACITE_USAGE_URL``)."""

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        timeout: float = 60.0,
        retries: int = 5,
        backoff: float = BACKOFF_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not base_url or not token:
            raise ValueError("the usage reports API needs its URL and a token")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "Content-Type": "application/gzip",
                "Content-Encoding": "gzip",
            }
        )

    @classmethod
    def from_settings(cls) -> UsageReportsClient:
        from django.conf import settings

        return cls(
            base_url=settings.DATACITE_USAGE_URL,
            token=settings.DATACITE_USAGE_TOKEN,
            timeout=settings.DATACITE_USAGE_TIMEOUT,
            retries=settings.DATACITE_USAGE_RETRIES,
        )

    def close(self) -> None:
        self.session.close()

    def put(self, report_id: str, body: bytes) -> Stored:
        """Store ``body`` (a gzip-compressed report) as report ``report_id``, replacing it."""
        return self._send("PUT", f"/reports/{quote(report_id, safe='')}", body)

    def post(self, body: bytes) -> Stored:
        """Add ``body`` to the month's report (a new one, or one more subset of it)."""
        return self._send("POST", "/reports", body)

    def _delay(self, attempt: int) -> float:
        ceiling = min(BACKOFF_MAX_SECONDS, self.backoff * 2**attempt)
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def _send(self, method: str, path: str, body: bytes) -> Stored:
        what = f"{method} {path}"
        for attempt in range(self.retries + 1):
            try:
                response = self.session.request(
                    method, self.base_url + path, data=body, timeout=self.timeout
                )
            except requests.ConnectionError as exc:
                # A refused connection never reached DataCite; anything later may have.
                arrived = not _refused(exc)
                if method == "POST" and arrived:
                    raise ReportUncertain(f"{what}: the answer was lost ({exc})") from exc
                error = f"connection failed ({type(exc).__name__})"
            except requests.Timeout as exc:
                if method == "POST":
                    raise ReportUncertain(f"{what}: no answer in {self.timeout:g} s") from exc
                error = f"timed out after {self.timeout:g} s"
            else:
                if response.status_code in (200, 201):
                    return _stored(response)
                if response.status_code not in _TRANSIENT:
                    raise ReportRejected(response.status_code, messages_from(response.content))
                error = f"HTTP {response.status_code}: " + "; ".join(
                    messages_from(response.content)
                )
            if attempt == self.retries:
                raise ReportUnavailable(f"{what}: {error}; gave up after {attempt} retries")
            delay = self._delay(attempt)
            logger.warning("%s: %s; retry %d in %.1f s", what, error, attempt + 1, delay)
            self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover


def _refused(exc: requests.ConnectionError) -> bool:
    """Whether the request never left: the connection was refused or never set up."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    text = repr(exc)
    return "ConnectionRefused" in text or "NewConnectionError" in text


def _stored(response: requests.Response) -> Stored:
    try:
        doc = response.json()
    except ValueError:
        doc = None
    report = doc.get("report") if isinstance(doc, dict) else None
    report_id = report.get("id") if isinstance(report, dict) else None
    if not isinstance(report_id, str) or not report_id:
        raise ReportUnavailable(f"DataCite answered {response.status_code} without a report id")
    return Stored(report_id=report_id, created=response.status_code == 201)
