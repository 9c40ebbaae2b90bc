"""SciCat's HTTP API: the one place that knows its paths, filters, paging and authentication.

The portal reads a SciCat backend of release 4.x (4.17 is what facilities run) or 5.x. Which one
is asked once per run (:meth:`SciCatApi.backend`; ``SCICAT_BACKEND_VERSION`` skips the question)
and decides the endpoints. Two dialects, chosen by ``SCICAT_API_VERSION``, each with or without
an account (``SCICAT_USERNAME``/``SCICAT_PASSWORD`` or ``SCICAT_TOKEN``):

``v3`` (an account)
    ``GET /api/v3/datasets``; the account sees unpublished records too, so the sync asks for
    ``isPublished`` itself. ``limits`` take ``limit``, ``skip`` and one ``order``
    (``"updatedAt:asc"``).
``v4`` anonymous / with an account
    ``GET /api/v4/datasets/public`` (published records only) or ``GET /api/v4/datasets`` with an
    ``isPublished`` condition. ``limits`` take a ``sort`` object, so the order can be
    ``updatedAt`` then ``pid``. Neither release casts a date given as text in a v4 list's
    ``where`` (it runs as an aggregation pipeline; SciCat casts them itself only since backend
    PR #2346): :meth:`SciCatApi.dates_filterable` finds that out once per run and the sync then
    compares listings instead.

Filters always use MongoDB operators (``$gte``, ``$in``): SciCat 4.x translates only ``inq``,
``nin``, ``and`` and ``or`` from LoopBack's names and answers 500 for a bare ``gte``.

Datasets are listed without SciCat's ``include``: on 4.17 ``/api/v3/datasets`` attaches *every*
origdatablock of the catalogue to every dataset, ``/api/v3/datasets/{pid}`` ignores it, and the
v4 lists keep only related records that are themselves ``isPublished`` (which origdatablocks and
proposals cannot be on 4.17) or, for attachments, join on a field 4.17 does not store. Each page's
relations are asked for by id instead, for the page's public datasets only:

* files: ``/api/v3/origdatablocks`` by ``datasetId`` (an account), or 5.x's
  ``/api/v4/origdatablocks/public`` (anonymous; 4.x has no public route, so anonymous readers of
  4.x get no files: :data:`FILES_UNAVAILABLE`);
* thumbnails: ``/api/v4/attachments`` (``/public`` anonymous) by ``relationships.targetId``;
* instruments: ``/api/v3/instruments`` by ``pid``; proposals: ``/api/v3/proposals`` by
  ``proposalId`` (an account; its filter parameter is ``filters``; anonymous readers see none,
  SciCat's API cannot publish a proposal).

Whatever comes back is checked, never trusted: a block, attachment, instrument or proposal is kept
only if it belongs to a dataset that is public in the same page; the rest is dropped and counted
(:attr:`Page.dropped`). Files that could not be read leave the page's datasets marked
:data:`FILES_INCOMPLETE` (the sync reads them again next run), never as "no files".

Every list is read in pages of an explicit size in a stable order. Reading "what changed since"
pages by ``updatedAt``; records that share the timestamp at the end of a page are asked for
again with the next page and dropped when already seen, and a run of equal timestamps longer than
a page is swept in ``pid`` order. So no record is skipped at a page boundary whatever order the
backend gives ties (v3 cannot sort by two keys).

Every call has a timeout. 5xx, 429, timeouts and dropped connections are retried with exponential
backoff and full jitter, honouring ``Retry-After``; after ``SCICAT_RETRIES`` retries the call
raises :class:`CatalogueUnavailable` naming the call and the last error. A 401 logs in again once
(tokens expire mid-run); any other 4xx raises :class:`CatalogueRefused`. Ids contain ``/`` and are
URL-encoded wherever they go into a path.
"""

from __future__ import annotations

import email.utils
import functools
import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
import requests
from requests.adapters import HTTPAdapter

from sync.scicat.records import attachment_dataset_pids, is_published, parse_datetime

logger = logging.getLogger(__name__)

Raw = dict[str, Any]
Version = Literal["v3", "v4"]
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Ids per "pid in [...]" request: the filter travels in the URL, which servers cap (Node: 16 KB).
PIDS_PER_REQUEST = 100
# Related records per request (origdatablocks, attachments); a fuller answer is split.
RELATED_PER_REQUEST = 10_000
# Log in again this long before the token's announced expiry.
TOKEN_MARGIN_SECONDS = 60
# The first retry waits about this long, each further one twice as long (up to a minute).
BACKOFF_SECONDS = 1.0
SUPPORTED_MAJORS = (4, 5)
_EPOCH = datetime.min.replace(tzinfo=UTC)

# Why a page carries no files (Page.files_missing).
FILES_INCOMPLETE = "incomplete"  # the catalogue did not answer: read them again next run
FILES_UNAVAILABLE = "unavailable"  # this way of reading the catalogue cannot see files


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
class Backend:
    """The SciCat release line of the catalogue, and how the portal knows it."""

    major: int
    how: str  # "asked" or "configured"

    def __str__(self) -> str:
        return f"SciCat {self.major}.x ({self.how})"


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


@dataclass
class Page:
    """One page of dataset records, with the related records of its public datasets.

    ``blocks`` and ``attachments`` map a public dataset's pid to its origdatablocks /
    attachments; None when they were not read (a fields-only listing, or ``files_missing`` /
    a failed attachments call). ``dropped`` counts related records the catalogue sent that
    belong to no public dataset of the page.
    """

    records: list[Raw]
    blocks: dict[str, list[Raw]] | None = None
    attachments: dict[str, list[Raw]] | None = None
    instruments: list[Raw] = field(default_factory=list)
    proposals: list[Raw] = field(default_factory=list)
    files_missing: str = ""  # FILES_INCOMPLETE / FILES_UNAVAILABLE when blocks is None
    dropped: int = 0

    @property
    def last_updated_at(self) -> datetime | None:
        stamps = [s for s in (updated_at(r) for r in self.records) if s is not None]
        return max(stamps) if stamps else None

    def __len__(self) -> int:
        return len(self.records)


def updated_at(raw: Mapping[str, Any]) -> datetime | None:
    """A record's ``updatedAt``, or None when it has none (or an unreadable one)."""
    try:
        return parse_datetime(raw.get("updatedAt"), field="updatedAt", pid="")
    except ValueError:
        return None


def iso(moment: datetime) -> str:
    """The catalogue's form of a time: UTC, milliseconds, ``Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def decode(content: bytes) -> Any:
    """A JSON answer, decoded: orjson (a page of 500 records with their files is megabytes, and
    decoding is a large share of the sync's CPU), the standard library for what orjson refuses
    but JSON allows (integers beyond 64 bits); ValueError when it is not JSON at all."""
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return json.loads(content)


def _chunks(values: Sequence[str], size: int = PIDS_PER_REQUEST) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def _ids_of(rows: Iterable[Raw], plural: str, singular: str) -> list[str]:
    """The ids a page's datasets refer to (v4 arrays, v3 singular fields), first seen first."""
    found: dict[str, None] = {}
    for row in rows:
        values = row.get(plural)
        if not values and row.get(singular):
            values = [row.get(singular)]
        if isinstance(values, list):
            for value in values:
                if isinstance(value, str) and value.strip():
                    found.setdefault(value.strip(), None)
    return list(found)


class SciCatApi:
    """A SciCat backend, read page by page. One instance per sync run (it keeps the session).

    ``public`` tells which records of a page are public (the portal's embargo policy): only
    their related records are asked for and kept.
    """

    def __init__(
        self,
        config: ApiConfig,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        keepalive: Callable[[], None] | None = None,
        public: Callable[[Mapping[str, Any]], bool] = is_published,
    ) -> None:
        self.config = config
        self.v3 = config.version == "v3"
        self.account = config.account
        self._public = public
        self._sleep = sleep
        self._keepalive = keepalive or (lambda: None)
        self._token = config.token
        self._token_expires: float | None = None
        self.calls = 0
        self.retried = 0
        self._dates_filterable: bool | None = None
        self._backend: Backend | None = None
        # Reference records asked for once per run: id -> record (None: the catalogue has none).
        self._instruments: dict[str, Raw | None] = {}
        self._proposals: dict[str, Raw | None] = {}
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

    # -- which backend ------------------------------------------------------------------------

    def backend(self) -> Backend:
        """The backend's release line, asked once per run (or as configured).

        SciCat announces no release number, so the portal asks for routes that tell the lines
        apart: ``/api/v4/datasets/public`` (4.x and 5.x) and ``/api/v4/publisheddata`` (5.x
        only). Anything else is not a release the portal knows, and the run stops saying so.
        """
        if self._backend is None:
            if self.config.backend in {"4", "5"}:
                self._backend = Backend(int(self.config.backend), "configured")
            else:
                self._backend = Backend(self._ask_major(), "asked")
            logger.info("catalogue %s is %s", self.config.url, self._backend)
        return self._backend

    def _ask_major(self) -> int:
        def exists(path: str, filter_: dict[str, Any]) -> bool:
            try:
                self._call("GET", path, params={"filter": _dumps(filter_)}, authenticated=False)
            except CatalogueRefused as exc:
                if exc.status == 404:
                    return False
                if exc.status in {401, 403}:
                    return True  # there, but not for anonymous callers
                raise
            return True

        one = {"limits": {"limit": 1}}
        if not exists("/api/v4/datasets/public", {**one, "fields": ["pid"]}):
            raise UnsupportedCatalogue(
                f"{self.config.url} has no /api/v4/datasets/public: not a SciCat backend of a "
                f"release the portal reads ({', '.join(f'{m}.x' for m in SUPPORTED_MAJORS)}). "
                "Check SCICAT_URL, or set SCICAT_BACKEND_VERSION if the routes are renamed."
            )
        return 5 if exists("/api/v4/publisheddata", one) else 4

    # -- the dialects -----------------------------------------------------------------------

    @property
    def _datasets_path(self) -> str:
        if self.v3:
            return "/api/v3/datasets"
        return "/api/v4/datasets" if self.account else "/api/v4/datasets/public"

    @property
    def _published_data_path(self) -> str:
        if not self.v3 and self.backend().major >= 5:
            return "/api/v4/publisheddata"
        return "/api/v3/publisheddata"  # 4.x has no v4 route for published data

    @staticmethod
    def _in(values: Sequence[str]) -> dict[str, list[str]]:
        return {"$in": list(values)}

    @staticmethod
    def _limits(path: str, *, limit: int, order: Sequence[str], skip: int = 0) -> dict[str, Any]:
        if path.startswith("/api/v3/"):  # LoopBack's limits: one sort key, "field:direction"
            return {"limit": limit, "skip": skip, "order": f"{order[0]}:asc"}
        return {"limit": limit, "skip": skip, "sort": {key: "asc" for key in order}}

    def _published(self, published: bool | None) -> dict[str, Any]:
        # v4's public endpoint adds isPublished itself and sees nothing else.
        if published is None or (not self.v3 and not self.account):
            return {}
        return {"isPublished": published}

    # -- HTTP ---------------------------------------------------------------------------------

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
            answer = self._call("GET", path, params={param: _dumps(filter_)})
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

    def _related(self, path: str, field: str, pids: list[str]) -> Iterator[Raw]:
        """Every record of a related collection whose ``field`` is one of ``pids``.

        One request, without ``skip`` (paging needs a unique sort key, and the attachments route
        accepts none): an answer that fills the limit is asked for again in two halves.
        """
        rows = self._list(
            path, {"where": {field: self._in(pids)}, "limits": {"limit": RELATED_PER_REQUEST}}
        )
        if len(rows) < RELATED_PER_REQUEST:
            yield from rows
            return
        if len(pids) == 1:
            raise CatalogueRefused(
                f"GET {path}: {pids[0]} has {RELATED_PER_REQUEST} or more records there, more "
                "than the portal reads for one dataset"
            )
        half = len(pids) // 2
        yield from self._related(path, field, pids[:half])
        yield from self._related(path, field, pids[half:])

    # -- a page's related records ---------------------------------------------------------------

    def _page(self, rows: list[Raw]) -> Page:
        """A page of full dataset records: ``rows`` with their public datasets' relations."""
        public = [r for r in rows if isinstance(r.get("pid"), str) and self._public(r)]
        pids = [str(r["pid"]) for r in public]
        page = Page(records=rows)
        if not pids:
            page.blocks, page.attachments = {}, {}
            return page
        page.blocks, page.files_missing, dropped_blocks = self._blocks(pids)
        page.attachments, dropped_attachments = self._attachments(pids)
        page.instruments, dropped_instruments = self._references(
            self._instruments,
            _ids_of(public, "instrumentIds", "instrumentId"),
            key="pid",
            fetch=self._fetch_instruments,
        )
        page.proposals, dropped_proposals = self._references(
            self._proposals,
            _ids_of(public, "proposalIds", "proposalId"),
            key="proposalId",
            fetch=self._fetch_proposals,
        )
        page.dropped = dropped_blocks + dropped_attachments + dropped_instruments
        page.dropped += dropped_proposals
        return page

    def _blocks(self, pids: list[str]) -> tuple[dict[str, list[Raw]] | None, str, int]:
        """The origdatablocks of these datasets by pid, why there are none, how many dropped."""
        if self.account:
            path = "/api/v3/origdatablocks"
        elif self.backend().major >= 5:
            path = "/api/v4/origdatablocks/public"
        else:
            return None, FILES_UNAVAILABLE, 0
        wanted = set(pids)
        found: dict[str, list[Raw]] = {pid: [] for pid in pids}
        dropped = 0
        try:
            for chunk in _chunks(pids):
                for block in self._related(path, "datasetId", chunk):
                    owner = block.get("datasetId")
                    if isinstance(owner, str) and owner in wanted:
                        found[owner].append(block)
                    else:
                        dropped += 1
        except CatalogueError as exc:
            logger.warning("files of %d datasets not read: %s", len(pids), exc)
            return None, FILES_INCOMPLETE, dropped
        return found, "", dropped

    def _attachments(self, pids: list[str]) -> tuple[dict[str, list[Raw]] | None, int]:
        path = "/api/v4/attachments" if self.account else "/api/v4/attachments/public"
        wanted = set(pids)
        found: dict[str, list[Raw]] = {pid: [] for pid in pids}
        dropped = 0
        try:
            for chunk in _chunks(pids):
                for attachment in self._related(path, "relationships.targetId", chunk):
                    owners = [p for p in attachment_dataset_pids(attachment) if p in wanted]
                    if not owners:
                        dropped += 1
                    for owner in dict.fromkeys(owners):
                        found[owner].append(attachment)
        except CatalogueError as exc:
            logger.warning("thumbnails of %d datasets not read: %s", len(pids), exc)
            return None, dropped
        return found, dropped

    def _references(
        self,
        cache: dict[str, Raw | None],
        ids: list[str],
        *,
        key: str,
        fetch: Callable[[list[str]], list[Raw]],
    ) -> tuple[list[Raw], int]:
        """Instruments or proposals by id, each asked for once per run; those the catalogue
        sent for other ids are dropped (and counted). A failed call leaves the bare ids."""
        missing = [i for i in ids if i not in cache]
        dropped = 0
        if missing:
            wanted = set(missing)
            try:
                for chunk in _chunks(missing):
                    for row in fetch(chunk):
                        value = row.get(key)
                        if isinstance(value, str) and value in wanted:
                            cache[value] = row
                        else:
                            dropped += 1
            except CatalogueError as exc:
                logger.warning("%s of this page not read: %s", key, exc)
                return [r for i in ids if (r := cache.get(i)) is not None], dropped
            for value in missing:
                cache.setdefault(value, None)
        return [r for i in ids if (r := cache.get(i)) is not None], dropped

    def _fetch_instruments(self, ids: list[str]) -> list[Raw]:
        return self._list("/api/v3/instruments", {"where": {"pid": self._in(ids)}})

    def _fetch_proposals(self, ids: list[str]) -> list[Raw]:
        if not self.account:
            return []  # anonymous readers see only published proposals, which SciCat never has
        # 4.x and 5.x read this list's filter from "filters"; "filter" is ignored (all come back).
        where = {"where": {"proposalId": self._in(ids)}}
        return self._list("/api/v3/proposals", where, param="filters")

    # -- reading records that changed ---------------------------------------------------------

    def _changed(
        self,
        path: str,
        *,
        where: dict[str, Any],
        key: str,
        since: datetime | None,
        fields: Sequence[str] | None,
        page_size: int,
    ) -> Iterator[list[Raw]]:
        """Records with ``updatedAt >= since`` (all when None), in pages, oldest first."""
        lower, inclusive = since, True
        seen: set[str] = set()  # keys already given out that carry the timestamp ``lower``

        def query(
            condition: dict[str, Any], order: Sequence[str], stray: Callable[[Raw], bool]
        ) -> list[Raw]:
            filter_: dict[str, Any] = {
                "where": {**where, **condition},
                "limits": self._limits(path, limit=page_size, order=order),
            }
            if fields:
                filter_["fields"] = list(fields)
            return self._list(path, filter_, stray=lambda r: _unlike(r, where) or stray(r))

        while True:
            condition = {}
            if lower is not None:
                condition["updatedAt"] = {"$gte" if inclusive else "$gt": iso(lower)}
            rows = query(
                condition,
                ("updatedAt", key),
                functools.partial(_before, lower=lower, inclusive=inclusive),
            )
            fresh = [r for r in rows if not (updated_at(r) == lower and r.get(key) in seen)]
            if len(rows) < page_size:
                if fresh:
                    yield fresh
                return
            last = max((updated_at(r) or _EPOCH for r in rows), default=_EPOCH)
            if lower is not None and last == lower:
                # More records share this timestamp than fit in a page: sweep them by key.
                yield from self._sweep_tie(
                    query, lower=lower, key=key, seen=seen, page_size=page_size
                )
                inclusive, seen = False, set()
                continue
            if fresh:
                yield fresh
            lower, inclusive = last, True
            seen = {str(r.get(key)) for r in rows if updated_at(r) == last}

    def _sweep_tie(
        self,
        query: Callable[[dict[str, Any], Sequence[str], Callable[[Raw], bool]], list[Raw]],
        *,
        lower: datetime,
        key: str,
        seen: set[str],
        page_size: int,
    ) -> Iterator[list[Raw]]:
        after: str | None = None
        while True:
            condition: dict[str, Any] = {"updatedAt": iso(lower)}
            if after is not None:
                condition[key] = {"$gt": after}
            rows = query(
                condition,
                (key,),
                functools.partial(_outside_tie, stamp=lower, key=key, after=after),
            )
            fresh = [r for r in rows if r.get(key) not in seen]
            if fresh:
                yield fresh
            keys = [str(r.get(key)) for r in rows if isinstance(r.get(key), str)]
            if not keys or len(rows) < page_size:
                return
            after = max(keys)

    def datasets_changed(
        self, *, since: datetime | None, published: bool | None = True
    ) -> Iterator[Page]:
        """Datasets changed since ``since``, with their files, thumbnails, instrument, proposal."""
        for rows in self._changed(
            self._datasets_path,
            where=self._published(published),
            key="pid",
            since=since,
            fields=None,
            page_size=self.config.page_size,
        ):
            yield self._page(rows)

    def datasets_changed_brief(
        self, *, since: datetime | None, published: bool | None
    ) -> Iterator[list[Raw]]:
        """Just what the embargo policy needs of changed datasets (pid, dates, the flags)."""
        yield from self._changed(
            self._datasets_path,
            where=self._published(published),
            key="pid",
            since=since,
            fields=BRIEF_FIELDS,
            page_size=self.config.id_page_size,
        )

    def dates_filterable(self) -> bool:
        """Whether the catalogue lists datasets by a date given as ISO text (asked once).

        v3: always (Mongoose casts). v4 answers lists with a MongoDB aggregation pipeline, which
        casts nothing: SciCat casts date-like strings in ``where`` to dates itself only since
        SciCatProject/backend PR #2346 (neither 4.17.1 nor 5.2.1 does). Before that,
        ``updatedAt >= <text>`` matches no record at all, so paging by ``updatedAt`` would
        silently read nothing; the sync then compares the full listing instead (see
        ``sync.live``). Asked with one record: any public record at all, but none updated since
        1970, means the dates are not cast.
        """
        if self.v3:
            return True
        if self._dates_filterable is None:
            path = self._datasets_path

            def first(where: dict[str, Any]) -> list[Raw]:
                return self._list(
                    path,
                    {
                        "where": {**self._published(True), **where},
                        "fields": ["pid"],
                        "limits": self._limits(path, limit=1, order=("pid",)),
                    },
                )

            since_1970 = {"updatedAt": {"$gte": iso(datetime(1970, 1, 1, tzinfo=UTC))}}
            self._dates_filterable = bool(first(since_1970)) or not first({})
            if not self._dates_filterable:
                logger.warning(
                    "the catalogue's v4 API does not filter datasets by a date given as text "
                    "(SciCat before backend PR #2346): listing every record instead"
                )
        return self._dates_filterable

    def datasets_count(self, *, since: datetime | None, published: bool | None = True) -> int:
        where = self._published(published)
        if since is not None:
            where["updatedAt"] = {"$gte": iso(since)}
        path = f"{self._datasets_path}/count"
        answer = self._call("GET", path, params={"filter": _dumps({"where": where})})
        count = answer.get("count") if isinstance(answer, dict) else None
        if not isinstance(count, int):
            raise CatalogueRefused(f"GET {path}: no count in the answer")
        return count

    def datasets_by_pid(self, pids: Sequence[str]) -> Iterator[Page]:
        """The datasets with these pids (those the catalogue still has and shows), in full."""
        path = self._datasets_path
        for chunk in _chunks(list(dict.fromkeys(pids))):
            asked = set(chunk)
            rows = self._list(
                path,
                {
                    "where": {**self._published(None), "pid": self._in(chunk)},
                    "limits": self._limits(path, limit=len(chunk), order=("pid",)),
                },
                stray=functools.partial(_not_among, key="pid", values=asked),
            )
            yield self._page(rows)

    def dataset(self, pid: str) -> Page:
        """One dataset by pid, in full; an empty page when the catalogue does not show it.

        Read through the list (``pid`` in ``[pid]``), not ``/datasets/{pid}``, which on 4.17
        ignores ``include``: the relations come the same way as for every other page.
        """
        return next(iter(self.datasets_by_pid([pid])), Page(records=[], blocks={}))

    # -- listing ids (reconciliation) ---------------------------------------------------------

    def _ids(
        self, path: str, *, where: dict[str, Any], key: str, fields: Sequence[str]
    ) -> Iterator[list[Raw]]:
        after: str | None = None
        while True:
            condition = dict(where)
            if after is not None:
                condition[key] = {"$gt": after}
            rows = self._list(
                path,
                {
                    "where": condition,
                    "fields": list(fields),
                    "limits": self._limits(path, limit=self.config.id_page_size, order=(key,)),
                },
                stray=functools.partial(_not_after_key, where=where, key=key, after=after),
            )
            keys = [r[key] for r in rows if isinstance(r.get(key), str)]
            if keys:
                yield rows
            if len(rows) < self.config.id_page_size or not keys:
                return
            after = max(keys)

    def public_dataset_ids(self, *, versions: bool = True) -> Iterator[list[Raw]]:
        """``{"pid", "updatedAt"}`` of every published dataset, in pid order; ``{"pid"}`` only
        without ``versions`` (half the bytes, nothing to parse: enough to find deletions)."""
        yield from self._ids(
            self._datasets_path,
            where=self._published(True),
            key="pid",
            fields=["pid", "updatedAt"] if versions else ["pid"],
        )

    def unpublished_ids_between(
        self, field: str, *, after: datetime | None, until: datetime
    ) -> Iterator[list[Raw]]:
        """v3: what the embargo policy needs (:data:`BRIEF_FIELDS`) of the unpublished datasets
        whose date ``field`` lies in ``(after, until]``, in pid order."""
        if not self.v3:
            return
        bound: dict[str, str] = {"$lte": iso(until)}
        if after is not None:
            bound["$gt"] = iso(after)
        yield from self._ids(
            self._datasets_path,
            where={"isPublished": False, field: bound},
            key="pid",
            fields=BRIEF_FIELDS,
        )

    # -- published data (DOIs) ----------------------------------------------------------------

    def published_data_changed(self, *, since: datetime | None) -> Iterator[list[Raw]]:
        """Published data (DOIs) changed since ``since`` (all when None), oldest first.

        ``/api/v3/publisheddata`` takes LoopBack limits (one ``order``), 5.x's
        ``/api/v4/publisheddata`` a ``sort`` object. What anonymous callers see differs (4.17:
        every status; 5.x: registered ones): the import keeps only registered and amended DOIs.
        """
        yield from self._changed(
            self._published_data_path,
            where={},
            key="doi",
            since=since,
            fields=None,
            page_size=self.config.page_size,
        )


# What the embargo policy reads of a dataset (sync.policy.EmbargoDates), plus its flags.
BRIEF_FIELDS = (
    "pid",
    "updatedAt",
    "createdAt",
    "creationTime",
    "endTime",
    "isPublished",
    "datasetlifecycle",
)


# What a list's filter excludes (``SciCatApi._list``'s ``stray``), one function a filter.


def _before(row: Raw, *, lower: datetime | None, inclusive: bool) -> bool:
    if lower is None:
        return False
    stamp = updated_at(row)
    return stamp is None or (stamp < lower if inclusive else stamp <= lower)


def _outside_tie(row: Raw, *, stamp: datetime, key: str, after: str | None) -> bool:
    return updated_at(row) != stamp or (after is not None and str(row.get(key)) <= after)


def _not_among(row: Raw, *, key: str, values: set[str]) -> bool:
    return row.get(key) not in values


def _not_after_key(row: Raw, *, where: Mapping[str, Any], key: str, after: str | None) -> bool:
    return _unlike(row, where) or (after is not None and str(row.get(key)) <= after)


def _unlike(row: Mapping[str, Any], where: Mapping[str, Any]) -> bool:
    """Whether ``row`` contradicts a plain value of ``where`` (``isPublished: false`` answered
    with a published record); fields the row does not carry say nothing."""
    return any(
        name in row and row[name] != value
        for name, value in where.items()
        if isinstance(value, bool | int | str)
    )


def _dumps(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"))


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
