"""The real consumer: the PaNOSC federated search service (panosc-eu/panosc-federated-search-
service, LoopBack 2 on Node) with this portal as its one provider, queried through it.

The service is not part of this repository (its code has no licence file):
``tools/panosc-federated`` (``make panosc-federated``; ``.ci/run`` runs it) exports its
``search-api`` folder from a git mirror or its repository into a cache outside the clone and
installs its npm packages there. The test uses ``PANOSC_FEDERATED_DIR`` when set, else the folder
that script prepared last; without one it skips with the reason the script gave (source or
registry unreachable). Without node it skips, or fails under ``PORTAL_TEST_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.panosc.conftest import Catalogue, build_catalogue
from tests.servers.base import free_port
from tests.servers.programs import require_service

FEDERATED_DIR = "PANOSC_FEDERATED_DIR"
START_TIMEOUT = 120.0

pytestmark = pytest.mark.django_db(transaction=True)


def _cache() -> Path:
    """Where tools/panosc-federated prepares the service (its PANOSC_FEDERATED_CACHE)."""
    if folder := os.environ.get("PANOSC_FEDERATED_CACHE"):
        return Path(folder)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "portal-panosc-federated"


def _service_dir() -> Path:
    if shutil.which("node") is None:
        require_service("PaNOSC federated search", "node is not on PATH")
    folder = os.environ.get(FEDERATED_DIR, "")
    if not folder:
        cache = _cache()
        if (cache / "current" / ".prepared").is_file():
            return (cache / "current").resolve()
        unavailable = cache / "unavailable"
        if unavailable.is_file():
            pytest.skip(
                "the PaNOSC federated search service could not be prepared: "
                + unavailable.read_text(encoding="utf-8").strip()
            )
        pytest.skip(
            f"{FEDERATED_DIR} is not set and tools/panosc-federated (make panosc-federated) "
            f"has prepared nothing in {cache}"
        )
    path = Path(folder).expanduser()
    if not (path / "server" / "server.js").is_file() or not (path / "node_modules").is_dir():
        pytest.skip(f"{FEDERATED_DIR}={path} holds no server/server.js with node_modules")
    return path


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.loads(response.read())


@pytest.fixture
def federated(live_server: Any, settings: Any) -> Iterator[tuple[str, Catalogue]]:
    """The service on a loopback port, its one provider this portal; its base URL."""
    folder = _service_dir()
    settings.OPENSEARCH_URL = ""
    catalogue = build_catalogue()
    port = free_port()
    env = {
        **os.environ,
        "PROVIDERS": f"{live_server.url}/panosc-api",
        "PROVIDER_TIMEOUT": "30000",
        "DEFAULT_LIMIT": "100",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOGGING": "console",
        "NODE_ENV": "test",
    }
    process = subprocess.Popen(
        [shutil.which("node") or "node", "server/server.js"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                error = process.stderr.read().decode()[-2000:] if process.stderr else ""
                pytest.fail(f"the federated search service stopped at start: {error}")
            try:
                _get(base + "/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("the federated search service did not answer in time")
                time.sleep(0.5)
        yield base + "/api", catalogue
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _find(base: str, model: str, filter_: dict[str, Any]) -> Any:
    return _get(f"{base}/{model}?filter={quote(json.dumps(filter_))}")


def test_federated_search_through_this_provider(federated: tuple[str, Catalogue]) -> None:
    base, catalogue = federated
    # Lists: every public dataset, scored in (0, 1) so the service keeps them all.
    listed = _find(base, "Datasets", {"limit": 50})
    assert sorted(d["pid"] for d in listed) == sorted(
        d.pid for d in (catalogue.warm, catalogue.cold, catalogue.ranged)
    )
    assert all(0 < d["score"] < 1 for d in listed)
    # A parameter filter with units: 10-20 keV written in eV, answered in eV.
    energy = {"name": "incident_energy", "value": {"between": [10000, 20000]}, "unit": "eV"}
    found = _find(
        base,
        "Datasets",
        {"include": [{"relation": "parameters", "scope": {"where": energy}}], "limit": 10},
    )
    assert [d["pid"] for d in found] == [catalogue.warm.pid]
    assert found[0]["parameters"][0]["value"] == 15000
    assert found[0]["parameters"][0]["unit"] == "eV"
    celsius = {"and": [{"name": "sample_temperature"}, {"value": {"lt": 0}}, {"unit": "degC"}]}
    cold = _find(
        base, "Datasets", {"include": [{"relation": "parameters", "scope": {"where": celsius}}]}
    )
    assert [d["pid"] for d in cold] == [catalogue.cold.pid]
    # A query: scored strictly between 0 and 1 and sorted by score.
    scored = _find(base, "Datasets", {"query": "copper lipid", "limit": 10})
    assert [d["pid"] for d in scored] == [catalogue.warm.pid]
    assert 0 < scored[0]["score"] < 1
    # Documents with members, persons and affiliations; never the draft.
    include = [{"relation": "members", "scope": {"include": ["person", "affiliation"]}}]
    documents = _find(base, "Documents", {"include": include, "limit": 10})
    assert [d["pid"] for d in documents] == [catalogue.publication.doi]
    assert documents[0]["members"][0]["person"]["fullName"] == "Franklin, Rosalind"
    # Counts and single records pass through too.
    assert _get(f"{base}/Datasets/count") == {"count": 3}
    single = _get(f"{base}/Datasets/{quote(catalogue.cold.pid, safe='')}")
    assert single["title"] == "Liquid helium scattering"
    instruments = _find(base, "Instruments", {"limit": 10})
    assert sorted(i["name"] for i in instruments) == ["P08", "P10"]
