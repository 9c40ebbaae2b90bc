"""Choosing a backend, and falling back to the database when OpenSearch cannot answer."""

from __future__ import annotations

import dataclasses
import logging
from functools import cache

from django.conf import settings

from catalogue.search.base import DatasetQuery, SearchBackend, SearchPage, SearchUnavailable
from catalogue.search.database import DatabaseBackend

logger = logging.getLogger(__name__)


@cache
def _configured(url: str, index: str) -> SearchBackend:
    if not url:
        return DatabaseBackend()
    from catalogue.search.opensearch import OpenSearchBackend

    return OpenSearchBackend(url=url, index=index, timeout=settings.OPENSEARCH_TIMEOUT)


def backend() -> SearchBackend:
    """The backend the settings ask for."""
    return _configured(settings.OPENSEARCH_URL, settings.OPENSEARCH_INDEX)


def dataset_search(query: DatasetQuery) -> SearchPage:
    """Search with the configured backend; on failure answer from the database, marked degraded."""
    chosen = backend()
    try:
        return chosen.search(query)
    except SearchUnavailable:
        if isinstance(chosen, DatabaseBackend):
            raise
        logger.exception("search backend %s failed; answering from the database", chosen.name)
        page = DatabaseBackend().search(query)
        return dataclasses.replace(page, degraded=True)
