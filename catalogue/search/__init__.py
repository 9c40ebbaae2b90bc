"""Dataset search behind one interface, with two backends.

``database`` (the embedded default) answers from the SQL database; ``opensearch`` (when
``OPENSEARCH_URL`` is set) from the OpenSearch index. Both take a :class:`DatasetQuery` and return a
:class:`SearchPage` of dataset ids in order, so callers never know which one answered.
"""

from __future__ import annotations

from catalogue.search.backends import backend, dataset_search
from catalogue.search.base import (
    FACETS,
    SORTS,
    DatasetQuery,
    FacetValue,
    QueryError,
    SearchBackend,
    SearchPage,
    SearchUnavailable,
)

__all__ = [
    "FACETS",
    "SORTS",
    "DatasetQuery",
    "FacetValue",
    "QueryError",
    "SearchBackend",
    "SearchPage",
    "SearchUnavailable",
    "backend",
    "dataset_search",
]
