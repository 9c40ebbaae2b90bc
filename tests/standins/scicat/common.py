"""What every part of the SciCat stand-in shares: SciCat's constants and field lists, JSON as
SciCat writes it, paths into records, errors as NestJS answers them, MongoDB's order of types."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson

Raw = dict[str, Any]
Pred = Callable[[Any], bool]
RELEASES = ("4.17.1", "5.2.1")
RELATIONS = ("origdatablocks", "attachments", "instruments", "proposals", "datablocks", "samples")
_MISSING: Any = object()
_START = datetime(2025, 1, 1, tzinfo=UTC)

# LoopBack operator names: objects of these, unmapped, fail Mongoose's casting.
_LOOPBACK_OPS = {
    "inq", "nin", "and", "or", "gt", "gte", "lt", "lte", "neq", "eq", "like", "nlike",
    "ilike", "nilike", "between", "exists", "regexp", "near",
}  # fmt: skip
# 5.2.1's WherePipe (common/pipes/filter.pipe.ts).
_WHERE_PIPE_MAP = {
    "inq": "$in", "nin": "$nin", "and": "$and", "or": "$or", "like": "$regex",
    "ilike": "$regex", "gte": "$gte", "lte": "$lte", "gt": "$gt", "lt": "$lt",
}  # fmt: skip
# The FilterValidationPipes' operators ("where" section); attachments also know $elemMatch.
_V4_WHERE_KEYS = {
    "where", "$in", "$or", "$and", "$nor", "$match", "$eq", "$gt", "$gte", "$lt", "$lte",
    "$ne", "$nin", "$not", "$exists", "$regex", "$options",
}  # fmt: skip
# Fields the sync's brief listings (sync.scicat.BRIEF_FIELDS) project beyond those above.
_BRIEF = ("creationTime", "endTime", "datasetlifecycle")
_OWNABLE = {"ownerGroup", "accessGroups", "instrumentGroup"}
_QUERYABLE = {"createdBy", "updatedBy", "createdAt", "updatedAt"}
# Field names the v4 pipes accept: Object.keys(new <DTO>()) in each release.
_DATASET_KEYS_4 = _OWNABLE | {
    "owner", "ownerEmail", "orcidOfOwner", "contactEmail", "sourceFolder", "sourceFolderHost",
    "size", "packedSize", "numberOfFiles", "numberOfFilesArchived", "creationTime",
    "validationStatus", "keywords", "description", "datasetName", "classification", "license",
    "isPublished", "techniques", "sharedWith", "relationships", "datasetlifecycle",
    "scientificMetadata", "comment", "dataQualityMetrics", "principalInvestigators",
    "startTime", "endTime", "creationLocation", "dataFormat", "proposalIds", "sampleIds",
    "instrumentIds", "inputDatasets", "usedSoftware", "jobParameters", "jobLogData",
    "runNumber", "pid", "type", "createdBy", "updatedBy", "createdAt", "updatedAt", "version",
}  # fmt: skip
_LIFECYCLE_KEYS = {
    "id", "archivable", "retrievable", "publishable", "dateOfDiskPurging",
    "archiveRetentionTime", "dateOfPublishing", "publishedOn", "isOnCentralDisk",
    "archiveStatusMessage", "retrieveStatusMessage", "archiveReturnMessage",
    "retrieveReturnMessage", "exportedTo", "retrieveIntegrityCheck", "storageLocation",
}  # fmt: skip
_DATASET_KEYS_5 = (
    _DATASET_KEYS_4
    | {"scientificMetadataSchema", "scientificMetadataValid", "_id", "updatedBy"}  # + history
    | _LIFECYCLE_KEYS
    | {"identifier", "identifierType", "relationship", "entityType", "externalId"}
    | {"pid", "name"}  # techniques
)
_ATTACHMENT_KEYS = _OWNABLE | {
    "thumbnail", "caption", "relationships", "isPublished", "aid", "createdAt", "updatedAt",
    "targetId", "targetType", "relationType",
}  # fmt: skip
_BLOCK_KEYS = (
    _OWNABLE
    | _QUERYABLE
    | {"_id", "datasetId", "size", "chkAlg", "dataFileList", "isPublished"}
    | {"path", "time", "chk", "uid", "gid", "perm", "type", "metadata"}  # DataFile
)
_ARBITRARY = {"scientificMetadata", "jobParameters", "jobParams", "jobResultObject"}  # 5.2.1
# createFullqueryFilter looks up each where key's schema type (origdatablocks).
_BLOCK_STRINGS = {"_id", "datasetId", "chkAlg", "createdBy", "updatedBy"} | _OWNABLE
_BLOCK_DATES = {"createdAt", "updatedAt"}
_BLOCK_OTHERS = {"size", "dataFileList", "isPublished"}
_V3_WHERE_RENAMES = {
    "proposalId": "proposalIds",
    "sampleId": "sampleIds",
    "instrumentId": "instrumentIds",
    "investigator": "principalInvestigators",
    "principalInvestigator": "principalInvestigators",
}
_V3_SINGULARS = (
    ("proposalIds", "proposalId"),
    ("sampleIds", "sampleId"),
    ("instrumentIds", "instrumentId"),
    ("principalInvestigators", "principalInvestigator"),
)
_BULKY = {"dataFileList", "thumbnail"}  # left out of a served export's queryable fields
_ALL_SECTIONS = ("where", "include", "fields", "limits")
_NO_INCLUDE = ("where", "fields", "limits")
_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
_HEALTH = {
    "status": "ok",
    "info": {"mongodb": {"status": "up"}},
    "error": {},
    "details": {"mongodb": {"status": "up"}},
}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) < 10 or not value[:4].isdigit():
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def js_default_date(moment: datetime) -> datetime:
    """``new Date(y, m, now.getDay())`` (SciCat's lifecycle defaults): the weekday (Sunday 0) as
    day of the month, 0 being the last day of the month before; midnight UTC."""
    weekday = (moment.weekday() + 1) % 7
    first = date(moment.year, moment.month, 1)
    day = first + timedelta(days=weekday - 1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class _Problem(Exception):
    """An error answer; a 500 keeps its detail for :attr:`Seen.detail`, not for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def body(self) -> bytes:
        if self.status >= 500:
            return _dumps({"statusCode": self.status, "message": "Internal server error"})
        reason = _REASONS.get(self.status, "Error")
        if self.message == reason:
            return _dumps({"statusCode": self.status, "message": self.message})
        return _dumps({"message": self.message, "error": reason, "statusCode": self.status})


def _dumps(doc: Any) -> bytes:
    try:
        return orjson.dumps(doc)
    except TypeError:  # integers beyond 64 bits
        return json.dumps(doc, separators=(",", ":")).encode()


def _copy(doc: Any) -> Any:
    return json.loads(json.dumps(doc))


def _walk(node: Any, parts: list[str]) -> Any:
    """A dotted path's value; through arrays of documents, the list of what they hold."""
    for index, part in enumerate(parts):
        if isinstance(node, list):
            out: list[Any] = []
            for item in node:
                value = _walk(item, parts[index:])
                if value is not _MISSING:
                    out.extend(value if isinstance(value, list) else [value])
            return out if out else _MISSING
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _typed(value: Any) -> Any:
    """Stored values as MongoDB compares them: ISO text is a date."""
    if isinstance(value, str):
        return _parse_time(value) or value
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return value


def _lookup(record: Raw, path: str) -> Any:
    return _typed(_walk(record, path.split(".")))


def _pick(node: Any, parts: list[str]) -> Any:
    if not parts:
        return node
    if isinstance(node, list):
        return [p for p in (_pick(e, parts) for e in node) if p is not _MISSING]
    if isinstance(node, dict) and parts[0] in node:
        inner = _pick(node[parts[0]], parts[1:])
        return _MISSING if inner is _MISSING else {parts[0]: inner}
    return _MISSING


def _merge(into: Raw, part: Raw) -> None:
    for key, value in part.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _project(record: Raw, fields: list[str]) -> Raw:
    """A MongoDB projection: ``_id`` and the named (dotted) fields, nested as stored."""
    out: Raw = {"_id": record["_id"]} if "_id" in record else {}
    for name in fields:
        part = _pick(record, name.split("."))
        if isinstance(part, dict):
            _merge(out, part)
    return out


def _splice(blob: bytes, extra: bytes) -> bytes:
    """A JSON object's bytes with ``"key":value`` pairs (already encoded) added at its end."""
    if not extra:
        return blob
    return blob[:-1] + (b"," if len(blob) > 2 else b"") + extra + b"}"


def _sort_key(value: Any) -> tuple[int, Any]:
    """MongoDB's order of types: null, numbers, strings, objects, arrays, booleans, dates."""
    if value is _MISSING or value is None:
        return (0, "")
    if isinstance(value, bool):
        return (5, value)
    if isinstance(value, int | float):
        return (1, float(value))
    if isinstance(value, str):
        return (2, value)
    if isinstance(value, dict):
        return (3, json.dumps(value, sort_keys=True))
    if isinstance(value, list):
        return (4, json.dumps(value, sort_keys=True, default=str))
    if isinstance(value, datetime):
        return (6, value.timestamp())
    return (7, str(value))


def _sorter(name: str) -> Callable[[Any], tuple[int, Any]]:
    return lambda entry: _sort_key(entry.get(name))


def _record_sorter(name: str) -> Callable[[Raw], tuple[int, Any]]:
    return lambda record: _sort_key(_lookup(record, name))
