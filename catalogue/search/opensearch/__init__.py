"""The OpenSearch backend: the one package that speaks to OpenSearch and owns its wire format.

- :mod:`.mapping`: the index's settings, mapping and version, and each facet's field;
- :mod:`.compiler`: a search into OpenSearch's request body, and its answer back (nothing sent);
- :mod:`.connection`: the client, the alias, the errors that mean OpenSearch is unavailable;
- :mod:`.lifecycle`: the versioned index behind the alias: created, extended, swapped, refreshed;
- :mod:`.bulk`: writing documents: updates, rebuilds, a full sync's bulk load (refresh paused);
- :mod:`.paging`: a page's hits, within the result window or far past it;
- :mod:`.backend`: :class:`OpenSearchBackend`, the search contract put together from the parts.

Documents are keyed by the dataset's primary key and hold public fields only
(:mod:`catalogue.search.documents`).
"""

from __future__ import annotations

from catalogue.search.opensearch.backend import OpenSearchBackend
from catalogue.search.opensearch.bulk import refresh_pause, refresh_resume
from catalogue.search.opensearch.mapping import INDEX_VERSION, MAPPING, SETTINGS

__all__ = [
    "INDEX_VERSION",
    "MAPPING",
    "SETTINGS",
    "OpenSearchBackend",
    "refresh_pause",
    "refresh_resume",
]
