"""The SciCat stand-in's state: the release it plays, its catalogue (written by
:mod:`~tests.standins.scicat.writes`), tokens, the clock, the faults tests set and the requests
seen."""

from __future__ import annotations

import random
import threading
import uuid
from datetime import datetime, timedelta

from tests.standins import LoopbackServer
from tests.standins.scicat.common import (
    _START,
    RELEASES,
)
from tests.standins.scicat.store import Seen, _Catalogue, _Fault


class StandInState(LoopbackServer):
    """The stand-in's state: the release, the catalogue, tokens, faults, the clock and the requests
    seen. Writing the catalogue is :class:`~tests.standins.scicat.writes.CatalogueWrites`',
    answering :class:`~tests.standins.scicat.routes.SciCatStandIn`'s."""

    thread_name = "scicat-standin"

    def __init__(
        self,
        *,
        accounts: dict[str, str] | None = None,
        token_lifetime: float = 3600,
        seed: int = 0,
        port: int = 0,
        release: str = "4.17.1",
    ) -> None:
        self.accounts = accounts if accounts is not None else {"portal-sync": "sync-password"}
        self.token_lifetime = token_lifetime
        self._seed = seed
        self._release = ""
        self.release = release
        self._catalogue = _Catalogue()
        self._tokens: dict[str, float] = {}  # token -> expiry (monotonic)
        self._faults: list[_Fault] = []
        self._seen: list[Seen] = []
        self.stalled = 0  # requests that hit a stall so far
        self._lock = threading.RLock()
        self._random = random.Random(seed)
        self._clock = _START
        self.started_at = _START  # "the server's start": publishedOn, dateOfDiskPurging
        self.v4_casts_dates = False  # True: a backend with PR #2346 (see the docstring)
        self.leak_relations = False  # True: relation lists ignore the caller's where
        self.public_only_lookups: set[str] = set()  # 4.17.1's sticky lookups (see _view)
        super().__init__(port=port)

    @property
    def release(self) -> str:
        return self._release

    @release.setter
    def release(self, value: str) -> None:
        if value not in RELEASES:
            raise ValueError(f"release must be one of {RELEASES}, not {value!r}")
        self._release = value

    def set_release(self, release: str) -> None:
        self.release = release

    @property
    def five(self) -> bool:
        return self._release == "5.2.1"

    def reset(self, *, release: str | None = None) -> None:
        """Empty, with the defaults again; the release is kept unless given."""
        with self._lock:
            if release is not None:
                self.release = release
            self._catalogue = _Catalogue()
            self._tokens.clear()
            self._faults.clear()
            self._seen.clear()
            self.stalled = 0
            self._random = random.Random(self._seed)
            self._clock = _START
            self.started_at = _START
            self.v4_casts_dates = False
            self.leak_relations = False
            self.public_only_lookups = set()

    # -- time -----------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The catalogue's clock: a millisecond later on every call, so writes are ordered."""
        with self._lock:
            self._clock += timedelta(milliseconds=1)
            return self._clock

    def set_clock(self, moment: datetime) -> None:
        with self._lock:
            self._clock = moment

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    # -- faults ---------------------------------------------------------------------------------

    def fail(
        self,
        status: int = 503,
        *,
        times: int = 1,
        retry_after: str | None = None,
        path: str | None = None,
    ) -> None:
        with self._lock:
            self._faults.append(
                _Fault("fail", times, status=status, retry_after=retry_after, path=path)
            )

    def drop(self, *, times: int = 1, path: str | None = None) -> None:
        """Send the headers and part of the body of the next answer(s), then hang up."""
        with self._lock:
            self._faults.append(_Fault("drop", times, path=path))

    def stall(
        self, seconds: float, *, times: int = 1, path: str | None = None, after: int = 0
    ) -> None:
        """Answer the next request(s) only after ``seconds`` (after ``after`` others)."""
        with self._lock:
            self._faults.append(_Fault("stall", times, seconds=seconds, path=path, after=after))

    def expire_tokens(self) -> None:
        """Every token given out so far expires (4.17.1: calls with it become anonymous;
        5.2.1: 401 ``SESSION_EXPIRED``)."""
        with self._lock:
            for token in self._tokens:
                self._tokens[token] = 0.0

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path is None or path.startswith(fault.path):
                    if fault.after > 0:
                        fault.after -= 1
                        continue
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    @property
    def seen(self) -> list[Seen]:
        with self._lock:
            return list(self._seen)

    def requests(self, path_prefix: str) -> list[Seen]:
        return [s for s in self.seen if s.path.startswith(path_prefix)]
