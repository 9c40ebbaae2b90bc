"""Seeding a real SciCat backend through its own HTTP API, as the facility's ingestors would.

:class:`SciCatClient` is one logged-in (or anonymous) caller: ``get`` / ``post`` / ``patch`` /
``delete`` with JSON, LoopBack-style ``filter`` parameters JSON-encoded for you, and
:class:`SciCatError` (status, body) for any answer other than the one expected. :class:`Seeder`
holds a client per functional account and creates each kind of record with the account SciCat
lets create it (checked against v4.17.1 and v5.2.1 with the kit's settings):

============================  =================================================  ==========
record                        call                                               as
============================  =================================================  ==========
instrument                    ``POST /api/v3/instruments``                       admin
proposal                      ``POST /api/v3/proposals``                         proposalIngestor
dataset (raw; explicit pid)   ``POST /api/v3/datasets``                          ingestor
origdatablock                 ``POST /api/v3/datasets/{pid}/origdatablocks``     ingestor
attachment (v3 way)           ``POST /api/v3/datasets/{pid}/attachments``        ingestor
attachment (v4 way)           ``POST /api/v4/attachments`` with relationships    admin
published data                ``POST /api/v3/publisheddata``                     admin
(un)publish, other changes    ``PATCH /api/v3/datasets/{pid}``                   admin
delete a dataset              ``DELETE /api/v3/datasets/{pid}``                  archiveManager
============================  =================================================  ==========

All of them answer 201 (PATCH and DELETE: 200). Who may do what, as seen with the kit's settings:
``POST /api/v4/attachments`` is admin-only (403 for the ingestor); the ingestor may PATCH only
datasets whose ``ownerGroup`` is one of its groups (``ingestor``), not the ``p08-staff`` ones made
here; DELETE is archiveManager-only (admin: 403); any logged-in account may post published data.
A v3-way attachment is stored ``isPublished: false``. Pass ``via=`` to call as someone else.

Every payload is built by a function of a number (``dataset_payload(7, prefix="t")``), so names,
pids and values are deterministic; a test that shares the backend with others keeps to its own
``prefix``. Pids the seeder gives are ``20.500.12269/<prefix>-<n:06d>``. FerretDB refuses field
names containing ``.`` (v4.17.1 answers 500; v5.2.1 escapes them as ``%2E``), so the payload
builders refuse such ``scientificMetadata`` keys before sending.

:func:`seed_catalogue` makes a small catalogue in one call; :func:`seed_bulk` makes many datasets
with one origdatablock each from a pool of threads (each with its own HTTP session), for the
benchmark: see its docstring for the rates measured (they fall as the catalogue grows).

Over 400 lines as the one client of SciCat's write API the tests and the benchmark share: the
HTTP client, the payload builders and the seeding functions that combine them; the wire-protocol
cloning is :mod:`tests.scicat_real.clone`.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

import requests

from tests.scicat_real.kit import Account

PID_PREFIX = "20.500.12269"
OWNER_GROUP = "p08-staff"
ACCESS_GROUPS = ["p08-users"]
ADMIN, INGESTOR, PROPOSAL_INGESTOR, ARCHIVE_MANAGER = (
    "admin",
    "ingestor",
    "proposalIngestor",
    "archiveManager",
)
# A 1x1 PNG: what a SciCat attachment carries as a data URI.
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
        "0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
    )
).decode()
THUMBNAIL = f"data:image/png;base64,{PNG}"
CREATION_TIME = "2024-10-11T00:05:00.000Z"
# SciCat's tokens last an hour with the kit's settings (JWT_EXPIRES_IN=3600).
TOKEN_REFRESH_SECONDS = 3000.0

Json = Any
T = TypeVar("T")


class SciCatError(RuntimeError):
    """SciCat answered a call with a status other than the expected one."""

    def __init__(self, method: str, path: str, status: int, body: str) -> None:
        super().__init__(f"{method} {path} -> {status}: {body[:2000]}")
        self.method, self.path, self.status, self.body = method, path, status, body

    def json(self) -> Json:
        return json.loads(self.body)


def quote_pid(pid: str) -> str:
    """A pid as one path segment (``20.500.12269%2Fabc``)."""
    return quote(pid, safe="")


def _encode_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Query parameters; dicts and lists (``filter``, ``fields``, ...) go as JSON text."""
    encoded: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, dict | list | bool):
            encoded[key] = json.dumps(value, separators=(",", ":"))
        else:
            encoded[key] = str(value)
    return encoded


class SciCatClient:
    """One caller of a SciCat backend: anonymous, or logged in as a functional account."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        username: str | None = None,
        timeout: float = 60,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.username = username
        self.timeout = timeout
        self.session = session or requests.Session()

    @classmethod
    def login(cls, url: str, username: str, password: str, *, timeout: float = 60) -> SciCatClient:
        """``POST /api/v3/auth/login``: 201 with ``access_token`` (valid for an hour)."""
        anonymous = cls(url, timeout=timeout)
        answer = anonymous.post(
            "/api/v3/auth/login", {"username": username, "password": password}, expect=201
        )
        anonymous.token = str(answer["access_token"])
        anonymous.username = username
        return anonymous

    def copy(self) -> SciCatClient:
        """The same caller with a session of its own (sessions are not shared across threads)."""
        return SciCatClient(
            self.url, token=self.token, username=self.username, timeout=self.timeout
        )

    def close(self) -> None:
        self.session.close()

    def raw(
        self,
        method: str,
        path: str,
        body: Json = None,
        *,
        params: Mapping[str, Any] | None = None,
    ) -> requests.Response:
        """One request, whatever the answer (for tests that look at the status themselves)."""
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return self.session.request(
            method,
            self.url + path,
            json=body,
            params=_encode_params(params),
            headers=headers,
            timeout=self.timeout,
        )

    def call(
        self,
        method: str,
        path: str,
        body: Json = None,
        *,
        params: Mapping[str, Any] | None = None,
        expect: int | Iterable[int] = (200, 201),
    ) -> Json:
        """One request; its JSON answer, or :class:`SciCatError` when the status is unexpected."""
        response = self.raw(method, path, body, params=params)
        expected = {expect} if isinstance(expect, int) else set(expect)
        if response.status_code not in expected:
            raise SciCatError(method, path, response.status_code, response.text)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            return response.text

    def get(self, path: str, *, expect: int | Iterable[int] = 200, **params: Any) -> Json:
        return self.call("GET", path, params=params, expect=expect)

    def post(self, path: str, body: Json, *, expect: int | Iterable[int] = 201) -> Json:
        return self.call("POST", path, body, expect=expect)

    def patch(self, path: str, body: Json, *, expect: int | Iterable[int] = 200) -> Json:
        return self.call("PATCH", path, body, expect=expect)

    def delete(self, path: str, *, expect: int | Iterable[int] = 200) -> Json:
        return self.call("DELETE", path, expect=expect)

    def __repr__(self) -> str:
        return f"<SciCatClient {self.url} as {self.username or 'anonymous'}>"


# --- Payloads ------------------------------------------------------------------------------------


def dataset_pid(n: int, *, prefix: str = "seed") -> str:
    return f"{PID_PREFIX}/{prefix}-{n:06d}"


def check_metadata_keys(metadata: Mapping[str, Any], *, where: str = "scientificMetadata") -> None:
    """FerretDB rejects field names with ``.`` or a leading ``$``: refuse them before sending."""
    for key, value in metadata.items():
        if "." in key or key.startswith("$"):
            raise ValueError(f"{where} key {key!r}: FerretDB refuses '.' and a leading '$'")
        if isinstance(value, Mapping):
            check_metadata_keys(value, where=f"{where}.{key}")


def instrument_payload(n: int = 1, *, prefix: str = "seed") -> dict[str, Any]:
    return {
        "uniqueName": f"{prefix}-P{n:02d}",
        "name": f"P{n:02d} High-resolution diffraction ({prefix})",
        "customMetadata": {"facility": "PETRA III", "beamline": f"P{n:02d}"},
    }


def proposal_payload(n: int = 1, *, prefix: str = "seed") -> dict[str, Any]:
    return {
        "proposalId": f"{prefix}-prop-{n:04d}",
        "title": f"Lipid monolayers at liquid interfaces {n} ({prefix})",
        "pi_firstname": "Emmy",
        "pi_lastname": "Noether",
        "pi_email": "pi@university.example",
        "email": "pi@university.example",
        "ownerGroup": OWNER_GROUP,
        "accessGroups": ACCESS_GROUPS,
        "type": "Beamtime",
        "startTime": "2024-10-10T08:00:00.000Z",
        "endTime": "2024-10-12T08:00:00.000Z",
    }


def scientific_metadata(n: int) -> dict[str, Any]:
    return {
        "sample_temperature": {"value": 290 + n % 10, "unit": "K"},
        "incident_energy": {"value": 15, "unit": "keV"},
        "scan_number": n,
        "sample_name": f"lipid monolayer {n}",
    }


def dataset_payload(
    n: int,
    *,
    prefix: str = "seed",
    published: bool = True,
    pid: str | None = "",
    instrument_id: str | None = None,
    proposal_id: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Raw dataset ``n``; ``pid=""`` gives :func:`dataset_pid`, ``pid=None`` lets SciCat choose."""
    body: dict[str, Any] = {
        "type": "raw",
        "datasetName": f"Reflectivity scan {n} ({prefix})",
        "description": f"X-ray reflectivity of sample {n}.",
        "owner": "Lovelace, Ada",
        "ownerEmail": "ada@facility.example",
        "contactEmail": "ada@facility.example",
        "principalInvestigator": "Noether, Emmy",
        "creationLocation": "PETRA III P08",
        "sourceFolder": f"/asap3/p08/2024/raw/{prefix}/{n}",
        "creationTime": CREATION_TIME,
        "keywords": ["reflectivity", prefix],
        "license": "CC-BY-4.0",
        "dataFormat": "NeXus",
        "isPublished": published,
        "ownerGroup": OWNER_GROUP,
        "accessGroups": ACCESS_GROUPS,
        "scientificMetadata": dict(metadata) if metadata is not None else scientific_metadata(n),
    }
    if pid is not None:
        body["pid"] = pid or dataset_pid(n, prefix=prefix)
    if instrument_id:
        body["instrumentId"] = instrument_id
    if proposal_id:
        body["proposalId"] = proposal_id
    body.update(extra)
    check_metadata_keys(body["scientificMetadata"])
    return body


def file_list(n: int, count: int, *, size: int = 1000) -> list[dict[str, Any]]:
    return [
        {
            "path": f"scan_{n}/frame_{i:03d}.h5",
            "size": size,
            "time": "2024-10-10T22:05:00.000Z",
            "chk": f"{n:032x}{i:032x}",
            "uid": "1000",
            "gid": "1000",
            "perm": "-rw-r--r--",
        }
        for i in range(count)
    ]


def origdatablock_payload(n: int, files: int, *, size: int = 1000) -> dict[str, Any]:
    files_ = file_list(n, files, size=size)
    return {"size": files * size, "chkAlg": "sha256", "dataFileList": files_}


def published_data_payload(
    n: int, pids: list[str], *, prefix: str = "seed", status: str = "registered"
) -> dict[str, Any]:
    return {
        "doi": f"10.99999/{prefix}-{n:04d}",
        "creator": ["Franklin, Rosalind"],
        "publisher": "Photon Science Facility",
        "publicationYear": 2025,
        "title": f"Published data {n} ({prefix})",
        "abstract": "Reflectivity scans, published.",
        "dataDescription": "https://facility.example/data",
        "resourceType": "raw",
        "pidArray": pids,
        "affiliation": "Photon Science Facility",
        "status": status,
        "registeredTime": "2025-02-03T10:00:00.000Z",
    }


# --- The seeder ----------------------------------------------------------------------------------


class Seeder:
    """Creates catalogue records through the API, each as the account allowed to (see above)."""

    def __init__(self, url: str, accounts: Mapping[str, Account], *, timeout: float = 60) -> None:
        self.url = url.rstrip("/")
        self.accounts = dict(accounts)
        self.timeout = timeout
        self._clients: dict[str, tuple[float, SciCatClient]] = {}
        self._lock = threading.Lock()

    def client(self, username: str) -> SciCatClient:
        """A logged-in client of that account (logged in on first use, and again before its
        token's hour is up)."""
        with self._lock:
            logged_in, client = self._clients.get(username, (0.0, None))
            if client is None or time.monotonic() - logged_in > TOKEN_REFRESH_SECONDS:
                if client is not None:
                    client.close()
                account = self.accounts[username]
                client = SciCatClient.login(
                    self.url, account.username, account.password, timeout=self.timeout
                )
                self._clients[username] = (time.monotonic(), client)
            return client

    def anonymous(self) -> SciCatClient:
        return SciCatClient(self.url, timeout=self.timeout)

    @property
    def admin(self) -> SciCatClient:
        return self.client(ADMIN)

    @property
    def ingestor(self) -> SciCatClient:
        return self.client(INGESTOR)

    @property
    def proposal_ingestor(self) -> SciCatClient:
        return self.client(PROPOSAL_INGESTOR)

    @property
    def archive_manager(self) -> SciCatClient:
        return self.client(ARCHIVE_MANAGER)

    def close(self) -> None:
        for _logged_in, client in self._clients.values():
            client.close()
        self._clients.clear()

    # Records. Each returns SciCat's answer (the stored record).
    def instrument(self, body: Mapping[str, Any], *, via: SciCatClient | None = None) -> Json:
        return (via or self.admin).post("/api/v3/instruments", dict(body))

    def proposal(self, body: Mapping[str, Any], *, via: SciCatClient | None = None) -> Json:
        return (via or self.proposal_ingestor).post("/api/v3/proposals", dict(body))

    def dataset(self, body: Mapping[str, Any], *, via: SciCatClient | None = None) -> Json:
        return (via or self.ingestor).post("/api/v3/datasets", dict(body))

    def origdatablock(
        self, pid: str, body: Mapping[str, Any], *, via: SciCatClient | None = None
    ) -> Json:
        path = f"/api/v3/datasets/{quote_pid(pid)}/origdatablocks"
        return (via or self.ingestor).post(path, dict(body))

    def attachment_v3(
        self,
        pid: str,
        *,
        caption: str = "Reflectivity curve",
        thumbnail: str = THUMBNAIL,
        via: SciCatClient | None = None,
    ) -> Json:
        body = {
            "thumbnail": thumbnail,
            "caption": caption,
            "ownerGroup": OWNER_GROUP,
            "accessGroups": ACCESS_GROUPS,
        }
        return (via or self.ingestor).post(f"/api/v3/datasets/{quote_pid(pid)}/attachments", body)

    def attachment_v4(
        self,
        pid: str,
        *,
        caption: str = "Reflectivity curve",
        thumbnail: str = THUMBNAIL,
        published: bool = True,
        via: SciCatClient | None = None,
    ) -> Json:
        body = {
            "thumbnail": thumbnail,
            "caption": caption,
            "ownerGroup": OWNER_GROUP,
            "accessGroups": ACCESS_GROUPS,
            "isPublished": published,
            "relationships": [
                {"targetId": pid, "targetType": "dataset", "relationType": "is attached to"}
            ],
        }
        return (via or self.admin).post("/api/v4/attachments", body)

    def published_data(self, body: Mapping[str, Any], *, via: SciCatClient | None = None) -> Json:
        return (via or self.admin).post("/api/v3/publisheddata", dict(body))

    def set_published(self, pid: str, published: bool, *, via: SciCatClient | None = None) -> Json:
        path = f"/api/v3/datasets/{quote_pid(pid)}"
        return (via or self.admin).patch(path, {"isPublished": published})

    def update_dataset(
        self, pid: str, changes: Mapping[str, Any], *, via: SciCatClient | None = None
    ) -> Json:
        return (via or self.admin).patch(f"/api/v3/datasets/{quote_pid(pid)}", dict(changes))

    def delete_dataset(self, pid: str, *, via: SciCatClient | None = None) -> Json:
        return (via or self.archive_manager).delete(f"/api/v3/datasets/{quote_pid(pid)}")


# --- A catalogue in one call ----------------------------------------------------------------------


@dataclass
class SeededCatalogue:
    """What :func:`seed_catalogue` / :func:`seed_bulk` made (ids as SciCat gave them)."""

    prefix: str
    public: list[str] = field(default_factory=list)
    private: list[str] = field(default_factory=list)
    instrument_pid: str | None = None
    proposal_id: str | None = None
    origdatablocks: dict[str, list[str]] = field(default_factory=dict)  # dataset pid -> block ids
    attachments: dict[str, list[str]] = field(default_factory=dict)  # dataset pid -> ids
    published_data: list[str] = field(default_factory=list)  # DOIs (the records' _id)
    seconds: float = 0.0

    @property
    def pids(self) -> list[str]:
        return [*self.public, *self.private]


def _attachment_id(answer: Mapping[str, Any]) -> str:
    return str(answer.get("aid") or answer.get("id") or answer.get("_id"))


def seed_catalogue(
    seeder: Seeder,
    *,
    n_public: int,
    n_private: int = 0,
    files_per_dataset: int = 2,
    prefix: str = "seed",
    instrument: bool = True,
    proposal: bool = True,
    attachments: bool = True,
    published_data: bool = False,
) -> SeededCatalogue:
    """A small catalogue, one call at a time: an instrument and a proposal (``prefix``-named),
    ``n_public`` published then ``n_private`` unpublished raw datasets (numbers 0, 1, ..., pids
    from :func:`dataset_pid`) each with an origdatablock of ``files_per_dataset`` files (none for
    0) and a published v4 attachment, and, with ``published_data``, a registered DOI for the
    public datasets."""
    began = time.monotonic()
    seeded = SeededCatalogue(prefix=prefix)
    if instrument:
        seeded.instrument_pid = str(seeder.instrument(instrument_payload(prefix=prefix))["pid"])
    if proposal:
        seeded.proposal_id = str(seeder.proposal(proposal_payload(prefix=prefix))["proposalId"])
    for n in range(n_public + n_private):
        published = n < n_public
        body = dataset_payload(
            n,
            prefix=prefix,
            published=published,
            instrument_id=seeded.instrument_pid,
            proposal_id=seeded.proposal_id,
        )
        pid = str(seeder.dataset(body)["pid"])
        (seeded.public if published else seeded.private).append(pid)
        if files_per_dataset:
            block = seeder.origdatablock(pid, origdatablock_payload(n, files_per_dataset))
            seeded.origdatablocks[pid] = [str(block["_id"])]
        if attachments:
            answer = seeder.attachment_v4(pid, caption=f"Curve of scan {n} ({prefix})")
            seeded.attachments[pid] = [_attachment_id(answer)]
    if published_data and seeded.public:
        answer = seeder.published_data(published_data_payload(1, seeded.public, prefix=prefix))
        seeded.published_data.append(str(answer["_id"]))
    seeded.seconds = time.monotonic() - began
    return seeded


def _in_threads(
    items: Iterable[int], work: Callable[[SciCatClient, int], T], client: SciCatClient, workers: int
) -> list[T]:
    local = threading.local()
    copies: list[SciCatClient] = []
    copies_lock = threading.Lock()

    def run(n: int) -> T:
        mine = getattr(local, "client", None)
        if mine is None:
            mine = local.client = client.copy()
            with copies_lock:
                copies.append(mine)
        return work(mine, n)

    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scicat-seed") as pool:
            return list(pool.map(run, items))
    finally:
        for copy in copies:
            copy.close()


# Past this, seeding through the API takes too long (see clone_bulk).
SEED_BULK_LIMIT = 1000


def seed_bulk(
    seeder: Seeder,
    *,
    n_public: int,
    n_private: int = 0,
    files_per_dataset: int = 10,
    prefix: str = "bulk",
    workers: int = 8,
    instrument: bool = True,
    proposal: bool = True,
    attachments: bool = False,
    start: int = 0,
    progress: Callable[[int], None] | None = None,
) -> SeededCatalogue:
    """Many datasets from ``workers`` threads: each dataset (numbers ``start``, ``start + 1``, ...;
    the first ``n_public`` published) is one ``POST /api/v3/datasets`` with an explicit pid and
    one ``POST .../origdatablocks`` with ``files_per_dataset`` files (and, with ``attachments``,
    one v4 attachment); ``progress(1)`` after each dataset (one call at a time).

    The rate falls as the catalogue grows: FerretDB's SQLite backend pushes down only ``{_id: X}``
    filters, and SciCat looks datasets up by ``pid`` (three scans of the Dataset collection for
    each block POST, ~0.35 ms per stored dataset on this 2-core machine), so each dataset costs
    time proportional to the datasets already there and N of them take time proportional to N².
    Measured here (8 workers, 10 files per dataset, SciCat, FerretDB and this process sharing the
    two cores): ~15/s on an empty catalogue, 4.5/s averaged over the first 400 (89-94 s, both
    versions), ~2/s at 600 and ~1/s at 800 with other work on the machine; extrapolated, 10,000
    would take many hours. Threads help while SciCat's node process is the bottleneck (small
    catalogues); past a few hundred datasets FerretDB uses both cores and more workers add
    nothing. A benchmark at that scale should seed once and keep the WORKDIR (the database
    survives down.sh / up.sh), or use :func:`tests.scicat_real.clone.clone_bulk`.
    """
    if n_public + n_private > SEED_BULK_LIMIT:
        raise ValueError(
            f"seed_bulk: {n_public + n_private} datasets through SciCat's API would take hours "
            "with the kit's FerretDB (each POST scans the datasets); use "
            "tests.scicat_real.clone.clone_bulk(seeder, (host, mongo_port), ...) for benchmarks: "
            "API-made templates copied over FerretDB's wire protocol, seconds for 10,000"
        )
    began = time.monotonic()
    seeded = SeededCatalogue(prefix=prefix)
    if instrument:
        seeded.instrument_pid = str(seeder.instrument(instrument_payload(prefix=prefix))["pid"])
    if proposal:
        seeded.proposal_id = str(seeder.proposal(proposal_payload(prefix=prefix))["proposalId"])

    progress_lock = threading.Lock()

    def one(client: SciCatClient, n: int) -> tuple[str, bool, str | None, str | None]:
        published = n < start + n_public
        body = dataset_payload(
            n,
            prefix=prefix,
            published=published,
            instrument_id=seeded.instrument_pid,
            proposal_id=seeded.proposal_id,
        )
        pid = str(seeder.dataset(body, via=client)["pid"])
        block_id = None
        if files_per_dataset:
            block = seeder.origdatablock(
                pid, origdatablock_payload(n, files_per_dataset), via=client
            )
            block_id = str(block["_id"])
        attachment_id = None
        if attachments:
            answer = seeder.attachment_v4(pid, caption=f"Curve of scan {n}", via=client)
            attachment_id = _attachment_id(answer)
        if progress is not None:
            with progress_lock:
                progress(1)
        return pid, published, block_id, attachment_id

    numbers = range(start, start + n_public + n_private)
    for pid, published, block_id, attachment_id in _in_threads(
        numbers, one, seeder.ingestor, workers
    ):
        (seeded.public if published else seeded.private).append(pid)
        if block_id is not None:
            seeded.origdatablocks[pid] = [block_id]
        if attachment_id is not None:
            seeded.attachments[pid] = [attachment_id]
    seeded.seconds = time.monotonic() - began
    return seeded


# --- Seeding rate, by hand ------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """``python -m tests.scicat_real.seed v5.2.1 1000``: start that version, seed N datasets with
    :func:`seed_bulk` and print the rate per slice of the catalogue as it grows."""
    import argparse

    from tests.scicat_real.kit import SciCatBackend

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("version", choices=["v4.17.1", "v5.2.1"])
    parser.add_argument("n", type=int)
    parser.add_argument("--files", type=int, default=10, help="files per dataset (default 10)")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--private", type=float, default=0.25, help="share of private datasets")
    parser.add_argument("--step", type=int, default=100, help="report every STEP datasets")
    args = parser.parse_args(argv)

    with SciCatBackend(args.version) as backend:
        print(f"{backend.name} up at {backend.url} in {backend.startup_seconds:.1f} s", flush=True)
        seeder = Seeder(backend.url, backend.accounts)
        done = 0
        mark = time.monotonic()

        def report(count: int) -> None:
            nonlocal done, mark
            done += count
            if done % args.step == 0:
                now = time.monotonic()
                print(f"  {done:6d} datasets: {args.step / (now - mark):6.1f}/s", flush=True)
                mark = now

        n_private = round(args.n * args.private)
        seeded = seed_bulk(
            seeder,
            n_public=args.n - n_private,
            n_private=n_private,
            files_per_dataset=args.files,
            workers=args.workers,
            progress=report,
        )
        rate = args.n / seeded.seconds
        print(f"{args.n} datasets in {seeded.seconds:.1f} s: {rate:.1f} datasets/s overall")
        seeder.close()


if __name__ == "__main__":
    main()
