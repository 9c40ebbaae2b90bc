"""What every part of the OpenSearch backend shares: the client, the alias, and the errors that
mean OpenSearch cannot be reached (raised further as :class:`SearchUnavailable`)."""

from __future__ import annotations

from functools import cached_property

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import TransportError

ERRORS = (OSConnectionError, TransportError)


class Connection:
    def __init__(self, *, url: str, index: str, timeout: int) -> None:
        self.url = url
        self.alias = index
        self.timeout = timeout
        self._index_ready = False
        self._units: dict[str, tuple[float, set[str]]] = {}

    @cached_property
    def client(self) -> OpenSearch:
        # A cluster's nodes, comma-separated: a node that cannot be reached is left for a while
        # and the request goes to the next one (one retry per other node, none on a timeout).
        hosts = [url.strip() for url in self.url.split(",") if url.strip()]
        return OpenSearch(
            hosts=hosts,
            timeout=self.timeout,
            max_retries=len(hosts) - 1,
            retry_on_timeout=False,
            http_compress=False,
            pool_maxsize=4,  # the rebuild sends from two threads
        )
