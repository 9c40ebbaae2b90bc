"""The metadata formats the portal disseminates over OAI-PMH, by prefix.

``oai_dc``
    Unqualified Dublin Core, which every harvester reads (:mod:`publishing.formats.dublin_core`).
``oai_datacite``
    DataCite kernel 4 inside DataCite's OAI wrapper (what OpenAIRE and BASE harvest).
``datacite``
    DataCite kernel 4 as it is (:mod:`publishing.formats.datacite_xml`).

All three are written from the same record (:class:`publishing.record.DataCiteRecord`), so they
never disagree. OAI-PMH records also carry the OpenAIRE access right
(``info:eu-repo/semantics/openAccess``): everything the portal holds is open.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from lib.xml_text import escape
from publishing import kernel
from publishing.formats import datacite_xml, dublin_core
from publishing.formats.datacite_xml import resource_xml
from publishing.record import DataCiteRecord

OPEN_ACCESS = {"rights": "Open Access", "rightsUri": "info:eu-repo/semantics/openAccess"}
DATACITE_VERSION = kernel.VERSION  # the kernel version of the content (4.7)

_OAI_DATACITE_NAMESPACE = "http://schema.datacite.org/oai/oai-1.1/"
_OAI_DATACITE_SCHEMA = "http://schema.datacite.org/oai/oai-1.1/oai.xsd"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True, slots=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str
    write: Callable[[DataCiteRecord], str]


def with_access_rights(data: Mapping[str, Any]) -> dict[str, Any]:
    """DataCite JSON with the OpenAIRE open-access right added (once), before it is parsed.

    Added to the JSON rather than to the parsed record: copying a dictionary costs a fraction
    of rebuilding a frozen record (``dataclasses.replace``), once per record of every page.
    """
    rights = list(data.get("rightsList") or [])
    if OPEN_ACCESS not in rights:
        rights.append(OPEN_ACCESS)
    return {**data, "rightsList": rights}


def datacentre_symbol() -> str:
    """The DataCite repository the records belong to (its account name), else the OAI identifier."""
    return (settings.DATACITE_USERNAME or settings.OAI_REPOSITORY_IDENTIFIER).upper()


def oai_datacite(record: DataCiteRecord) -> str:
    return (
        f'<oai_datacite xmlns="{_OAI_DATACITE_NAMESPACE}" xmlns:xsi="{_XSI}" '
        f'xsi:schemaLocation="{_OAI_DATACITE_NAMESPACE} {_OAI_DATACITE_SCHEMA}">'
        f"<schemaVersion>{DATACITE_VERSION}</schemaVersion>"
        f"<datacentreSymbol>{escape(datacentre_symbol())}</datacentreSymbol>"
        f"<payload>{resource_xml(record)}</payload></oai_datacite>"
    )


def datacite(record: DataCiteRecord) -> str:
    return resource_xml(record)


FORMATS: dict[str, MetadataFormat] = {
    f.prefix: f
    for f in (
        MetadataFormat("oai_dc", dublin_core.SCHEMA, dublin_core.NAMESPACE, dublin_core.oai_dc),
        MetadataFormat("oai_datacite", _OAI_DATACITE_SCHEMA, _OAI_DATACITE_NAMESPACE, oai_datacite),
        MetadataFormat("datacite", datacite_xml.SCHEMA_LOCATION, datacite_xml.NAMESPACE, datacite),
    )
}
