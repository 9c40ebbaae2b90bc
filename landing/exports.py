"""Every export of a landing record, in one registry: key, label, media type, file name, writer.

The export of a record is at ``/export/<key>/doi/<doi>`` (a publication) or
``/export/<key>/datasets/<pid>`` (a dataset); :func:`export_url` builds it and
:func:`export_response` answers it (a download with ``Content-Disposition: attachment``). Content
negotiation (:mod:`landing.negotiation`) answers the same media types on the landing URL itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpResponse
from django.urls import reverse

from landing import schemaorg
from landing.records import LandingRecord
from publishing.formats import bibtex, csl, datacite_json, datacite_xml, dublin_core, ris
from publishing.record import DataCiteRecord


def _of_metadata(
    write: Callable[[DataCiteRecord], str | bytes],
) -> Callable[[LandingRecord], str | bytes]:
    """A format of the DataCite record as a writer of landing records."""
    return lambda record: write(record.metadata)


@dataclass(frozen=True, slots=True)
class ExportFormat:
    key: str
    label: str
    media_type: str  # without parameters; text formats are sent as UTF-8
    extension: str
    render: Callable[[LandingRecord], str | bytes]
    # Other media types content negotiation answers with this format.
    aliases: tuple[str, ...] = ()

    def filename(self, record: LandingRecord) -> str:
        return f"{safe_identifier(record.identifier)}.{self.extension}"

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"


EXPORTS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat(
            "bibtex", "BibTeX", "application/x-bibtex", "bib", _of_metadata(bibtex.bibtex)
        ),
        ExportFormat(
            "ris", "RIS", "application/x-research-info-systems", "ris", _of_metadata(ris.ris)
        ),
        ExportFormat(
            "csl-json",
            "CSL-JSON",
            "application/vnd.citationstyles.csl+json",
            "csl.json",
            _of_metadata(csl.csl_json),
        ),
        ExportFormat(
            "datacite-xml",
            "DataCite XML",
            "application/vnd.datacite.datacite+xml",
            "datacite.xml",
            _of_metadata(datacite_xml.resource_document),
            # A client that asks for any XML (FAIR assessors do) gets the richest XML there is.
            aliases=("application/xml", "text/xml"),
        ),
        ExportFormat(
            "datacite-json",
            "DataCite JSON",
            "application/vnd.datacite.datacite+json",
            "datacite.json",
            _of_metadata(datacite_json.datacite_json),
        ),
        ExportFormat(
            "dublin-core",
            "Dublin Core",
            "application/xml",
            "dc.xml",
            _of_metadata(dublin_core.oai_dc_document),
        ),
        ExportFormat(
            "schema-org",
            "schema.org JSON-LD",
            "application/ld+json",
            "jsonld",
            schemaorg.schemaorg_json,
            aliases=("application/vnd.schemaorg.ld+json",),
        ),
    )
}

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_identifier(identifier: str) -> str:
    """An identifier as a file name stem: ``10.5072/ab c`` -> ``10.5072_ab_c``."""
    return _UNSAFE.sub("_", identifier).strip("._")[:150] or "record"


def export_url(record: LandingRecord, key: str) -> str:
    """The portal path of an export of ``record`` ("" for a draft publication, which has no DOI)."""
    if record.kind == "publication":
        if not record.doi:
            return ""
        return reverse("landing:export_publication", args=[key, record.doi])
    assert record.dataset is not None
    return reverse("landing:export_dataset", args=[key, record.dataset.pid])


def render_bytes(record: LandingRecord, fmt: ExportFormat) -> bytes:
    body = fmt.render(record)
    return body if isinstance(body, bytes) else body.encode()


def open_to_any_origin(response: HttpResponse) -> HttpResponse:
    """Let scripts on any site read ``response`` (public metadata, never with credentials), as
    DOI content negotiation does: citation tools in the browser fetch it."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "Link, Content-Disposition"
    return response


def export_response(record: LandingRecord, fmt: ExportFormat, *, attachment: bool) -> HttpResponse:
    """The export as a response: a download (``attachment``) or inline (content negotiation)."""
    response = HttpResponse(render_bytes(record, fmt), content_type=fmt.content_type)
    if attachment:
        response["Content-Disposition"] = f'attachment; filename="{fmt.filename(record)}"'
    return open_to_any_origin(response)
