"""SciCat's wire format, in one package: nothing outside it knows how the catalogue speaks.

``records`` parses catalogue records (datasets, origdatablocks, attachments, instruments,
proposals, published data; v3 and v4 shapes) into the portal's typed payloads; ``api`` talks to a
SciCat backend over HTTP (login, LoopBack/Mongo filters, paging in a stable order, retries). The
names below are what the rest of the portal uses.
"""

from sync.scicat.records import (
    MAX_THUMBNAIL_BYTES,
    PUBLIC_PUBLISHED_DATA_STATES,
    RecordError,
    attachment_dataset_pids,
    dataset_from,
    dataset_pid,
    embargo_dates,
    files_from,
    instrument_from,
    is_published,
    normalize_doi,
    parse_datetime,
    proposal_from,
    publication_from,
    published_data_is_public,
    thumbnail_from,
)

__all__ = [
    "MAX_THUMBNAIL_BYTES",
    "PUBLIC_PUBLISHED_DATA_STATES",
    "RecordError",
    "attachment_dataset_pids",
    "dataset_from",
    "dataset_pid",
    "embargo_dates",
    "files_from",
    "instrument_from",
    "is_published",
    "normalize_doi",
    "parse_datetime",
    "proposal_from",
    "publication_from",
    "published_data_is_public",
    "thumbnail_from",
]
