"""The rate limiter's counters in Redis: one sliding-window counter per client and class of
traffic, shared by every web process.

The window is approximated the way large CDNs do it: the current fixed window's count plus the
previous window's count weighted by how much of it still overlaps the sliding window. One Lua
script reads both counts and adds the request's cost only when it fits, in one round trip and
atomically, so a refused request costs nothing and ``Retry-After`` tells the truth: a client that
waits that long is served.

Plain Python and redis-py, no Django: :class:`RateCounters` is given its URL.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import redis

KEY_PREFIX = "portal:rl"
# A web request must not wait on a struggling Redis: past this the request is let through.
TIMEOUT_SECONDS = 0.25

_SCRIPT = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local cost = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local weight = tonumber(ARGV[3])
if previous * weight + current + cost > limit then
  return {0, current, previous}
end
redis.call('INCRBY', KEYS[1], cost)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return {1, current + cost, previous}
"""


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    # Points used in the sliding window, this request included when it was allowed.
    used: int
    # Whole seconds until a request of the same cost would be allowed (0 when allowed).
    retry_after: int


def retry_after(
    *, current: int, previous: int, cost: int, limit: int, window: int, elapsed: float
) -> int:
    """Seconds until ``previous * (1 - t / window) + current + cost <= limit`` holds, where the
    windows roll over at ``window - elapsed`` (then the current count becomes the previous)."""
    if current + cost <= limit and previous > 0:
        wait = window * (1 - (limit - current - cost) / previous) - elapsed
    else:
        # Not before the next window; there the current count is the one fading out.
        wait = window - elapsed
        if current > 0:
            wait += max(0.0, window * (1 - (limit - cost) / current))
    return max(1, math.ceil(wait))


class RateCounters:
    """Sliding-window counters under ``portal:rl:<bucket>:<client>:<window number>``."""

    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(
            url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
        )
        self._script = self._client.register_script(_SCRIPT)

    def hit(
        self, *, bucket: str, client: str, cost: int, limit: int, window: int, now: float | None
    ) -> Decision:
        """Count a request of ``cost`` points against ``limit`` points per ``window`` seconds.

        Raises :class:`redis.RedisError` when Redis does not answer (the caller fails open).
        """
        now = time.time() if now is None else now
        cost = max(1, min(cost, limit))
        number, into = divmod(now, window)
        base = f"{KEY_PREFIX}:{bucket}:{client}"
        allowed, current, previous = self._script(
            keys=[f"{base}:{int(number)}", f"{base}:{int(number) - 1}"],
            args=[cost, limit, repr(1 - into / window), window * 2],
        )
        used = math.ceil(int(previous) * (1 - into / window) + int(current))
        if allowed:
            return Decision(allowed=True, limit=limit, used=used, retry_after=0)
        wait = retry_after(
            current=int(current),
            previous=int(previous),
            cost=cost,
            limit=limit,
            window=window,
            elapsed=into,
        )
        return Decision(allowed=False, limit=limit, used=used, retry_after=wait)

    def close(self) -> None:
        self._client.close()
