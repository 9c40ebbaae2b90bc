"""SciCat's wire format, in one package: nothing outside it knows how the catalogue speaks.

``records`` (datasets, origdatablocks, attachments) and ``linked`` (instruments, proposals,
published data) parse catalogue records of the v3 and v4 shapes into the portal's typed payloads,
reading fields with ``fields``; ``api``'s :class:`SciCatApi` talks to a SciCat backend over HTTP,
one concern a module (``client``: login, retries; ``release``: 4.x or 5.x, v3 or v4; ``filters``;
``paging``; ``relations``; ``datasets``; ``published``). The names below are what the rest of
the portal uses: import them from here.
"""

from sync.scicat.api import SciCatApi
from sync.scicat.client import (
    ApiConfig,
    CatalogueError,
    CatalogueRefused,
    CatalogueUnavailable,
    UnsupportedCatalogue,
    decode,
)
from sync.scicat.datasets import BRIEF_FIELDS, Presence
from sync.scicat.fields import RecordError, parse_datetime
from sync.scicat.filters import iso, updated_at
from sync.scicat.linked import (
    PUBLIC_PUBLISHED_DATA_STATES,
    instrument_from,
    normalize_doi,
    proposal_from,
    publication_from,
    published_data_is_public,
)
from sync.scicat.records import (
    MAX_THUMBNAIL_BYTES,
    attachment_dataset_pids,
    dataset_from,
    dataset_pid,
    embargo_dates,
    files_from,
    is_published,
    thumbnail_from,
)
from sync.scicat.relations import FILES_INCOMPLETE, FILES_UNAVAILABLE, Page
from sync.scicat.release import Backend

__all__ = [
    "BRIEF_FIELDS",
    "FILES_INCOMPLETE",
    "FILES_UNAVAILABLE",
    "MAX_THUMBNAIL_BYTES",
    "PUBLIC_PUBLISHED_DATA_STATES",
    "ApiConfig",
    "Backend",
    "CatalogueError",
    "CatalogueRefused",
    "CatalogueUnavailable",
    "Page",
    "Presence",
    "RecordError",
    "SciCatApi",
    "UnsupportedCatalogue",
    "attachment_dataset_pids",
    "dataset_from",
    "dataset_pid",
    "decode",
    "embargo_dates",
    "files_from",
    "instrument_from",
    "is_published",
    "iso",
    "normalize_doi",
    "parse_datetime",
    "proposal_from",
    "publication_from",
    "published_data_is_public",
    "thumbnail_from",
    "updated_at",
]
