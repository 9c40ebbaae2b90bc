"""Every search test starts with OpenSearch considered up (the outage state is per process)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from catalogue.search.backends import outage


@pytest.fixture(autouse=True)
def _opensearch_considered_up() -> Iterator[None]:
    outage.succeeded("reset")
    yield
    outage.succeeded("reset")
