"""The OpenSearch backend: the one module that speaks to OpenSearch."""

from __future__ import annotations

from typing import Any

from catalogue.search.base import DatasetQuery, SearchPage


class OpenSearchBackend:
    name = "opensearch"

    def __init__(self, *, url: str, index: str, timeout: int) -> None:
        self.url, self.index_name, self.timeout = url, index, timeout

    def search(self, query: DatasetQuery) -> SearchPage:  # pragma: no cover - filled in below
        raise NotImplementedError

    def index(self, dataset_ids: list[int]) -> None:  # pragma: no cover
        raise NotImplementedError

    def _client(self) -> Any:  # pragma: no cover
        raise NotImplementedError
