"""Where usage events wait between the request and the database: a Redis list when ``REDIS_URL``
is set (shared by every web process; a Celery beat task drains it every minute), else a list in
this process (the embedded default: SQLite, eager tasks, no Redis), drained into the database by
the request that finds it full or old (one batched write per ``MEMORY_BATCH`` events or
``MEMORY_SECONDS``) and when the process exits.

An event is a short tuple of plain values (see :mod:`usage.recording`): the time, the kind, the
dataset and publication ids, the access method, the visitor's salted hash and the part. Nothing
personal ever enters the buffer. Recording never fails a page: a Redis that does not answer
within ``REDIS_TIMEOUT`` loses the event and logs it once a minute.
"""

from __future__ import annotations

import atexit
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

RawEvent = tuple[float, str, int | None, int | None, str, str, str]

REDIS_KEY = "portal:usage:events"
REDIS_TIMEOUT = 0.25
MEMORY_BATCH = 200
MEMORY_SECONDS = 30.0

_lock = threading.Lock()
_memory: list[RawEvent] = []
_memory_since = 0.0
_clients: dict[str, redis.Redis] = {}
_last_error = 0.0


def _client() -> redis.Redis | None:
    url = settings.REDIS_URL
    if not url:
        return None
    client = _clients.get(url)
    if client is None:
        client = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
        )
        _clients[url] = client
    return client


def _warn(message: str, *args: Any) -> None:
    global _last_error
    now = time.monotonic()
    if now - _last_error > 60:
        _last_error = now
        logger.warning(message, *args)


def push(event: RawEvent, *, store: Callable[[list[RawEvent]], object]) -> None:
    """Keep ``event``; ``store`` writes a batch when the in-process buffer is due."""
    global _memory_since
    client = _client()
    if client is not None:
        try:
            client.rpush(REDIS_KEY, json.dumps(event, separators=(",", ":")))
        except redis.RedisError as exc:
            _warn("usage: an event was lost, Redis did not take it (%s)", exc)
        return
    with _lock:
        if not _memory:
            _memory_since = time.monotonic()
        _memory.append(event)
        due = len(_memory) >= MEMORY_BATCH or time.monotonic() - _memory_since > MEMORY_SECONDS
        batch = _take_memory() if due else []
    if batch:
        store(batch)


def _take_memory() -> list[RawEvent]:
    batch = _memory[:]
    _memory.clear()
    return batch


def take(limit: int) -> list[RawEvent]:
    """Up to ``limit`` waiting events, removed from the buffer (Redis and this process)."""
    with _lock:
        events = _take_memory()
    client = _client()
    if client is not None and len(events) < limit:
        pipe = client.pipeline(transaction=True)
        pipe.lrange(REDIS_KEY, 0, limit - len(events) - 1)
        pipe.ltrim(REDIS_KEY, limit - len(events), -1)
        raw, _ = pipe.execute()
        events += [tuple(json.loads(item)) for item in raw]
    return events


def give_back(events: list[RawEvent]) -> None:
    """Events that could not be stored go back to the buffer, to be tried again."""
    client = _client()
    if client is not None:
        client.rpush(REDIS_KEY, *(json.dumps(e, separators=(",", ":")) for e in events))
        return
    with _lock:
        _memory[:0] = events


def discard() -> None:
    """Forget what waits in this process (tests start each from nothing)."""
    with _lock:
        _memory.clear()


def flush_at_exit(store: Callable[[list[RawEvent]], object]) -> None:
    def flush() -> None:
        with _lock:
            batch = _take_memory()
        if batch:
            try:
                store(batch)
            except Exception:  # the process is going away: say so, never raise
                logger.exception("usage: %d events could not be stored at exit", len(batch))

    atexit.register(flush)
