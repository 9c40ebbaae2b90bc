"""Public or withdrawn: the one visibility rule shared by datasets and publications.

A withdrawn record is kept as a tombstone: its page answers 410 with the reason, and harvesters
can report it deleted. Nothing else is ever stored here: records under embargo never reach the
portal's database in the first place.
"""

from __future__ import annotations

from typing import Self

from django.db import models


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    WITHDRAWN = "withdrawn", "Withdrawn"


class WithdrawnBy(models.TextChoices):
    CATALOGUE = "catalogue", "The internal catalogue"
    STAFF = "staff", "Portal staff"


class VisibilityQuerySet(models.QuerySet):
    def public(self) -> Self:
        return self.filter(visibility=Visibility.PUBLIC)

    def withdrawn(self) -> Self:
        return self.filter(visibility=Visibility.WITHDRAWN)


class Tombstoned(models.Model):
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC, db_index=True
    )
    withdrawn_reason = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The sync restores a record the catalogue publishes again, but never one staff withdrew.
    withdrawn_by = models.CharField(max_length=16, choices=WithdrawnBy.choices, blank=True)

    class Meta:
        abstract = True

    @property
    def is_withdrawn(self) -> bool:
        return self.visibility == Visibility.WITHDRAWN
