"""What a review link shows: the page's model and the exports, from the live records.

The records come typed (:class:`~catalogue.payloads.DatasetIn`) and, for an anonymised review,
already without who made them (:mod:`review.anonymise`): everything below is built from them
alone, so the page, its citation and its exports cannot disagree or leak what the page hides.
The exports are the portal's own formats (:mod:`publishing.formats`) of a DataCite record of the
reserved DOI, made here from the records (never sent to DataCite, never stored).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from catalogue.payloads import DatasetIn
from catalogue.sizes import human_size
from lib import download_url
from publishing.formats import bibtex, csl, datacite_json, datacite_xml, ris
from publishing.record import DataCiteRecord, parse
from review.anonymise import Scrubber

ANONYMOUS = "Anonymous"
# Files listed per dataset on the page; the rest are counted.
FILES_SHOWN = 500


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    media_type: str
    extension: str
    render: Callable[[DataCiteRecord], str | bytes]


EXPORTS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("bibtex", "BibTeX", "application/x-bibtex", "bib", bibtex.bibtex),
        ExportFormat("ris", "RIS", "application/x-research-info-systems", "ris", ris.ris),
        ExportFormat(
            "csl-json",
            "CSL-JSON",
            "application/vnd.citationstyles.csl+json",
            "csl.json",
            csl.csl_json,
        ),
        ExportFormat(
            "datacite-xml",
            "DataCite XML",
            "application/vnd.datacite.datacite+xml",
            "datacite.xml",
            datacite_xml.resource_document,
        ),
        ExportFormat(
            "datacite-json",
            "DataCite JSON",
            "application/vnd.datacite.datacite+json",
            "datacite.json",
            datacite_json.datacite_json,
        ),
    )
}


@dataclass(frozen=True)
class FileRow:
    path: str
    size: str
    checksum: str
    url: str


@dataclass(frozen=True)
class MetadataRow:
    key: str
    value: str
    unit: str


@dataclass(frozen=True)
class DatasetView:
    record: DatasetIn
    creators: list[str]
    files: list[FileRow]
    files_more: int
    metadata: list[MetadataRow]
    downloads_withheld: int  # anonymised: links whose address would name someone


def _metadata_rows(metadata: Mapping[str, Any], prefix: str = "") -> Iterator[MetadataRow]:
    for key, value in sorted(metadata.items(), key=lambda kv: str(kv[0]).lower()):
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and "value" in value:
            unit = value.get("unit") or value.get("units") or ""
            yield MetadataRow(name, _text(value.get("value")), str(unit))
        elif isinstance(value, Mapping):
            yield from _metadata_rows(value, prefix=f"{name}.")
        else:
            yield MetadataRow(name, _text(value), "")


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return "" if value is None else str(value)


def _creators(record: DatasetIn) -> list[str]:
    names = [c.get("name", "") for c in record.creators]
    return [n for n in names if n] or list(record.principal_investigators)


def dataset_view(
    record: DatasetIn, *, original: DatasetIn, downloads: bool, scrubber: Scrubber | None
) -> DatasetView:
    """``record`` as shown (anonymised or not); download addresses are the ``original``'s (the
    storage knows the real paths), left out when they would name someone."""
    files: list[FileRow] = []
    withheld = 0
    real = original.files or ()
    for index, item in enumerate((record.files or ())[:FILES_SHOWN]):
        url = ""
        if downloads and settings.PORTAL_DOWNLOAD_URL and index < len(real):
            url = download_url.fill(
                settings.PORTAL_DOWNLOAD_URL,
                path=real[index].path,
                source_folder=original.source_folder,
                pid=original.pid,
            )
            if scrubber is not None and url and scrubber.names_in(url):
                url, withheld = "", withheld + 1
        checksum = f"{item.checksum_algorithm}:{item.checksum}" if item.checksum else ""
        files.append(FileRow(item.path, human_size(item.size), checksum, url))
    return DatasetView(
        record=record,
        creators=_creators(record),
        files=files,
        files_more=max(0, len(record.files or ()) - FILES_SHOWN),
        metadata=list(_metadata_rows(record.scientific_metadata)),
        downloads_withheld=withheld,
    )


def review_title(datasets: Sequence[DatasetIn]) -> str:
    if not datasets:
        return ""
    if len(datasets) == 1:
        return datasets[0].title
    proposals = {d.proposal.proposal_id: d.proposal for d in datasets if d.proposal is not None}
    if len(proposals) == 1 and len(datasets) == sum(d.proposal is not None for d in datasets):
        only = next(iter(proposals.values()))
        return only.title or f"Data of beamtime {only.proposal_id}"
    return f"{datasets[0].title} and {len(datasets) - 1} more datasets"


def creator_names(datasets: Sequence[DatasetIn], *, anonymous: bool) -> list[str]:
    if anonymous:
        return [ANONYMOUS]
    seen: dict[str, None] = {}
    for dataset in datasets:
        for name in _creators(dataset):
            seen.setdefault(name, None)
    return list(seen) or [settings.PORTAL_PUBLISHER]


def year_of(embargo_end: datetime | None) -> int:
    return (embargo_end or timezone.now()).year


def datacite_record(
    *,
    doi: str,
    url: str,
    datasets: Sequence[DatasetIn],
    anonymous: bool,
    embargo_end: datetime | None,
) -> DataCiteRecord:
    """The reserved DOI's record as this review shows it (parsed by the one record parser)."""
    creators = [
        {"name": name, "nameType": "Organizational" if anonymous else "Personal"}
        for name in creator_names(datasets, anonymous=anonymous)
    ]
    keywords = dict.fromkeys(k for d in datasets for k in d.keywords)
    descriptions = [
        {"description": d.description, "descriptionType": "Abstract"}
        for d in datasets[:1]
        if d.description and len(datasets) == 1
    ]
    dates = (
        [{"date": embargo_end.date().isoformat(), "dateType": "Available"}] if embargo_end else []
    )
    return parse(
        {
            "doi": doi,
            "url": url,
            "creators": creators,
            "titles": [{"title": review_title(datasets) or doi}],
            "publisher": {"name": settings.PORTAL_PUBLISHER},
            "publicationYear": str(year_of(embargo_end)),
            "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Dataset"},
            "subjects": [{"subject": k} for k in keywords],
            "descriptions": descriptions,
            "dates": dates,
        }
    )


def citation(record: DataCiteRecord) -> str:
    """A plain citation of the record (APA's order): creators (year). title. publisher. DOI."""
    names = "; ".join(c.name for c in record.creators)
    title = record.titles[0].title if record.titles else record.doi
    doi = f"https://doi.org/{record.doi}" if record.doi else ""
    return (
        f"{names} ({record.publication_year}). {title} [Data set]. {record.publisher.name}. {doi}"
    )
