"""Unqualified Dublin Core (``oai_dc``), crosswalked from a DataCite record.

:func:`dublin_core` gives the (element, value) pairs; :func:`oai_dc` the ``<oai_dc:dc>`` element
OAI-PMH embeds; :func:`oai_dc_document` a standalone document (the landing pages' export).
"""

from __future__ import annotations

from urllib.parse import quote

from lib.xml_text import escape
from publishing.formats import fields
from publishing.record import DataCiteRecord

NAMESPACE = "http://www.openarchives.org/OAI/2.0/oai_dc/"
SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
ELEMENTS = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _identifier_url(value: str, kind: str) -> str:
    if kind == "DOI":
        return f"https://doi.org/{quote(value, safe='/:;()')}"
    if kind == "Handle":
        return f"https://hdl.handle.net/{quote(value, safe='/:;()')}"
    return value


def _coverage(place: fields.Place) -> list[str]:
    """A geo location as dc:coverage: its name, and its point and box in the DCMI Point and Box
    encodings."""
    out = [place.name] if place.name else []
    if place.point is not None:
        latitude, longitude = place.point
        out.append(f"east={longitude}; north={latitude}; projection=WGS84")
    if place.box is not None:
        west, east, south, north = place.box
        out.append(
            f"northlimit={north}; eastlimit={east}; southlimit={south}; westlimit={west};"
            " projection=WGS84"
        )
    return out


def dublin_core(record: DataCiteRecord) -> list[tuple[str, str]]:
    """The (element, value) pairs of the Dublin Core crosswalk of ``record``."""
    out: list[tuple[str, str]] = []
    out += [("title", t.title) for t in record.titles]
    out += [("creator", c.name) for c in record.creators]
    out += [("subject", s.subject) for s in record.subjects]
    out += [("description", d.description) for d in record.descriptions]
    out.append(("publisher", record.publisher.name))
    out += [("contributor", c.name) for c in record.contributors]
    # dc:date is when the record was made public: issued (a DOI), else available (the embargo
    # end of a dataset), else the publication year.
    published = [d.date for d in record.dates if d.date_type == "Issued"] or [
        d.date for d in record.dates if d.date_type == "Available"
    ]
    out += [("date", d) for d in published] or [("date", record.publication_year)]
    general, specific = record.types.general, record.types.specific
    out.append(("type", general or "Dataset"))
    if specific and specific != general:
        out.append(("type", specific))
    out += [("format", f) for f in record.formats]
    if record.doi:
        out.append(("identifier", _identifier_url(record.doi, "DOI")))
    for item in record.alternate_identifiers:
        out.append(("identifier", _identifier_url(item.identifier, item.identifier_type)))
    if record.url:
        out.append(("identifier", record.url))
    for related in record.related_identifiers:
        out.append(("relation", _identifier_url(related.identifier, related.identifier_type)))
    for rights in record.rights:
        out.append(("rights", rights.rights))
        out.append(("rights", rights.uri))
    out += [("coverage", text) for place in fields.places(record) for text in _coverage(place)]
    return [(name, value) for name, value in out if value]


def oai_dc(record: DataCiteRecord) -> str:
    """The ``<oai_dc:dc>`` element."""
    elements = "".join(
        f"<dc:{name}>{escape(value)}</dc:{name}>" for name, value in dublin_core(record)
    )
    return (
        f'<oai_dc:dc xmlns:oai_dc="{NAMESPACE}" xmlns:dc="{ELEMENTS}" '
        f'xmlns:xsi="{XSI}" xsi:schemaLocation="{NAMESPACE} {SCHEMA}">'
        f"{elements}</oai_dc:dc>"
    )


def oai_dc_document(record: DataCiteRecord) -> str:
    """Unqualified Dublin Core in the ``oai_dc`` container, as a standalone document."""
    return _XML_DECLARATION + oai_dc(record) + "\n"
