"""The load test's visitors, for locust (run by ``bench/scenarios/load.py``; Django-free).

``BENCH_LOAD_TARGETS`` names a JSON file of what to ask for (dataset pids, DOIs, search words,
export formats, whether ``/api/v1/`` answers); ``BENCH_LOAD_SAMPLES`` the JSON Lines file each
request's group, status and milliseconds are written to when the run ends. Each visitor has an
address of its own in ``X-Forwarded-For`` (the portal runs with ``BEHIND_PROXY=true``), so the
per-client rate limits apply per visitor as they would behind the facility's proxy.

- :class:`Visitor` (the weight of the crowd): home page, catalogue pages, searches, landing
  pages of datasets and publications, exports, OAI-PMH, the API when it is there, and the
  floor (``/robots.txt``, the cheapest answer the stack gives: the physical limit);
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


class Visitor(_Client):
    weight = 100
    wait_time = between(_WAIT[0], _WAIT[1])

    @task(3)
    def home(self) -> None:
        self.get("/", "page:home")

    @task(6)
    def catalogue(self) -> None:
        page = random.choice([1, 1, 1, 2, 3, 10])
        self.get(f"/datasets/?page={page}", "page:catalogue")

    @task(6)
    def search(self) -> None:
        word = random.choice(_TARGETS["words"])
        facet = random.choice(_TARGETS["facets"] or [""])
        self.get(f"/datasets/?q={word}{facet}", "search")

    @task(10)
    def dataset_page(self) -> None:
        self.get(f"/datasets/{random.choice(_TARGETS['pids'])}", "page:dataset")

    @task(3)
    def publication_page(self) -> None:
        if _TARGETS["dois"]:
            self.get(f"/doi/{random.choice(_TARGETS['dois'])}", "page:publication")

    @task(2)
    def export(self) -> None:
        key = random.choice(_TARGETS["exports"])
        self.get(f"/export/{key}/datasets/{random.choice(_TARGETS['pids'])}", "export")

    @task(2)
    def oai(self) -> None:
        pid = random.choice(_TARGETS["pids"])
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
    def api(self) -> None:
        if _TARGETS["api"]:
            self.get(random.choice(_TARGETS["api"]), "api")

    @task(1)
    def floor(self) -> None:
        self.get("/robots.txt", "floor")


class Abuser(_Client):
    fixed_count = 1
    wait_time = between(0.01, 0.03)  # ~50 requests/s when answered at once

    @task
    def scrape(self) -> None:
        word = random.choice(_TARGETS["words"])
        self.get(f"/datasets/?q={word}&page={random.randint(1, 50)}", "abuser")
