"""schema.org JSON-LD of a landing record: the catalogue's part of it, gathered here.

The format itself is :mod:`publishing.formats.schemaorg`; it takes the record's DataCite metadata
and a :class:`~publishing.formats.schemaorg.Catalogue` of what only the catalogue knows (download
lists and, for a small dataset, its files; the variables of the scientific metadata; a
publication's datasets, their techniques and time span). :func:`catalogue` reads those with a
fixed number of queries.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch
from django.utils.safestring import SafeString

from catalogue.models import DataFile, DataLocation, ScientificParameter, Technique
from landing import downloads
from landing.records import LandingRecord
from publishing.addresses import absolute_url, dataset_url
from publishing.formats import fields
from publishing.formats import schemaorg as schemaorg_format
from publishing.formats.schemaorg import Catalogue, Download, Part

# Files listed one by one in ``distribution`` (and as signposting items) up to this many.
FILES_LISTED = 20
VARIABLES_LISTED = 100
HAS_PART_LISTED = 100

_MEDIA_TYPES = {
    ".h5": "application/x-hdf5",
    ".hdf5": "application/x-hdf5",
    ".nxs": "application/x-hdf5",
    ".cbf": "application/octet-stream",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".fio": "text/plain",
    ".log": "text/plain",
    ".dat": "text/plain",
}


def media_type(path: str) -> str:
    """The media type of a file, from its extension (``application/octet-stream`` when unknown)."""
    dot = path.rfind(".")
    extension = path[dot:].lower() if dot > path.rfind("/") else ""
    return (
        _MEDIA_TYPES.get(extension)
        or mimetypes.guess_type(f"x{extension}")[0]
        or "application/octet-stream"
    )


def _variables(record: LandingRecord) -> tuple[tuple[str, str], ...]:
    ids = [d.pk for d in record.datasets]
    if not ids:
        return ()
    return tuple(
        ScientificParameter.objects.filter(dataset_id__in=ids)
        .order_by("key_path", "unit")
        .values_list("key_path", "unit")
        .distinct()[:VARIABLES_LISTED]
    )


def _techniques(record: LandingRecord) -> tuple[tuple[str, str], ...]:
    """A publication's datasets' techniques, when its metadata names none."""
    if fields.techniques(record.metadata) or record.kind != "publication" or not record.datasets:
        return ()
    rows = (
        Technique.objects.filter(datasets__in=[d.pk for d in record.datasets])
        .distinct()
        .order_by("name")
        .values_list("name", "pid")[:50]
    )
    return tuple(
        (name, f"http://purl.org/pan-science/PaNET/PaNET{pid[5:]}")
        if pid.lower().startswith("panet")
        else (name, "")
        for name, pid in rows
    )


def _temporal_coverage(record: LandingRecord) -> str:
    """The time span of a publication's datasets (a dataset's own is in its metadata)."""
    if record.kind == "dataset":
        return ""
    starts = [d.start_time for d in record.datasets if d.start_time is not None]
    ends = [d.end_time or d.start_time for d in record.datasets if d.start_time is not None]
    if not starts:
        return ""
    first, last = min(starts), max(e for e in ends if e is not None)
    return first.isoformat() if first == last else f"{first.isoformat()}/{last.isoformat()}"


def _list_downloads(record: LandingRecord) -> list[Download]:
    if not downloads.downloads_enabled() or not record.file_count:
        return []
    out = []
    for key, fmt in downloads.FORMATS.items():
        try:
            url = absolute_url(downloads.download_list_url(record, key))
        except NoReverseMatch:  # the download routes are not installed
            return []
        out.append(
            Download(
                url,
                fmt.media_type.split(";")[0],
                name=f"{fmt.label}: every file of {record.identifier}",
            )
        )
    return out


def small_dataset_files(record: LandingRecord) -> list[tuple[str, str, int]]:
    """(URL, media type, size) of each file of a dataset record with at most FILES_LISTED files."""
    dataset = record.dataset
    if dataset is None or not 0 < record.file_count <= FILES_LISTED:
        return []
    if not downloads.downloads_enabled():
        return []
    rows = DataFile.objects.filter(dataset=dataset).order_by("path", "id")
    out = []
    for path, size in rows.values_list("path", "size")[: FILES_LISTED + 1]:
        if url := downloads.file_url(dataset, path):
            out.append((url, media_type(path), size))
    return out if len(out) <= FILES_LISTED else []


def _parts(record: LandingRecord) -> tuple[Part, ...]:
    if record.kind != "publication":
        return ()
    return tuple(
        Part(
            url=dataset_url(dataset.pid),
            name=dataset.title or dataset.pid,
            identifier=dataset.pid,
            files=dataset.number_of_files,
            size=dataset.size,
        )
        for dataset in record.datasets[:HAS_PART_LISTED]
    )


def access_conditions(record: LandingRecord) -> str:
    """``conditionsOfAccess``: what stands between a reader and the files, or "" for a plain
    download (the files are open and the portal links them)."""
    if record.file_count == 0:
        return ""
    on_tape = [d for d in record.datasets if d.data_location == DataLocation.TAPE]
    if not downloads.downloads_enabled():
        return (
            f"The files are kept by {settings.PORTAL_PUBLISHER}; this portal does not serve "
            "them. Ask the facility for a copy, quoting the identifier."
        )
    if on_tape:
        share = "All" if len(on_tape) == len(record.datasets) else "Some"
        return (
            f"{share} of the files are archived on tape and are copied back to disk on request "
            "before they can be downloaded."
        )
    return ""


def catalogue(record: LandingRecord) -> Catalogue:
    """What the schema.org format needs of ``record`` beyond its DataCite metadata."""
    files = [Download(url, kind, size=size) for url, kind, size in small_dataset_files(record)]
    return Catalogue(
        kind=record.kind,
        url=record.url,
        modified=record.modified,
        dataset_count=len(record.datasets),
        file_count=record.file_count,
        size=record.size,
        part_of=record.part_of,
        techniques=_techniques(record),
        variables=_variables(record),
        temporal_coverage=_temporal_coverage(record),
        distribution=(*_list_downloads(record), *files),
        parts=_parts(record),
        access_conditions=access_conditions(record),
    )


def description(record: LandingRecord) -> str:
    """The record's description as schema.org gives it (50 to 5000 characters)."""
    return schemaorg_format.description(record.metadata, _description_catalogue(record))


def _description_catalogue(record: LandingRecord) -> Catalogue:
    """The counts a description names, without the queries the rest of the format needs."""
    return Catalogue(
        kind=record.kind,
        url=record.url,
        modified=record.modified,
        dataset_count=len(record.datasets),
        file_count=record.file_count,
    )


def schemaorg(record: LandingRecord) -> dict[str, Any]:
    return schemaorg_format.schemaorg(record.metadata, catalogue(record))


def schemaorg_json(record: LandingRecord) -> str:
    return schemaorg_format.schemaorg_json(record.metadata, catalogue(record))


def jsonld_script(record: LandingRecord) -> SafeString:
    """The ``<script type="application/ld+json">`` element of the page."""
    return schemaorg_format.jsonld_script(record.metadata, catalogue(record))
