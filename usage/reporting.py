"""A month's usage sent to DataCite: the COUNTER Dataset Report of the portal's DOIs.

``usage_report_send(month=...)`` reads the month's figures of the public DOI publications
(:func:`usage.selectors.publication_month_figures`), turns them into report items, writes the
report (:mod:`usage.report`) and sends it (:mod:`usage.datacite_usage`).

One report per month, kept in :class:`~usage.models.DataCiteUsageReport`: its id is a UUID
chosen here and stored before anything is sent, and the first part always goes out as
``PUT /reports/{id}``. So the first send of a month creates the report under that id, and every
later send (the month re-aggregated, a run that failed half-way) replaces it: a month is never
reported twice. A month of more than ``DATACITE_USAGE_MAX_ITEMS`` datasets goes in parts: the
PUT (which also drops the subsets of an earlier send) and one POST per further part, which
DataCite files as subsets of the same report (same header). A POST whose answer was lost may or
may not have been filed, so the month starts again from its PUT (at most
:data:`MAX_ROUNDS` times) rather than risk a subset twice.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone

from publishing.addresses import publication_url
from usage.datacite_usage import ReportFailure, ReportUncertain, UsageReportsClient
from usage.models import DataCiteUsageReport
from usage.report import Counts, ReportHeader, ReportItem, encoded_parts
from usage.selectors import publication_month_figures

# How often a month starts again from its PUT after a POST whose answer was lost.
MAX_ROUNDS = 3
_FIELDS = ("total_investigations", "unique_investigations", "total_requests", "unique_requests")


@dataclass(frozen=True, slots=True)
class ReportSent:
    """What a send did: the report's id at DataCite, datasets and parts sent, new or replaced."""

    month: date
    report_id: str
    items: int
    parts: int
    created: bool


def month_report_items(*, month: date) -> list[ReportItem]:
    """The month's figures of the public DOI publications, one item per DOI, ordered by DOI.

    Read as plain values (no model instances: a publication row carries a dozen JSON fields the
    report does not need)."""
    rows = publication_month_figures(month=month).values_list(
        "publication_id",
        "publication__doi",
        "publication__title",
        "publication__publication_year",
        "publication__creators",
        "access_method",
        *_FIELDS,
    )
    counts: dict[int, dict[str, Counts]] = defaultdict(dict)
    publications: dict[int, tuple[str, str, int | None, Any]] = {}
    for pk, doi, title, year, creators, method, *figures in rows.iterator(chunk_size=5000):
        publications[pk] = (doi, title, year, creators)
        counts[pk][method] = Counts(*(int(f) for f in figures))
    items = []
    for pk, (doi, title, year, creators) in publications.items():
        doi = str(doi).strip().lower()
        items.append(
            ReportItem(
                identifier=doi,
                title=" ".join(str(title).split()) or doi,
                regular=counts[pk].get("regular", Counts()),
                machine=counts[pk].get("machine", Counts()),
                uri=publication_url(doi),
                year_of_publication=year,
                contributors=_names(creators),
            )
        )
    return sorted(items, key=lambda i: i.identifier)


def _names(creators: Any) -> tuple[str, ...]:
    names = []
    for creator in creators if isinstance(creators, list) else []:
        name = creator.get("name") if isinstance(creator, dict) else None
        if isinstance(name, str) and name.strip():
            names.append(" ".join(name.split()))
    return tuple(names)


def report_header(*, month: date, today: date) -> ReportHeader:
    """Who reports: the DataCite repository account (else the portal's name, as a slug)."""
    account = settings.DATACITE_USERNAME.strip().lower()
    created_by = account or re.sub(r"[^a-z0-9]+", "-", settings.PORTAL_NAME.lower()).strip("-")
    return ReportHeader(
        month=month,
        created_by=created_by or "portal",
        platform=settings.PORTAL_NAME,
        publisher=settings.PORTAL_PUBLISHER,
        publisher_client_id=account,
        created=today,
    )


def usage_report_send(
    *,
    month: date,
    client: UsageReportsClient | None = None,
    max_items: int | None = None,
    on_part: Callable[[int], None] | None = None,
) -> ReportSent:
    """Send (or send again) the report of ``month``; ``on_part(datasets)`` after each part."""
    month = month.replace(day=1)
    max_items = max_items or settings.DATACITE_USAGE_MAX_ITEMS
    items = month_report_items(month=month)
    record, _ = DataCiteUsageReport.objects.get_or_create(month=month)
    header = report_header(month=month, today=timezone.now().date())
    own = client is None
    client = client or UsageReportsClient.from_settings()
    try:
        for round_ in range(1, MAX_ROUNDS + 1):
            try:
                sent = _send(client, record, header, items, max_items, on_part)
                break
            except ReportUncertain:
                if round_ == MAX_ROUNDS:
                    raise
    except ReportFailure as exc:
        record.error = str(exc)[:2000]
        record.save(update_fields=["error"])
        raise
    finally:
        if own:
            client.close()
    record.items, record.parts, record.error = sent.items, sent.parts, ""
    record.sent_at = timezone.now()
    record.times_sent += 1
    record.save()
    return sent


def _send(
    client: UsageReportsClient,
    record: DataCiteUsageReport,
    header: ReportHeader,
    items: Iterable[ReportItem],
    max_items: int,
    on_part: Callable[[int], None] | None,
) -> ReportSent:
    report_id = str(record.report_id)
    created = False
    total = parts = 0
    for body, count in encoded_parts(header, items, max_items=max_items):
        if parts == 0:
            stored = client.put(report_id, body)
            created = stored.created
        else:
            stored = client.post(body)
        if stored.report_id != report_id:
            raise ReportFailure(
                f"DataCite filed part {parts + 1} of {header.begin:%Y-%m} under report "
                f"{stored.report_id}, not {report_id}: another report of that month by "
                f"{header.created_by!r} exists there; delete it at DataCite, then send again"
            )
        parts += 1
        total += count
        if on_part is not None:
            on_part(count)
    return ReportSent(header.begin, report_id, total, parts, created)
