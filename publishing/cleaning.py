"""Stored DataCite-shaped JSON made clean: what :mod:`publishing.metadata` builds from.

Staff and the sync store DataCite-shaped lists (creators, subjects, rights, related identifiers,
funding, titles, dates) as they come; each function here keeps the entries DataCite would take
(a known ``relationType``, a name identifier with its scheme, ...) and drops the rest, and every
text is :func:`plain_text`: no HTML, no character XML forbids, no e-mail address. The controlled
lists are kernel 4.7's (:mod:`publishing.kernel`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.html import strip_tags

from lib.xml_text import XML_FORBIDDEN, xml_text
from publishing.kernel import controlled_list
from publishing.record import mappings

RESOURCE_TYPES_GENERAL = controlled_list("resourceTypeGeneral")
RELATION_TYPES = controlled_list("relationType")
RELATED_IDENTIFIER_TYPES = controlled_list("relatedIdentifierType")
TITLE_TYPES = controlled_list("titleType")
DATE_TYPES = controlled_list("dateType")
DESCRIPTION_TYPES = controlled_list("descriptionType")
CONTRIBUTOR_TYPES = controlled_list("contributorType")
FUNDER_IDENTIFIER_TYPES = controlled_list("funderIdentifierType")
NAME_TYPES = frozenset({"Personal", "Organizational"})
# Related-object attributes DataCite allows only with HasMetadata / IsMetadataFor.
_METADATA_RELATIONS = frozenset({"HasMetadata", "IsMetadataFor"})

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
EMAIL_MASK = "[e-mail address removed]"
_SCRIPT = re.compile(r"<\s*(script|style)\b.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_BLOCK_TAG = re.compile(r"<\s*(?:br|/p|/div|/li|/h[1-6]|/tr)\b[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\f\v\r]+")
# Anything plain_text would change: markup, entities, e-mail, control characters, odd blanks.
_NEEDS_CLEANING = re.compile(
    "[<&@\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff\u00a0\u2028\u2029]|\\s\\s|^\\s|\\s$"
)
_BLANK_LINES = re.compile(r"\n\s*\n\s*")
_ORCID = re.compile(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]")

_SPDX = "https://spdx.org/licenses/"
# Licences the catalogue names by SPDX id (matched without case), with their full name and deed.
_LICENCES: dict[str, tuple[str, str]] = {
    "cc0-1.0": (
        "Creative Commons Zero v1.0 Universal",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
    "cc-by-4.0": (
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "cc-by-sa-4.0": (
        "Creative Commons Attribution Share Alike 4.0 International",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "cc-by-nc-4.0": (
        "Creative Commons Attribution Non Commercial 4.0 International",
        "https://creativecommons.org/licenses/by-nc/4.0/",
    ),
    "cc-by-nd-4.0": (
        "Creative Commons Attribution No Derivatives 4.0 International",
        "https://creativecommons.org/licenses/by-nd/4.0/",
    ),
    "cc-by-3.0": (
        "Creative Commons Attribution 3.0 Unported",
        "https://creativecommons.org/licenses/by/3.0/",
    ),
    "mit": ("MIT License", "https://opensource.org/licenses/MIT"),
}
_SPDX_IDS = {
    spdx.lower(): spdx
    for spdx in (
        "CC0-1.0",
        "CC-BY-4.0",
        "CC-BY-SA-4.0",
        "CC-BY-NC-4.0",
        "CC-BY-ND-4.0",
        "CC-BY-3.0",
    )
} | {"mit": "MIT"}


# -- text ---------------------------------------------------------------------------------------


def plain_text(value: object, *, lines: bool = True) -> str:
    """Free text as harvesters want it: no markup, no forbidden characters, no e-mail address.

    HTML tags are dropped (block ends become line breaks, scripts and styles go with their
    content), entities are decoded, runs of blanks are collapsed and the result trimmed.
    ``lines=False`` makes it one line (titles, names).
    """
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    if not _NEEDS_CLEANING.search(text):
        return text  # the common case: one clean line
    text = XML_FORBIDDEN.sub("", text)
    if "<" in text:
        text = strip_tags(_BLOCK_TAG.sub("\n", _SCRIPT.sub("", text)))
    if "&" in text:
        text = xml_text(html.unescape(text))
    if "@" in text:
        text = _EMAIL.sub(EMAIL_MASK, text)
    text = _SPACES.sub(" ", text)
    if lines:
        text = _BLANK_LINES.sub("\n\n", text)
        text = "\n".join(line.strip() for line in text.split("\n"))
    else:
        text = " ".join(text.split())
    return text.strip()


def line(value: object) -> str:
    return plain_text(value, lines=False)


# -- stored JSON ----------------------------------------------------------------------------------


def text_of(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return line(value) if isinstance(value, str | int | float) else ""


def unique(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``items`` without repeats (DataCite's schema wants unique array items)."""
    seen: set[Any] = set()
    out = []
    for item in items:
        key: Any = tuple(item.items())
        try:
            hash(key)
        except TypeError:  # nested lists (name identifiers, affiliations)
            key = repr(sorted(item.items()))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def affiliations(value: Any) -> list[dict[str, str]]:
    out = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and line(item):
            out.append({"name": line(item)})
        elif isinstance(item, Mapping) and text_of(item, "name"):
            affiliation = {"name": text_of(item, "name")}
            for key in ("affiliationIdentifier", "affiliationIdentifierScheme", "schemeUri"):
                if text := text_of(item, key):
                    affiliation[key] = text
            out.append(affiliation)
    return unique(out)


def name_identifiers(value: Any) -> list[dict[str, str]]:
    out = []
    for item in mappings(value):
        identifier, scheme = text_of(item, "nameIdentifier"), text_of(item, "nameIdentifierScheme")
        if not identifier or not scheme:
            continue
        entry = {"nameIdentifier": identifier, "nameIdentifierScheme": scheme}
        if scheme.upper() == "ORCID" and (match := _ORCID.search(identifier)):
            entry = {
                "nameIdentifier": f"https://orcid.org/{match.group(0)}",
                "nameIdentifierScheme": "ORCID",
                "schemeUri": "https://orcid.org",
            }
        elif text_of(item, "schemeUri"):
            entry["schemeUri"] = text_of(item, "schemeUri")
        out.append(entry)
    return unique(out)


def person(item: Mapping[str, Any]) -> dict[str, Any] | None:
    """A DataCite creator/contributor from stored JSON, or None when it names nobody."""
    given, family = text_of(item, "givenName"), text_of(item, "familyName")
    name = text_of(item, "name") or ", ".join(part for part in (family, given) if part)
    if not name:
        return None
    out: dict[str, Any] = {"name": name}
    name_type = text_of(item, "nameType")
    if name_type in NAME_TYPES:
        out["nameType"] = name_type
    if given:
        out["givenName"] = given
    if family:
        out["familyName"] = family
    if identifiers := name_identifiers(item.get("nameIdentifiers")):
        out["nameIdentifiers"] = identifiers
    if found := affiliations(item.get("affiliation")):
        out["affiliation"] = found
    if text_of(item, "lang"):
        out["lang"] = text_of(item, "lang")
    return out


def contributors(value: Any) -> list[dict[str, Any]]:
    """DataCite contributors: people (or organisations) with a known ``contributorType``."""
    out = []
    for item in mappings(value):
        kind = text_of(item, "contributorType")
        if kind in CONTRIBUTOR_TYPES and (entry := person(item)) is not None:
            out.append({**entry, "contributorType": kind})
    return unique(out)


def _degrees(value: Any, limit: float) -> float | None:
    """A coordinate in degrees within ``-limit..limit`` (a number or its text), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if not -limit <= number <= limit:  # also false for NaN
        return None
    return int(number) if number.is_integer() else number


def _geo_point(value: Any) -> dict[str, float] | None:
    if not isinstance(value, Mapping):
        return None
    latitude = _degrees(value.get("pointLatitude"), 90)
    longitude = _degrees(value.get("pointLongitude"), 180)
    if latitude is None or longitude is None:
        return None
    return {"pointLongitude": longitude, "pointLatitude": latitude}


def _geo_box(value: Any) -> dict[str, float] | None:
    if not isinstance(value, Mapping):
        return None
    box = {
        "westBoundLongitude": _degrees(value.get("westBoundLongitude"), 180),
        "eastBoundLongitude": _degrees(value.get("eastBoundLongitude"), 180),
        "southBoundLatitude": _degrees(value.get("southBoundLatitude"), 90),
        "northBoundLatitude": _degrees(value.get("northBoundLatitude"), 90),
    }
    south, north = box["southBoundLatitude"], box["northBoundLatitude"]
    if None in box.values() or south is None or north is None or south > north:
        return None
    return {key: number for key, number in box.items() if number is not None}


def geo_locations(value: Any) -> list[dict[str, Any]]:
    """DataCite geo locations: a place, a point and/or a box (coordinates in range, south not
    north of north); polygons are kept when each of their points is in range."""
    out = []
    for item in mappings(value):
        entry: dict[str, Any] = {}
        if place := text_of(item, "geoLocationPlace"):
            entry["geoLocationPlace"] = place
        if point := _geo_point(item.get("geoLocationPoint")):
            entry["geoLocationPoint"] = point
        if box := _geo_box(item.get("geoLocationBox")):
            entry["geoLocationBox"] = box
        polygon = []
        for corner in mappings(item.get("geoLocationPolygon")):
            kind = "polygonPoint" if "polygonPoint" in corner else "inPolygonPoint"
            if found := _geo_point(corner.get(kind)):
                polygon.append({kind: found})
        if sum("polygonPoint" in corner for corner in polygon) >= 4:  # a closed ring at least
            entry["geoLocationPolygon"] = polygon
        if entry:
            out.append(entry)
    return unique(out)


def subjects(value: Any) -> list[dict[str, str]]:
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str):
            item = {"subject": item}
        if not isinstance(item, Mapping) or not text_of(item, "subject"):
            continue
        keys = ("subject", "subjectScheme", "schemeUri", "valueUri", "classificationCode", "lang")
        out.append({key: text for key in keys if (text := text_of(item, key))})
    return unique(out)


def rights(value: Any) -> list[dict[str, str]]:
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str):
            item = {"rights": item}
        if not isinstance(item, Mapping):
            continue
        keys = ("rights", "rightsUri", "rightsIdentifier", "rightsIdentifierScheme", "schemeUri")
        entry = {key: text for key in (*keys, "lang") if (text := text_of(item, key))}
        if entry.get("rights") or entry.get("rightsUri") or entry.get("rightsIdentifier"):
            out.append(entry)
    return unique(out)


def licence_rights(licence: str) -> list[dict[str, str]]:
    """The rights entry of a catalogue licence (an SPDX id or free text)."""
    licence = line(licence)
    if not licence:
        return []
    known = _LICENCES.get(licence.lower())
    if known is None:
        return [{"rights": licence}]
    name, url = known
    spdx = _SPDX_IDS[licence.lower()]
    return [
        {
            "rights": name,
            "rightsUri": url,
            "rightsIdentifier": spdx,
            "rightsIdentifierScheme": "SPDX",
            "schemeUri": _SPDX,
        }
    ]


def related_identifiers(value: Any) -> list[dict[str, str]]:
    out = []
    for item in mappings(value):
        identifier = text_of(item, "relatedIdentifier")
        kind, relation = text_of(item, "relatedIdentifierType"), text_of(item, "relationType")
        kind = next((k for k in RELATED_IDENTIFIER_TYPES if k.lower() == kind.lower()), "")
        if not identifier or not kind or relation not in RELATION_TYPES:
            continue
        entry = {
            "relatedIdentifier": identifier,
            "relatedIdentifierType": kind,
            "relationType": relation,
        }
        if text_of(item, "resourceTypeGeneral") in RESOURCE_TYPES_GENERAL:
            entry["resourceTypeGeneral"] = text_of(item, "resourceTypeGeneral")
        if relation in _METADATA_RELATIONS:
            for key in ("relatedMetadataScheme", "schemeUri", "schemeType"):
                if text := text_of(item, key):
                    entry[key] = text
        if text := text_of(item, "relationTypeInformation"):  # kernel 4.7, mostly with "Other"
            entry["relationTypeInformation"] = text
        out.append(entry)
    return unique(out)


def funding(value: Any) -> list[dict[str, str]]:
    out = []
    for item in mappings(value):
        funder = text_of(item, "funderName")
        if not funder:
            continue
        entry = {"funderName": funder}
        identifier = item.get("funderIdentifier")
        if isinstance(identifier, Mapping):  # the REST API's nested form
            item = {**item, **identifier}
        if text_of(item, "funderIdentifier"):
            entry["funderIdentifier"] = text_of(item, "funderIdentifier")
            if text_of(item, "funderIdentifierType") in FUNDER_IDENTIFIER_TYPES:
                entry["funderIdentifierType"] = text_of(item, "funderIdentifierType")
        award = item.get("awardNumber")
        if isinstance(award, Mapping):  # {"awardNumber": ..., "awardURI": ...}
            item = {**item, "awardUri": award.get("awardURI") or award.get("awardUri") or ""}
            award = award.get("awardNumber")
        if isinstance(award, str | int) and line(award):
            entry["awardNumber"] = line(award)
            if text_of(item, "awardUri"):
                entry["awardUri"] = text_of(item, "awardUri")
        if text_of(item, "awardTitle"):
            entry["awardTitle"] = text_of(item, "awardTitle")
        out.append(entry)
    return unique(out)


def titles(main: str, others: Any) -> list[dict[str, str]]:
    titles = [{"title": line(main)}] if line(main) else []
    for item in mappings(others):
        if not text_of(item, "title"):
            continue
        entry = {"title": text_of(item, "title")}
        if text_of(item, "titleType") in TITLE_TYPES:
            entry["titleType"] = text_of(item, "titleType")
        if text_of(item, "lang"):
            entry["lang"] = text_of(item, "lang")
        titles.append(entry)
    return unique(titles)


def dates(value: Any) -> list[dict[str, str]]:
    out = []
    for item in mappings(value):
        date, kind = text_of(item, "date"), text_of(item, "dateType")
        if date and kind in DATE_TYPES:
            entry = {"date": date, "dateType": kind}
            if text_of(item, "dateInformation"):
                entry["dateInformation"] = text_of(item, "dateInformation")
            out.append(entry)
    return out


def resource_types(resource_type: str, default_general: str = "Dataset") -> dict[str, str]:
    """DataCite ``types`` from a stored resource type: a general type when it names one."""
    text = line(resource_type)
    general = next((t for t in RESOURCE_TYPES_GENERAL if t.lower() == text.lower()), None)
    if general is not None:
        return {"resourceTypeGeneral": general, "resourceType": general}
    return {"resourceTypeGeneral": default_general, "resourceType": text or default_general}
