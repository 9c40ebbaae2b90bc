"""An abusive crawler for the load test: ``python -m bench.crawler URL RATE SECONDS OUT``.

Asks for search pages at RATE requests per second (open loop: the next request leaves on time
whether or not the earlier ones were answered, at most 256 in flight) for SECONDS, from one client
address (``X-Forwarded-For``), and writes the count of each status and the latency percentiles to
OUT (JSON). Run by ``bench/scenarios/load.py`` as a process of its own.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

ADDRESS = "192.0.2.66"  # TEST-NET-1: the crawler's one address
IN_FLIGHT = 256


async def crawl(base: str, rate: float, seconds: float) -> dict[str, object]:
    statuses: Counter[str] = Counter()
    times: list[float] = []
    gate = asyncio.Semaphore(IN_FLIGHT)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:

        async def one(n: int) -> None:
            started = time.perf_counter()
            try:
                response = await client.get(
                    f"/datasets/?q=sample&page={n % 400 + 1}&sort={random.choice(['title', ''])}",
                    headers={"X-Forwarded-For": ADDRESS, "User-Agent": "bench-crawler/1"},
                )
                statuses[str(response.status_code)] += 1
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] += 1
            finally:
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
