"""Typed inputs of the catalogue's write services, in the portal's own vocabulary.

Client modules (the SciCat sync, the demo export) parse their wire formats into these once, at the
edge; services never see a raw catalogue record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class FilesStatus(StrEnum):
    """How much of a dataset's file list the portal holds (stored with the dataset)."""

    COMPLETE = "complete"  # every file the catalogue counts (numberOfFiles) is listed
    PARTIAL = "partial"  # listed, but the catalogue counts another number of files
    INCOMPLETE = "incomplete"  # the catalogue did not answer: the sync reads them again
    UNAVAILABLE = "unavailable"  # the sync's way of reading the catalogue cannot see files

    @property
    def label(self) -> str:
        return _FILES_STATUS_LABELS[self]


_FILES_STATUS_LABELS = {
    FilesStatus.COMPLETE: "Complete",
    FilesStatus.PARTIAL: "Count differs from the catalogue",
    FilesStatus.INCOMPLETE: "Not read yet (retried)",
    FilesStatus.UNAVAILABLE: "Not readable in this sync mode",
}


@dataclass(frozen=True, slots=True)
class InstrumentIn:
    pid: str
    name: str
    unique_name: str = ""
    facility: str = ""


@dataclass(frozen=True, slots=True)
class ProposalIn:
    proposal_id: str
    title: str = ""
    pi_name: str = ""
    type: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class TechniqueIn:
    pid: str
    name: str


@dataclass(slots=True)  # not frozen: a sync makes millions, and frozen ones cost 5x to build
class FileIn:
    path: str
    size: int = 0
    checksum: str = ""
    checksum_algorithm: str = ""
    time: datetime | None = None


@dataclass(frozen=True, slots=True)
class ThumbnailIn:
    source_id: str
    content: bytes
    extension: str
    caption: str = ""


@dataclass(slots=True)
class DatasetIn:
    pid: str
    title: str
    type: str
    description: str = ""
    creation_time: datetime | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    size: int = 0
    number_of_files: int = 0
    keywords: list[str] = field(default_factory=list)
    license: str = ""
    run_number: str = ""
    source_folder: str = ""
    data_format: str = ""
    instrument: InstrumentIn | None = None
    proposal: ProposalIn | None = None
    techniques: list[TechniqueIn] = field(default_factory=list)
    principal_investigators: list[str] = field(default_factory=list)
    creators: list[dict[str, str]] = field(default_factory=list)
    data_location: str = "unknown"
    embargo_end: datetime | None = None
    scientific_metadata: dict[str, Any] = field(default_factory=dict)
    source_updated_at: datetime | None = None
    # None means "not part of this import: leave the stored files / thumbnails alone".
    files: list[FileIn] | None = None
    files_status: str = FilesStatus.COMPLETE
    thumbnails: list[ThumbnailIn] | None = None
