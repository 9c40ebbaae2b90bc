"""Facts several formats derive alike from a :class:`~publishing.record.DataCiteRecord`.

The record is already clean (plain one-line names, no markup, no e-mail addresses): these helpers
only pick and combine, so no format can show a field the DataCite metadata does not (nothing
private is ever in it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from publishing.addresses import absolute_url
from publishing.record import DataCiteRecord, Funding, Name

_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


@dataclass(frozen=True, slots=True)
class Affiliation:
    name: str
    ror: str  # https://ror.org/... or ""


@dataclass(frozen=True, slots=True)
class Creator:
    name: str  # as DataCite has it: "Family, Given" or an organisation
    family: str
    given: str
    personal: bool
    orcid: str  # https://orcid.org/... or ""
    affiliations: tuple[Affiliation, ...]
    role: str = ""  # a contributor's DataCite contributorType


@dataclass(frozen=True, slots=True)
class Place:
    """A geo location: its name, a point (latitude, longitude) and/or a box (west, east, south,
    north), each coordinate a decimal number's text as DataCite has it."""

    name: str
    point: tuple[str, str] | None
    box: tuple[str, str, str, str] | None


@dataclass(frozen=True, slots=True)
class Licence:
    name: str
    url: str
    spdx: str


def doi_url(doi: str) -> str:
    return f"https://doi.org/{doi}"


def pid_url(record: DataCiteRecord) -> str:
    """The persistent URL a citation names: the DOI, else the Handle, else the landing URL."""
    if record.doi:
        return doi_url(record.doi)
    if record.pid is not None and record.pid.identifier_type == "Handle":
        return f"https://hdl.handle.net/{record.pid.identifier}"
    return record.url or absolute_url("/")


def _people(names: tuple[Name, ...]) -> list[Creator]:
    out = []
    for item in names:
        name, family, given = item.name, item.family, item.given
        personal = item.name_type == "Personal" or bool(family)
        if personal and not family and "," in name:
            family, _, given = (part.strip() for part in name.partition(","))
        orcid = next(
            (
                i.identifier
                for i in item.identifiers
                if i.scheme.upper() == "ORCID" and i.identifier.startswith("https://orcid.org/")
            ),
            "",
        )
        affiliations = tuple(
            Affiliation(a.name, a.identifier if a.identifier.startswith("https://ror.org/") else "")
            for a in item.affiliations
        )
        if name or family:
            out.append(
                Creator(
                    name or f"{family}, {given}".strip(", "),
                    family if personal else "",
                    given if personal else "",
                    personal and bool(family),
                    orcid,
                    affiliations,
                    item.contributor_type,
                )
            )
    return out


def creators(record: DataCiteRecord) -> list[Creator]:
    return _people(record.creators)


def contributors(record: DataCiteRecord) -> list[Creator]:
    """The contributors, each with its ``role`` (those without one are left out)."""
    return [person for person in _people(record.contributors) if person.role]


def _coordinate(value: str, limit: int) -> bool:
    try:
        return -limit <= float(value) <= limit
    except ValueError:
        return False


def places(record: DataCiteRecord) -> list[Place]:
    """The geo locations with a name, a point or a box (coordinates out of range left out)."""
    out = []
    for item in record.geo_locations:
        point = None
        if item.point is not None:
            latitude, longitude = item.point.latitude, item.point.longitude
            if _coordinate(latitude, 90) and _coordinate(longitude, 180):
                point = (latitude, longitude)
        box = item.box
        if box is not None and not all(
            _coordinate(value, limit) for value, limit in zip(box, (180, 180, 90, 90), strict=True)
        ):
            box = None
        if item.place or point or box:
            out.append(Place(item.place, point, box))
    return out


def title(record: DataCiteRecord) -> str:
    return record.title or record.identifier


def publisher(record: DataCiteRecord) -> str:
    return record.publisher.name


def year(record: DataCiteRecord) -> str:
    return record.publication_year


def _date(record: DataCiteRecord, *kinds: str) -> str:
    for kind in kinds:
        for item in record.dates:
            if item.date_type == kind and _DATE.match(item.date):
                return item.date
    return ""


def issued(record: DataCiteRecord) -> tuple[int, ...]:
    """The publication date as (year, month, day) parts, as precise as known (at least a year).

    Issued, else Available (a dataset's embargo end), else Created when it falls in the
    publication year (a dataset public from the start), so a citation carries the full date.
    """
    for kinds in (("Issued", "Available"), ("Created",)):
        match = _DATE.match(_date(record, *kinds))
        if match and (kinds != ("Created",) or match.group(1) == year(record)):
            return tuple(int(part) for part in match.groups() if part)
    return (int(year(record)),) if year(record).isdigit() else ()


def issued_iso(record: DataCiteRecord) -> str:
    parts = issued(record)
    return "-".join(f"{p:02d}" if i else f"{p:04d}" for i, p in enumerate(parts))


def collected(record: DataCiteRecord) -> str:
    """The collection period (ISO 8601 instant or interval), or ""."""
    return _date(record, "Collected")


def abstract(record: DataCiteRecord) -> str:
    for kind in ("Abstract", "Other", "TechnicalInfo"):
        for item in record.descriptions:
            if item.description_type == kind:
                return item.description
    return ""


def keywords(record: DataCiteRecord) -> list[str]:
    return list(dict.fromkeys(item.subject for item in record.subjects))


def techniques(record: DataCiteRecord) -> list[tuple[str, str]]:
    """(name, PaNET URI) of the subjects that are PaNET techniques."""
    return [(item.subject, item.value_uri) for item in record.subjects if item.scheme == "PaNET"]


def licences(record: DataCiteRecord) -> list[Licence]:
    out = []
    for item in record.rights:
        url = item.uri
        if url and not url.startswith(("https://", "http://")):
            url = ""
        name = item.rights or item.identifier or url
        if name:
            out.append(Licence(name, url, item.identifier))
    return out


def resource_type(record: DataCiteRecord) -> tuple[str, str]:
    """(resourceTypeGeneral, resourceType)."""
    general = record.types.general or "Dataset"
    return general, record.types.specific or general


def related(record: DataCiteRecord) -> list[tuple[str, str, str]]:
    """(relationType, identifier, identifierType) of the related identifiers."""
    return [
        (item.relation_type, item.identifier, item.identifier_type)
        for item in record.related_identifiers
    ]


def funding(record: DataCiteRecord) -> tuple[Funding, ...]:
    return record.funding


def language(record: DataCiteRecord) -> str:
    return record.language


def version(record: DataCiteRecord) -> str:
    return record.version
