"""The datasets the sync reads: changed since a time, by pid, counted, and their ids listed."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from datetime import datetime
from enum import StrEnum
from urllib.parse import quote

from sync.scicat import filters
from sync.scicat.client import CatalogueRefused, Raw
from sync.scicat.relations import Page, Relations

# What the embargo policy reads of a dataset (sync.policy.EmbargoDates), plus its flags.
BRIEF_FIELDS = (
    "pid",
    "updatedAt",
    "createdAt",
    "creationTime",
    "endTime",
    "isPublished",
    "datasetlifecycle",
)


class Presence(StrEnum):
    """What ``GET /api/v3/datasets/{pid}`` says of one dataset, to the sync's account."""

    SHOWN = "shown"  # 200: there
    DELETED = "deleted"  # 404 "dataset: <pid> not found": SciCat deletes for good (no flag)
    HIDDEN = "hidden"  # 403: there, but the account may no longer read it (its groups changed)


class Datasets(Relations):
    """A client that reads datasets, in full (pages with their relations) or brief."""

    def datasets_changed(
        self, *, since: datetime | None, published: bool | None = True
    ) -> Iterator[Page]:
        """Datasets changed since ``since``, with their files, thumbnails, instrument, proposal."""
        for rows in self._changed(
            self._datasets_path,
            where=self._published(published),
            key="pid",
            since=since,
            fields=None,
            page_size=self.config.page_size,
        ):
            yield self._page(rows)

    def datasets_changed_brief(
        self, *, since: datetime | None, published: bool | None
    ) -> Iterator[list[Raw]]:
        """Just what the embargo policy needs of changed datasets (pid, dates, the flags)."""
        yield from self._changed(
            self._datasets_path,
            where=self._published(published),
            key="pid",
            since=since,
            fields=BRIEF_FIELDS,
            page_size=self.config.id_page_size,
        )

    def datasets_count(self, *, since: datetime | None, published: bool | None = True) -> int:
        where = self._published(published)
        if since is not None:
            where["updatedAt"] = {"$gte": filters.iso(since)}
        path = f"{self._datasets_path}/count"
        answer = self._call("GET", path, params={"filter": filters.dumps({"where": where})})
        count = answer.get("count") if isinstance(answer, dict) else None
        if not isinstance(count, int):
            raise CatalogueRefused(f"GET {path}: no count in the answer")
        return count

    def datasets_by_pid(self, pids: Sequence[str]) -> Iterator[Page]:
        """The datasets with these pids (those the catalogue still has and shows), in full."""
        path = self._datasets_path
        for chunk in filters.chunks(list(dict.fromkeys(pids))):
            asked = set(chunk)
            rows = self._list(
                path,
                {
                    "where": {**self._published(None), "pid": filters.one_of(chunk)},
                    "limits": filters.limits(path, limit=len(chunk), order=("pid",)),
                },
                stray=functools.partial(filters.not_among, key="pid", values=asked),
            )
            yield self._page(rows)

    def dataset(self, pid: str) -> Page:
        """One dataset by pid, in full; an empty page when the catalogue does not show it.

        Read through the list (``pid`` in ``[pid]``), not ``/datasets/{pid}``, which on 4.17
        ignores ``include``: the relations come the same way as for every other page.
        """
        return next(iter(self.datasets_by_pid([pid])), Page(records=[], blocks={}))

    def dataset_pids_shown(self, pids: Sequence[str]) -> set[str]:
        """Which of these pids the catalogue still shows the caller: pids only, one call per
        :data:`~sync.scicat.filters.PIDS_PER_REQUEST` (with the sync's account, embargoed
        records too). A pid left out is not yet a deletion: ask :meth:`dataset_presence`."""
        path = self._datasets_path
        shown: set[str] = set()
        for chunk in filters.chunks(list(dict.fromkeys(pids))):
            asked = set(chunk)
            rows = self._list(
                path,
                {
                    "where": {**self._published(None), "pid": filters.one_of(chunk)},
                    "fields": ["pid"],
                    "limits": filters.limits(path, limit=len(chunk), order=("pid",)),
                },
                stray=functools.partial(filters.not_among, key="pid", values=asked),
            )
            shown.update(str(r["pid"]) for r in rows if isinstance(r.get("pid"), str))
        return shown

    def dataset_presence(self, pid: str) -> Presence:
        """Whether the catalogue deleted one dataset, asked through its own v3 URL.

        SciCat 4.x and 5.x delete a dataset for good (``findOneAndDelete``; no withdrawn flag)
        and answer ``/api/v3/datasets/{pid}`` with 404 ``dataset: <pid> not found`` for it,
        whoever asks, and 403 for a record that exists but is not the caller's to read (an
        expired token read as anonymous on 4.17 included). The v4 route is no use here: 4.17
        answers a missing pid with a 500. A 404 for a route the backend lacks (``Cannot GET``),
        any other error or a transient failure raises: never taken as a deletion.
        """
        path = f"/api/v3/datasets/{quote(pid, safe='')}"
        try:
            self._call("GET", path, params={"filter": filters.dumps({"fields": ["pid"]})})
        except CatalogueRefused as exc:
            if exc.status == 403:
                return Presence.HIDDEN
            if exc.status == 404 and "Cannot GET" not in str(exc):
                return Presence.DELETED
            raise
        return Presence.SHOWN

    def dataset_pids_of_proposal(self, proposal_id: str) -> list[str]:
        """The pids of every dataset of a proposal the caller may see (with the sync's account:
        embargoed ones too, for a review), in pid order."""
        field = "proposalId" if self.v3 else "proposalIds"
        where = {**self._published(None), field: filters.one_of([proposal_id])}
        pids: list[str] = []
        for rows in self._ids(self._datasets_path, where=where, key="pid", fields=["pid"]):
            pids.extend(str(r["pid"]) for r in rows if isinstance(r.get("pid"), str))
        return pids

    # -- listing ids (reconciliation) ---------------------------------------------------------
    def public_dataset_ids(self, *, versions: bool = True) -> Iterator[list[Raw]]:
        """``{"pid", "updatedAt"}`` of every published dataset, in pid order; ``{"pid"}`` only
        without ``versions`` (half the bytes, nothing to parse: enough to find deletions)."""
        yield from self._ids(
            self._datasets_path,
            where=self._published(True),
            key="pid",
            fields=["pid", "updatedAt"] if versions else ["pid"],
        )

    def unpublished_ids_between(
        self, field: str, *, after: datetime | None, until: datetime
    ) -> Iterator[list[Raw]]:
        """v3: what the embargo policy needs (:data:`BRIEF_FIELDS`) of the unpublished datasets
        whose date ``field`` lies in ``(after, until]``, in pid order."""
        if not self.v3:
            return
        bound: dict[str, str] = {"$lte": filters.iso(until)}
        if after is not None:
            bound["$gt"] = filters.iso(after)
        yield from self._ids(
            self._datasets_path,
            where={"isPublished": False, field: bound},
            key="pid",
            fields=BRIEF_FIELDS,
        )
