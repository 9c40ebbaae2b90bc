"""DataCite JSON (as :mod:`publishing.metadata` builds it) as DataCite kernel-4 XML.

:func:`resource_xml` writes the ``<resource>`` element of http://datacite.org/schema/kernel-4 as
a string, ready to be embedded (OAI-PMH ``datacite`` and ``oai_datacite``) or sent on its own.
It is plain string building with escaping, which is several times faster than building a tree;
the tests validate its output against the official kernel-4 XSD.

The record's ``<identifier>`` is its DOI; a dataset without a DOI is identified by its first
alternate identifier (its PID, a Handle), which then is not repeated among the alternates.
Values that would make the XML invalid (an ``xml:lang`` that is no language tag, a year that is
not four digits) are left out; text is stripped of the characters XML forbids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from lib.xml_text import escape, xml_text

NAMESPACE = "http://datacite.org/schema/kernel-4"
SCHEMA_LOCATION = "http://schema.datacite.org/meta/kernel-4/metadata.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

_LANGUAGE = re.compile(r"^[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*$")
_YEAR = re.compile(r"^\d{4}$")


def _attrs(pairs: Iterable[tuple[str, Any]]) -> str:
    return "".join(f' {name}="{escape(value)}"' for name, value in pairs if value not in (None, ""))


def _lang(item: Mapping[str, Any]) -> tuple[str, str]:
    lang = str(item.get("lang") or "")
    return ("xml:lang", lang if _LANGUAGE.match(lang) else "")


def _element(name: str, text: object, *attrs: tuple[str, Any]) -> str:
    return f"<{name}{_attrs(attrs)}>{escape(text)}</{name}>"


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return xml_text(value).strip() if isinstance(value, str | int | float) else ""


def _items(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _wrap(name: str, children: list[str]) -> str:
    return f"<{name}>{''.join(children)}</{name}>" if children else ""


def _name(tag: str, item: Mapping[str, Any]) -> str:
    return _element(tag, _text(item, "name"), ("nameType", _text(item, "nameType")), _lang(item))


def _person(item: Mapping[str, Any], tag: str) -> str:
    """The name, given and family names, identifiers and affiliations of a creator/contributor."""
    parts = [_name(f"{tag}Name", item)]
    if _text(item, "givenName"):
        parts.append(_element("givenName", _text(item, "givenName")))
    if _text(item, "familyName"):
        parts.append(_element("familyName", _text(item, "familyName")))
    for identifier in _items(item, "nameIdentifiers"):
        if _text(identifier, "nameIdentifier") and _text(identifier, "nameIdentifierScheme"):
            parts.append(
                _element(
                    "nameIdentifier",
                    _text(identifier, "nameIdentifier"),
                    ("nameIdentifierScheme", _text(identifier, "nameIdentifierScheme")),
                    ("schemeURI", _text(identifier, "schemeUri")),
                )
            )
    for affiliation in _items(item, "affiliation"):
        if _text(affiliation, "name"):
            parts.append(
                _element(
                    "affiliation",
                    _text(affiliation, "name"),
                    ("affiliationIdentifier", _text(affiliation, "affiliationIdentifier")),
                    (
                        "affiliationIdentifierScheme",
                        _text(affiliation, "affiliationIdentifierScheme"),
                    ),
                    ("schemeURI", _text(affiliation, "schemeUri")),
                )
            )
    return "".join(parts)


def _identifiers(data: Mapping[str, Any]) -> tuple[str, list[Mapping[str, Any]]]:
    """The ``<identifier>`` element and the alternate identifiers left to list."""
    alternates = [
        a for a in _items(data, "alternateIdentifiers") if _text(a, "alternateIdentifier")
    ]
    doi = _text(data, "doi")
    if doi:
        return _element("identifier", doi, ("identifierType", "DOI")), alternates
    if alternates:
        first = alternates[0]
        kind = _text(first, "alternateIdentifierType") or "Other"
        return _element(
            "identifier", _text(first, "alternateIdentifier"), ("identifierType", kind)
        ), alternates[1:]
    return "", alternates


def _geo_point(tag: str, point: Mapping[str, Any]) -> str:
    return (
        f"<{tag}>{_element('pointLongitude', point.get('pointLongitude'))}"
        f"{_element('pointLatitude', point.get('pointLatitude'))}</{tag}>"
    )


def _geo_locations(data: Mapping[str, Any]) -> str:
    out = []
    for item in _items(data, "geoLocations"):
        parts = []
        if _text(item, "geoLocationPlace"):
            parts.append(_element("geoLocationPlace", _text(item, "geoLocationPlace")))
        point = item.get("geoLocationPoint")
        if isinstance(point, Mapping):
            parts.append(_geo_point("geoLocationPoint", point))
        box = item.get("geoLocationBox")
        if isinstance(box, Mapping):
            sides = (
                "westBoundLongitude",
                "eastBoundLongitude",
                "southBoundLatitude",
                "northBoundLatitude",
            )
            edges = "".join(_element(side, box.get(side)) for side in sides)
            parts.append(f"<geoLocationBox>{edges}</geoLocationBox>")
        polygon = item.get("geoLocationPolygon")
        if isinstance(polygon, list):
            points = [
                _geo_point(kind, p[kind])
                for kind in ("polygonPoint", "inPolygonPoint")
                for p in polygon
                if isinstance(p, Mapping) and isinstance(p.get(kind), Mapping)
            ]
            parts.append(f"<geoLocationPolygon>{''.join(points)}</geoLocationPolygon>")
        if parts:
            out.append(f"<geoLocation>{''.join(parts)}</geoLocation>")
    return _wrap("geoLocations", out)


def _funding(data: Mapping[str, Any]) -> str:
    out = []
    for item in _items(data, "fundingReferences"):
        if not _text(item, "funderName"):
            continue
        parts = [_element("funderName", _text(item, "funderName"))]
        if _text(item, "funderIdentifier"):
            parts.append(
                _element(
                    "funderIdentifier",
                    _text(item, "funderIdentifier"),
                    ("funderIdentifierType", _text(item, "funderIdentifierType") or "Other"),
                    ("schemeURI", _text(item, "schemeUri")),
                )
            )
        if _text(item, "awardNumber"):
            parts.append(
                _element(
                    "awardNumber", _text(item, "awardNumber"), ("awardURI", _text(item, "awardUri"))
                )
            )
        if _text(item, "awardTitle"):
            parts.append(_element("awardTitle", _text(item, "awardTitle")))
        out.append(f"<fundingReference>{''.join(parts)}</fundingReference>")
    return _wrap("fundingReferences", out)


def _related_items(data: Mapping[str, Any]) -> str:
    out = []
    for item in _items(data, "relatedItems"):
        if not _text(item, "relatedItemType") or not _text(item, "relationType"):
            continue
        parts = []
        identifier = item.get("relatedItemIdentifier")
        if isinstance(identifier, Mapping) and _text(identifier, "relatedItemIdentifier"):
            parts.append(
                _element(
                    "relatedItemIdentifier",
                    _text(identifier, "relatedItemIdentifier"),
                    ("relatedItemIdentifierType", _text(identifier, "relatedItemIdentifierType")),
                    ("relatedMetadataScheme", _text(item, "relatedMetadataScheme")),
                    ("schemeURI", _text(item, "schemeUri")),
                    ("schemeType", _text(item, "schemeType")),
                )
            )
        creators = [
            f"<creator>{_person(c, 'creator')}</creator>"
            for c in _items(item, "creators")
            if _text(c, "name")
        ]
        parts.append(_wrap("creators", creators))
        titles = [
            _element("title", _text(t, "title"), ("titleType", _text(t, "titleType")), _lang(t))
            for t in _items(item, "titles")
            if _text(t, "title")
        ]
        parts.append(_wrap("titles", titles))
        if _YEAR.match(_text(item, "publicationYear")):
            parts.append(_element("publicationYear", _text(item, "publicationYear")))
        for key in ("volume", "issue"):
            if _text(item, key):
                parts.append(_element(key, _text(item, key)))
        if _text(item, "number"):
            parts.append(
                _element("number", _text(item, "number"), ("numberType", _text(item, "numberType")))
            )
        for key in ("firstPage", "lastPage", "publisher", "edition"):
            if _text(item, key):
                parts.append(_element(key, _text(item, key)))
        contributors = [
            f'<contributor contributorType="{escape(_text(c, "contributorType"))}">'
            f"{_name('contributorName', c)}</contributor>"
            for c in _items(item, "contributors")
            if _text(c, "name") and _text(c, "contributorType")
        ]
        parts.append(_wrap("contributors", contributors))
        attrs = _attrs(
            [
                ("relatedItemType", _text(item, "relatedItemType")),
                ("relationType", _text(item, "relationType")),
            ]
        )
        out.append(f"<relatedItem{attrs}>{''.join(parts)}</relatedItem>")
    return _wrap("relatedItems", out)


def resource_xml(data: Mapping[str, Any], *, schema_location: bool = True) -> str:
    """The kernel-4 ``<resource>`` element of a DataCite JSON dictionary, as a string."""
    identifier, alternates = _identifiers(data)
    publisher = data.get("publisher")
    if not isinstance(publisher, Mapping):
        publisher = {"name": publisher} if isinstance(publisher, str) else {}
    types = data.get("types") if isinstance(data.get("types"), Mapping) else {}
    assert isinstance(types, Mapping)
    year = _text(data, "publicationYear")
    parts = [
        identifier,
        _wrap(
            "creators",
            [
                f"<creator>{_person(c, 'creator')}</creator>"
                for c in _items(data, "creators")
                if _text(c, "name")
            ],
        ),
        _wrap(
            "titles",
            [
                _element("title", _text(t, "title"), ("titleType", _text(t, "titleType")), _lang(t))
                for t in _items(data, "titles")
                if _text(t, "title")
            ],
        ),
        _element(
            "publisher",
            _text(publisher, "name"),
            ("publisherIdentifier", _text(publisher, "publisherIdentifier")),
            ("publisherIdentifierScheme", _text(publisher, "publisherIdentifierScheme")),
            ("schemeURI", _text(publisher, "schemeUri")),
            _lang(publisher),
        ),
        _element("publicationYear", year) if _YEAR.match(year) else "",
        _element(
            "resourceType",
            _text(types, "resourceType"),
            ("resourceTypeGeneral", _text(types, "resourceTypeGeneral") or "Other"),
        ),
        _wrap(
            "subjects",
            [
                _element(
                    "subject",
                    _text(s, "subject"),
                    ("subjectScheme", _text(s, "subjectScheme")),
                    ("schemeURI", _text(s, "schemeUri")),
                    ("valueURI", _text(s, "valueUri")),
                    ("classificationCode", _text(s, "classificationCode")),
                    _lang(s),
                )
                for s in _items(data, "subjects")
                if _text(s, "subject")
            ],
        ),
        _wrap(
            "contributors",
            [
                f'<contributor contributorType="{escape(_text(c, "contributorType"))}">'
                f"{_person(c, 'contributor')}</contributor>"
                for c in _items(data, "contributors")
                if _text(c, "name") and _text(c, "contributorType")
            ],
        ),
        _wrap(
            "dates",
            [
                _element(
                    "date",
                    _text(d, "date"),
                    ("dateType", _text(d, "dateType")),
                    ("dateInformation", _text(d, "dateInformation")),
                )
                for d in _items(data, "dates")
                if _text(d, "date") and _text(d, "dateType")
            ],
        ),
        _element("language", _text(data, "language"))
        if _LANGUAGE.match(_text(data, "language"))
        else "",
        _wrap(
            "alternateIdentifiers",
            [
                _element(
                    "alternateIdentifier",
                    _text(a, "alternateIdentifier"),
                    ("alternateIdentifierType", _text(a, "alternateIdentifierType") or "Other"),
                )
                for a in alternates
            ],
        ),
        _wrap(
            "relatedIdentifiers",
            [
                _element(
                    "relatedIdentifier",
                    _text(r, "relatedIdentifier"),
                    ("relatedIdentifierType", _text(r, "relatedIdentifierType")),
                    ("relationType", _text(r, "relationType")),
                    ("resourceTypeGeneral", _text(r, "resourceTypeGeneral")),
                    ("relatedMetadataScheme", _text(r, "relatedMetadataScheme")),
                    ("schemeURI", _text(r, "schemeUri")),
                    ("schemeType", _text(r, "schemeType")),
                )
                for r in _items(data, "relatedIdentifiers")
                if _text(r, "relatedIdentifier")
                and _text(r, "relatedIdentifierType")
                and _text(r, "relationType")
            ],
        ),
        _wrap(
            "sizes", [_element("size", s) for s in data.get("sizes") or [] if isinstance(s, str)]
        ),
        _wrap(
            "formats",
            [_element("format", f) for f in data.get("formats") or [] if isinstance(f, str)],
        ),
        _element("version", _text(data, "version")) if _text(data, "version") else "",
        _wrap(
            "rightsList",
            [
                _element(
                    "rights",
                    _text(r, "rights"),
                    ("rightsURI", _text(r, "rightsUri")),
                    ("rightsIdentifier", _text(r, "rightsIdentifier")),
                    ("rightsIdentifierScheme", _text(r, "rightsIdentifierScheme")),
                    ("schemeURI", _text(r, "schemeUri")),
                    _lang(r),
                )
                for r in _items(data, "rightsList")
            ],
        ),
        _wrap(
            "descriptions",
            [
                _element(
                    "description",
                    _text(d, "description"),
                    ("descriptionType", _text(d, "descriptionType")),
                    _lang(d),
                )
                for d in _items(data, "descriptions")
                if _text(d, "description") and _text(d, "descriptionType")
            ],
        ),
        _geo_locations(data),
        _funding(data),
        _related_items(data),
    ]
    location = (
        f' xmlns:xsi="{XSI}" xsi:schemaLocation="{NAMESPACE} {SCHEMA_LOCATION}"'
        if schema_location
        else ""
    )
    return f'<resource xmlns="{NAMESPACE}"{location}>{"".join(parts)}</resource>'


def resource_document(data: Mapping[str, Any]) -> bytes:
    """A standalone kernel-4 XML document (with the XML declaration), UTF-8 encoded."""
    body = resource_xml(data)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()
