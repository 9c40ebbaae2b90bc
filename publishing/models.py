"""Publications: citable collections of public datasets, identified by a DOI."""

from __future__ import annotations

from django.db import models

from catalogue.models import Dataset
from catalogue.visibility import Tombstoned, VisibilityQuerySet


class PublicationQuerySet(VisibilityQuerySet):
    pass


class Publication(Tombstoned):
    # DOIs are case-insensitive: stored lower-case, matched lower-case.
    doi = models.CharField("DOI", max_length=255, unique=True)
    title = models.TextField()
    abstract = models.TextField(blank=True)
    # DataCite-shaped: [{"name", "nameType", "givenName", "familyName",
    #   "nameIdentifiers": [{"nameIdentifier", "nameIdentifierScheme"}],
    #   "affiliation": [{"name", "affiliationIdentifier", "affiliationIdentifierScheme"}]}]
    creators = models.JSONField(default=list, blank=True)
    publisher = models.CharField(max_length=255, blank=True)
    publication_year = models.PositiveSmallIntegerField(null=True, blank=True)
    resource_type = models.CharField(max_length=255, blank=True)
    subjects = models.JSONField(default=list, blank=True)
    rights = models.JSONField(default=list, blank=True)
    related_identifiers = models.JSONField(default=list, blank=True)
    funding_references = models.JSONField(default=list, blank=True)
    datasets = models.ManyToManyField(Dataset, blank=True, related_name="publications")
    registered_at = models.DateTimeField(null=True, blank=True)

    source_updated_at = models.DateTimeField(null=True, blank=True)
    source_digest = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True, db_index=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_at", "-id"]

    def __str__(self) -> str:
        return self.doi
