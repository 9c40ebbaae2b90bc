"""SciCat's dataset records: datasets, their origdatablocks (files) and attachments (thumbnails).

Parses the v3 and v4 shapes into the portal's typed payloads; field readers are in
:mod:`sync.scicat.fields`, instruments, proposals and published data in :mod:`sync.scicat.linked`.
Private fields (owner e-mails, access and owner groups, createdBy / updatedBy, sharedWith, source
hosts) are read by nobody here and so never leave this package. A record that cannot be mapped
raises :class:`~sync.scicat.fields.RecordError` naming the field.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from catalogue.payloads import (
    DatasetIn,
    FileIn,
    FilesStatus,
    InstrumentIn,
    ProposalIn,
    TechniqueIn,
    ThumbnailIn,
)
from sync.policy import EmbargoDates
from sync.scicat.fields import (
    RecordError,
    parse_datetime,
    read_ids,
    read_text,
    read_texts,
    read_whole_number,
)

Raw = Mapping[str, Any]

MAX_THUMBNAIL_BYTES = 2 * 1024 * 1024
_IMAGE_SIGNATURES = {
    "png": b"\x89PNG\r\n\x1a\n",
    "jpeg": b"\xff\xd8\xff",
    "gif": b"GIF8",
    "webp": b"RIFF",
}
_DATA_URI = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp);base64,(.*)$", re.DOTALL)
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])")


# -- datasets -----------------------------------------------------------------------------------


def dataset_pid(raw: Raw) -> str:
    pid = raw.get("pid")
    if not isinstance(pid, str) or not pid.strip():
        raise RecordError("", "pid: missing")
    return pid.strip()


def is_published(raw: Raw) -> bool:
    return raw.get("isPublished") is True


def embargo_dates(raw: Raw) -> EmbargoDates:
    """What a dataset record says about its embargo, for the policy (:mod:`sync.policy`)."""
    pid = dataset_pid(raw)
    lifecycle = raw.get("datasetlifecycle")
    published = None
    if isinstance(lifecycle, Mapping):
        published = parse_datetime(
            lifecycle.get("dateOfPublishing"), field="datasetlifecycle.dateOfPublishing", pid=pid
        )
    return EmbargoDates(
        date_of_publishing=published,
        created_at=parse_datetime(raw.get("createdAt"), field="createdAt", pid=pid),
        creation_time=parse_datetime(raw.get("creationTime"), field="creationTime", pid=pid),
        end_time=parse_datetime(raw.get("endTime"), field="endTime", pid=pid),
    )


def _data_location(raw: Raw) -> str:
    lifecycle = raw.get("datasetlifecycle")
    if not isinstance(lifecycle, Mapping):
        return "unknown"
    if lifecycle.get("isOnCentralDisk") is True:
        return "disk"
    retrieve = str(lifecycle.get("retrieveStatusMessage") or "")
    if retrieve == "datasetRetrieved":
        return "disk"
    archive = str(lifecycle.get("archiveStatusMessage") or "")
    if lifecycle.get("isOnCentralDisk") is False and (
        "Archive" in archive or "Tape" in archive or lifecycle.get("retrievable") is True
    ):
        return "tape"
    return "unknown"


def _creators(raw: Raw, pid: str) -> list[dict[str, str]]:
    owner = raw.get("owner")
    names = [name.strip() for name in owner.split(";")] if isinstance(owner, str) else []
    names = [name for name in names if name]
    orcid_text = raw.get("orcidOfOwner")
    orcids = _ORCID.findall(orcid_text) if isinstance(orcid_text, str) else []
    creators = [{"name": name} for name in names]
    # Attach ORCIDs only where they cannot be given to the wrong person.
    if creators and len(orcids) == len(creators):
        for creator, orcid in zip(creators, orcids, strict=True):
            creator["orcid"] = orcid
    return creators


def _techniques(raw: Raw, pid: str) -> list[TechniqueIn]:
    value = raw.get("techniques") or []
    if not isinstance(value, list):
        raise RecordError(pid, "techniques: expected a list")
    out: dict[str, TechniqueIn] = {}
    for item in value:
        if not isinstance(item, Mapping):
            raise RecordError(pid, "techniques: expected objects with pid and name")
        name = read_text(item, "name", pid, limit=255)
        tpid = read_text(item, "pid", pid, limit=255) or name
        if tpid:
            out.setdefault(tpid, TechniqueIn(pid=tpid, name=name or tpid))
    return list(out.values())


def _source_folder(raw: Raw, pid: str, *, rewrite: Sequence[str], show: bool) -> str:
    folder = read_text(raw, "sourceFolder", pid)
    if not show:
        return ""
    for rule in rewrite:
        internal, _, public = rule.partition("=")
        if internal and folder.startswith(internal):
            return public + folder[len(internal) :]
    return folder


def files_from(blocks: Iterable[Raw], pid: str) -> list[FileIn]:
    """The files of one dataset, from its origdatablocks, sorted by path, duplicates dropped.

    Datasets run to thousands of files, so the common shapes (an int size, a text checksum, a
    time seen before) take a short path; anything else goes through the general readers.
    """
    files: dict[str, FileIn] = {}
    times: dict[str, datetime | None] = {}
    for block in blocks:
        chk_alg = block.get("chkAlg")
        algorithm = chk_alg[:32] if isinstance(chk_alg, str) else ""
        entries = block.get("dataFileList")
        if not isinstance(entries, list):
            raise RecordError(pid, "origdatablock.dataFileList: expected a list")
        for entry in entries:
            # type() first: isinstance() with an ABC is slow, and this runs once per file
            is_object = type(entry) is dict or isinstance(entry, Mapping)
            path = entry.get("path") if is_object else None
            if type(path) is not str:
                raise RecordError(pid, "origdatablock.dataFileList: every file needs a path")
            size = entry.get("size")
            if type(size) is not int or size < 0:
                size = read_whole_number(entry, "size", pid)
            chk = entry.get("chk")
            checksum = (
                chk.strip()[:256] if type(chk) is str else read_text(entry, "chk", pid, limit=256)
            )
            stamp = entry.get("time")
            if type(stamp) is str and stamp in times:
                moment = times[stamp]
            else:
                moment = parse_datetime(stamp, field="dataFileList.time", pid=pid)
                if type(stamp) is str:
                    times[stamp] = moment
            files[path] = FileIn(path, size, checksum, algorithm if chk else "", moment)
    return [files[path] for path in sorted(files)]


def attachment_dataset_pids(raw: Raw) -> list[str]:
    """The datasets an attachment belongs to (v4 relationships, v3 datasetId)."""
    pids = []
    for rel in raw.get("relationships") or []:
        if isinstance(rel, Mapping) and rel.get("targetType", "dataset") == "dataset":
            target = rel.get("targetId")
            if isinstance(target, str):
                pids.append(target)
    if isinstance(raw.get("datasetId"), str):
        pids.append(raw["datasetId"])
    return pids


def thumbnail_from(raw: Raw, pid: str) -> ThumbnailIn | None:
    """A thumbnail from an attachment's data URI; None for anything that is not a safe image.

    The attachment's own ``isPublished`` is not asked: SciCat leaves it false when its dataset
    is published, and an attachment reaches this function only as part of a public dataset
    (:mod:`sync.scicat.relations` keeps no other).
    """
    data = raw.get("thumbnail")
    source_id = raw.get("aid") or raw.get("id") or raw.get("_id")
    if not isinstance(data, str) or not isinstance(source_id, str):
        return None
    match = _DATA_URI.match(data.strip())
    if not match:
        return None  # SVG and other types are not shown: they can carry script
    kind = "jpeg" if match.group(1) == "jpg" else match.group(1)
    try:
        content = base64.b64decode(match.group(2), validate=True)
    except (binascii.Error, ValueError):
        raise RecordError(pid, f"attachment {source_id}: thumbnail is not valid base64") from None
    if len(content) > MAX_THUMBNAIL_BYTES or not content.startswith(_IMAGE_SIGNATURES[kind]):
        raise RecordError(pid, f"attachment {source_id}: thumbnail is not a {kind} image")
    caption = raw.get("caption") if isinstance(raw.get("caption"), str) else ""
    return ThumbnailIn(
        source_id=source_id[:255],
        content=content,
        extension="jpg" if kind == "jpeg" else kind,
        caption=str(caption)[:512],
    )


def dataset_from(
    raw: Raw,
    *,
    instruments: Mapping[str, InstrumentIn],
    proposals: Mapping[str, ProposalIn],
    blocks: Sequence[Raw] | None,
    attachments: Sequence[Raw] | None,
    embargo_end: datetime | None = None,
    files_missing: str = FilesStatus.INCOMPLETE,
    source_folder_rewrite: Sequence[str] = (),
    show_source_folder: bool = True,
) -> DatasetIn:
    """A public dataset record, mapped. ``blocks`` None: its files were not read, for the reason
    ``files_missing`` (:class:`FilesStatus`); the stored files are then left as they are."""
    pid = dataset_pid(raw)
    if len(pid) > 255:
        raise RecordError(pid[:60], "pid: longer than 255 characters")
    dtype = read_text(raw, "type", pid, limit=32)
    if not dtype:
        raise RecordError(pid, "type: missing")
    title = read_text(raw, "datasetName", pid) or read_text(raw, "description", pid)[:200] or pid
    scientific = raw.get("scientificMetadata") or {}
    if not isinstance(scientific, Mapping):
        raise RecordError(pid, "scientificMetadata: expected an object")
    keywords = read_texts(raw.get("keywords"), "keywords", pid)
    instrument_ids = read_ids(raw, "instrumentIds", "instrumentId", pid)
    proposal_ids = read_ids(raw, "proposalIds", "proposalId", pid)
    instrument = None
    if instrument_ids:
        instrument = instruments.get(instrument_ids[0]) or InstrumentIn(
            pid=instrument_ids[0], name=instrument_ids[0]
        )
    proposal = None
    if proposal_ids:
        proposal = proposals.get(proposal_ids[0]) or ProposalIn(proposal_id=proposal_ids[0])
    files = files_from(blocks, pid) if blocks is not None else None
    thumbnails = None
    if attachments is not None:
        thumbnails = [t for a in attachments if (t := thumbnail_from(a, pid)) is not None]
    size = read_whole_number(raw, "size", pid)
    number_of_files = read_whole_number(raw, "numberOfFiles", pid)
    if files is None:
        files_status = files_missing
    elif number_of_files and number_of_files != len(files):
        files_status = FilesStatus.PARTIAL
    else:
        files_status = FilesStatus.COMPLETE
    if files:
        size = size or sum(f.size for f in files)
        number_of_files = number_of_files or len(files)
    return DatasetIn(
        pid=pid,
        title=title,
        type=dtype,
        description=read_text(raw, "description", pid),
        creation_time=parse_datetime(raw.get("creationTime"), field="creationTime", pid=pid),
        start_time=parse_datetime(raw.get("startTime"), field="startTime", pid=pid),
        end_time=parse_datetime(raw.get("endTime"), field="endTime", pid=pid),
        size=size,
        number_of_files=number_of_files,
        keywords=keywords,
        license=read_text(raw, "license", pid, limit=255),
        run_number=read_text(raw, "runNumber", pid, limit=255),
        source_folder=_source_folder(
            raw, pid, rewrite=source_folder_rewrite, show=show_source_folder
        ),
        data_format=read_text(raw, "dataFormat", pid, limit=255),
        instrument=instrument,
        proposal=proposal,
        techniques=_techniques(raw, pid),
        principal_investigators=read_ids(
            raw, "principalInvestigators", "principalInvestigator", pid
        ),
        creators=_creators(raw, pid),
        data_location=_data_location(raw),
        embargo_end=embargo_end,
        scientific_metadata=dict(scientific),
        source_updated_at=parse_datetime(raw.get("updatedAt"), field="updatedAt", pid=pid),
        files=files,
        files_status=files_status,
        thumbnails=thumbnails,
    )
