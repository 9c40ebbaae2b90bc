"""Fixtures for publishing: the DataCite stand-in, and the portal pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.publishing.support import BASE_URL, PASSWORD, PREFIX, USERNAME
from tests.standins.datacite import DataCiteStandIn


@pytest.fixture(scope="session")
def datacite_server() -> Iterator[DataCiteStandIn]:
    with DataCiteStandIn(
        {USERNAME: (PASSWORD, (PREFIX,)), "other.repo": ("x", ("10.88888",))}
    ) as s:
        yield s


@pytest.fixture
def standin(datacite_server: DataCiteStandIn, settings: Any) -> DataCiteStandIn:
    """The stand-in, emptied, with the portal's DATACITE_* settings pointing at it."""
    datacite_server.reset()
    settings.DATACITE_URL = datacite_server.url
    settings.DATACITE_USERNAME = USERNAME
    settings.DATACITE_PASSWORD = PASSWORD
    settings.DATACITE_PREFIX = PREFIX
    settings.DATACITE_TIMEOUT = 5
    settings.PORTAL_BASE_URL = BASE_URL
    return datacite_server
