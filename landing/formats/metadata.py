"""Metadata-schema formats: DataCite XML and JSON (kernel 4) and Dublin Core (``oai_dc``).

The same writers serve OAI-PMH (:mod:`publishing.datacite_xml`, :mod:`oai.formats`); here they
get an XML declaration and stand alone.
"""

from __future__ import annotations

import json

from landing.records import LandingRecord
from oai.formats import oai_dc
from publishing.datacite_xml import resource_document

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def datacite_xml(record: LandingRecord) -> bytes:
    """A kernel-4 ``<resource>`` document."""
    return resource_document(record.datacite)


def datacite_json(record: LandingRecord) -> str:
    """The DataCite JSON attributes, as DataCite's REST API and content negotiation give them."""
    return json.dumps(record.datacite, ensure_ascii=False, indent=2) + "\n"


def dublin_core(record: LandingRecord) -> str:
    """Unqualified Dublin Core in the ``oai_dc`` container."""
    return _XML_DECLARATION + oai_dc(record.datacite) + "\n"
