"""SciCat's HTTP API: the one place that knows its paths, filters, paging and authentication.

Two dialects, chosen by ``SCICAT_API_VERSION``:

``v3``
    ``GET /api/v3/datasets?filter=<LoopBack JSON>`` with a bearer token from
    ``POST /api/v3/auth/login`` (a functional account) or a ready token. Filters use LoopBack
    operators (``gte``, ``inq``, ``or``); ``limits`` take ``limit``, ``skip`` and one
    ``order`` (``"updatedAt:asc"``). The account sees unpublished records too, so the sync asks
    for ``isPublished`` explicitly.
``v4``
    ``GET /api/v4/datasets/public?filter=<JSON>``, no login: only ``isPublished`` records.
    Filters use MongoDB operators (``$gte``, ``$in``); ``limits`` take ``limit``, ``skip`` and a
    ``sort`` object, so the order can be ``updatedAt`` then ``pid``. Dates go as ISO text: the
    list runs as a MongoDB aggregation pipeline, and SciCat casts date-like text in ``where`` to
    dates only since backend PR #2346 (November 2025); an older backend matches nothing, which
    :meth:`SciCatApi.dates_filterable` finds out once per run (the sync then compares listings).

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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import quote

import orjson
import requests
from requests.adapters import HTTPAdapter

from sync.scicat.records import parse_datetime

logger = logging.getLogger(__name__)

Raw = dict[str, Any]
Version = Literal["v3", "v4"]
RELATIONS = ("origdatablocks", "attachments", "instruments", "proposals")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Ids per "pid in [...]" request: the filter travels in the URL, which servers cap (Node: 16 KB).
PIDS_PER_REQUEST = 100
# Log in again this long before the token's announced expiry.
TOKEN_MARGIN_SECONDS = 60
# The first retry waits about this long, each further one twice as long (up to a minute).
BACKOFF_SECONDS = 1.0
_EPOCH = datetime.min.replace(tzinfo=UTC)


class CatalogueError(RuntimeError):
    """The catalogue could not be read; the message says which call and why."""


class CatalogueUnavailable(CatalogueError):
    """Transient failures (5xx, timeouts, dropped connections) outlasted every retry."""


class CatalogueRefused(CatalogueError):
    """The catalogue refused the request (4xx): wrong account, bad filter, no permission."""


@dataclass(frozen=True)
class ApiConfig:
    url: str
    version: Version = "v4"
    username: str = ""
    password: str = ""
    token: str = ""
    page_size: int = 500
    id_page_size: int = 10_000
    timeout: float = 30.0
    retries: int = 5
    backoff: float = BACKOFF_SECONDS
    backoff_max: float = 60.0
    retry_after_max: float = 300.0  # a longer Retry-After ends the run instead

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
            page_size=settings.SCICAT_PAGE_SIZE,
            id_page_size=settings.SCICAT_ID_PAGE_SIZE,
            timeout=float(settings.SCICAT_TIMEOUT),
            retries=settings.SCICAT_RETRIES,
            backoff=BACKOFF_SECONDS,
        )


@dataclass
class Page:
    """One page of dataset records, with the related records the catalogue sent along.

    ``blocks`` and ``attachments`` map a dataset's pid to its origdatablocks / attachments; they
    are None when the page was read without them (a fields-only listing).
    """

    records: list[Raw]
    blocks: dict[str, list[Raw]] | None = None
    attachments: dict[str, list[Raw]] | None = None
    instruments: list[Raw] = field(default_factory=list)
    proposals: list[Raw] = field(default_factory=list)

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


def _split(rows: list[Raw], *, with_relations: bool) -> Page:
    if not with_relations:
        return Page(records=rows)
    blocks: dict[str, list[Raw]] = {}
    attachments: dict[str, list[Raw]] = {}
    instruments: list[Raw] = []
    proposals: list[Raw] = []
    for row in rows:
        pid = row.get("pid")
        own_blocks = row.pop("origdatablocks", None) or []
        own_attachments = row.pop("attachments", None) or []
        instruments.extend(i for i in row.pop("instruments", None) or [] if isinstance(i, dict))
        proposals.extend(p for p in row.pop("proposals", None) or [] if isinstance(p, dict))
        if not isinstance(pid, str):
            continue  # the import reports the record; its relations have nowhere to go
        blocks[pid] = [b for b in own_blocks if isinstance(b, dict)]
        attachments[pid] = [a for a in own_attachments if isinstance(a, dict)]
    return Page(rows, blocks, attachments, instruments, proposals)


class SciCatApi:
    """A SciCat backend, read page by page. One instance per sync run (it keeps the session)."""

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
        self._sleep = sleep
        self._keepalive = keepalive or (lambda: None)
        self._token = config.token
        self._token_expires: float | None = None
        self.calls = 0
        self.retried = 0
        self._dates_filterable: bool | None = None
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

    # -- the dialects -----------------------------------------------------------------------

    @property
    def _datasets_path(self) -> str:
        return "/api/v3/datasets" if self.v3 else "/api/v4/datasets/public"

    @property
    def _published_data_path(self) -> str:
        return "/api/v3/publisheddata" if self.v3 else "/api/v4/publisheddata"

    def _op(self, name: str, *, loopback: bool | None = None) -> str:
        return name if (self.v3 if loopback is None else loopback) else f"${name}"

    def _in(self, values: Sequence[str]) -> dict[str, list[str]]:
        return {self._op("inq" if self.v3 else "in"): list(values)}

    def _limits(
        self, *, limit: int, order: Sequence[str], skip: int = 0, loopback: bool | None = None
    ) -> dict[str, Any]:
        if self.v3 if loopback is None else loopback:  # one sort key only: "field:direction"
            return {"limit": limit, "skip": skip, "order": f"{order[0]}:asc"}
        return {"limit": limit, "skip": skip, "sort": {key: "asc" for key in order}}

    def _include(self) -> list[Any]:
        if self.v3:
            return [{"relation": name} for name in RELATIONS]
        return list(RELATIONS)

    def _published(self, published: bool | None) -> dict[str, Any]:
        # v4's public endpoint adds isPublished itself and sees nothing else.
        if not self.v3 or published is None:
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
        if not self.v3:
            return
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
        """One API call with retries; the decoded JSON answer (None for an empty body)."""
        what = f"{method} {path}"
        url = self.config.url + path
        relogged = False
        attempt = 0
        while True:
            self._keepalive()
            headers: dict[str, str] = {}
            if authenticated and self.v3:
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
                if status == 401 and authenticated and self.v3 and not relogged:
                    if not self._can_login():
                        raise CatalogueRefused(
                            f"{what}: 401, the token is no longer accepted (renew SCICAT_TOKEN, "
                            "or set SCICAT_USERNAME and SCICAT_PASSWORD)"
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
                    raise CatalogueRefused(f"{what}: {status} {_message(content)}")
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

    def _list(self, path: str, filter_: dict[str, Any]) -> list[Raw]:
        answer = self._call(
            "GET", path, params={"filter": json.dumps(filter_, separators=(",", ":"))}
        )
        if answer is None:
            return []
        if not isinstance(answer, list):
            kind = type(answer).__name__
            raise CatalogueRefused(f"GET {path}: expected a JSON array, got {kind}")
        return [row for row in answer if isinstance(row, dict)]

    # -- reading records that changed ---------------------------------------------------------

    def _changed(
        self,
        path: str,
        *,
        where: dict[str, Any],
        key: str,
        since: datetime | None,
        fields: Sequence[str] | None,
        include: bool,
        page_size: int,
        loopback: bool | None = None,
    ) -> Iterator[list[Raw]]:
        """Records with ``updatedAt >= since`` (all when None), in pages, oldest first.

        ``loopback``: the filter dialect (LoopBack operators, one ``order``); the API version's
        dialect when None.
        """
        op = functools.partial(self._op, loopback=loopback)
        lower, inclusive = since, True
        seen: set[str] = set()  # keys already given out that carry the timestamp ``lower``

        def query(condition: dict[str, Any], order: Sequence[str]) -> list[Raw]:
            filter_: dict[str, Any] = {
                "where": {**where, **condition},
                "limits": self._limits(limit=page_size, order=order, loopback=loopback),
            }
            if fields:
                filter_["fields"] = list(fields)
            if include:
                filter_["include"] = self._include()
            return self._list(path, filter_)

        while True:
            condition = {}
            if lower is not None:
                condition["updatedAt"] = {op("gte" if inclusive else "gt"): iso(lower)}
            rows = query(condition, ("updatedAt", key))
            fresh = [r for r in rows if not (updated_at(r) == lower and r.get(key) in seen)]
            if len(rows) < page_size:
                if fresh:
                    yield fresh
                return
            last = max((updated_at(r) or _EPOCH for r in rows), default=_EPOCH)
            if lower is not None and last == lower:
                # More records share this timestamp than fit in a page: sweep them by key.
                yield from self._sweep_tie(
                    query, lower=lower, key=key, seen=seen, page_size=page_size, op=op
                )
                inclusive, seen = False, set()
                continue
            if fresh:
                yield fresh
            lower, inclusive = last, True
            seen = {str(r.get(key)) for r in rows if updated_at(r) == last}

    def _sweep_tie(
        self,
        query: Callable[[dict[str, Any], Sequence[str]], list[Raw]],
        *,
        lower: datetime,
        key: str,
        seen: set[str],
        page_size: int,
        op: Callable[[str], str],
    ) -> Iterator[list[Raw]]:
        after: str | None = None
        while True:
            condition: dict[str, Any] = {"updatedAt": iso(lower)}
            if after is not None:
                condition[key] = {op("gt"): after}
            rows = query(condition, (key,))
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
            include=True,
            page_size=self.config.page_size,
        ):
            yield _split(rows, with_relations=True)

    def datasets_changed_brief(
        self, *, since: datetime | None, published: bool | None
    ) -> Iterator[list[Raw]]:
        """Just what the embargo policy needs of changed datasets (pid, updatedAt, the flags)."""
        yield from self._changed(
            self._datasets_path,
            where=self._published(published),
            key="pid",
            since=since,
            fields=("pid", "updatedAt", "isPublished", "datasetlifecycle"),
            include=False,
            page_size=self.config.id_page_size,
        )

    def dates_filterable(self) -> bool:
        """Whether the catalogue lists datasets by a date given as ISO text (asked once).

        v3: always (LoopBack casts). v4 answers lists with a MongoDB aggregation pipeline, which
        casts nothing: SciCat casts date-like strings in ``where`` to dates itself only since
        SciCatProject/backend PR #2346 (November 2025). Before that, ``updatedAt >= <text>``
        matches no record at all, so paging by ``updatedAt`` would silently read nothing; the
        sync then compares the full listing instead (see ``sync.live``). Asked with one record:
        any public record at all, but none updated since 1970, means the dates are not cast.
        """
        if self.v3:
            return True
        if self._dates_filterable is None:

            def first(where: dict[str, Any]) -> list[Raw]:
                return self._list(
                    self._datasets_path,
                    {
                        "where": where,
                        "fields": ["pid"],
                        "limits": self._limits(limit=1, order=("pid",)),
                    },
                )

            since_1970 = {"updatedAt": {"$gte": iso(datetime(1970, 1, 1, tzinfo=UTC))}}
            self._dates_filterable = bool(first(since_1970)) or not first({})
            if not self._dates_filterable:
                logger.warning(
                    "the catalogue (SciCat v4) does not filter public datasets by a date given "
                    "as text (a backend from before PR #2346): listing every record instead"
                )
        return self._dates_filterable

    def datasets_count(self, *, since: datetime | None, published: bool | None = True) -> int:
        where = self._published(published)
        if since is not None:
            where["updatedAt"] = {self._op("gte"): iso(since)}
        answer = self._call(
            "GET",
            f"{self._datasets_path}/count",
            params={"filter": json.dumps({"where": where}, separators=(",", ":"))},
        )
        count = answer.get("count") if isinstance(answer, dict) else None
        if not isinstance(count, int):
            raise CatalogueRefused(f"GET {self._datasets_path}/count: no count in the answer")
        return count

    def datasets_by_pid(self, pids: Sequence[str]) -> Iterator[Page]:
        """The datasets with these pids (those the catalogue still has and shows), in full."""
        unique = list(dict.fromkeys(pids))
        for start in range(0, len(unique), PIDS_PER_REQUEST):
            chunk = unique[start : start + PIDS_PER_REQUEST]
            rows = self._list(
                self._datasets_path,
                {
                    "where": {**self._published(None), "pid": self._in(chunk)},
                    "include": self._include(),
                    "limits": self._limits(limit=len(chunk), order=("pid",)),
                },
            )
            yield _split(rows, with_relations=True)

    def dataset(self, pid: str) -> Page:
        """One dataset by pid, read through its own URL (the pid URL-encoded); empty if none."""
        path = f"{self._datasets_path}/{quote(pid, safe='')}"
        try:
            if self.v3:
                answer = self._call(
                    "GET",
                    path,
                    params={"filter": json.dumps({"include": self._include()})},
                )
            else:
                answer = self._call("GET", path, params={"include": list(RELATIONS)})
        except CatalogueRefused as exc:
            if ": 404 " in str(exc) or ": 403 " in str(exc):
                return Page(records=[], blocks={}, attachments={})
            raise
        rows = [answer] if isinstance(answer, dict) and answer else []
        return _split(rows, with_relations=True)

    # -- listing ids (reconciliation) ---------------------------------------------------------

    def _ids(
        self, path: str, *, where: dict[str, Any], key: str, versions: bool = True
    ) -> Iterator[list[Raw]]:
        after: str | None = None
        fields = [key, "updatedAt"] if versions else [key]
        while True:
            condition = dict(where)
            if after is not None:
                condition[key] = {self._op("gt"): after}
            rows = self._list(
                path,
                {
                    "where": condition,
                    "fields": fields,
                    "limits": self._limits(limit=self.config.id_page_size, order=(key,)),
                },
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
            self._datasets_path, where=self._published(True), key="pid", versions=versions
        )

    def embargo_ended_ids(
        self, *, after: datetime | None, until: datetime, versions: bool = True
    ) -> Iterator[list[Raw]]:
        """v3: unpublished datasets whose ``dateOfPublishing`` lies in ``(after, until]``."""
        if not self.v3:
            return
        bound: dict[str, str] = {self._op("lte"): iso(until)}
        if after is not None:
            bound[self._op("gt")] = iso(after)
        yield from self._ids(
            self._datasets_path,
            where={"isPublished": False, "datasetlifecycle.dateOfPublishing": bound},
            key="pid",
            versions=versions,
        )

    # -- published data (DOIs) ----------------------------------------------------------------

    def published_data_changed(self, *, since: datetime | None) -> Iterator[list[Raw]]:
        """Published data (DOIs) changed since ``since`` (all when None), oldest first.

        Both versions filter published data the LoopBack way (v4's controller runs the same
        filter pipe as v3): ``gte``, and one ``order``. Anonymous v4 callers see only
        published DOIs.
        """
        yield from self._changed(
            self._published_data_path,
            where={},
            key="doi",
            since=since,
            fields=None,
            include=False,
            page_size=self.config.page_size,
            loopback=True,
        )


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
