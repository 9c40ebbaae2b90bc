"""Structured logs: one JSON object per line, each with the request id of the request (or Celery
task) it belongs to, and no secret in any of them.

- :func:`request_id` (middleware, first in the chain) takes the ``X-Request-ID`` a proxy sent
  when it looks like an id (letters, digits, ``.-_``, at most 128), else makes one, and sends it
  back in the response's ``X-Request-ID``; Celery tasks log their task id the same way
  (``portal/celery.py``).
- :class:`RequestIdFilter` puts it on every log record as ``request_id``.
- :class:`JsonFormatter` writes ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``,
  ``request_id``, whatever the call passed in ``extra=`` (``pid``, ``doi``, ``run`` ...) and the
  traceback. Values of the settings that hold secrets (``SECRET_KEY``, passwords, tokens, the
  database password) are replaced by ``[redacted]`` wherever they appear, and so are the values of
  extra keys that name a secret (``password``, ``token``, ``authorization`` ...).

``LOG_FORMAT=plain`` keeps the one-line text format for a developer's terminal (the default with
``DEBUG``).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_current: ContextVar[str] = ContextVar("portal_request_id", default="")

# Attributes every LogRecord has: anything else on a record came from ``extra=``.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}
_SECRET_KEYS = re.compile(r"passw|secret|token|authori[sz]ation|cookie|api[_-]?key", re.I)
_SECRET_SETTINGS = (
    "SECRET_KEY",
    "DATACITE_PASSWORD",
    "DATACITE_USAGE_TOKEN",
    "SCICAT_PASSWORD",
    "SCICAT_TOKEN",
)
REDACTED = "[redacted]"


def set_request_id(value: str) -> object:
    """Make ``value`` the id of what runs now; returns a token for :func:`reset_request_id`."""
    return _current.set(value)


def reset_request_id(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def _chosen(given: str) -> str:
    return given if _VALID_ID.fullmatch(given) else uuid.uuid4().hex


def request_began(environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """``request_started``: the id holds until the response is closed, so Django's own request
    log (written after the middleware returned) carries it too."""
    _current.set(_chosen(str((environ or {}).get("HTTP_X_REQUEST_ID", ""))))


def request_ended(**kwargs: Any) -> None:
    """``request_finished``."""
    _current.set("")


def request_id(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Middleware: the request's id in the ``X-Request-ID`` response header."""

    def middleware(request: HttpRequest) -> HttpResponse:
        value = _current.get()
        if not value:  # no request_started (a RequestFactory request)
            value = _chosen(request.headers.get(REQUEST_ID_HEADER, ""))
            _current.set(value)
        response = get_response(request)
        response.headers[REQUEST_ID_HEADER] = value
        return response

    return middleware


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True


@lru_cache(maxsize=1)
def _secrets() -> tuple[str, ...]:
    """The secret values the settings hold, longest first (read once: settings do not change)."""
    from django.conf import settings

    found: list[str] = []
    if settings.configured:
        found = [str(getattr(settings, name, "") or "") for name in _SECRET_SETTINGS]
        for database in settings.DATABASES.values():
            found.append(str(database.get("PASSWORD", "") or ""))
    # Short values (an empty password, "x") would redact ordinary words.
    return tuple(sorted({s for s in found if len(s) >= 6}, key=len, reverse=True))


def redact(text: str) -> str:
    for secret in _secrets():
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _plain(value: object) -> object:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or _current.get(),
        }
        for key, value in record.__dict__.items():
            if key in _STANDARD or key.startswith("_"):
                continue
            entry[key] = REDACTED if _SECRET_KEYS.search(key) else _plain(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return redact(json.dumps(entry, ensure_ascii=False, default=str))


class PlainFormatter(logging.Formatter):
    """The text format, with the request id and the secrets taken out as well."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
