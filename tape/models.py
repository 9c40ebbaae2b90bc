"""What the portal knows of the tape archive: each dataset's locality as the storage system last
answered, and the restage requests visitors made (merged per dataset) with who waits for them.

No e-mail address outlives its request: :class:`Requester.email` is erased when the request is
done (online and notified, failed, refused or cancelled) or its verification lapsed; only a keyed
hash stays, for the per-address limit.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from catalogue.models import DataLocation, Dataset


class DatasetLocality(models.Model):
    """The storage system's answer (archiveinfo) for one dataset's files."""

    dataset = models.OneToOneField(Dataset, on_delete=models.CASCADE, related_name="tape_locality")
    location = models.CharField(max_length=16, choices=DataLocation.choices)
    files_total = models.PositiveIntegerField(default=0)
    files_on_disk = models.PositiveIntegerField(default=0)
    files_unavailable = models.PositiveIntegerField(default=0)
    bytes_total = models.BigIntegerField(default=0)
    bytes_on_disk = models.BigIntegerField(default=0)
    checked_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name_plural = "dataset localities"

    def __str__(self) -> str:
        return f"{self.dataset_id}: {self.location}"


class RestageState(models.TextChoices):
    APPROVAL = "approval", "Waiting for staff approval"
    QUEUED = "queued", "Queued"
    STAGING = "staging", "Being restored"
    ONLINE = "online", "Online"
    EXPIRED = "expired", "Released from disk"
    FAILED = "failed", "Failed"
    REFUSED = "refused", "Refused"
    CANCELLED = "cancelled", "Cancelled"


# A request others may still join (one per dataset at a time).
OPEN_STATES = (RestageState.APPROVAL, RestageState.QUEUED, RestageState.STAGING)
# Joinable: open, or online (a late requester is told at once).
JOINABLE_STATES = (*OPEN_STATES, RestageState.ONLINE)


class RestageRequestQuerySet(models.QuerySet["RestageRequest"]):
    def joinable(self) -> RestageRequestQuerySet:
        return self.filter(state__in=JOINABLE_STATES)

    def open(self) -> RestageRequestQuerySet:
        return self.filter(state__in=OPEN_STATES)


class RestageRequest(models.Model):
    """One stage request for a dataset's files that are not on disk; many people may wait for it."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="restages")
    state = models.CharField(max_length=16, choices=RestageState.choices, db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    paths = models.JSONField(default=list, blank=True)  # storage paths asked for
    files = models.PositiveIntegerField(default=0)
    bytes = models.BigIntegerField(default=0)
    stage_id = models.CharField("stage request id", max_length=255, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    online_at = models.DateTimeField(null=True, blank=True)
    online_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    reason = models.TextField(blank=True, help_text="Why staff refused or cancelled it")

    objects = RestageRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset"],
                condition=Q(state__in=["approval", "queued", "staging", "online"]),
                name="restage_one_joinable_per_dataset",
            )
        ]

    def __str__(self) -> str:
        return f"restage {self.pk} of {self.dataset_id}: {self.state}"


class Requester(models.Model):
    """Someone who asked for a dataset: unverified until the e-mailed link is followed."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(
        RestageRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="requesters"
    )
    email = models.EmailField(blank=True)  # erased when done
    email_hash = models.CharField(max_length=64, db_index=True)
    nonce = models.CharField(max_length=32)
    language = models.CharField(max_length=16, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"requester {self.pk} of {self.dataset_id}"
