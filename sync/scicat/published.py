"""Published data (DOIs) as SciCat's releases give it out.

``/api/v3/publisheddata`` takes LoopBack limits (one ``order``), 5.x's ``/api/v4/publisheddata`` a
``sort`` object; 4.x has no v4 route for published data.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sync.scicat.client import Raw
from sync.scicat.paging import Paging


class PublishedData(Paging):
    """A client that reads published data."""

    def published_data_changed(self, *, since: datetime | None) -> Iterator[list[Raw]]:
        """Published data (DOIs) changed since ``since`` (all when None), oldest first.

        ``/api/v3/publisheddata`` takes LoopBack limits (one ``order``), 5.x's
        ``/api/v4/publisheddata`` a ``sort`` object. What anonymous callers see differs (4.17:
        every status; 5.x: registered ones): the import keeps only registered and amended DOIs.
        """
        yield from self._changed(
            self._published_data_path,
            where={},
            key="doi",
            since=since,
            fields=None,
            page_size=self.config.page_size,
        )
