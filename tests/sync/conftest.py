"""Fixtures for the sync tests: the SciCat stand-in, and the portal pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sync.scicat import client
from tests.standins.scicat import SciCatStandIn
from tests.sync.support import INSTRUMENT, PROPOSAL

USERNAME = "portal-sync"
PASSWORD = "sync-password"


@pytest.fixture(scope="session")
def scicat_server() -> Iterator[SciCatStandIn]:
    with SciCatStandIn(accounts={USERNAME: PASSWORD}) as server:
        yield server


@pytest.fixture(params=["v4", "v3"])
def api_version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def scicat(
    scicat_server: SciCatStandIn,
    settings: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> SciCatStandIn:
    """The stand-in, emptied, with the portal's SCICAT_* settings pointing at it (v4)."""
    scicat_server.reset(release="4.17.1")
    scicat_server.token_lifetime = 3600
    # A backend with SciCat PR #2346, which filters v4 lists by a date given as text: the watermark
    # tests need it. 4.17.1 and 5.2.1 do not (v4_casts_dates False): the tests of the listing
    # path, and the real-backend tests (test_sync_real_scicat.py), play them.
    scicat_server.v4_casts_dates = True
    scicat_server.put_instrument(INSTRUMENT)
    scicat_server.put_proposal(PROPOSAL)
    settings.SCICAT_URL = scicat_server.url
    settings.SCICAT_API_VERSION = "v4"
    settings.SCICAT_USERNAME = USERNAME
    settings.SCICAT_PASSWORD = PASSWORD
    settings.SCICAT_TOKEN = ""
    settings.SCICAT_PAGE_SIZE = 3
    settings.SCICAT_ID_PAGE_SIZE = 4
    settings.SCICAT_TIMEOUT = 2
    settings.SCICAT_RETRIES = 3
    settings.SYNC_OVERLAP_SECONDS = 60
    settings.SYNC_MAX_WITHDRAW_PERCENT = 10
    settings.SYNC_LOCK_TIMEOUT = 30
    settings.PORTAL_PUBLISH_ON_EMBARGO_END = False
    settings.OPENSEARCH_URL = ""
    settings.REDIS_URL = ""  # a file lock in VAR_DIR
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(client, "BACKOFF_SECONDS", 0.01)
    return scicat_server


@pytest.fixture
def scicat_v3(scicat: SciCatStandIn, settings: Any) -> SciCatStandIn:
    settings.SCICAT_API_VERSION = "v3"
    return scicat


@pytest.fixture
def scicat_any(scicat: SciCatStandIn, settings: Any, api_version: str) -> SciCatStandIn:
    """The stand-in, once with each API version."""
    settings.SCICAT_API_VERSION = api_version
    return scicat
