"""Publications: citable collections of public datasets, identified by a DOI.

Two kinds live side by side. Publications imported from the catalogue were registered elsewhere
(``doi_state`` is ``external``): the portal shows them and never calls DataCite for them.
Publications created here (by staff, a command or the automatic policy) start as drafts and get
their DOI from DataCite through :mod:`publishing.services.registration`; ``doi_state`` says
where they are::

    draft ──register──▶ registering ──▶ findable ◀──▶ updating ──▶ hidden (withdrawn)
                              │                           │
                              └────────▶ failed ◀─────────┘      (with the reason)

A *reservation* (``reserved``) is a DOI for records still under embargo in the internal
catalogue (a review, :mod:`publishing.services.reservations`): registered at DataCite in the
``registered`` state (resolvable, not findable) with placeholder metadata, its landing URL a
holding page, its records only pids (:class:`ReservedDataset`, nothing of their metadata). It is
not on the public site (no lists, sitemap, OAI-PMH, search) until the sync brings a record of it:
then it becomes an ordinary publication and its DOI findable.

A portal publication is on the public site from the moment its DOI is sent to DataCite, so the
DOI never resolves to a missing page; drafts and failed first registrations are staff-only.
"""

from __future__ import annotations

from typing import Self

from django.db import models
from django.db.models import Q

from catalogue.models import Dataset
from catalogue.visibility import Tombstoned, Visibility, VisibilityQuerySet


class DoiState(models.TextChoices):
    EXTERNAL = "external", "Registered elsewhere"
    DRAFT = "draft", "Draft"
    REGISTERING = "registering", "Registering"
    FINDABLE = "findable", "Findable"
    UPDATING = "updating", "Updating"
    HIDDEN = "hidden", "Hidden (withdrawn)"
    FAILED = "failed", "Failed"
    RESERVED = "reserved", "Reserved (registered, under embargo)"


# A call to DataCite is due (the task will make DataCite match the record).
PENDING_STATES = (DoiState.REGISTERING, DoiState.UPDATING)
# Never sent to DataCite, when not yet registered: no landing page.
UNSENT_STATES = (DoiState.DRAFT, DoiState.FAILED)


class PublicationQuerySet(VisibilityQuerySet):
    def on_site(self) -> Self:
        """Publications with a landing page (public or tombstone): not the unsent drafts, nor
        the reservations for records under embargo (their DOI shows a holding page only)."""
        return self.exclude(doi_state__in=UNSENT_STATES, registered_at__isnull=True).exclude(
            reserved=True
        )

    def reservations(self) -> Self:
        """DOIs reserved for records under embargo, sent to DataCite (not the unsent drafts)."""
        return self.filter(reserved=True).exclude(
            doi_state__in=UNSENT_STATES, registered_at__isnull=True
        )

    def public(self) -> Self:
        return self.on_site().filter(visibility=Visibility.PUBLIC)

    def withdrawn(self) -> Self:
        return self.on_site().filter(visibility=Visibility.WITHDRAWN)

    def managed(self) -> Self:
        """Publications whose DOI the portal registers (created here, not imported)."""
        return self.exclude(doi_state=DoiState.EXTERNAL)


class Publication(Tombstoned):
    # DOIs are case-insensitive: stored lower-case, matched lower-case. A portal draft has none
    # ("") until registration is asked for; the DOI is then chosen once and never changes.
    doi = models.CharField("DOI", max_length=255, blank=True)
    title = models.TextField()
    # DataCite titles besides the main one: [{"title", "titleType", "lang"}].
    other_titles = models.JSONField(default=list, blank=True)
    abstract = models.TextField(blank=True)
    # DataCite-shaped: [{"name", "nameType", "givenName", "familyName",
    #   "nameIdentifiers": [{"nameIdentifier", "nameIdentifierScheme"}],
    #   "affiliation": [{"name", "affiliationIdentifier", "affiliationIdentifierScheme"}]}]
    creators = models.JSONField(default=list, blank=True)
    # The same shape as creators, each with a DataCite 4.7 "contributorType" (ContactPerson,
    # DataCollector, ..., Translator).
    contributors = models.JSONField(default=list, blank=True)
    publisher = models.CharField(max_length=255, blank=True)
    publication_year = models.PositiveSmallIntegerField(null=True, blank=True)
    resource_type = models.CharField(max_length=255, blank=True)
    # DataCite's version of the data ("1.0", "2"); a new version is also a new publication
    # related by IsNewVersionOf.
    version = models.CharField(max_length=100, blank=True)
    subjects = models.JSONField(default=list, blank=True)
    rights = models.JSONField(default=list, blank=True)
    related_identifiers = models.JSONField(default=list, blank=True)
    funding_references = models.JSONField(default=list, blank=True)
    # DataCite dates: [{"date", "dateType", "dateInformation"}].
    dates = models.JSONField(default=list, blank=True)
    # DataCite geoLocations: [{"geoLocationPlace", "geoLocationPoint": {"pointLatitude",
    #   "pointLongitude"}, "geoLocationBox": {"westBoundLongitude", "eastBoundLongitude",
    #   "southBoundLatitude", "northBoundLatitude"}}], coordinates as numbers (WGS 84 degrees).
    geo_locations = models.JSONField("geo locations", default=list, blank=True)
    datasets = models.ManyToManyField(Dataset, blank=True, related_name="publications")
    registered_at = models.DateTimeField(null=True, blank=True)

    # -- the DOI at DataCite (portal publications) ----------------------------------------------
    doi_state = models.CharField(
        "DOI state",
        max_length=16,
        choices=DoiState.choices,
        default=DoiState.EXTERNAL,
        db_index=True,
    )
    doi_state_reason = models.TextField(
        "DOI state reason", blank=True, help_text="Why the last attempt failed or is retried"
    )
    doi_state_changed_at = models.DateTimeField("DOI state changed", null=True, blank=True)
    # The state DataCite last confirmed: "", "draft", "registered" or "findable".
    datacite_state = models.CharField("DataCite state", max_length=16, blank=True)
    # A digest of the attributes DataCite last accepted: equal digests, nothing to send.
    datacite_digest = models.CharField(max_length=64, blank=True)
    datacite_synced_at = models.DateTimeField("sent to DataCite", null=True, blank=True)
    # Publications the automatic policy made: "dataset:<pid>" or "proposal:<id>", at most one each.
    auto_key = models.CharField(max_length=300, unique=True, null=True, blank=True, editable=False)
    # A DOI reserved for records under embargo (see the module's docstring): True until the sync
    # brings one of its records (then its metadata is the records' and its DOI findable).
    reserved = models.BooleanField(
        "reserved under embargo", default=False, db_index=True, editable=False
    )
    embargo_until = models.DateField(
        "embargo until", null=True, blank=True, help_text="Shown on a reserved DOI's holding page"
    )

    source_updated_at = models.DateTimeField(null=True, blank=True)
    source_digest = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True, db_index=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_at", "-id"]
        permissions = [
            ("register_publication", "Can register, update, withdraw and restore DOIs"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["doi"], condition=~Q(doi=""), name="publication_doi_unique"
            ),
            models.CheckConstraint(
                condition=~Q(doi="") | Q(doi_state__in=["draft", "failed"]),
                name="publication_doi_unless_draft",
            ),
        ]

    def __str__(self) -> str:
        if self.doi:
            return f"{self.doi}: {self.title}" if self.title else self.doi
        return self.title or f"Draft publication {self.pk}"

    @property
    def is_managed(self) -> bool:
        return self.doi_state != DoiState.EXTERNAL

    @property
    def is_registered(self) -> bool:
        """The DOI exists at DataCite (for imported ones: wherever it was registered)."""
        return not self.is_managed or self.registered_at is not None


class DataCiteCall(models.Model):
    """The audit log: one request to DataCite and its answer. Never holds credentials."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="datacite_calls"
    )
    at = models.DateTimeField(db_index=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    request_body = models.TextField(blank=True)
    status = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    response_body = models.TextField(blank=True)
    error = models.TextField(blank=True, help_text="When no answer came: what happened instead")
    duration_ms = models.PositiveIntegerField("duration (ms)", default=0)
    attempt = models.PositiveSmallIntegerField(default=1, help_text="Of the background task")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "DataCite call"

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status or self.error}"


class ReservedDatasetQuerySet(models.QuerySet["ReservedDataset"]):
    def waiting_for(self, pids: list[str]) -> Self:
        """The reservations of these records not released yet."""
        return self.filter(pid__in=pids, released_at__isnull=True)


class ReservedDataset(models.Model):
    """A record under embargo that a reserved DOI stands for: its pid only, never its metadata.

    ``released_at`` is set when the sync has brought it (public) and it joined the publication.
    ``missing_since`` is set when the internal catalogue was first found to have deleted it
    before release (``review.withdrawals``), and cleared when the catalogue shows it again.
    """

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="reserved_datasets"
    )
    pid = models.CharField("PID", max_length=255, db_index=True)
    released_at = models.DateTimeField(null=True, blank=True)
    missing_since = models.DateTimeField(
        "deleted in the catalogue since", null=True, blank=True, editable=False
    )

    objects = ReservedDatasetQuerySet.as_manager()

    class Meta:
        ordering = ["publication", "pid"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "pid"], name="reserved_dataset_once"),
        ]

    def __str__(self) -> str:
        return self.pid
