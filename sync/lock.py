"""One sync at a time, across every worker and every manual run.

With ``REDIS_URL`` (set, or the Redis broker) the lock is a Redis key with a timeout
(``SYNC_LOCK_TIMEOUT``) that the running sync renews as it goes: a sync that dies, even by
SIGKILL, frees it when the timeout passes. Without Redis (local use) it is an exclusive ``flock``
on a file in ``PORTAL_VAR_DIR``, which the kernel frees when the process dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone

LOCK_NAME = "portal:sync:lock"


class SyncLockHeld(RuntimeError):
    """Another sync holds the lock; the message says who, when that is known."""


class SyncLockLost(RuntimeError):
    """The lock expired and someone else took it: this run must stop."""


def holder_description() -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid(), "since": timezone.now().isoformat()}


class _RedisLock:
    def __init__(self, url: str, timeout: int) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.timeout = timeout
        self.lock = self.client.lock(LOCK_NAME, timeout=timeout, thread_local=False)
        self._renewed = 0.0

    def acquire(self, wait: float) -> bool:
        acquired = bool(
            self.lock.acquire(blocking=wait > 0, blocking_timeout=wait if wait > 0 else None)
        )
        if acquired:
            holder = json.dumps(holder_description())
            self.client.set(f"{LOCK_NAME}:holder", holder, ex=self.timeout)
            self._renewed = time.monotonic()
        return acquired

    def holder(self) -> str:
        raw = self.client.get(f"{LOCK_NAME}:holder")
        if not raw:
            return "another sync"
        info = json.loads(raw)
        return f"{info.get('host')} (process {info.get('pid')}, since {info.get('since')})"

    def renew(self) -> None:
        # At most every few seconds: one round trip per renewal.
        if time.monotonic() - self._renewed < min(5.0, self.timeout / 10):
            return
        from redis.exceptions import LockError

        try:
            self.lock.extend(self.timeout, replace_ttl=True)
        except LockError as exc:
            raise SyncLockLost(
                f"the sync lock expired (SYNC_LOCK_TIMEOUT={self.timeout} s) and was taken"
            ) from exc
        self.client.expire(f"{LOCK_NAME}:holder", self.timeout)
        self._renewed = time.monotonic()

    def release(self) -> None:
        from redis.exceptions import LockError

        with contextlib.suppress(LockError):
            self.lock.release()
        self.client.delete(f"{LOCK_NAME}:holder")
        self.close()

    def close(self) -> None:
        self.client.close()


class _FileLock:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.handle: IO[str] = path.open("a+", encoding="utf-8")

    def acquire(self, wait: float) -> bool:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.2)
                continue
            self.handle.seek(0)
            self.handle.truncate()
            self.handle.write(json.dumps(holder_description()))
            self.handle.flush()
            return True

    def holder(self) -> str:
        try:
            info = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return "another sync"
        return f"{info.get('host')} (process {info.get('pid')}, since {info.get('since')})"

    def renew(self) -> None:
        """A flock lives as long as its process: nothing to renew."""

    def release(self) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.close()

    def close(self) -> None:
        self.handle.close()


class SyncLock:
    """The held lock, as the ``with sync_lock()`` block sees it."""

    def __init__(self, backend: _RedisLock | _FileLock) -> None:
        self._backend = backend

    @property
    def kind(self) -> str:
        return "redis" if isinstance(self._backend, _RedisLock) else "file"

    def renew(self) -> None:
        """Tell the lock this sync is still alive (call it often; it is cheap)."""
        self._backend.renew()


@contextlib.contextmanager
def sync_lock(*, wait: float = 0) -> Iterator[SyncLock]:
    """Hold the sync lock for the ``with`` block; :class:`SyncLockHeld` when another sync has it.

    ``wait``: seconds to wait for the lock before giving up (0: do not wait).
    """
    backend: _RedisLock | _FileLock
    if settings.REDIS_URL:
        backend = _RedisLock(settings.REDIS_URL, settings.SYNC_LOCK_TIMEOUT)
    else:
        backend = _FileLock(Path(settings.VAR_DIR) / "sync.lock")
    if not backend.acquire(wait):
        holder = backend.holder()
        backend.close()
        raise SyncLockHeld(f"another catalogue sync is running: {holder}")
    try:
        yield SyncLock(backend)
    finally:
        backend.release()
