"""The six OAI-PMH verbs: each takes a checked :class:`~oai.arguments.Request` and returns the
parts of the response body, or raises :class:`~oai.errors.OaiError`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings

from lib.xml_text import escape
from oai import selectors, sets, tokens, xmlwriter
from oai.arguments import Request
from oai.errors import (
    BAD_RESUMPTION_TOKEN,
    CANNOT_DISSEMINATE_FORMAT,
    ID_DOES_NOT_EXIST,
    NO_RECORDS_MATCH,
    OaiError,
)
from oai.formats import FORMATS, MetadataFormat
from oai.selectors import Listing, Record

# The longest the first page of a list may spend counting it (completeListSize); past that the
# database's estimate is given instead, so that every page stays fast on a million records.
COUNT_BUDGET_MS = 100
# A datestamp before any record, for an empty repository's earliestDatestamp.
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def base_url() -> str:
    return f"{settings.PORTAL_BASE_URL}/oai"


def _format(prefix: str | None) -> MetadataFormat:
    metadata_format = FORMATS.get(prefix or "")
    if metadata_format is None:
        raise OaiError(
            CANNOT_DISSEMINATE_FORMAT,
            f"The metadata format {prefix!r} is not one of {', '.join(FORMATS)}.",
        )
    return metadata_format


def _record_xml(record: Record, metadata_format: MetadataFormat | None) -> str:
    header = xmlwriter.header(
        record.identifier, record.modified, record.specs, deleted=record.deleted
    )
    if metadata_format is None:
        return header
    if record.deleted or record.metadata is None:
        return f"<record>{header}</record>"
    metadata = metadata_format.write(record.metadata)
    return f"<record>{header}<metadata>{metadata}</metadata></record>"


def identify(request: Request, now: datetime) -> list[str]:
    earliest = selectors.earliest_datestamp() or _EPOCH
    sample = selectors.oai_identifier("10.5072/example")
    emails = "".join(xmlwriter.element("adminEmail", e) for e in settings.OAI_ADMIN_EMAIL)
    identifier = settings.OAI_REPOSITORY_IDENTIFIER
    return [
        "<Identify>",
        xmlwriter.element("repositoryName", settings.PORTAL_NAME),
        xmlwriter.element("baseURL", base_url()),
        "<protocolVersion>2.0</protocolVersion>",
        emails,
        xmlwriter.element("earliestDatestamp", xmlwriter.datestamp(earliest)),
        "<deletedRecord>persistent</deletedRecord>",
        "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>",
        "<description>",
        '<oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier" '
        f'xmlns:xsi="{xmlwriter.XSI}" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/'
        'oai-identifier http://www.openarchives.org/OAI/2.0/oai-identifier.xsd">',
        "<scheme>oai</scheme>",
        xmlwriter.element("repositoryIdentifier", identifier),
        "<delimiter>:</delimiter>",
        xmlwriter.element("sampleIdentifier", sample),
        "</oai-identifier>",
        "</description>",
        "</Identify>",
    ]


def list_metadata_formats(request: Request, now: datetime) -> list[str]:
    identifier = request.get("identifier")
    if identifier is not None:
        key = selectors.key_of(identifier)
        if key is None or selectors.record(key, with_metadata=False) is None:
            raise OaiError(ID_DOES_NOT_EXIST, f"No record has the identifier {identifier!r}.")
    # Every record, live or deleted, is available in every format.
    parts = ["<ListMetadataFormats>"]
    for metadata_format in FORMATS.values():
        parts.append(
            "<metadataFormat>"
            f"{xmlwriter.element('metadataPrefix', metadata_format.prefix)}"
            f"{xmlwriter.element('schema', metadata_format.schema)}"
            f"{xmlwriter.element('metadataNamespace', metadata_format.namespace)}"
            "</metadataFormat>"
        )
    parts.append("</ListMetadataFormats>")
    return parts


def list_sets(request: Request, now: datetime) -> list[str]:
    if request.get("resumptionToken") is not None:
        raise OaiError(BAD_RESUMPTION_TOKEN, "The set list is never split: no token is valid.")
    parts = ["<ListSets>"]
    for info in selectors.set_catalogue():
        description = (
            '<setDescription><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            f'xmlns:xsi="{xmlwriter.XSI}" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/'
            'oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">'
            f"<dc:description>{escape(info.description)}</dc:description>"
            "</oai_dc:dc></setDescription>"
        )
        parts.append(
            f"<set><setSpec>{info.spec}</setSpec>{xmlwriter.element('setName', info.name)}"
            f"{description}</set>"
        )
    parts.append("</ListSets>")
    return parts


def get_record(request: Request, now: datetime) -> list[str]:
    identifier = request.get("identifier") or ""
    key = selectors.key_of(identifier)
    found = selectors.record(key, with_metadata=True) if key is not None else None
    errors = []
    if found is None:
        errors.append((ID_DOES_NOT_EXIST, f"No record has the identifier {identifier!r}."))
    prefix = request.get("metadataPrefix")
    if prefix not in FORMATS:
        errors.append(
            (
                CANNOT_DISSEMINATE_FORMAT,
                f"The metadata format {prefix!r} is not one of {', '.join(FORMATS)}.",
            )
        )
    if errors:
        raise OaiError(errors[0][0], errors[0][1], *errors[1:])
    assert found is not None
    return ["<GetRecord>", _record_xml(found, _format(prefix)), "</GetRecord>"]


def _list(request: Request, now: datetime, *, with_metadata: bool) -> list[str]:
    token_text = request.get("resumptionToken")
    prefix: str | None
    set_spec: str | None
    if token_text is not None:
        try:
            token = tokens.decode(token_text, verb=request.verb)
        except tokens.BadToken as exc:
            raise OaiError(
                BAD_RESUMPTION_TOKEN, f"The resumption token is not valid ({exc})."
            ) from exc
        prefix, set_spec = token.metadata_prefix, token.set_spec
        from_, until, after, cursor, total = (
            token.from_,
            token.until,
            token.after,
            token.cursor,
            token.total,
        )
    else:
        prefix, set_spec = request.get("metadataPrefix"), request.get("set")
        from_, until, after, cursor, total = request.from_, request.until, None, 0, -1
    metadata_format = _format(prefix)
    selection = sets.selection(set_spec)
    if selection is None:
        raise OaiError(NO_RECORDS_MATCH, f"There is no set {set_spec!r}.")
    listing = Listing(selection, from_, until)
    page, more = selectors.list_page(
        listing, after=after, limit=settings.OAI_PAGE_SIZE, with_metadata=with_metadata
    )
    if not page:
        if token_text is not None:
            # The records after the token's position have gone since it was issued (records
            # are withdrawn, never deleted, so only a publication whose registration failed can
            # leave the list): the list ends here.
            raise OaiError(NO_RECORDS_MATCH, "No record is left in the list this token continues.")
        raise OaiError(NO_RECORDS_MATCH, "No record matches these arguments.")
    if total < 0:
        total = (
            len(page)
            if not more
            else selectors.list_size_within(listing, budget_ms=COUNT_BUDGET_MS)[0]
        )
    wrapper = "ListRecords" if with_metadata else "ListIdentifiers"
    parts = [f"<{wrapper}>"]
    shown = metadata_format if with_metadata else None
    parts += [_record_xml(record, shown) for record in page]
    sent = cursor + len(page)
    size = max(total, sent + (1 if more else 0), 1)
    if more:
        token = tokens.Token(
            verb=request.verb,
            metadata_prefix=metadata_format.prefix,
            set_spec=set_spec,
            from_=from_,
            until=until,
            after=page[-1].position,
            cursor=sent,
            total=size,
            issued=now,
        )
        parts.append(
            xmlwriter.resumption_token(
                tokens.encode(token), cursor=cursor, size=size, expires=token.expires
            )
        )
    elif token_text is not None:
        # The page that completes a list split in several carries an empty token (3.5).
        parts.append(
            xmlwriter.resumption_token("", cursor=cursor, size=max(size, sent), expires=None)
        )
    parts.append(f"</{wrapper}>")
    return parts


def list_identifiers(request: Request, now: datetime) -> list[str]:
    return _list(request, now, with_metadata=False)


def list_records(request: Request, now: datetime) -> list[str]:
    return _list(request, now, with_metadata=True)


VERBS: dict[str, Callable[[Request, datetime], list[str]]] = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}
