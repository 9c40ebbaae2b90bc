"""A page's related records, asked for by id and checked against the page, never trusted.

Datasets are listed without SciCat's ``include``: on 4.17 ``/api/v3/datasets`` attaches *every*
origdatablock of the catalogue to every dataset, ``/api/v3/datasets/{pid}`` ignores it, and the
v4 lists keep only related records that are themselves ``isPublished`` (which origdatablocks and
proposals cannot be on 4.17) or, for attachments, join on a field 4.17 does not store. Each page's
relations are asked for by id instead, for the page's public datasets only:

* files: ``/api/v3/origdatablocks`` by ``datasetId`` (an account), or 5.x's
  ``/api/v4/origdatablocks/public`` (anonymous; 4.x has no public route, so anonymous readers of
  4.x get no files: :data:`FILES_UNAVAILABLE`);
* thumbnails: ``/api/v4/attachments`` (``/public`` anonymous) by ``relationships.targetId``;
* instruments: ``/api/v3/instruments`` by ``pid``; proposals: ``/api/v3/proposals`` by
  ``proposalId`` (an account; its filter parameter is ``filters``; anonymous readers see none,
  SciCat's API cannot publish a proposal).

Whatever comes back is checked (defence in depth): a block, attachment, instrument or proposal is
kept only if it belongs to a dataset that is public in the same page; the rest is dropped and
counted (:attr:`Page.dropped`). Files that could not be read leave the page's datasets marked
:data:`FILES_INCOMPLETE` (the sync reads them again next run), never as "no files".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

from sync.scicat import filters
from sync.scicat.client import ApiConfig, CatalogueError, CatalogueRefused, Raw
from sync.scicat.paging import Paging
from sync.scicat.records import attachment_dataset_pids, is_published

logger = logging.getLogger(__name__)

# Related records per request (origdatablocks, attachments); a fuller answer is split.
RELATED_PER_REQUEST = 10_000

# Why a page carries no files (Page.files_missing).
FILES_INCOMPLETE = "incomplete"  # the catalogue did not answer: read them again next run
FILES_UNAVAILABLE = "unavailable"  # this way of reading the catalogue cannot see files


@dataclass
class Page:
    """One page of dataset records, with the related records of its public datasets.

    ``blocks`` and ``attachments`` map a public dataset's pid to its origdatablocks /
    attachments; None when they were not read (a fields-only listing, or ``files_missing`` /
    a failed attachments call). ``dropped`` counts related records the catalogue sent that
    belong to no public dataset of the page.
    """

    records: list[Raw]
    blocks: dict[str, list[Raw]] | None = None
    attachments: dict[str, list[Raw]] | None = None
    instruments: list[Raw] = field(default_factory=list)
    proposals: list[Raw] = field(default_factory=list)
    files_missing: str = ""  # FILES_INCOMPLETE / FILES_UNAVAILABLE when blocks is None
    dropped: int = 0

    @property
    def last_updated_at(self) -> datetime | None:
        stamps = [s for s in (filters.updated_at(r) for r in self.records) if s is not None]
        return max(stamps) if stamps else None

    def __len__(self) -> int:
        return len(self.records)


def _ids_of(rows: Iterable[Raw], plural: str, singular: str) -> list[str]:
    """The ids a page's datasets refer to (v4 arrays, v3 singular fields), first seen first."""
    found: dict[str, None] = {}
    for row in rows:
        values = row.get(plural)
        if not values and row.get(singular):
            values = [row.get(singular)]
        if isinstance(values, list):
            for value in values:
                if isinstance(value, str) and value.strip():
                    found.setdefault(value.strip(), None)
    return list(found)


class Relations(Paging):
    """A client that reads pages of datasets with their public datasets' relations.

    ``public`` tells which records of a page are public (the portal's embargo policy): only
    their related records are asked for and kept.
    """

    def __init__(
        self,
        config: ApiConfig,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        keepalive: Callable[[], None] | None = None,
        public: Callable[[Mapping[str, Any]], bool] = is_published,
    ) -> None:
        super().__init__(config, session=session, sleep=sleep, keepalive=keepalive)
        self._public = public
        # Reference records asked for once per run: id -> record (None: the catalogue has none).
        self._instruments: dict[str, Raw | None] = {}
        self._proposals: dict[str, Raw | None] = {}

    def _related(self, path: str, field: str, pids: list[str]) -> Iterator[Raw]:
        """Every record of a related collection whose ``field`` is one of ``pids``.

        One request, without ``skip`` (paging needs a unique sort key, and the attachments route
        accepts none): an answer that fills the limit is asked for again in two halves.
        """
        rows = self._list(
            path, {"where": {field: filters.one_of(pids)}, "limits": {"limit": RELATED_PER_REQUEST}}
        )
        if len(rows) < RELATED_PER_REQUEST:
            yield from rows
            return
        if len(pids) == 1:
            raise CatalogueRefused(
                f"GET {path}: {pids[0]} has {RELATED_PER_REQUEST} or more records there, more "
                "than the portal reads for one dataset"
            )
        half = len(pids) // 2
        yield from self._related(path, field, pids[:half])
        yield from self._related(path, field, pids[half:])

    # -- a page's related records ---------------------------------------------------------------

    def _page(self, rows: list[Raw]) -> Page:
        """A page of full dataset records: ``rows`` with their public datasets' relations."""
        public = [r for r in rows if isinstance(r.get("pid"), str) and self._public(r)]
        pids = [str(r["pid"]) for r in public]
        page = Page(records=rows)
        if not pids:
            page.blocks, page.attachments = {}, {}
            return page
        page.blocks, page.files_missing, dropped_blocks = self._blocks(pids)
        page.attachments, dropped_attachments = self._attachments(pids)
        page.instruments, dropped_instruments = self._references(
            self._instruments,
            _ids_of(public, "instrumentIds", "instrumentId"),
            key="pid",
            fetch=self._fetch_instruments,
        )
        page.proposals, dropped_proposals = self._references(
            self._proposals,
            _ids_of(public, "proposalIds", "proposalId"),
            key="proposalId",
            fetch=self._fetch_proposals,
        )
        page.dropped = dropped_blocks + dropped_attachments + dropped_instruments
        page.dropped += dropped_proposals
        return page

    def _blocks(self, pids: list[str]) -> tuple[dict[str, list[Raw]] | None, str, int]:
        """The origdatablocks of these datasets by pid, why there are none, how many dropped."""
        if self.account:
            path = "/api/v3/origdatablocks"
        elif self.backend().major >= 5:
            path = "/api/v4/origdatablocks/public"
        else:
            return None, FILES_UNAVAILABLE, 0
        wanted = set(pids)
        found: dict[str, list[Raw]] = {pid: [] for pid in pids}
        dropped = 0
        try:
            for chunk in filters.chunks(pids):
                for block in self._related(path, "datasetId", chunk):
                    owner = block.get("datasetId")
                    if isinstance(owner, str) and owner in wanted:
                        found[owner].append(block)
                    else:
                        dropped += 1
        except CatalogueError as exc:
            logger.warning("files of %d datasets not read: %s", len(pids), exc)
            return None, FILES_INCOMPLETE, dropped
        return found, "", dropped

    def _attachments(self, pids: list[str]) -> tuple[dict[str, list[Raw]] | None, int]:
        path = "/api/v4/attachments" if self.account else "/api/v4/attachments/public"
        wanted = set(pids)
        found: dict[str, list[Raw]] = {pid: [] for pid in pids}
        dropped = 0
        try:
            for chunk in filters.chunks(pids):
                for attachment in self._related(path, "relationships.targetId", chunk):
                    owners = [p for p in attachment_dataset_pids(attachment) if p in wanted]
                    if not owners:
                        dropped += 1
                    for owner in dict.fromkeys(owners):
                        found[owner].append(attachment)
        except CatalogueError as exc:
            logger.warning("thumbnails of %d datasets not read: %s", len(pids), exc)
            return None, dropped
        return found, dropped

    def _references(
        self,
        cache: dict[str, Raw | None],
        ids: list[str],
        *,
        key: str,
        fetch: Callable[[list[str]], list[Raw]],
    ) -> tuple[list[Raw], int]:
        """Instruments or proposals by id, each asked for once per run; those the catalogue
        sent for other ids are dropped (and counted). A failed call leaves the bare ids."""
        missing = [i for i in ids if i not in cache]
        dropped = 0
        if missing:
            wanted = set(missing)
            try:
                for chunk in filters.chunks(missing):
                    for row in fetch(chunk):
                        value = row.get(key)
                        if isinstance(value, str) and value in wanted:
                            cache[value] = row
                        else:
                            dropped += 1
            except CatalogueError as exc:
                logger.warning("%s of this page not read: %s", key, exc)
                return [r for i in ids if (r := cache.get(i)) is not None], dropped
            for value in missing:
                cache.setdefault(value, None)
        return [r for i in ids if (r := cache.get(i)) is not None], dropped

    def _fetch_instruments(self, ids: list[str]) -> list[Raw]:
        return self._list("/api/v3/instruments", {"where": {"pid": filters.one_of(ids)}})

    def _fetch_proposals(self, ids: list[str]) -> list[Raw]:
        if not self.account:
            return []  # anonymous readers see only published proposals, which SciCat never has
        # 4.x and 5.x read this list's filter from "filters"; "filter" is ignored (all come back).
        where = {"where": {"proposalId": filters.one_of(ids)}}
        return self._list("/api/v3/proposals", where, param="filters")

    # -- reading records that changed ---------------------------------------------------------
