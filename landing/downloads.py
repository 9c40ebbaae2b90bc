"""Where a record's files can be downloaded, and the "download all" lists for download tools.

Public names (the schema.org ``distribution`` and the signposting ``item`` links use them too):

* :func:`downloads_enabled` — whether ``PORTAL_DOWNLOAD_URL`` is set at all.
* :func:`file_url` ``(dataset, path)`` — the public URL of one file, or "" (no pattern, hidden
  source folder, or a path that could leave the public tree).
* :func:`counted_file_url` ``(dataset, path)`` — the portal's counting redirect to that URL
  (``/download/file/datasets/<pid>?path=<path>``), or "" when there is none: the landing pages
  link files through it, so each download is counted (:mod:`usage`) before the visitor is sent
  on to the storage.
* :func:`checksum_name` ``(algorithm, value)`` — a checksum's IANA hash name (``sha-256``) when the
  value is a well-formed digest of a hash download tools know, else "".
* :data:`FORMATS` — the "download all" lists: ``metalink`` (RFC 5854,
  ``application/metalink4+xml``), ``aria2`` (an ``aria2c -i`` input file) and ``json`` (a manifest).
* :func:`download_list_url` ``(record, fmt)`` — the portal path of one of those lists.
* :func:`metalink`, :func:`aria2_input`, :func:`json_manifest` ``(source)`` — the lists themselves,
  as iterators of text chunks (streamed: a publication of 50 datasets of 10,000 files is never
  held in memory).

A dataset on tape is listed like one on disk: its URLs work once the storage has staged the files
(dCache does so on the first request), which is what the landing page tells the visitor.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.urls import reverse

from landing.selectors import FileRow, dataset_file_rows
from lib import download_url
from lib.xml_text import xml_text

if TYPE_CHECKING:
    from catalogue.models import Dataset
    from landing.records import LandingRecord

__all__ = [
    "FORMATS",
    "DownloadFormat",
    "DownloadSource",
    "aria2_input",
    "checksum_name",
    "counted_file_url",
    "download_list_url",
    "download_source",
    "downloads_enabled",
    "file_url",
    "json_manifest",
    "metalink",
]


@dataclass(frozen=True)
class DownloadFormat:
    label: str
    media_type: str
    extension: str


FORMATS: dict[str, DownloadFormat] = {
    "metalink": DownloadFormat("Metalink 4", "application/metalink4+xml", "meta4"),
    "aria2": DownloadFormat("aria2 input file", "text/plain; charset=utf-8", "aria2.txt"),
    "json": DownloadFormat("JSON manifest", "application/json", "manifest.json"),
}

# Checksum algorithms as catalogues write them -> (IANA hash name, hex digits). aria2 knows all of
# these; Metalink's registry (IANA "Hash Function Textual Names") all but adler32.
_HASHES: dict[str, tuple[str, int]] = {
    "md5": ("md5", 32),
    "sha1": ("sha-1", 40),
    "sha224": ("sha-224", 56),
    "sha256": ("sha-256", 64),
    "sha384": ("sha-384", 96),
    "sha512": ("sha-512", 128),
    "adler32": ("adler32", 8),
}
_METALINK_HASHES = frozenset(name for name, _ in _HASHES.values()) - {"adler32"}
_HEX = re.compile(r"^[0-9a-f]+$")
_ALGORITHM_NOISE = re.compile(r"[\s_\-/]")


def downloads_enabled() -> bool:
    return bool(settings.PORTAL_DOWNLOAD_URL)


def file_url(dataset: Dataset, path: str) -> str:
    """The public download URL of ``path`` in ``dataset``, or "" when there is none."""
    return download_url.fill(
        settings.PORTAL_DOWNLOAD_URL,
        path=path,
        source_folder=dataset.source_folder,
        pid=dataset.pid,
    )


def counted_file_url(dataset: Dataset, path: str) -> str:
    """The portal path that counts a download of ``path`` and redirects to its public URL."""
    if not file_url(dataset, path):
        return ""
    query = urlencode({"path": path})
    return f"{reverse('landing:file_download', args=[dataset.pid])}?{query}"


def checksum_name(algorithm: str, value: str) -> str:
    """``sha-256`` etc. when ``value`` is a digest of that algorithm, else ""."""
    spec = _HASHES.get(_ALGORITHM_NOISE.sub("", algorithm.lower()))
    if spec is None:
        return ""
    name, digits = spec
    value = value.strip().lower()
    return name if len(value) == digits and _HEX.match(value) else ""


def download_list_url(record: LandingRecord, fmt: str) -> str:
    """The portal path of a "download all" list of ``record`` (a publication or a dataset)."""
    if record.kind == "publication":
        return reverse("landing:publication_download", args=[fmt, record.doi])
    assert record.dataset is not None
    return reverse("landing:dataset_download", args=[fmt, record.dataset.pid])


# -- the lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DownloadSource:
    """What a list covers: the record, its datasets, and whether files go in one folder each."""

    identifier: str
    title: str
    landing_url: str
    list_url: str
    datasets: tuple[Dataset, ...]
    folders: bool

    @property
    def filename_stem(self) -> str:
        return safe_name(self.identifier) or "download"


def download_source(
    record: LandingRecord, datasets: Iterable[Dataset], *, list_url: str
) -> DownloadSource:
    return DownloadSource(
        identifier=record.identifier,
        title=record.title,
        landing_url=record.url,
        list_url=list_url,
        datasets=tuple(datasets),
        folders=record.kind == "publication",
    )


def safe_name(value: str) -> str:
    """A file or folder name made from an identifier: ``10.5072/ab c`` -> ``10.5072_ab_c``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", value).strip("._")[:150]


@dataclass(frozen=True, slots=True)
class _Entry:
    dataset: Dataset
    name: str  # where a download tool saves it, relative
    url: str
    size: int
    hash_name: str
    hash_value: str
    path: str


def _entries(source: DownloadSource) -> Iterator[_Entry]:
    for dataset in source.datasets:
        folder = safe_name(dataset.pid) if source.folders else ""
        for row in dataset_file_rows(dataset):
            yield _entry(dataset, folder, row)


def _entry(dataset: Dataset, folder: str, row: FileRow) -> _Entry:
    url = file_url(dataset, row.path)
    relative = "/".join(s for s in row.path.split("/") if s)
    name = f"{folder}/{relative}" if folder else relative
    hash_name = checksum_name(row.checksum_algorithm, row.checksum)
    return _Entry(
        dataset=dataset,
        name=name,
        url=url,
        size=row.size,
        hash_name=hash_name,
        hash_value=row.checksum.strip().lower() if hash_name else "",
        path=row.path,
    )


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def metalink(source: DownloadSource) -> Iterator[str]:
    """A Metalink 4 document (RFC 5854) of every file that has a download URL."""
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<metalink xmlns="urn:ietf:params:xml:ns:metalink">\n'
        f"  <generator>{escape(xml_text(settings.PORTAL_NAME))}</generator>\n"
        f'  <origin dynamic="true">{escape(source.list_url)}</origin>\n'
        f"  <published>{_now()}</published>\n"
    )
    chunk: list[str] = []
    for entry in _entries(source):
        if not entry.url:
            continue
        lines = [f"  <file name={quoteattr(xml_text(entry.name))}>\n"]
        lines.append(f"    <identity>{escape(xml_text(entry.dataset.pid))}</identity>\n")
        if entry.size > 0:
            lines.append(f"    <size>{entry.size}</size>\n")
        if entry.hash_name in _METALINK_HASHES:
            lines.append(f'    <hash type="{entry.hash_name}">{entry.hash_value}</hash>\n')
        lines.append(f"    <url>{escape(entry.url)}</url>\n  </file>\n")
        chunk.append("".join(lines))
        if len(chunk) >= 500:
            yield "".join(chunk)
            chunk = []
    chunk.append("</metalink>\n")
    yield "".join(chunk)


def aria2_input(source: DownloadSource) -> Iterator[str]:
    """An aria2 input file (``aria2c -i``): each URL with ``out=``, ``checksum=`` and size."""
    yield (
        f"# {_line(source.title)}\n"
        f"# {source.landing_url}\n"
        "# Download everything with:  aria2c --check-integrity=true -i THIS-FILE\n"
    )
    chunk: list[str] = []
    for entry in _entries(source):
        if not entry.url:
            continue
        lines = [f"{entry.url}\n  out={entry.name}\n"]
        if entry.hash_name:
            lines.append(f"  checksum={entry.hash_name}={entry.hash_value}\n")
        chunk.append("".join(lines))
        if len(chunk) >= 500:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def json_manifest(source: DownloadSource) -> Iterator[str]:
    """A JSON manifest: the record, its datasets and every file (with its URL, or null)."""
    head = {
        "identifier": source.identifier,
        "title": source.title,
        "url": source.landing_url,
        "generated": _now(),
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "datasets": ['
    for index, dataset in enumerate(source.datasets):
        folder = safe_name(dataset.pid) if source.folders else ""
        about = {
            "pid": dataset.pid,
            "title": dataset.title,
            "dataLocation": dataset.data_location,
            "size": dataset.size,
            "numberOfFiles": dataset.number_of_files,
        }
        yield ("," if index else "") + json.dumps(about, ensure_ascii=False)[:-1] + ', "files": ['
        chunk: list[str] = []
        for number, row in enumerate(dataset_file_rows(dataset)):
            entry = _entry(dataset, folder, row)
            item: dict[str, object] = {"path": row.path, "size": row.size, "url": entry.url or None}
            if row.checksum:
                item["checksum"] = {
                    "algorithm": entry.hash_name or row.checksum_algorithm or None,
                    "value": row.checksum,
                }
            chunk.append(("," if number else "") + json.dumps(item, ensure_ascii=False))
            if len(chunk) >= 1000:
                yield "".join(chunk)
                chunk = []
        chunk.append("]}")
        yield "".join(chunk)
    yield "]}\n"


def _line(value: str) -> str:
    return " ".join(xml_text(value).split())
