"""Reviews: private access to records still under embargo, for a manuscript's reviewers.

A :class:`Review` stands beside the DOI reserved for its records (a reserved
:class:`~publishing.models.Publication`, which holds their pids and nothing else of them). Its
:class:`ReviewLink` s are secret URLs: the token (256 random bits) is in the link only; the
database keeps its SHA-256, so a copy of the database opens nothing. The records' metadata is
never stored here either: the review page reads it live from the internal catalogue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from publishing.models import Publication


class Review(models.Model):
    publication = models.OneToOneField(
        Publication, on_delete=models.PROTECT, related_name="review", verbose_name="reserved DOI"
    )
    anonymous = models.BooleanField(
        default=False,
        help_text="Double-blind: names, proposal and configured metadata hidden",
    )
    note = models.TextField(blank=True, help_text="For staff: journal, manuscript, editor")
    proposal_id = models.CharField(
        "proposal", max_length=255, blank=True, help_text="When made for a whole proposal"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    created = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"Review {self.pk} ({self.publication.doi or 'DOI not chosen yet'})"

    @property
    def released(self) -> bool:
        """The sync brought its records: the DOI's page is the ordinary public one."""
        return not self.publication.reserved

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


class ReviewLink(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="links")
    # SHA-256 (hex) of the token; the token itself is shown once, when the link is made.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(max_length=200, blank=True, help_text="e.g. the reviewer's role")
    expires_at = models.DateTimeField("expires")
    revoked_at = models.DateTimeField("revoked", null=True, blank=True, editable=False)
    use_count = models.PositiveIntegerField("times used", default=0, editable=False)
    last_used_at = models.DateTimeField("last used", null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = "review link"

    def __str__(self) -> str:
        return self.label or f"Link {self.pk}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
