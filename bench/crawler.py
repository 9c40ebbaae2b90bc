"""An abusive crawler for the load test: ``python -m bench.crawler URL RATE SECONDS OUT``.

Asks for search pages at RATE requests per second (open loop: the next request leaves on time
whether or not the earlier ones were answered, at most 256 in flight) for SECONDS, from one client
address (``X-Forwarded-For``), and writes the count of each status and the latency percentiles to
OUT (JSON). Run by ``bench/scenarios/load.py`` as a process of its own.

HTTP/1.1 by hand over 64 keep-alive connections (asyncio streams): a real crawler runs on a
machine of its own, while this one shares the portal's cores, so it must cost as little CPU per
request as it can (an HTTP client library cost about half a core at 150 requests a second).
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ADDRESS = "192.0.2.66"  # TEST-NET-1: the crawler's one address
IN_FLIGHT = 256
CONNECTIONS = 64


class _Closed(Exception):
    """The server closed the connection (or answered something this reader does not follow)."""


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; its status, and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        raise _Closed  # a body to the end of the connection: not from this server
    return status, headers.get("connection") != "close"


async def crawl(base: str, rate: float, seconds: float) -> dict[str, object]:
    statuses: Counter[str] = Counter()
    times: list[float] = []
    gate = asyncio.Semaphore(IN_FLIGHT)
    where = urlsplit(base)
    host, port = where.hostname or "127.0.0.1", where.port or 80
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None] = asyncio.Queue()
    for _ in range(CONNECTIONS):
        pool.put_nowait(None)  # opened when first used

    async def one(n: int) -> None:
        started = time.perf_counter()
        path = f"/datasets/?q=sample&page={n % 400 + 1}&sort={random.choice(['title', ''])}"
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {where.netloc}\r\nX-Forwarded-For: {ADDRESS}\r\n"
            "User-Agent: bench-crawler/1\r\nAccept: text/html\r\n\r\n"
        ).encode("ascii")
        connection = await pool.get()
        try:
            if connection is None:
                connection = await asyncio.open_connection(host, port)
            reader, writer = connection
            writer.write(request)
            status, keep = await asyncio.wait_for(_answer(reader), timeout=30)
            statuses[str(status)] += 1
            if not keep:
                writer.close()
                connection = None
        except (TimeoutError, OSError, ValueError, asyncio.IncompleteReadError, _Closed) as exc:
            statuses[type(exc).__name__] += 1
            if connection is not None:
                connection[1].close()
            connection = None
        finally:
            pool.put_nowait(connection)
            times.append((time.perf_counter() - started) * 1000)
            gate.release()

    tasks: set[asyncio.Task[None]] = set()
    start = time.perf_counter()
    n = 0
    while (now := time.perf_counter() - start) < seconds:
        due = int(now * rate) + 1
        while n < due:
            if gate.locked():
                statuses["not sent (256 in flight)"] += 1
            else:
                await gate.acquire()
                task = asyncio.create_task(one(n))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            n += 1
        await asyncio.sleep(0.002)
    sent_seconds = time.perf_counter() - start
    if tasks:
        await asyncio.wait(tasks, timeout=30)
    while not pool.empty():
        if (left := pool.get_nowait()) is not None:
            left[1].close()
    times.sort()

    def pct(q: float) -> float:
        return round(times[int((len(times) - 1) * q)], 1) if times else 0.0

    return {
        "asked": n,
        "seconds": round(sent_seconds, 1),
        "rate": round(len(times) / sent_seconds, 1),
        "statuses": dict(statuses),
        "median_ms": pct(0.5),
        "p95_ms": pct(0.95),
    }


def main(argv: list[str]) -> int:
    base, rate, seconds, out = argv[0], float(argv[1]), float(argv[2]), Path(argv[3])
    result = asyncio.run(crawl(base, rate, seconds))
    out.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
