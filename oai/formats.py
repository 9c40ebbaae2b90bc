"""The metadata formats the portal disseminates, each written from a record's DataCite JSON.

``oai_dc``
    Unqualified Dublin Core, which every harvester reads; crosswalked from DataCite below.
``oai_datacite``
    DataCite kernel 4 inside DataCite's OAI wrapper (what OpenAIRE and BASE harvest).
``datacite``
    DataCite kernel 4 as it is.

All three come from the same dictionary (:mod:`publishing.metadata`), so they never disagree.
OAI-PMH records also carry the OpenAIRE access right (``info:eu-repo/semantics/openAccess``):
everything the portal holds is open.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings

from lib.xml_text import escape
from publishing.datacite_xml import resource_xml
from publishing.metadata import SCHEMA_VERSION

OPEN_ACCESS = {"rights": "Open Access", "rightsUri": "info:eu-repo/semantics/openAccess"}
DATACITE_VERSION = "4.5"  # the kernel version of the content (valid against kernel-4 too)

_DC_NAMESPACE = "http://www.openarchives.org/OAI/2.0/oai_dc/"
_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
_DC_ELEMENTS = "http://purl.org/dc/elements/1.1/"
_OAI_DATACITE_NAMESPACE = "http://schema.datacite.org/oai/oai-1.1/"
_OAI_DATACITE_SCHEMA = "http://schema.datacite.org/oai/oai-1.1/oai.xsd"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True, slots=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str
    write: Callable[[Mapping[str, Any]], str]


def with_access_rights(data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with the OpenAIRE open-access right added (once)."""
    rights = list(data.get("rightsList") or [])
    if OPEN_ACCESS not in rights:
        rights.append(OPEN_ACCESS)
    return {**data, "rightsList": rights}


# -- Dublin Core ----------------------------------------------------------------------------------


def _identifier_url(value: str, kind: str) -> str:
    if kind == "DOI":
        return f"https://doi.org/{quote(value, safe='/:;()')}"
    if kind == "Handle":
        return f"https://hdl.handle.net/{quote(value, safe='/:;()')}"
    return value


def _texts(data: Mapping[str, Any], key: str, field: str) -> list[str]:
    items = data.get(key)
    if not isinstance(items, list):
        return []
    return [str(i[field]) for i in items if isinstance(i, Mapping) and i.get(field)]


def dublin_core(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (element, value) pairs of the Dublin Core crosswalk of a DataCite dictionary."""
    out: list[tuple[str, str]] = []
    out += [("title", t) for t in _texts(data, "titles", "title")]
    out += [("creator", c) for c in _texts(data, "creators", "name")]
    out += [("subject", s) for s in _texts(data, "subjects", "subject")]
    out += [("description", d) for d in _texts(data, "descriptions", "description")]
    publisher = data.get("publisher")
    if isinstance(publisher, Mapping) and publisher.get("name"):
        out.append(("publisher", str(publisher["name"])))
    out += [("contributor", c) for c in _texts(data, "contributors", "name")]
    # dc:date is when the record was made public: issued (a DOI), else available (the embargo
    # end of a dataset), else the publication year.
    dates = [d for d in data.get("dates") or [] if isinstance(d, Mapping) and d.get("date")]
    published = [str(d["date"]) for d in dates if d.get("dateType") == "Issued"] or [
        str(d["date"]) for d in dates if d.get("dateType") == "Available"
    ]
    out += [("date", d) for d in published] or [("date", str(data.get("publicationYear", "")))]
    types = data.get("types") if isinstance(data.get("types"), Mapping) else {}
    assert isinstance(types, Mapping)
    general, specific = types.get("resourceTypeGeneral"), types.get("resourceType")
    out.append(("type", str(general or "Dataset")))
    if specific and specific != general:
        out.append(("type", str(specific)))
    out += [("format", str(f)) for f in data.get("formats") or [] if isinstance(f, str)]
    if data.get("doi"):
        out.append(("identifier", _identifier_url(str(data["doi"]), "DOI")))
    for item in data.get("alternateIdentifiers") or []:
        if isinstance(item, Mapping) and item.get("alternateIdentifier"):
            value = str(item["alternateIdentifier"])
            out.append(
                ("identifier", _identifier_url(value, str(item.get("alternateIdentifierType"))))
            )
    if data.get("url"):
        out.append(("identifier", str(data["url"])))
    for item in data.get("relatedIdentifiers") or []:
        if isinstance(item, Mapping) and item.get("relatedIdentifier"):
            value = str(item["relatedIdentifier"])
            out.append(("relation", _identifier_url(value, str(item.get("relatedIdentifierType")))))
    for item in data.get("rightsList") or []:
        if isinstance(item, Mapping):
            if item.get("rights"):
                out.append(("rights", str(item["rights"])))
            if item.get("rightsUri"):
                out.append(("rights", str(item["rightsUri"])))
    return [(name, value) for name, value in out if value]


def oai_dc(data: Mapping[str, Any]) -> str:
    elements = "".join(
        f"<dc:{name}>{escape(value)}</dc:{name}>" for name, value in dublin_core(data)
    )
    return (
        f'<oai_dc:dc xmlns:oai_dc="{_DC_NAMESPACE}" xmlns:dc="{_DC_ELEMENTS}" '
        f'xmlns:xsi="{_XSI}" xsi:schemaLocation="{_DC_NAMESPACE} {_DC_SCHEMA}">'
        f"{elements}</oai_dc:dc>"
    )


# -- DataCite -------------------------------------------------------------------------------------


def datacentre_symbol() -> str:
    """The DataCite repository the records belong to (its account name), else the OAI identifier."""
    return (settings.DATACITE_USERNAME or settings.OAI_REPOSITORY_IDENTIFIER).upper()


def oai_datacite(data: Mapping[str, Any]) -> str:
    return (
        f'<oai_datacite xmlns="{_OAI_DATACITE_NAMESPACE}" xmlns:xsi="{_XSI}" '
        f'xsi:schemaLocation="{_OAI_DATACITE_NAMESPACE} {_OAI_DATACITE_SCHEMA}">'
        f"<schemaVersion>{DATACITE_VERSION}</schemaVersion>"
        f"<datacentreSymbol>{escape(datacentre_symbol())}</datacentreSymbol>"
        f"<payload>{resource_xml(data)}</payload></oai_datacite>"
    )


def datacite(data: Mapping[str, Any]) -> str:
    return resource_xml(data)


FORMATS: dict[str, MetadataFormat] = {
    f.prefix: f
    for f in (
        MetadataFormat("oai_dc", _DC_SCHEMA, _DC_NAMESPACE, oai_dc),
        MetadataFormat("oai_datacite", _OAI_DATACITE_SCHEMA, _OAI_DATACITE_NAMESPACE, oai_datacite),
        MetadataFormat(
            "datacite",
            "http://schema.datacite.org/meta/kernel-4/metadata.xsd",
            SCHEMA_VERSION,
            datacite,
        ),
    )
}
