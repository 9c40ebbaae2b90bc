"""What the catalogue sync remembers: where it got to, what each run did, what it could not map.

No catalogue record is stored here, only pids, timestamps, counts and error messages: a record
that cannot be mapped keeps its error, not its content (which may hold private fields).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models


class SyncKind(models.TextChoices):
    INCREMENTAL = "incremental", "Incremental sync"
    FULL = "full", "Full sync"
    RECONCILE = "reconcile", "Reconciliation"
    EMBARGO = "embargo", "Embargo-end check"
    RECORDS = "records", "Chosen records"
    EXPORT = "export", "Export import"


class SyncStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    PARTIAL = "partial", "Succeeded, some records failed"
    FAILED = "failed", "Failed"
    ABANDONED = "abandoned", "Abandoned (the process died)"


class SyncRun(models.Model):
    """One run of the sync: when, what it did, and what went wrong."""

    kind = models.CharField(max_length=16, choices=SyncKind.choices)
    status = models.CharField(
        max_length=16, choices=SyncStatus.choices, default=SyncStatus.RUNNING, db_index=True
    )
    source = models.CharField(max_length=512, help_text="Catalogue URL and API version")
    trigger = models.CharField(max_length=32, blank=True, help_text="beat, command, ...")
    host = models.CharField(max_length=255, blank=True)
    process_id = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    watermark_from = models.DateTimeField(
        null=True, blank=True, help_text="Read records updated at or after this time"
    )
    watermark_to = models.DateTimeField(
        null=True, blank=True, help_text="The newest catalogue updatedAt this run saw"
    )
    fetched = models.PositiveIntegerField(default=0, help_text="Catalogue records read")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    not_public = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    dropped = models.PositiveIntegerField(
        default=0,
        help_text="Related records (files, thumbnails, instruments, proposals) the catalogue "
        "sent for no public dataset of the same answer: dropped, never stored",
    )
    files_partial = models.PositiveIntegerField(
        "file counts that differ",
        default=0,
        help_text="Public datasets whose listed files differ in number from numberOfFiles",
    )
    files_incomplete = models.PositiveIntegerField(
        "files not read",
        default=0,
        help_text="Public datasets whose files could not be read (read again next run)",
    )
    catalogue_release = models.CharField(
        max_length=64, blank=True, help_text="The SciCat release line the run found"
    )
    requests = models.PositiveIntegerField(default=0, help_text="Calls to the catalogue")
    retries = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True, help_text="Why the run failed")

    class Meta:
        ordering = ["-started_at", "-id"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M:%S} ({self.status})"

    @property
    def duration(self) -> timedelta | None:
        return self.finished_at - self.started_at if self.finished_at else None


class SyncCursor(models.Model):
    """A watermark: the newest catalogue ``updatedAt`` a sync has fully brought in."""

    source = models.CharField(max_length=512)
    name = models.CharField(max_length=32, help_text="datasets, publisheddata or embargo")
    position = models.DateTimeField(null=True, blank=True)
    changed = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "name"], name="sync_cursor_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"


class QuarantinedRecord(models.Model):
    """A catalogue record that could not be mapped, with the reason; retried by later runs."""

    kind = models.CharField(max_length=16, default="dataset")
    pid = models.CharField("PID", max_length=255)
    error = models.TextField()
    source_updated_at = models.DateTimeField(null=True, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=1)
    run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-last_seen"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "pid"], name="quarantine_unique_record")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pid}"
