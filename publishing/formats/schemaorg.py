"""schema.org ``Dataset`` JSON-LD with what Google Dataset Search requires and recommends.

Required: ``name``, ``description`` (50 to 5000 characters: a short abstract is completed with
what the record is, a long one cut at a word). Recommended and given where known: ``url``,
``identifier`` and ``sameAs`` (the DOI), ``creator`` (Person/Organization, ORCID as ``@id``,
affiliation with its ROR id), ``contributor`` (the same, each in a ``Role`` whose ``roleName`` is
its DataCite contributorType), ``spatialCoverage`` (``Place``: a name, ``GeoCoordinates`` of a
point, a ``GeoShape`` box), ``publisher``, ``datePublished``, ``license``, ``keywords``,
``measurementTechnique`` (PaNET), ``variableMeasured`` (from the scientific metadata, with
units), ``temporalCoverage``, ``distribution`` (``DataDownload``: the "download all" lists and,
for a small dataset, its files), ``includedInDataCatalog``, ``isAccessibleForFree``, ``funder``,
``hasPart`` (a publication's datasets), ``isPartOf``, ``version``, ``citation`` (the works the
related identifiers name as describing, citing or supplemented by the data: articles a reader
should cite too) and ``conditionsOfAccess`` (how the files are reached when not by a plain
download: on tape, or kept by the facility).

Most of it comes from the :class:`~publishing.record.DataCiteRecord`; what only the catalogue
knows (files, downloads, scientific metadata, the datasets of a publication) arrives as a
:class:`Catalogue`, which the caller gathers (the landing pages: :mod:`landing.schemaorg`), so
that this module reads no database and builds no URL of a view.

:func:`jsonld_script` gives the ``<script type="application/ld+json">`` element for the page,
escaped so that no text in the metadata can close the script.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from publishing.addresses import absolute_url
from publishing.formats import fields
from publishing.record import DataCiteRecord

DESCRIPTION_MIN = 50
DESCRIPTION_MAX = 5000

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


@dataclass(frozen=True, slots=True)
class Download:
    """A ``DataDownload``: a list of every file (``name`` given) or one file (``size`` given)."""

    url: str
    media_type: str
    name: str = ""
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Part:
    """One dataset of a publication (``hasPart``)."""

    url: str
    name: str
    identifier: str
    files: int
    size: int


@dataclass(frozen=True, slots=True)
class Catalogue:
    """What the catalogue knows of a record beyond its DataCite metadata."""

    kind: Literal["publication", "dataset"]
    url: str  # the landing page
    modified: datetime
    dataset_count: int = 0
    file_count: int = 0
    size: int = 0
    part_of: tuple[str, ...] = ()  # DOIs of the publications that contain a dataset
    # (name, PaNET URI or "") of a publication's datasets' techniques, when the metadata names none
    techniques: tuple[tuple[str, str], ...] = ()
    variables: tuple[tuple[str, str], ...] = ()  # (key path, unit) of the scientific metadata
    temporal_coverage: str = ""  # of a publication's datasets (a dataset's is in its metadata)
    distribution: tuple[Download, ...] = ()
    parts: tuple[Part, ...] = ()
    access_conditions: str = ""  # conditionsOfAccess, when the files are not a plain download


def description(record: DataCiteRecord, catalogue: Catalogue) -> str:
    """The abstract, completed to at least 50 characters and cut to at most 5000."""
    text = " ".join(fields.abstract(record).split())
    if len(text) < DESCRIPTION_MIN:
        general, specific = fields.resource_type(record)
        what = specific if specific != general else general.lower()
        extra = f"{fields.title(record)}: {what} published by {fields.publisher(record)}"
        if fields.year(record):
            extra += f" in {fields.year(record)}"
        if catalogue.kind == "publication":
            count = catalogue.dataset_count
            extra += f", {count} dataset{'s' if count != 1 else ''}"
        if catalogue.file_count:
            count = catalogue.file_count
            extra += f", {count} file{'s' if count != 1 else ''}"
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


def _contributor(person: fields.Creator) -> dict[str, Any]:
    return {"@type": "Role", "roleName": person.role, "contributor": _person(person)}


def _places(record: DataCiteRecord) -> list[dict[str, Any]]:
    out = []
    for place in fields.places(record):
        entry: dict[str, Any] = {"@type": "Place"}
        if place.name:
            entry["name"] = place.name
        shapes: list[dict[str, Any]] = []
        if place.point is not None:
            latitude, longitude = place.point
            shapes.append({"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude})
        if place.box is not None:
            west, east, south, north = place.box
            # schema.org: the lower corner, then the upper one, each "latitude longitude".
            shapes.append({"@type": "GeoShape", "box": f"{south} {west} {north} {east}"})
        if shapes:
            entry["geo"] = shapes[0] if len(shapes) == 1 else shapes
        out.append(entry)
    return out


def _variables(catalogue: Catalogue) -> list[dict[str, Any]]:
    out = []
    for key_path, unit in catalogue.variables:
        variable: dict[str, Any] = {"@type": "PropertyValue", "name": key_path}
        if unit:
            variable["unitText"] = unit
            if code := UNIT_CODES.get(unit.strip().lower()):
                variable["unitCode"] = code
        out.append(variable)
    return out


def _techniques(record: DataCiteRecord, catalogue: Catalogue) -> list[Any]:
    named = fields.techniques(record) or list(catalogue.techniques)
    return [
        {"@type": "DefinedTerm", "name": name, "url": uri, "inDefinedTermSet": "PaNET"}
        if uri
        else name
        for name, uri in named
    ]


def _distribution(catalogue: Catalogue) -> list[dict[str, Any]]:
    out = []
    for download in catalogue.distribution:
        entry: dict[str, Any] = {"@type": "DataDownload"}
        if download.name:
            entry["name"] = download.name
        entry["contentUrl"] = download.url
        entry["encodingFormat"] = download.media_type
        if download.size is not None:
            entry["contentSize"] = f"{download.size} B"
        out.append(entry)
    return out


def _has_part(record: DataCiteRecord, catalogue: Catalogue) -> list[dict[str, Any]]:
    return [
        {
            "@type": "Dataset",
            "@id": part.url,
            "name": part.name,
            "url": part.url,
            "identifier": part.identifier,
            "description": (
                f"Dataset {part.identifier} of {fields.title(record)}"
                f" ({part.files} files, {part.size} bytes)."
            ),
        }
        for part in catalogue.parts
    ]


# Relations whose target is a work about the data, one a reader cites along with it (Google's
# Dataset guidelines: ``citation`` names "academic articles ... recommended to be cited").
_CITED_WITH = frozenset(
    {
        "IsCitedBy",
        "IsSupplementTo",
        "IsReferencedBy",
        "IsDocumentedBy",
        "IsDescribedBy",
        "IsSourceOf",
        "IsDerivedFrom",
    }
)


def _citations(record: DataCiteRecord) -> list[str]:
    out = []
    for relation, identifier, identifier_type in fields.related(record):
        if relation not in _CITED_WITH:
            continue
        if identifier_type == "DOI":
            out.append(fields.doi_url(identifier))
        elif identifier_type == "URL" and identifier.startswith(("https://", "http://")):
            out.append(identifier)
        elif identifier_type == "Handle":
            out.append(f"https://hdl.handle.net/{identifier}")
    return list(dict.fromkeys(out))


def _funders(record: DataCiteRecord) -> list[dict[str, Any]]:
    out = []
    for item in fields.funding(record):
        funder: dict[str, Any] = {"@type": "Organization", "name": item.funder_name}
        if item.funder_identifier.startswith("https://"):
            funder["@id"] = item.funder_identifier
        out.append(funder)
    return out


def schemaorg(record: DataCiteRecord, catalogue: Catalogue) -> dict[str, Any]:
    """The record as a schema.org ``Dataset`` (a JSON-LD object)."""
    pid_url = fields.pid_url(record)
    identifiers = [fields.doi_url(record.doi)] if record.doi else []
    if record.pid is not None:
        identifiers.append(pid_url if not record.doi else record.pid.identifier)
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": pid_url,
        "name": fields.title(record),
        "description": description(record, catalogue),
        "url": catalogue.url,
        "identifier": identifiers or [catalogue.url],
    }
    if record.doi:
        data["sameAs"] = fields.doi_url(record.doi)
    data["creator"] = [_person(c) for c in fields.creators(record)]
    if contributors := fields.contributors(record):
        data["contributor"] = [_contributor(c) for c in contributors]
    data["publisher"] = {"@type": "Organization", "name": fields.publisher(record)}
    if published := fields.issued_iso(record):
        data["datePublished"] = published
    data["dateModified"] = catalogue.modified.isoformat()
    if licences := fields.licences(record):
        data["license"] = [licence.url or licence.name for licence in licences]
        if len(licences) == 1:
            data["license"] = data["license"][0]
    if keywords := fields.keywords(record):
        data["keywords"] = keywords
    if techniques := _techniques(record, catalogue):
        data["measurementTechnique"] = techniques
    if variables := _variables(catalogue):
        data["variableMeasured"] = variables
    coverage = fields.collected(record) if catalogue.kind == "dataset" else ""
    if coverage := coverage or catalogue.temporal_coverage:
        data["temporalCoverage"] = coverage
    if places := _places(record):
        data["spatialCoverage"] = places
    if distribution := _distribution(catalogue):
        data["distribution"] = distribution
    if catalogue.size:
        data["size"] = f"{catalogue.size} B"
    if version := fields.version(record):
        data["version"] = version
    if funders := _funders(record):
        data["funder"] = funders
    if citations := _citations(record):
        data["citation"] = citations
    if catalogue.kind == "publication" and catalogue.parts:
        data["hasPart"] = _has_part(record, catalogue)
    if catalogue.part_of:
        data["isPartOf"] = [fields.doi_url(doi) for doi in catalogue.part_of]
    data["includedInDataCatalog"] = {
        "@type": "DataCatalog",
        "name": settings.PORTAL_NAME,
        "url": absolute_url("/"),
    }
    data["isAccessibleForFree"] = True
    if catalogue.access_conditions:
        data["conditionsOfAccess"] = catalogue.access_conditions
    return data


def schemaorg_json(record: DataCiteRecord, catalogue: Catalogue) -> str:
    return json.dumps(schemaorg(record, catalogue), ensure_ascii=False, indent=2) + "\n"


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


def jsonld_script(record: DataCiteRecord, catalogue: Catalogue) -> SafeString:
    """The ``<script type="application/ld+json">`` element of the page."""
    body = script_json(schemaorg(record, catalogue))
    return mark_safe(f'<script type="application/ld+json">{body}</script>')  # noqa: S308
