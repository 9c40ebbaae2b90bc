"""Reading a SciCat list in pages of an explicit size, in a stable order, none skipped.

Reading "what changed since" pages by ``updatedAt``; records that share the timestamp at the end
of a page are asked for again with the next page and dropped when already seen, and a run of
equal timestamps longer than a page is swept in ``pid`` order. So no record is skipped at a page
boundary whatever order the backend gives ties (v3 cannot sort by two keys). Listing ids pages by
the key alone (``key > last``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sync.scicat import filters
from sync.scicat.client import Raw
from sync.scicat.release import Release

_EPOCH = datetime.min.replace(tzinfo=UTC)


class Paging(Release):
    """A client that reads whole lists, page after page."""

    def _changed(
        self,
        path: str,
        *,
        where: dict[str, Any],
        key: str,
        since: datetime | None,
        fields: Sequence[str] | None,
        page_size: int,
    ) -> Iterator[list[Raw]]:
        """Records with ``updatedAt >= since`` (all when None), in pages, oldest first."""
        lower, inclusive = since, True
        seen: set[str] = set()  # keys already given out that carry the timestamp ``lower``

        def query(
            condition: dict[str, Any], order: Sequence[str], stray: Callable[[Raw], bool]
        ) -> list[Raw]:
            filter_: dict[str, Any] = {
                "where": {**where, **condition},
                "limits": filters.limits(path, limit=page_size, order=order),
            }
            if fields:
                filter_["fields"] = list(fields)
            return self._list(path, filter_, stray=lambda r: filters.unlike(r, where) or stray(r))

        while True:
            condition = {}
            if lower is not None:
                condition["updatedAt"] = {"$gte" if inclusive else "$gt": filters.iso(lower)}
            rows = query(
                condition,
                ("updatedAt", key),
                functools.partial(filters.before, lower=lower, inclusive=inclusive),
            )
            fresh = [r for r in rows if not (filters.updated_at(r) == lower and r.get(key) in seen)]
            if len(rows) < page_size:
                if fresh:
                    yield fresh
                return
            last = max((filters.updated_at(r) or _EPOCH for r in rows), default=_EPOCH)
            if lower is not None and last == lower:
                # More records share this timestamp than fit in a page: sweep them by key.
                yield from self._sweep_tie(
                    query, lower=lower, key=key, seen=seen, page_size=page_size
                )
                inclusive, seen = False, set()
                continue
            if fresh:
                yield fresh
            lower, inclusive = last, True
            seen = {str(r.get(key)) for r in rows if filters.updated_at(r) == last}

    def _sweep_tie(
        self,
        query: Callable[[dict[str, Any], Sequence[str], Callable[[Raw], bool]], list[Raw]],
        *,
        lower: datetime,
        key: str,
        seen: set[str],
        page_size: int,
    ) -> Iterator[list[Raw]]:
        after: str | None = None
        while True:
            condition: dict[str, Any] = {"updatedAt": filters.iso(lower)}
            if after is not None:
                condition[key] = {"$gt": after}
            rows = query(
                condition,
                (key,),
                functools.partial(filters.outside_tie, stamp=lower, key=key, after=after),
            )
            fresh = [r for r in rows if r.get(key) not in seen]
            if fresh:
                yield fresh
            keys = [str(r.get(key)) for r in rows if isinstance(r.get(key), str)]
            if not keys or len(rows) < page_size:
                return
            after = max(keys)

    def _ids(
        self, path: str, *, where: dict[str, Any], key: str, fields: Sequence[str]
    ) -> Iterator[list[Raw]]:
        after: str | None = None
        while True:
            condition = dict(where)
            if after is not None:
                condition[key] = {"$gt": after}
            rows = self._list(
                path,
                {
                    "where": condition,
                    "fields": list(fields),
                    "limits": filters.limits(path, limit=self.config.id_page_size, order=(key,)),
                },
                stray=functools.partial(filters.not_after_key, where=where, key=key, after=after),
            )
            keys = [r[key] for r in rows if isinstance(r.get(key), str)]
            if keys:
                yield rows
            if len(rows) < self.config.id_page_size or not keys:
                return
            after = max(keys)
