"""Fixtures for the review tests: the SciCat stand-in (holding embargoed records) and the
DataCite stand-in, both as the sync and publishing tests set them up."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.cache import cache, caches

from tests.publishing.conftest import datacite_server, standin  # noqa: F401 - fixtures
from tests.standins.datacite import DataCiteStandIn
from tests.standins.scicat import SciCatStandIn
from tests.sync.conftest import scicat, scicat_server  # noqa: F401 - fixtures
from tests.sync.support import EMBARGO_END_FUTURE, add, dataset, pid

OnCommit = Callable[..., AbstractContextManager[Any]]


@pytest.fixture
def catalogue(
    scicat: SciCatStandIn,  # noqa: F811
    standin: DataCiteStandIn,  # noqa: F811
    settings: Any,
) -> SciCatStandIn:
    """Three datasets under embargo (until 2099) in the internal catalogue, none in the portal.

    Dataset 1 names its people in a file path, its source folder and a scientific-metadata value
    (what an anonymised review must remove); the proposal 11019634 has a PI and a title.
    """
    settings.PORTAL_REVIEW_CACHE_SECONDS = 120
    settings.PORTAL_REVIEW_ANONYMOUS_KEYS = ["operator"]
    settings.PORTAL_DOWNLOAD_URL = ""
    settings.PORTAL_REVIEW_DOWNLOADS = False
    caches["review"].clear()
    cache.clear()
    for n in (2, 3):
        add(scicat, n, published=False, embargo_end=EMBARGO_END_FUTURE)
    scicat.put_dataset(
        dataset(
            1,
            published=False,
            embargo_end=EMBARGO_END_FUTURE,
            sourceFolder="/asap3/p08/2024/11019634/lovelace",
            orcidOfOwner="0000-0002-1825-0097",
            numberOfFiles=2,
            size=200,
            scientificMetadata={
                "sample_temperature": {"value": 291, "unit": "K"},
                "operator": "Ada Lovelace",
                "comment": "aligned by E. Noether",
            },
        ),
        blocks=[
            {
                "_id": "odb-1",
                "datasetId": pid(1),
                "size": 200,
                "dataFileList": [
                    {"path": "scan_1/frame_000.h5", "size": 100},
                    {"path": "notes/Lovelace_alignment.txt", "size": 100},
                ],
                "ownerGroup": "11019634-dmgt",
            }
        ],
    )
    return scicat
