"""The statistics tests' catalogue (tests/stats/figures_catalogue.py), figures refreshed."""

from __future__ import annotations

import pytest

from tests.stats.figures_catalogue import Catalogue, catalogue_make


@pytest.fixture
def catalogue(db: None) -> Catalogue:
    return catalogue_make()
