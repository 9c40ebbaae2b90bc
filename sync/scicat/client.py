"""SciCat's transport: one HTTP session, the account's login and token, retries, list answers.

Every call has a timeout. 5xx, 429, timeouts and dropped connections are retried with exponential
backoff and full jitter, honouring ``Retry-After``; after ``SCICAT_RETRIES`` retries the call
raises :class:`CatalogueUnavailable` naming the call and the last error. A 401 logs in again once
(tokens expire mid-run); any other 4xx raises :class:`CatalogueRefused`. A list answer holding
records its filter excludes makes the client log in again once, then refuses it
(:meth:`Client._list`).
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
import requests
from requests.adapters import HTTPAdapter

from sync.scicat import filters

logger = logging.getLogger(__name__)

Raw = dict[str, Any]
Version = Literal["v3", "v4"]
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Log in again this long before the token's announced expiry.
TOKEN_MARGIN_SECONDS = 60
# The first retry waits about this long, each further one twice as long (up to a minute).
BACKOFF_SECONDS = 1.0


class CatalogueError(RuntimeError):
    """The catalogue could not be read; the message says which call and why."""


class CatalogueUnavailable(CatalogueError):
    """Transient failures (5xx, timeouts, dropped connections) outlasted every retry."""


class CatalogueRefused(CatalogueError):
    """The catalogue refused the request (4xx): wrong account, bad filter, no permission."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class UnsupportedCatalogue(CatalogueError):
    """The backend is not a SciCat release the portal can read."""


@dataclass(frozen=True)
class ApiConfig:
    url: str
    version: Version = "v4"
    username: str = ""
    password: str = ""
    token: str = ""
    backend: str = "auto"  # "auto", "4" or "5"
    page_size: int = 500
    id_page_size: int = 10_000
    timeout: float = 30.0
    retries: int = 5
    backoff: float = BACKOFF_SECONDS
    backoff_max: float = 60.0
    retry_after_max: float = 300.0  # a longer Retry-After ends the run instead

    @property
    def account(self) -> bool:
        """Whether the sync reads as a (functional) account rather than anonymously."""
        return bool(self.token or (self.username and self.password))

    @classmethod
    def from_settings(cls) -> ApiConfig:
        from django.conf import settings

        version: Version = "v3" if settings.SCICAT_API_VERSION == "v3" else "v4"
        return cls(
            url=settings.SCICAT_URL,
            version=version,
            username=settings.SCICAT_USERNAME,
            password=settings.SCICAT_PASSWORD,
            token=settings.SCICAT_TOKEN,
            backend=settings.SCICAT_BACKEND_VERSION,
            page_size=settings.SCICAT_PAGE_SIZE,
            id_page_size=settings.SCICAT_ID_PAGE_SIZE,
            timeout=float(settings.SCICAT_TIMEOUT),
            retries=settings.SCICAT_RETRIES,
            backoff=BACKOFF_SECONDS,
        )


def decode(content: bytes) -> Any:
    """A JSON answer, decoded: orjson (a page of 500 records with their files is megabytes, and
    decoding is a large share of the sync's CPU), the standard library for what orjson refuses
    but JSON allows (integers beyond 64 bits); ValueError when it is not JSON at all."""
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return json.loads(content)


def _message(content: bytes) -> str:
    """The error message of a SciCat (NestJS) error body, or its first characters."""
    try:
        doc = json.loads(content)
    except ValueError:
        return content[:200].decode("utf-8", "replace").strip()
    if isinstance(doc, dict):
        message = doc.get("message") or doc.get("error") or doc
        if isinstance(message, list):
            message = "; ".join(str(m) for m in message)
        return str(message)[:500]
    return str(doc)[:200]


class Client:
    """The HTTP side of one sync run's reading of a SciCat backend (it keeps the session)."""

    def __init__(
        self,
        config: ApiConfig,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        keepalive: Callable[[], None] | None = None,
    ) -> None:
        self.config = config
        self.v3 = config.version == "v3"
        self.account = config.account
        self._sleep = sleep
        self._keepalive = keepalive or (lambda: None)
        self._token = config.token
        self._token_expires: float | None = None
        self.calls = 0
        self.retried = 0
        if session is None:
            session = requests.Session()
            session.mount("http://", HTTPAdapter(pool_connections=2, pool_maxsize=2))
            session.mount("https://", HTTPAdapter(pool_connections=2, pool_maxsize=2))
            session.headers.update(
                {"Accept": "application/json", "User-Agent": "photon-data-portal-sync"}
            )
        self.session = session

    def close(self) -> None:
        self.session.close()

    def _can_login(self) -> bool:
        return bool(self.config.username and self.config.password)

    def login(self) -> None:
        """Log in with the functional account; the token is kept for the following calls."""
        answer = self._call(
            "POST",
            "/api/v3/auth/login",
            body={"username": self.config.username, "password": self.config.password},
            authenticated=False,
        )
        token = answer.get("access_token") or answer.get("id") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise CatalogueRefused("POST /api/v3/auth/login: the answer carries no access_token")
        self._token = token
        expires_in = answer.get("expires_in") or answer.get("ttl")
        self._token_expires = (
            time.monotonic() + float(expires_in)
            if isinstance(expires_in, int | float) and expires_in > 0
            else None
        )
        logger.info("logged in to the catalogue as %s", self.config.username)

    def _ensure_token(self) -> None:
        expiring = (
            self._token_expires is not None
            and time.monotonic() > self._token_expires - TOKEN_MARGIN_SECONDS
        )
        if (not self._token or expiring) and self._can_login():
            self.login()
        elif not self._token:
            raise CatalogueRefused("no SCICAT_TOKEN and no SCICAT_USERNAME / SCICAT_PASSWORD")

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        ceiling = min(self.config.backoff_max, self.config.backoff * 2**attempt)
        return random.uniform(ceiling / 2, ceiling)  # jitter, not secrecy

    def _retry_after(self, response: requests.Response) -> float | None:
        value = response.headers.get("Retry-After")
        if not value:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        authenticated: bool = True,
    ) -> Any:
        """One API call with retries; the decoded JSON answer (None for an empty body).

        ``authenticated``: send the account's token (when the sync reads as an account).
        """
        what = f"{method} {path}"
        url = self.config.url + path
        relogged = False
        attempt = 0
        with_token = authenticated and self.account
        while True:
            self._keepalive()
            headers: dict[str, str] = {}
            if with_token:
                self._ensure_token()
                headers["Authorization"] = f"Bearer {self._token}"
            retry_after: float | None = None
            self.calls += 1
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=body,
                    headers=headers,
                    timeout=(self.config.timeout, self.config.timeout),
                )
                content = response.content  # a connection dropped mid-body fails here
            except requests.Timeout as exc:
                error = f"no answer within {self.config.timeout:g} s ({type(exc).__name__})"
            except requests.RequestException as exc:
                error = f"connection failed: {exc}"
            else:
                status = response.status_code
                if status == 401 and with_token and not relogged:
                    if not self._can_login():
                        raise CatalogueRefused(
                            f"{what}: 401, the token is no longer accepted (renew SCICAT_TOKEN, "
                            "or set SCICAT_USERNAME and SCICAT_PASSWORD)",
                            status=401,
                        )
                    logger.info("%s: token expired, logging in again", what)
                    relogged = True
                    self.login()
                    continue
                if status < 400:
                    try:
                        return decode(content) if content.strip() else None
                    except ValueError:
                        error = f"{status} with a body that is not JSON ({len(content)} bytes)"
                elif status in RETRY_STATUSES or status >= 500:
                    error = f"{status} {_message(content)}"
                    retry_after = self._retry_after(response)
                else:
                    raise CatalogueRefused(f"{what}: {status} {_message(content)}", status=status)
            if attempt >= self.config.retries:
                raise CatalogueUnavailable(
                    f"{what}: gave up after {attempt + 1} attempts; last error: {error}"
                )
            if retry_after is not None and retry_after > self.config.retry_after_max:
                raise CatalogueUnavailable(
                    f"{what}: {error}; asked to retry after {retry_after:g} s, "
                    f"longer than the {self.config.retry_after_max:g} s the sync waits"
                )
            delay = self._delay(attempt, retry_after)
            logger.warning("%s: %s; retry %d in %.1f s", what, error, attempt + 1, delay)
            self.retried += 1
            attempt += 1
            self._sleep(delay)

    def _list(
        self,
        path: str,
        filter_: dict[str, Any],
        *,
        param: str = "filter",
        stray: Callable[[Raw], bool] | None = None,
    ) -> list[Raw]:
        """One list answer. ``stray`` tells a record the filter excludes: an answer with any
        means the catalogue ignored the filter. 4.17 reads a token it no longer accepts as no
        token at all (no 401) and then puts a where of its own in place of the caller's: the
        sync logs in again once and asks again, then gives up. Reading on would page forever,
        or take records asked for but not sent as deleted."""
        relogged = False
        while True:
            answer = self._call("GET", path, params={param: filters.dumps(filter_)})
            if answer is None:
                return []
            if not isinstance(answer, list):
                kind = type(answer).__name__
                raise CatalogueRefused(f"GET {path}: expected a JSON array, got {kind}")
            rows = [row for row in answer if isinstance(row, dict)]
            excluded = sum(1 for row in rows if stray(row)) if stray is not None else 0
            if not excluded:
                return rows
            if self.account and self._can_login() and not relogged:
                logger.warning(
                    "GET %s: the answer holds %d records its filter excludes; logging in again",
                    path,
                    excluded,
                )
                relogged = True
                self.login()
                continue
            raise CatalogueRefused(
                f"GET {path}: {excluded} of {len(rows)} records in the answer do not match its "
                "filter: the catalogue ignored it (an expired or refused token?); nothing was "
                "taken from this answer"
            )
