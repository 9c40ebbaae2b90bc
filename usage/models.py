"""Usage of datasets and DOI publications, counted by the COUNTER Code of Practice for Research
Data (Make Data Count): investigations (a landing page, an export, a record read) and requests
(a file downloaded through the portal's counting redirect).

Three tables:

* :class:`UsageEvent` — one raw event, written in batches from a buffer (never one write per page
  view): when, what kind, which dataset or publication, regular or machine access, and the
  visitor as a salted hash (the salt rotates daily, :class:`UsageSalt`). No IP address, no user
  agent, no user id. Deleted once its month is aggregated and over.
* :class:`UsageMonth` — the monthly figures per dataset or per publication and access method
  (totals and uniques of investigations and requests). Built by ``manage.py usage aggregate``
  (nightly in Celery beat); re-running a month gives the same numbers.
* :class:`AggregatedMonth` — which months were aggregated, when, from how many events, and whether
  the month is closed (over, its raw events deleted: its figures are final).

Reads for other apps are in :mod:`usage.selectors` (the only module they should import):

* ``dataset_usage(dataset_id)`` / ``publication_usage(publication_id)`` -> :class:`UsageSummary`
  (views and downloads, total and unique, regular and machine, and since when): landing pages, APIs.
* ``usage_since()`` -> the first month counted (``date`` or None).
* ``month_figures(month=date)`` -> QuerySet of :class:`UsageMonth` of that month (datasets and
  publications, both access methods; ``dataset``/``publication`` selected): the DataCite report.
* ``publication_month_figures(month=date)`` -> the same, DOI publications only (public, with a DOI).
* ``aggregated_months()`` -> QuerySet of :class:`AggregatedMonth`, oldest first.
* ``most_viewed_datasets(limit=10, since=None, until=None)`` and
  ``most_downloaded_datasets(...)`` -> list of :class:`RankedDataset` (public datasets only):
  the statistics page.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from catalogue.models import Dataset
from publishing.models import Publication


class AccessMethod(models.TextChoices):
    REGULAR = "regular", "Regular"
    MACHINE = "machine", "Machine"


class EventKind(models.TextChoices):
    INVESTIGATION = "investigation", "Investigation"
    REQUEST = "request", "Request"


class UsageEvent(models.Model):
    """One counted access, before aggregation. Nothing personal: ``visitor`` is a salted hash."""

    occurred_at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    dataset = models.ForeignKey(
        Dataset, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    publication = models.ForeignKey(
        Publication, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    access_method = models.CharField(max_length=16, choices=AccessMethod.choices)
    # sha256(daily salt + user id, or IP + user agent), hex, cut: a session is visitor + hour.
    visitor = models.CharField(max_length=32)
    # Which part of the item (a file's path, hashed and cut; "" for the whole record): a double
    # click is the same visitor, kind, item and part within 30 seconds.
    component = models.CharField(max_length=16, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(dataset__isnull=False) | Q(publication__isnull=False),
                name="usage_event_has_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%Y-%m-%d %H:%M:%S}"


class UsageMonth(models.Model):
    """One month's COUNTER figures of one dataset or one publication, one access method."""

    month = models.DateField(help_text="The first day of the month (UTC)")
    dataset = models.ForeignKey(
        Dataset, null=True, blank=True, on_delete=models.CASCADE, related_name="usage_months"
    )
    publication = models.ForeignKey(
        Publication, null=True, blank=True, on_delete=models.CASCADE, related_name="usage_months"
    )
    access_method = models.CharField(max_length=16, choices=AccessMethod.choices)
    total_investigations = models.PositiveIntegerField(default=0)
    unique_investigations = models.PositiveIntegerField(default=0)
    total_requests = models.PositiveIntegerField(default=0)
    unique_requests = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-month", "id"]
        verbose_name = "usage month"
        constraints = [
            models.CheckConstraint(
                condition=Q(dataset__isnull=False, publication__isnull=True)
                | Q(dataset__isnull=True, publication__isnull=False),
                name="usage_month_one_item",
            ),
            models.UniqueConstraint(
                fields=["month", "dataset", "access_method"],
                condition=Q(dataset__isnull=False),
                name="usage_month_dataset_unique",
            ),
            models.UniqueConstraint(
                fields=["month", "publication", "access_method"],
                condition=Q(publication__isnull=False),
                name="usage_month_publication_unique",
            ),
        ]
        indexes = [models.Index(fields=["month", "access_method"], name="usage_month_idx")]

    def __str__(self) -> str:
        item = self.dataset or self.publication
        return f"{self.month:%Y-%m} {item} ({self.access_method})"


class AggregatedMonth(models.Model):
    """A month ``usage aggregate`` has built; ``closed`` once it is over and its events gone."""

    month = models.DateField(primary_key=True)
    aggregated_at = models.DateTimeField()
    events = models.PositiveIntegerField(default=0, help_text="Raw events read (after robots)")
    closed = models.BooleanField(default=False)

    class Meta:
        ordering = ["month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class UsageSalt(models.Model):
    """Today's random salt for visitor hashes; yesterday's is deleted, so no hash can be undone."""

    day = models.DateField(primary_key=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.day}"


class DataCiteUsageReport(models.Model):
    """A month's COUNTER report at DataCite (``usage report``) and the id it is kept under there.

    The id is a UUID chosen here before the first send, so sending the month again replaces that
    report (``PUT /reports/{id}``) instead of adding another (:mod:`usage.reporting`).
    """

    month = models.DateField(primary_key=True, help_text="The first day of the month (UTC)")
    report_id = models.UUIDField("DataCite report id", default=uuid.uuid4, unique=True)
    items = models.PositiveIntegerField(default=0, help_text="Datasets (DOIs) in the report")
    parts = models.PositiveIntegerField(default=0)
    times_sent = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Why the last send failed")

    class Meta:
        ordering = ["-month"]
        verbose_name = "DataCite usage report"

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} ({self.report_id})"
