"""Where usage events wait between the request and the database: a Redis list when ``REDIS_URL``
is set (shared by every web process; a Celery beat task drains it every minute), else a list in
this process (the embedded default: SQLite, eager tasks, no Redis), drained into the database by
the request that finds it full or old (one batched write per ``MEMORY_BATCH`` events or
``MEMORY_SECONDS``) and when the process exits.

A request never waits for Redis: it puts the event on a queue in this process, and a sender
thread pushes what has gathered with one ``RPUSH`` (a round trip is cheap, but a request that
blocks on a socket gives up its CPU, and on a busy machine it waits a scheduler turn to get it
back). :func:`flush` waits for the queue to be sent (the drain, tests, the process's exit).

An event is a short tuple of plain values (see :mod:`usage.recording`): the time, the kind, the
dataset and publication ids, the access method, the visitor's salted hash and the part. Nothing
personal ever enters the buffer. Recording never fails a page: a Redis that does not answer
within ``REDIS_TIMEOUT`` loses the event and logs it once a minute.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
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
SEND_BATCH = 500
FLUSH_SECONDS = 2.0

_lock = threading.Lock()
_memory: list[RawEvent] = []
_memory_since = 0.0
_clients: dict[str, redis.Redis] = {}
_last_error = 0.0
# (Redis URL, event as JSON) on their way to Redis; the sender thread of this process sends them.
_outbox: queue.Queue[tuple[str, str]] = queue.Queue()
_sender: tuple[int, threading.Thread] | None = None  # (pid, thread): a fork has none
_sender_lock = threading.Lock()


def _client() -> redis.Redis | None:
    url = settings.REDIS_URL
    return _client_for(url) if url else None


def _client_for(url: str) -> redis.Redis:
    """The one client of ``url`` in this process (made on first use)."""
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
    if url := settings.REDIS_URL:
        _outbox.put((url, json.dumps(event, separators=(",", ":"))))
        _sender_running()
        return
    with _lock:
        if not _memory:
            _memory_since = time.monotonic()
        _memory.append(event)
        due = len(_memory) >= MEMORY_BATCH or time.monotonic() - _memory_since > MEMORY_SECONDS
        batch = _take_memory() if due else []
    if batch:
        store(batch)


def _sender_running() -> None:
    global _sender
    if _sender is not None and _sender[0] == os.getpid() and _sender[1].is_alive():
        return
    with _sender_lock:
        if _sender is None or _sender[0] != os.getpid() or not _sender[1].is_alive():
            thread = threading.Thread(target=_send_forever, name="usage-sender", daemon=True)
            thread.start()
            _sender = (os.getpid(), thread)


def _send_forever() -> None:
    while True:
        batch = [_outbox.get()]
        while len(batch) < SEND_BATCH:
            try:
                batch.append(_outbox.get_nowait())
            except queue.Empty:
                break
        try:
            _send(batch)
        finally:
            for _ in batch:
                _outbox.task_done()


def _send(batch: list[tuple[str, str]]) -> None:
    by_url: dict[str, list[str]] = {}
    for url, item in batch:
        by_url.setdefault(url, []).append(item)
    for url, items in by_url.items():
        try:
            _client_for(url).rpush(REDIS_KEY, *items)
        except redis.RedisError as exc:
            _warn("usage: %d events were lost, Redis did not take them (%s)", len(items), exc)


def flush(timeout: float = FLUSH_SECONDS) -> bool:
    """Wait until the events this process recorded are in Redis; False if that took too long."""
    deadline = time.monotonic() + timeout
    with _outbox.all_tasks_done:
        while _outbox.unfinished_tasks:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _warn("usage: %d events not sent to Redis yet", _outbox.unfinished_tasks)
                return False
            _outbox.all_tasks_done.wait(remaining)
    return True


def _take_memory() -> list[RawEvent]:
    batch = _memory[:]
    _memory.clear()
    return batch


def take(limit: int) -> list[RawEvent]:
    """Up to ``limit`` waiting events, removed from the buffer (Redis and this process)."""
    flush()
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
    flush()
    with _lock:
        _memory.clear()


def flush_at_exit(store: Callable[[list[RawEvent]], object]) -> None:
    def at_exit() -> None:
        flush()
        with _lock:
            batch = _take_memory()
        if batch:
            try:
                store(batch)
            except Exception:  # the process is going away: say so, never raise
                logger.exception("usage: %d events could not be stored at exit", len(batch))

    atexit.register(at_exit)
