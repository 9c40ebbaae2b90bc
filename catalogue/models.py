"""The public catalogue: what a visitor may see of a dataset, and nothing more.

No private catalogue field is stored at all (owner e-mails, access or owner groups, createdBy /
updatedBy, sharedWith, source hosts): the import drops them before anything is written.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F

from catalogue.payloads import FilesStatus
from catalogue.visibility import Tombstoned, Visibility, VisibilityQuerySet


class Instrument(models.Model):
    pid = models.CharField(max_length=255, unique=True)
    unique_name = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=255)
    facility = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["unique_name", "name"]

    def __str__(self) -> str:
        return self.unique_name or self.name


class Proposal(models.Model):
    proposal_id = models.CharField(max_length=255, unique=True)
    title = models.TextField(blank=True)
    pi_name = models.CharField("principal investigator", max_length=255, blank=True)
    type = models.CharField(max_length=64, blank=True)
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposal_id"]

    def __str__(self) -> str:
        return self.proposal_id


class Technique(models.Model):
    pid = models.CharField("PaNET id", max_length=255, unique=True)
    name = models.CharField(max_length=255)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DataLocation(models.TextChoices):
    """Where a dataset's files are: what the catalogue says, or, with a tape endpoint configured
    (``PORTAL_TAPE_REST_URL``), what the storage system answers per file (tape/locality.py)."""

    DISK = "disk", "Online on disk"
    PARTIAL = "partial", "Partly on disk"
    TAPE = "tape", "On tape"
    UNAVAILABLE = "unavailable", "Unavailable"
    UNKNOWN = "unknown", "Unknown"


class DatasetQuerySet(VisibilityQuerySet):
    """Datasets: ``public()`` and the other visibility verbs (catalogue/visibility.py)."""


class Dataset(Tombstoned):
    # Without the index Tombstoned gives it: two values, and dataset_facets_idx starts with it.
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    pid = models.CharField("PID", max_length=255, unique=True)
    title = models.TextField()
    description = models.TextField(blank=True)
    type = models.CharField(max_length=32)
    creation_time = models.DateTimeField(null=True, blank=True)
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)
    size = models.BigIntegerField("size (bytes)", default=0)
    number_of_files = models.PositiveIntegerField(default=0)
    keywords = models.JSONField(default=list, blank=True)
    license = models.CharField(max_length=255, blank=True)
    run_number = models.CharField(max_length=255, blank=True)
    source_folder = models.TextField(blank=True, help_text="As the facility wants it shown")
    data_format = models.CharField(max_length=255, blank=True)
    # No index of its own: dataset_instr_modified_idx starts with it.
    instrument = models.ForeignKey(
        Instrument,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="datasets",
        db_index=False,
    )
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="datasets"
    )
    techniques = models.ManyToManyField(Technique, blank=True, related_name="datasets")
    principal_investigators = models.JSONField(default=list, blank=True)
    # [{"name": "Noether, Emmy", "orcid": "0000-..."}]: people credited for the data.
    creators = models.JSONField(default=list, blank=True)
    data_location = models.CharField(
        max_length=16, choices=DataLocation.choices, default=DataLocation.UNKNOWN
    )
    embargo_end = models.DateTimeField(null=True, blank=True)
    scientific_metadata = models.JSONField(default=dict, blank=True)
    # Whether the files stored are all the catalogue counts (see catalogue.payloads.FilesStatus).
    files_status = models.CharField(
        max_length=16,
        choices=[(status.value, status.label) for status in FilesStatus],
        default=FilesStatus.COMPLETE,
    )

    # Bookkeeping for the sync: the catalogue's own timestamp and a digest of what was imported,
    # so that importing the same record again changes nothing.
    source_updated_at = models.DateTimeField(null=True, blank=True)
    source_digest = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)  # indexed with id: dataset_modified_idx

    objects = DatasetQuerySet.as_manager()

    class Meta:
        # Newest first, undated last. The matching index (migration 0002) is written per database:
        # SQLite cannot declare NULLS LAST in an index, but sorts NULLs last in DESC order anyway.
        ordering = [F("start_time").desc(nulls_last=True), "-id"]
        indexes = [
            # Oldest first (ASC NULLS LAST is the index's natural order); newest first: 0002.
            models.Index(fields=["start_time", "id"], name="dataset_start_asc_idx"),
            models.Index(fields=["size", "id"], name="dataset_size_idx"),
            models.Index(fields=["title", "id"], name="dataset_title_idx"),
            models.Index(fields=["run_number", "id"], name="dataset_run_idx"),
            models.Index(fields=["type", "id"], name="dataset_type_idx"),
            models.Index(fields=["creation_time"], name="dataset_creation_idx"),
            # OAI-PMH lists: keyset pages in datestamp order, overall and per instrument set.
            models.Index(fields=["modified", "id"], name="dataset_modified_idx"),
            models.Index(
                fields=["instrument", "modified", "id"], name="dataset_instr_modified_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.pid


class ScientificParameter(models.Model):
    """One leaf of a dataset's scientific metadata, in a form that can be queried.

    ``key_path`` is the dotted path of the leaf. Numbers keep their original value and unit and,
    where the unit is known, the value in SI base units (ranges fill both ends).
    Text leaves fill ``text_value``. Unknown units are kept as text in ``unit``.
    """

    # No index of its own: param_dataset_key_idx starts with it (one index less per row imported).
    # No database constraint (PostgreSQL, migration 0010), as for DataFile.
    dataset = models.ForeignKey(
        Dataset,
        on_delete=models.CASCADE,
        related_name="parameters",
        db_index=False,
        db_constraint=False,
    )
    key_path = models.CharField(max_length=512)
    original_value = models.TextField(blank=True)
    unit = models.CharField(max_length=128, blank=True)
    number = models.FloatField(null=True, blank=True)
    number_max = models.FloatField(null=True, blank=True)
    si_value = models.FloatField(null=True, blank=True)
    si_value_max = models.FloatField(null=True, blank=True)
    si_unit = models.CharField(max_length=128, blank=True)
    text_value = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["key_path", "si_value"], name="param_key_si_idx"),
            models.Index(fields=["dataset", "key_path"], name="param_dataset_key_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key_path} = {self.original_value} {self.unit}".strip()


class DataFile(models.Model):
    # No index of its own: datafile_dataset_path_idx starts with it (one index less per file).
    # No database constraint (PostgreSQL, migration 0010): only the import writes these rows, in
    # the transaction that writes their dataset; the ORM cascades deletes.
    dataset = models.ForeignKey(
        Dataset,
        on_delete=models.CASCADE,
        related_name="files",
        db_index=False,
        db_constraint=False,
    )
    path = models.TextField()
    size = models.BigIntegerField(default=0)
    checksum = models.CharField(max_length=256, blank=True)
    checksum_algorithm = models.CharField(max_length=32, blank=True)
    time = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["path", "id"]
        indexes = [models.Index(fields=["dataset", "path", "id"], name="datafile_dataset_path_idx")]

    def __str__(self) -> str:
        return self.path


def thumbnail_path(instance: Thumbnail, filename: str) -> str:
    return f"thumbnails/{filename}"


class Thumbnail(models.Model):
    """An image shown beside a dataset, kept as a file and served by URL (never inlined)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="thumbnails")
    source_id = models.CharField(max_length=255)
    caption = models.CharField(max_length=512, blank=True)
    image = models.FileField(upload_to=thumbnail_path)
    content_digest = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "source_id"], name="thumbnail_unique_source")
        ]

    def __str__(self) -> str:
        return self.caption or self.source_id


class SearchBacklog(models.Model):
    """A dataset whose search-index entry could not be written (OpenSearch was down).

    ``search_index --catch-up`` and the beat task ``catalogue.tasks.search_backlog_drain`` index
    these again once OpenSearch answers, then delete the rows. One row per dataset.
    """

    dataset_id = models.BigIntegerField(unique=True)
    queued_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"reindex dataset {self.dataset_id}"
