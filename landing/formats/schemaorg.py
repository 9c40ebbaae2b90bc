"""schema.org ``Dataset`` JSON-LD with what Google Dataset Search requires and recommends.

Required: ``name``, ``description`` (50 to 5000 characters: a short abstract is completed with
what the record is, a long one cut at a word). Recommended and given where known: ``url``,
``identifier`` and ``sameAs`` (the DOI), ``creator`` (Person/Organization, ORCID as ``@id``,
affiliation with its ROR id), ``publisher``, ``datePublished``, ``license``, ``keywords``,
``measurementTechnique`` (PaNET), ``variableMeasured`` (from the scientific metadata, with
units), ``temporalCoverage``, ``distribution`` (``DataDownload``: the "download all" lists and,
for a small dataset, its files), ``includedInDataCatalog``, ``isAccessibleForFree``, ``funder``,
``hasPart`` (a publication's datasets) and ``isPartOf``.

:func:`jsonld_script` gives the ``<script type="application/ld+json">`` element for the page,
escaped so that no text in the metadata can close the script.
"""

from __future__ import annotations

import json
import mimetypes
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch
from django.utils.safestring import SafeString, mark_safe

from catalogue.models import DataFile, ScientificParameter, Technique
from landing import downloads
from landing.formats import fields
from landing.records import LandingRecord, doi_url
from publishing.metadata import absolute_url, dataset_url

DESCRIPTION_MIN = 50
DESCRIPTION_MAX = 5000
# Files listed one by one in ``distribution`` (and as signposting items) up to this many.
FILES_LISTED = 20
VARIABLES_LISTED = 100
HAS_PART_LISTED = 100

# UN/CEFACT common codes of units the scientific metadata often uses (unitCode).
UNIT_CODES = {
    "m": "MTR",
    "mm": "MMT",
    "um": "4H",
    "µm": "4H",
    "micrometer": "4H",
    "nm": "C45",
    "angstrom": "A11",
    "å": "A11",
    "k": "KEL",
    "kelvin": "KEL",
    "degc": "CEL",
    "°c": "CEL",
    "s": "SEC",
    "ms": "C26",
    "hz": "HTZ",
    "ev": "A53",
    "deg": "DD",
    "degree": "DD",
    "°": "DD",
    "rad": "C81",
    "pa": "PAL",
    "bar": "BAR",
    "mbar": "MBR",
    "a": "AMP",
    "ma": "4K",
    "v": "VLT",
    "w": "WTT",
    "t": "D33",
    "%": "P1",
    "percent": "P1",
    "g": "GRM",
    "kg": "KGM",
}
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


def description(record: LandingRecord) -> str:
    """The abstract, completed to at least 50 characters and cut to at most 5000."""
    text = " ".join(fields.abstract(record).split())
    if len(text) < DESCRIPTION_MIN:
        general, specific = fields.resource_type(record)
        what = specific if specific != general else general.lower()
        extra = f"{fields.title(record)}: {what} published by {fields.publisher(record)}"
        if fields.year(record):
            extra += f" in {fields.year(record)}"
        if record.kind == "publication":
            extra += f", {len(record.datasets)} dataset{'s' if len(record.datasets) != 1 else ''}"
        if record.file_count:
            extra += f", {record.file_count} file{'s' if record.file_count != 1 else ''}"
        text = f"{text} ({extra})." if text else f"{extra}."
        if len(text) < DESCRIPTION_MIN:
            text = f"{text} Persistent identifier: {record.identifier}."
    if len(text) > DESCRIPTION_MAX:
        cut = text[: DESCRIPTION_MAX - 1]
        cut = cut[: cut.rfind(" ")] if " " in cut[-200:] else cut
        text = cut.rstrip() + "…"
    return text


def _person(creator: fields.Creator) -> dict[str, Any]:
    out: dict[str, Any] = {"@type": "Person" if creator.personal else "Organization"}
    if creator.orcid:
        out["@id"] = creator.orcid
        out["sameAs"] = creator.orcid  # as Google's Dataset examples name an ORCID iD
        out["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "ORCID",
            "value": creator.orcid.removeprefix("https://orcid.org/"),
            "url": creator.orcid,
        }
    if creator.personal:
        out["name"] = f"{creator.given} {creator.family}".strip()
        out["familyName"] = creator.family
        if creator.given:
            out["givenName"] = creator.given
    else:
        out["name"] = creator.name
    affiliations = []
    for affiliation in creator.affiliations:
        organisation: dict[str, Any] = {"@type": "Organization", "name": affiliation.name}
        if affiliation.ror:
            organisation["@id"] = affiliation.ror
            organisation["identifier"] = affiliation.ror
            organisation["sameAs"] = affiliation.ror
        affiliations.append(organisation)
    if affiliations and creator.personal:
        out["affiliation"] = affiliations
    return out


def _variables(record: LandingRecord) -> list[dict[str, Any]]:
    ids = [d.pk for d in record.datasets]
    if not ids:
        return []
    rows = (
        ScientificParameter.objects.filter(dataset_id__in=ids)
        .order_by("key_path", "unit")
        .values_list("key_path", "unit")
        .distinct()[:VARIABLES_LISTED]
    )
    out = []
    for key_path, unit in rows:
        variable: dict[str, Any] = {"@type": "PropertyValue", "name": key_path}
        if unit:
            variable["unitText"] = unit
            if code := UNIT_CODES.get(unit.strip().lower()):
                variable["unitCode"] = code
        out.append(variable)
    return out


def _techniques(record: LandingRecord) -> list[Any]:
    named = fields.techniques(record)
    if not named and record.kind == "publication" and record.datasets:
        rows = (
            Technique.objects.filter(datasets__in=[d.pk for d in record.datasets])
            .distinct()
            .order_by("name")
            .values_list("name", "pid")[:50]
        )
        named = [
            (name, f"http://purl.org/pan-science/PaNET/PaNET{pid[5:]}")
            if pid.lower().startswith("panet")
            else (name, "")
            for name, pid in rows
        ]
    return [
        {"@type": "DefinedTerm", "name": name, "url": uri, "inDefinedTermSet": "PaNET"}
        if uri
        else name
        for name, uri in named
    ]


def _temporal_coverage(record: LandingRecord) -> str:
    if record.kind == "dataset":
        return fields.collected(record)
    starts = [d.start_time for d in record.datasets if d.start_time is not None]
    ends = [d.end_time or d.start_time for d in record.datasets if d.start_time is not None]
    if not starts:
        return ""
    first, last = min(starts), max(e for e in ends if e is not None)
    return first.isoformat() if first == last else f"{first.isoformat()}/{last.isoformat()}"


def _list_downloads(record: LandingRecord) -> list[dict[str, Any]]:
    if not downloads.downloads_enabled() or not record.file_count:
        return []
    out = []
    for key, fmt in downloads.FORMATS.items():
        try:
            url = absolute_url(downloads.download_list_url(record, key))
        except NoReverseMatch:  # the download routes are not installed
            return []
        out.append(
            {
                "@type": "DataDownload",
                "name": f"{fmt.label}: every file of {record.identifier}",
                "contentUrl": url,
                "encodingFormat": fmt.media_type.split(";")[0],
            }
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


def _distribution(record: LandingRecord) -> list[dict[str, Any]]:
    out = _list_downloads(record)
    for url, kind, size in small_dataset_files(record):
        out.append(
            {
                "@type": "DataDownload",
                "contentUrl": url,
                "encodingFormat": kind,
                "contentSize": f"{size} B",
            }
        )
    return out


def _has_part(record: LandingRecord) -> list[dict[str, Any]]:
    out = []
    for dataset in record.datasets[:HAS_PART_LISTED]:
        url = dataset_url(dataset.pid)
        out.append(
            {
                "@type": "Dataset",
                "@id": url,
                "name": dataset.title or dataset.pid,
                "url": url,
                "identifier": dataset.pid,
                "description": (
                    f"Dataset {dataset.pid} of {fields.title(record)}"
                    f" ({dataset.number_of_files} files, {dataset.size} bytes)."
                ),
            }
        )
    return out


def _funders(record: LandingRecord) -> list[dict[str, Any]]:
    out = []
    for item in fields.funding(record):
        funder: dict[str, Any] = {"@type": "Organization", "name": str(item["funderName"])}
        identifier = str(item.get("funderIdentifier") or "")
        if identifier.startswith("https://"):
            funder["@id"] = identifier
        out.append(funder)
    return out


def schemaorg(record: LandingRecord) -> dict[str, Any]:
    """The record as a schema.org ``Dataset`` (a JSON-LD object)."""
    identifiers = [record.doi_url] if record.doi else []
    if record.dataset is not None:
        identifiers.append(record.pid_url if not record.doi else record.dataset.pid)
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": record.pid_url,
        "name": fields.title(record),
        "description": description(record),
        "url": record.url,
        "identifier": identifiers or [record.url],
    }
    if record.doi:
        data["sameAs"] = record.doi_url
    data["creator"] = [_person(c) for c in fields.creators(record)]
    data["publisher"] = {"@type": "Organization", "name": fields.publisher(record)}
    if published := fields.issued_iso(record):
        data["datePublished"] = published
    data["dateModified"] = record.modified.isoformat()
    if licences := fields.licences(record):
        data["license"] = [licence.url or licence.name for licence in licences]
        if len(licences) == 1:
            data["license"] = data["license"][0]
    if keywords := fields.keywords(record):
        data["keywords"] = keywords
    if techniques := _techniques(record):
        data["measurementTechnique"] = techniques
    if variables := _variables(record):
        data["variableMeasured"] = variables
    if coverage := _temporal_coverage(record):
        data["temporalCoverage"] = coverage
    if distribution := _distribution(record):
        data["distribution"] = distribution
    if record.size:
        data["size"] = f"{record.size} B"
    if version := fields.version(record):
        data["version"] = version
    if funders := _funders(record):
        data["funder"] = funders
    if record.kind == "publication" and record.datasets:
        data["hasPart"] = _has_part(record)
    if record.part_of:
        data["isPartOf"] = [doi_url(doi) for doi in record.part_of]
    data["includedInDataCatalog"] = {
        "@type": "DataCatalog",
        "name": settings.PORTAL_NAME,
        "url": absolute_url("/"),
    }
    data["isAccessibleForFree"] = True
    return data


def schemaorg_json(record: LandingRecord) -> str:
    return json.dumps(schemaorg(record), ensure_ascii=False, indent=2) + "\n"


def script_json(data: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` as themselves."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def jsonld_script(record: LandingRecord) -> SafeString:
    """The ``<script type="application/ld+json">`` element of the page."""
    body = script_json(schemaorg(record))
    return mark_safe(f'<script type="application/ld+json">{body}</script>')  # noqa: S308
