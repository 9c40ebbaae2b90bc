"""The SUSHI "Dataset Report" (COUNTER Code of Practice for Research Data, release ``rd1``).

What DataCite's usage reports API takes (Make Data Count): a ``report-header`` (name
``dataset report``, id ``DSR``, release ``rd1``, who made it, the reporting period: one calendar
month) and ``report-datasets``, one item per dataset with its identifiers, title, publisher,
platform and ``performance``: for the month, one ``instance`` per access method (``regular`` or
``machine``) and metric (``total-dataset-investigations``, ``unique-dataset-investigations``,
``total-dataset-requests``, ``unique-dataset-requests``) with its count.

Built from typed items (:class:`ReportItem`), never from the ORM: the selector that reads the
monthly figures turns its rows into items, this module writes them. DataCite takes at most
:data:`MAX_ITEMS` datasets per report and wants bigger reports sent as several gzip-compressed
parts with the same header, each carrying the exception :data:`COMPRESSED_EXCEPTION`
(https://github.com/datacite/sashimi, "Register a large Usage Report"). Every part is written
compressed here, whatever its size, so that one month always travels the same way.

The schema these documents follow is ``usage/schemas/sushi_usage_schema.json`` (DataCite's
copy, with its source and licence in ``usage/schemas/README.md``).
"""

from __future__ import annotations

import calendar
import gc
import gzip
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any, Literal

import orjson

# DataCite's limit on the datasets of one report (part).
MAX_ITEMS = 50_000

REPORT_NAME = "dataset report"
REPORT_ID = "DSR"
RELEASE = "rd1"

# The header exception DataCite asks for on a compressed report (and on every part of a split one).
COMPRESSED_EXCEPTION: dict[str, Any] = {
    "code": 69,
    "severity": "warning",
    "message": "Report is compressed using gzip",
    "help-url": "https://github.com/datacite/sashimi",
    "data": "usage data needs to be uncompressed",
}

IdentifierType = Literal["doi", "proprietary", "uri"]
# The order of the metrics in a performance instance list.
METRICS = (
    "total-dataset-investigations",
    "unique-dataset-investigations",
    "total-dataset-requests",
    "unique-dataset-requests",
)


@dataclass(frozen=True, slots=True)
class Counts:
    """One access method's figures for one dataset and month."""

    total_investigations: int = 0
    unique_investigations: int = 0
    total_requests: int = 0
    unique_requests: int = 0

    def __post_init__(self) -> None:
        values = self.values()
        if any(not isinstance(v, int) or v < 0 for v in values):
            raise ValueError(f"counts must be whole numbers, not negative: {values}")
        if self.unique_investigations > self.total_investigations:
            raise ValueError("more unique investigations than investigations")
        if self.unique_requests > self.total_requests:
            raise ValueError("more unique requests than requests")

    def values(self) -> tuple[int, int, int, int]:
        """The four figures in the order of :data:`METRICS`."""
        return (
            self.total_investigations,
            self.unique_investigations,
            self.total_requests,
            self.unique_requests,
        )

    def __bool__(self) -> bool:
        return any(self.values())


@dataclass(frozen=True, slots=True)
class ReportItem:
    """One dataset's usage in the month: what a line of ``report-datasets`` says."""

    identifier: str  # the DOI (``10.1234/abc``), or the portal's own id for ``proprietary``
    title: str
    regular: Counts = field(default_factory=Counts)
    machine: Counts = field(default_factory=Counts)
    identifier_type: IdentifierType = "doi"
    uri: str = ""  # the landing page
    publication_date: date | None = None
    year_of_publication: int | None = None
    contributors: tuple[str, ...] = ()  # names

    def __post_init__(self) -> None:
        if not self.identifier.strip():
            raise ValueError("a report item needs an identifier")


@dataclass(frozen=True, slots=True)
class ReportHeader:
    """Who reports which month; ``created_by`` names the repository, the same every month."""

    month: date  # any day of the month reported
    created_by: str
    platform: str
    publisher: str
    publisher_client_id: str = ""  # the DataCite repository id, e.g. ``psf.portal``
    created: date | None = None  # defaults to the month's last day when written

    def __post_init__(self) -> None:
        for name in ("created_by", "platform", "publisher"):
            if not getattr(self, name).strip():
                raise ValueError(f"the report header needs {name}")

    @property
    def begin(self) -> date:
        return self.month.replace(day=1)

    @property
    def end(self) -> date:
        last = calendar.monthrange(self.month.year, self.month.month)[1]
        return self.month.replace(day=last)


def header_document(header: ReportHeader, *, compressed: bool = True) -> dict[str, Any]:
    created = header.created or header.end
    return {
        "report-name": REPORT_NAME,
        "report-id": REPORT_ID,
        "release": RELEASE,
        "created": created.isoformat(),
        "created-by": header.created_by,
        "reporting-period": {
            "begin-date": header.begin.isoformat(),
            "end-date": header.end.isoformat(),
        },
        "report-filters": [],
        "report-attributes": [],
        "exceptions": [dict(COMPRESSED_EXCEPTION)] if compressed else [],
    }


class _ItemWriter:
    """Writes the items of one header: what every item shares is made once (and shared: the
    documents are only ever serialised)."""

    def __init__(self, header: ReportHeader) -> None:
        self.platform = header.platform
        self.publisher = header.publisher
        self.publisher_id = (
            [{"type": "client-id", "value": header.publisher_client_id}]
            if header.publisher_client_id
            else []
        )
        self.period = {"begin-date": header.begin.isoformat(), "end-date": header.end.isoformat()}

    def document(self, item: ReportItem) -> dict[str, Any]:
        """One ``report-datasets`` entry; only the metrics that happened are listed."""
        instances = [
            {"access-method": method, "metric-type": metric, "count": count}
            for method, counts in (("regular", item.regular), ("machine", item.machine))
            for metric, count in zip(METRICS, counts.values(), strict=True)
            if count
        ]
        doc: dict[str, Any] = {
            "dataset-id": [{"type": item.identifier_type, "value": item.identifier}],
            "dataset-title": item.title,
            "platform": self.platform,
            "publisher": self.publisher,
            "publisher-id": self.publisher_id,
            "data-type": "dataset",
            "performance": [{"period": self.period, "instance": instances}],
        }
        if item.uri:
            doc["uri"] = item.uri
        if item.year_of_publication is not None:
            doc["yop"] = f"{item.year_of_publication:04d}"
        if item.publication_date is not None:
            doc["dataset-dates"] = [
                {"type": "pub-date", "value": item.publication_date.isoformat()}
            ]
        if item.contributors:
            doc["dataset-contributors"] = [{"type": "name", "value": n} for n in item.contributors]
        return doc


def report_document(
    header: ReportHeader, items: Iterable[ReportItem], *, compressed: bool = True
) -> dict[str, Any]:
    """One report (or part): the header and the items that had any usage."""
    writer = _ItemWriter(header)
    # Tens of thousands of small dicts and no cycles: the cyclic collector would only scan them
    # over and over (it took two thirds of the time at 10,000 items).
    paused = gc.isenabled()
    gc.disable()
    try:
        datasets = [writer.document(i) for i in items if i.regular or i.machine]
    finally:
        if paused:
            gc.enable()
    return {
        "report-header": header_document(header, compressed=compressed),
        "report-datasets": datasets,
    }


def parts(items: Iterable[ReportItem], *, max_items: int = MAX_ITEMS) -> Iterator[list[ReportItem]]:
    """The items with any usage, in runs of at most ``max_items`` (one run when there are none)."""
    if not 1 <= max_items <= MAX_ITEMS:
        raise ValueError(f"max_items must be between 1 and {MAX_ITEMS}, got {max_items}")
    used = (i for i in items if i.regular or i.machine)
    first = list(islice(used, max_items))
    yield first  # an empty month is still reported: DataCite then knows there was no usage
    while chunk := list(islice(used, max_items)):
        yield chunk


def encode(document: dict[str, Any]) -> bytes:
    """The body DataCite takes: the JSON, gzip-compressed (no timestamp: same input, same bytes)."""
    return gzip.compress(orjson.dumps(document), compresslevel=6, mtime=0)


def decode(body: bytes) -> dict[str, Any]:
    """The document of a body :func:`encode` wrote (for tests and for reading a report back)."""
    doc = orjson.loads(gzip.decompress(body))
    if not isinstance(doc, dict):
        raise ValueError("a report is a JSON object")
    return doc


def encoded_parts(
    header: ReportHeader, items: Iterable[ReportItem], *, max_items: int = MAX_ITEMS
) -> Iterator[tuple[bytes, int]]:
    """Each part's compressed body and how many datasets it carries."""
    for chunk in parts(items, max_items=max_items):
        yield encode(report_document(header, chunk)), len(chunk)
