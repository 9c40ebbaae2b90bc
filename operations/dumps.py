"""The nightly bulk dump of every public metadata record, so that a harvester need not crawl.

``metadata_dump`` writes, for one day, two gzip files into ``DUMPS_ROOT``:

- ``portal-metadata-<date>.datacite.jsonl.gz``: one JSON object per line and record,
  ``{"kind": "dataset" | "publication", "id": <PID or DOI>, "oai_identifier": ..., "url": ...,
  "attributes": <DataCite JSON>}``;
- ``portal-metadata-<date>.datacite.xml.gz``: the same records as DataCite kernel-4 XML
  ``<resource>`` elements inside one ``<resources>`` element;

and ``portal-metadata-<date>.manifest.json``: each file's name, size in bytes and SHA-256, the
number of records and when the dump was made. The records and their metadata are read the way
OAI-PMH reads them (:func:`oai.selectors.list_page`: the same DataCite JSON, access rights
included) and written by the format modules (:mod:`publishing.formats`); withdrawn records are
left out, and embargoed ones are never stored at all. Files are written under a temporary name
and renamed when complete, so ``/dumps/`` never lists half a file. The newest ``DUMPS_KEEP``
dumps are kept.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone

from oai.selectors import PUBLICATION, Listing, Record, list_page
from oai.sets import EVERYTHING
from publishing.formats.datacite_xml import NAMESPACE, resource_xml

PAGE = 500
PREFIX = "portal-metadata-"
MANIFEST = re.compile(r"portal-metadata-(\d{4}-\d{2}-\d{2})\.manifest\.json")
FILE_NAME = re.compile(
    r"portal-metadata-\d{4}-\d{2}-\d{2}\.(datacite\.jsonl\.gz|datacite\.xml\.gz|manifest\.json)"
)


@dataclass(frozen=True)
class DumpFile:
    name: str
    size: int
    sha256: str
    format: str


@dataclass(frozen=True)
class Dump:
    date: str
    created: str
    records: int
    files: tuple[DumpFile, ...]


def public_records(progress: Callable[[int], object] | None = None) -> Iterator[Record]:
    """Every public record with its metadata, in OAI-PMH list order, a page at a time."""
    after = None
    while True:
        page, more = list_page(
            Listing(selection=EVERYTHING), after=after, limit=PAGE, with_metadata=True
        )
        for record in page:
            if not record.deleted and record.metadata is not None:
                yield record
        if progress is not None:
            progress(len(page))
        if not more or not page:
            return
        after = page[-1].position


def _landing_url(record: Record) -> str:
    kind = "doi" if record.kind == PUBLICATION else "datasets"
    return f"{settings.PORTAL_BASE_URL}/{kind}/{record.key}"


class _Digest:
    """A binary file that counts and hashes what is written to it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.size, self.hash = raw, 0, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.raw.write(data)
        self.size += len(data)
        self.hash.update(data)
        return len(data)

    def flush(self) -> None:
        self.raw.flush()


def metadata_dump(
    *, directory: Path | None = None, now: datetime | None = None,
    progress: Callable[[int], object] | None = None,
) -> Dump:  # fmt: skip
    """Write today's dump (replacing one of the same day) and drop the oldest past DUMPS_KEEP."""
    directory = directory or Path(settings.DUMPS_ROOT)
    directory.mkdir(parents=True, exist_ok=True)
    date = (now or timezone.now()).date().isoformat()
    base = f"{PREFIX}{date}"
    names = {"jsonl": f"{base}.datacite.jsonl.gz", "xml": f"{base}.datacite.xml.gz"}
    partial = {key: directory / f".{name}.partial" for key, name in names.items()}
    count = 0
    with (
        partial["jsonl"].open("wb") as jsonl_raw,
        partial["xml"].open("wb") as xml_raw,
    ):
        jsonl_file, xml_file = _Digest(jsonl_raw), _Digest(xml_raw)
        # mtime=0: the same records give the same bytes, hence the same checksum.
        with (
            gzip.GzipFile(fileobj=jsonl_file, mode="wb", mtime=0) as jsonl,
            gzip.GzipFile(fileobj=xml_file, mode="wb", mtime=0) as xml,
        ):
            xml.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
            xml.write(f'<resources xmlns="{NAMESPACE}">\n'.encode())
            for record in public_records(progress):
                assert record.metadata is not None
                line = {
                    "kind": "publication" if record.kind == PUBLICATION else "dataset",
                    "id": record.key,
                    "oai_identifier": record.identifier,
                    "url": _landing_url(record),
                    "attributes": record.metadata.attributes,
                }
                jsonl.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode())
                jsonl.write(b"\n")
                xml.write(resource_xml(record.metadata, schema_location=False).encode())
                xml.write(b"\n")
                count += 1
            xml.write(b"</resources>\n")
    files = []
    for key, name in names.items():
        digest = jsonl_file if key == "jsonl" else xml_file
        partial[key].replace(directory / name)
        files.append(
            DumpFile(name=name, size=digest.size, sha256=digest.hash.hexdigest(), format=key)
        )
    dump = Dump(
        date=date,
        created=timezone.now().isoformat(timespec="seconds"),
        records=count,
        files=tuple(files),
    )
    manifest = {
        "date": dump.date,
        "created": dump.created,
        "records": dump.records,
        "files": [f.__dict__ for f in dump.files],
    }
    target = directory / f"{base}.manifest.json"
    temporary = directory / f".{target.name}.partial"
    temporary.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    temporary.replace(target)
    _prune(directory, keep=settings.DUMPS_KEEP)
    return dump


def _prune(directory: Path, *, keep: int) -> None:
    dates = sorted(
        (m.group(1) for p in directory.iterdir() if (m := MANIFEST.fullmatch(p.name))), reverse=True
    )
    for date in dates[keep:]:
        for path in directory.glob(f"{PREFIX}{date}.*"):
            path.unlink(missing_ok=True)


def dumps_available(directory: Path | None = None) -> list[Dump]:
    """The complete dumps in ``directory``, newest first (those whose manifest is written)."""
    directory = directory or Path(settings.DUMPS_ROOT)
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        if not MANIFEST.fullmatch(path.name):
            continue
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            files = tuple(DumpFile(**f) for f in data["files"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        found.append(
            Dump(date=data["date"], created=data["created"], records=data["records"], files=files)
        )
    return sorted(found, key=lambda d: d.date, reverse=True)
