"""The fields every export reads, taken once from a record's DataCite JSON.

The DataCite dictionary (:mod:`publishing.metadata`) is already clean: plain one-line names, no
markup, no e-mail addresses. These helpers only pick from it, so no export can show a field the
DataCite metadata does not (nothing private is ever in it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from landing.records import LandingRecord

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


@dataclass(frozen=True, slots=True)
class Licence:
    name: str
    url: str
    spdx: str


def _items(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    return [i for i in value if isinstance(i, Mapping)] if isinstance(value, list) else []


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return str(value).strip() if isinstance(value, str | int | float) else ""


def creators(record: LandingRecord) -> list[Creator]:
    out = []
    for item in _items(record.datacite, "creators"):
        name = _text(item, "name")
        family, given = _text(item, "familyName"), _text(item, "givenName")
        personal = item.get("nameType") == "Personal" or bool(family)
        if personal and not family and "," in name:
            family, _, given = (part.strip() for part in name.partition(","))
        orcid = next(
            (
                _text(i, "nameIdentifier")
                for i in _items(item, "nameIdentifiers")
                if _text(i, "nameIdentifierScheme").upper() == "ORCID"
                and _text(i, "nameIdentifier").startswith("https://orcid.org/")
            ),
            "",
        )
        affiliations = tuple(
            Affiliation(
                _text(a, "name"),
                _text(a, "affiliationIdentifier")
                if _text(a, "affiliationIdentifier").startswith("https://ror.org/")
                else "",
            )
            for a in _items(item, "affiliation")
            if _text(a, "name")
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
                )
            )
    return out


def title(record: LandingRecord) -> str:
    return record.title or record.identifier


def publisher(record: LandingRecord) -> str:
    value = record.datacite.get("publisher")
    if isinstance(value, Mapping):
        return _text(value, "name")
    return str(value or "")


def year(record: LandingRecord) -> str:
    return str(record.datacite.get("publicationYear") or "")


def _date(data: Mapping[str, Any], *kinds: str) -> str:
    for kind in kinds:
        for item in _items(data, "dates"):
            if item.get("dateType") == kind and _DATE.match(_text(item, "date")):
                return _text(item, "date")
    return ""


def issued(record: LandingRecord) -> tuple[int, ...]:
    """The publication date as (year, month, day) parts, as precise as known (at least a year)."""
    text = _date(record.datacite, "Issued", "Available")
    match = _DATE.match(text)
    if match:
        return tuple(int(part) for part in match.groups() if part)
    return (int(year(record)),) if year(record).isdigit() else ()


def issued_iso(record: LandingRecord) -> str:
    parts = issued(record)
    return "-".join(f"{p:02d}" if i else f"{p:04d}" for i, p in enumerate(parts))


def collected(record: LandingRecord) -> str:
    """The collection period (ISO 8601 instant or interval), or ""."""
    return _date(record.datacite, "Collected")


def abstract(record: LandingRecord) -> str:
    for kind in ("Abstract", "Other", "TechnicalInfo"):
        for item in _items(record.datacite, "descriptions"):
            if item.get("descriptionType") == kind and _text(item, "description"):
                return _text(item, "description")
    return ""


def keywords(record: LandingRecord) -> list[str]:
    seen: dict[str, None] = {}
    for item in _items(record.datacite, "subjects"):
        if text := _text(item, "subject"):
            seen.setdefault(text, None)
    return list(seen)


def techniques(record: LandingRecord) -> list[tuple[str, str]]:
    """(name, PaNET URI) of the subjects that are PaNET techniques."""
    return [
        (_text(item, "subject"), _text(item, "valueUri"))
        for item in _items(record.datacite, "subjects")
        if item.get("subjectScheme") == "PaNET" and _text(item, "subject")
    ]


def licences(record: LandingRecord) -> list[Licence]:
    out = []
    for item in _items(record.datacite, "rightsList"):
        url = _text(item, "rightsUri")
        if url and not url.startswith(("https://", "http://")):
            url = ""
        name = _text(item, "rights") or _text(item, "rightsIdentifier") or url
        if name:
            out.append(Licence(name, url, _text(item, "rightsIdentifier")))
    return out


def resource_type(record: LandingRecord) -> tuple[str, str]:
    """(resourceTypeGeneral, resourceType)."""
    types = record.datacite.get("types")
    if not isinstance(types, Mapping):
        return "Dataset", "Dataset"
    general = _text(types, "resourceTypeGeneral") or "Dataset"
    return general, _text(types, "resourceType") or general


def related(record: LandingRecord) -> list[tuple[str, str, str]]:
    """(relationType, identifier, identifierType) of the related identifiers."""
    return [
        (
            _text(item, "relationType"),
            _text(item, "relatedIdentifier"),
            _text(item, "relatedIdentifierType"),
        )
        for item in _items(record.datacite, "relatedIdentifiers")
        if _text(item, "relatedIdentifier")
    ]


def funding(record: LandingRecord) -> list[Mapping[str, Any]]:
    return _items(record.datacite, "fundingReferences")


def language(record: LandingRecord) -> str:
    return str(record.datacite.get("language") or "")


def version(record: LandingRecord) -> str:
    return str(record.datacite.get("version") or "")
