"""The load test's visitors, for locust (run by ``bench/scenarios/load.py``; Django-free).

``BENCH_LOAD_TARGETS`` names a JSON file of what to ask for (dataset pids, DOIs, search words,
export formats, whether ``/api/v1/`` answers); ``BENCH_LOAD_SAMPLES`` the JSON Lines file each
request's group, status and milliseconds are written to when the run ends. Each visitor has an
address of its own in ``X-Forwarded-For`` (the portal runs with ``BEHIND_PROXY=true``), so the
per-client rate limits apply per visitor as they would behind the facility's proxy.

- :class:`Visitor` (the crowd), in the shares of a public data portal's traffic, where most
  visitors arrive on a landing page from a search engine, a citation or a DOI link and fewer
  browse or search (per 100 requests): 35 dataset landing pages (their popularity falls off as
  Zipf's law: a few datasets are asked for often, most rarely), 8 publication (DOI) pages,
  18 searches, 8 catalogue pages, 4 browse pages (instruments, proposals, techniques), 6 home
  pages, 5 exports (citations, metadata formats), 7 API requests (REST and PaNOSC, when they
  answer), 5 OAI-PMH requests (harvesters) and 2 of the floor (``/robots.txt``, the cheapest
  answer the stack gives: the physical limit). Groups named ``page:`` are the HTML pages the
  p95 target is about;
- :class:`Abuser` (one, ``fixed_count``): a scraper asking for search pages with no pause, from
  one address: the rate limiter should answer it with 429 while the others are served.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, events, task

_TARGETS: dict[str, Any] = json.loads(Path(os.environ["BENCH_LOAD_TARGETS"]).read_text())
_WAIT = [float(x) for x in os.environ.get("BENCH_LOAD_WAIT", "2,8").split(",")]
_samples: list[tuple[str, int, float]] = []
_lock = threading.Lock()
_addresses = itertools.count(1)


@events.request.add_listener
def _record(name: str, response_time: float, response: Any = None, **kwargs: Any) -> None:
    status = int(getattr(response, "status_code", 0) or 0)
    with _lock:
        _samples.append((name, status, float(response_time)))


@events.quitting.add_listener
def _write(**kwargs: Any) -> None:
    with Path(os.environ["BENCH_LOAD_SAMPLES"]).open("w", encoding="utf-8") as out:
        for name, status, ms in _samples:
            out.write(json.dumps([name, status, round(ms, 2)]) + "\n")


def _address() -> str:
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


class _Client(FastHttpUser):
    abstract = True

    def on_start(self) -> None:
        self.forwarded = _address()

    def get(self, url: str, group: str, **headers: str) -> None:
        with self.client.get(
            url,
            name=group,
            headers={"X-Forwarded-For": self.forwarded, **headers},
            catch_response=True,
        ) as response:
            if response.status_code < 500:
                response.success()  # 4xx are counted apart (429s expected for the abuser)
            else:
                response.failure(f"{response.status_code}")


def _popularity(count: int) -> list[float]:
    """Cumulative Zipf weights (exponent 1) over ``count`` records, most popular first."""
    weights = itertools.accumulate(1 / rank for rank in range(1, count + 1))
    return list(weights)


_PIDS: list[str] = _TARGETS["pids"]
_PID_WEIGHTS = _popularity(len(_PIDS))


class Visitor(_Client):
    weight = 100
    wait_time = between(_WAIT[0], _WAIT[1])

    @task(35)
    def dataset_page(self) -> None:
        pid = random.choices(_PIDS, cum_weights=_PID_WEIGHTS)[0]
        self.get(f"/datasets/{pid}", "page:dataset")

    @task(8)
    def publication_page(self) -> None:
        if _TARGETS["dois"]:
            self.get(f"/doi/{random.choice(_TARGETS['dois'])}", "page:publication")

    @task(18)
    def search(self) -> None:
        word = random.choice(_TARGETS["words"])
        facet = random.choice(_TARGETS["facets"] or [""])
        page = random.choice([1, 1, 1, 1, 2, 3])
        self.get(f"/datasets/?q={word}{facet}&page={page}", "page:search")

    @task(8)
    def catalogue(self) -> None:
        page = random.choice([1, 1, 1, 2, 3, 10])
        self.get(f"/datasets/?page={page}", "page:catalogue")

    @task(4)
    def browse(self) -> None:
        self.get(random.choice(["/instruments/", "/proposals/", "/techniques/"]), "page:browse")

    @task(6)
    def home(self) -> None:
        self.get("/", "page:home")

    @task(5)
    def export(self) -> None:
        key = random.choice(_TARGETS["exports"])
        pid = random.choices(_PIDS, cum_weights=_PID_WEIGHTS)[0]
        self.get(f"/export/{key}/datasets/{pid}", "export")

    @task(7)
    def api(self) -> None:
        if _TARGETS["api"]:
            self.get(random.choice(_TARGETS["api"]), "api")

    @task(5)
    def oai(self) -> None:
        pid = random.choice(_PIDS)
        choice = random.random()
        if choice < 0.5:
            identifier = f"{_TARGETS['oai_prefix']}{pid}"
            url = f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier={identifier}"
        elif choice < 0.9:
            url = "/oai?verb=ListRecords&metadataPrefix=oai_dc"
        else:
            url = "/oai?verb=Identify"
        self.get(url, "oai")

    @task(2)
    def floor(self) -> None:
        self.get("/robots.txt", "floor")


class Abuser(_Client):
    fixed_count = 1
    wait_time = between(0.01, 0.03)  # ~50 requests/s when answered at once

    @task
    def scrape(self) -> None:
        word = random.choice(_TARGETS["words"])
        self.get(f"/datasets/?q={word}&page={random.randint(1, 50)}", "abuser")
