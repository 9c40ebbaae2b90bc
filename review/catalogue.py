"""The records of a review, read live from the internal catalogue with the sync's account.

Embargoed records are never stored (ARCHITECTURE.md's first invariant), so a review page asks
the catalogue when it is opened, through the sync's one SciCat client (``sync.scicat``), and
parses the answer into the same typed payloads the sync writes from
(:class:`~catalogue.payloads.DatasetIn`). The answer is kept for
``PORTAL_REVIEW_CACHE_SECONDS`` in the ``review`` cache, a per-process memory cache of its own
(never the default cache, which public pages use, nor Redis), and nowhere else: not in the
public tables, not in the search index.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import caches

from catalogue.payloads import DatasetIn, FilesStatus, InstrumentIn, ProposalIn
from sync import policy, scicat

logger = logging.getLogger(__name__)

CACHE = "review"


class CatalogueNotReadable(Exception):
    """The internal catalogue cannot be asked (not configured, no account, not answering)."""


@dataclass(frozen=True)
class LiveRecords:
    """What the catalogue showed of a review's records, in the order asked for."""

    datasets: list[DatasetIn]
    missing: list[str] = field(default_factory=list)  # pids the catalogue no longer shows

    @property
    def embargo_end(self) -> datetime | None:
        ends = [d.embargo_end for d in self.datasets if d.embargo_end is not None]
        return max(ends) if ends else None


def catalogue_api() -> scicat.SciCatApi:
    if not settings.SCICAT_URL:
        raise CatalogueNotReadable("SCICAT_URL is not set: the internal catalogue is unknown.")
    config = scicat.ApiConfig.from_settings()
    if not config.account:
        raise CatalogueNotReadable(
            "Reviews read embargoed records with the sync's account: set SCICAT_USERNAME and "
            "SCICAT_PASSWORD (or SCICAT_TOKEN)."
        )
    # Every record the account sees is wanted here, embargoed ones above all.
    return scicat.SciCatApi(config, public=lambda raw: True)


def proposal_pids(proposal_id: str) -> list[str]:
    """The pids of every dataset of a proposal in the internal catalogue."""
    api = catalogue_api()
    try:
        return api.dataset_pids_of_proposal(proposal_id)
    except scicat.CatalogueError as exc:
        raise CatalogueNotReadable(f"The internal catalogue did not answer: {exc}") from exc
    finally:
        api.close()


def _cache_key(pids: Sequence[str]) -> str:
    digest = hashlib.sha256("\n".join(pids).encode()).hexdigest()
    return f"review:records:{digest}"


def live_records(pids: Sequence[str], *, fresh: bool = False) -> LiveRecords:
    """The records ``pids`` as the catalogue holds them now (cached a few minutes)."""
    cache = caches[CACHE]
    key = _cache_key(pids)
    if not fresh and (cached := cache.get(key)) is not None:
        return cached
    records = _read(pids)
    cache.set(key, records, settings.PORTAL_REVIEW_CACHE_SECONDS)
    return records


def _read(pids: Sequence[str]) -> LiveRecords:
    api = catalogue_api()
    found: dict[str, DatasetIn] = {}
    period = policy.configured_period()
    try:
        for page in api.datasets_by_pid(list(pids)):
            instruments = _instruments(page.instruments)
            proposals = _proposals(page.proposals)
            for raw in page.records:
                try:
                    pid = scicat.dataset_pid(raw)
                    end = policy.embargo_end(scicat.embargo_dates(raw), period=period)
                    found[pid] = scicat.dataset_from(
                        raw,
                        instruments=instruments,
                        proposals=proposals,
                        blocks=None if page.blocks is None else page.blocks.get(pid, []),
                        attachments=None,  # thumbnails are not shown to reviewers
                        embargo_end=end,
                        files_missing=page.files_missing or FilesStatus.INCOMPLETE,
                        source_folder_rewrite=settings.PORTAL_SOURCE_FOLDER_REWRITE,
                        show_source_folder=settings.PORTAL_SHOW_SOURCE_FOLDER,
                    )
                except scicat.RecordError as exc:
                    logger.warning("review: a catalogue record could not be read: %s", exc)
    except scicat.CatalogueError as exc:
        raise CatalogueNotReadable(f"The internal catalogue did not answer: {exc}") from exc
    finally:
        api.close()
    return LiveRecords(
        datasets=[found[p] for p in pids if p in found],
        missing=[p for p in pids if p not in found],
    )


def _instruments(rows: Sequence[Mapping[str, Any]]) -> dict[str, InstrumentIn]:
    out: dict[str, InstrumentIn] = {}
    for raw in rows:
        try:
            item = scicat.instrument_from(raw)
        except scicat.RecordError:
            continue
        out[item.pid] = item
    return out


def _proposals(rows: Sequence[Mapping[str, Any]]) -> dict[str, ProposalIn]:
    out: dict[str, ProposalIn] = {}
    for raw in rows:
        try:
            item = scicat.proposal_from(raw)
        except scicat.RecordError:
            continue
        out[item.proposal_id] = item
    return out
