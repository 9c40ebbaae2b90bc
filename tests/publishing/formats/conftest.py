"""Fixtures: a publication with everything the formats write (:mod:`tests.full_records`)."""

from __future__ import annotations

from typing import Any

import pytest

from catalogue.models import Dataset
from publishing.models import Publication
from tests.full_records import make_publication, use_downloads


@pytest.fixture
def downloads(settings: Any) -> str:
    return use_downloads(settings)


@pytest.fixture
def publication(db: None, downloads: str) -> Publication:
    return make_publication()


@pytest.fixture
def dataset(publication: Publication) -> Dataset:
    return publication.datasets.order_by("pid").first()  # type: ignore[return-value]
