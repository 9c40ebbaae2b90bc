"""The one record every landing-page format is made from.

A landing record is what ``/doi/<doi>`` (a publication) and ``/datasets/<pid>`` (one dataset)
show. Every export (BibTeX, RIS, CSL-JSON, DataCite XML/JSON, Dublin Core, schema.org), the
citation, the signposting links and the HTML page are made from it, so they never disagree.

Making a record costs a fixed number of queries, whatever the size of the record: a publication
reads its public datasets once (with the columns the formats need, never the scientific metadata);
a dataset reads its techniques and the publications that contain it (a publication of just this
dataset lends it its DOI).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from django.db.models import Count, F, Q

from catalogue.models import Dataset
from catalogue.selectors import dataset_by_pid
from catalogue.visibility import Visibility
from lib.identifiers import lookable
from publishing.addresses import absolute_url, dataset_url, publication_url
from publishing.formats import fields
from publishing.formats.fields import doi_url
from publishing.metadata import dataset_metadata, publication_metadata
from publishing.models import Publication
from publishing.record import VERSION_RELATIONS, DataCiteRecord, parse
from publishing.selectors import publication_by_doi

# The dataset columns a publication's record reads (never scientific_metadata or descriptions).
_DATASET_COLUMNS = (
    "id",
    "pid",
    "title",
    "type",
    "start_time",
    "end_time",
    "creation_time",
    "size",
    "number_of_files",
    "data_format",
    "data_location",
    "source_folder",
    "license",
    "modified",
    "visibility",
    "instrument__pid",
    "instrument__name",
    "instrument__unique_name",
    "instrument__facility",
)


@dataclass(frozen=True, slots=True)
class Version:
    """Another version of the record, from a DataCite version relation."""

    relation: str  # DataCite relationType, e.g. "IsNewVersionOf"
    identifier: str
    identifier_type: str  # "DOI", "URL", "Handle", ...
    url: str


@dataclass(frozen=True)
class LandingRecord:
    kind: Literal["publication", "dataset"]
    # The DOI when there is one, otherwise the dataset's PID: what a citation names.
    identifier: str
    # The publication's DOI; for a dataset, the DOI of a publication of just that dataset (or "").
    doi: str
    # Absolute canonical landing URL (also the OAI/DataCite "url").
    url: str
    # The DataCite metadata (kernel 4), parsed once: the source of every export.
    metadata: DataCiteRecord
    # The public datasets it contains (just the one for a dataset page), newest first.
    datasets: tuple[Dataset, ...]
    publication: Publication | None
    dataset: Dataset | None
    modified: datetime
    withdrawn: bool
    # Totals over ``datasets``.
    size: int = 0
    file_count: int = 0
    # DOIs of the publications that contain this dataset (besides its own DOI); empty for a
    # publication.
    part_of: tuple[str, ...] = field(default=())

    @property
    def title(self) -> str:
        return self.metadata.title

    @property
    def doi_url(self) -> str:
        """``https://doi.org/<doi>``, or "" without a DOI."""
        return doi_url(self.doi) if self.doi else ""

    @property
    def pid_url(self) -> str:
        """The persistent URL a citation names: the DOI, else the Handle, else the landing URL."""
        return fields.pid_url(self.metadata)

    @property
    def path(self) -> str:
        """The landing URL without the portal's base (``/doi/...`` or ``/datasets/...``)."""
        return self.url.removeprefix(absolute_url(""))

    @property
    def versions(self) -> tuple[Version, ...]:
        out = []
        for item in self.metadata.related_identifiers:
            if item.relation_type not in VERSION_RELATIONS:
                continue
            identifier, kind = item.identifier, item.identifier_type
            url = identifier if identifier.startswith(("https://", "http://")) else ""
            if kind == "DOI":
                url = doi_url(identifier)
            elif kind == "Handle":
                url = f"https://hdl.handle.net/{identifier}"
            out.append(Version(item.relation_type, identifier, kind, url))
        return tuple(out)


def _publication_datasets(publication: Publication) -> tuple[Dataset, ...]:
    return tuple(
        publication.datasets.public()
        .select_related("instrument")
        .only(*_DATASET_COLUMNS)
        .order_by(F("start_time").desc(nulls_last=True), "-id")
    )


def publication_record(publication: Publication) -> LandingRecord:
    datasets = _publication_datasets(publication)
    doi = publication.doi or ""
    return LandingRecord(
        kind="publication",
        identifier=doi,
        doi=doi,
        url=publication_url(doi) if doi else absolute_url("/"),
        metadata=parse(publication_metadata(publication, datasets=datasets)),
        datasets=datasets,
        publication=publication,
        dataset=None,
        modified=publication.modified,
        withdrawn=publication.is_withdrawn,
        size=sum(d.size for d in datasets),
        file_count=sum(d.number_of_files for d in datasets),
    )


def _containing_publications(dataset: Dataset) -> tuple[str, list[str]]:
    """The DOI of a public publication of just ``dataset`` ("" if none), and the other DOIs."""
    rows = (
        Publication.objects.public()
        # Not filter(datasets=dataset): the count would then only see the joined row.
        .filter(
            pk__in=Publication.datasets.through.objects.filter(dataset=dataset).values(
                "publication_id"
            )
        )
        .exclude(doi="")
        .annotate(n=Count("datasets", filter=Q(datasets__visibility=Visibility.PUBLIC)))
        .order_by("registered_at", "id")
        .values_list("doi", "n")
    )
    own = ""
    others = []
    for doi, n in rows:
        if n == 1 and not own:
            own = doi
        else:
            others.append(doi)
    return own, others


def dataset_record(dataset: Dataset) -> LandingRecord:
    doi, part_of = _containing_publications(dataset) if not dataset.is_withdrawn else ("", [])
    return LandingRecord(
        kind="dataset",
        identifier=doi or dataset.pid,
        doi=doi,
        url=dataset_url(dataset.pid),
        metadata=parse(dataset_metadata(dataset, doi=doi, part_of=part_of)),
        datasets=(dataset,),
        publication=None,
        dataset=dataset,
        modified=dataset.modified,
        withdrawn=dataset.is_withdrawn,
        size=dataset.size,
        file_count=dataset.number_of_files,
        part_of=tuple(part_of),
    )


def record_for_doi(doi: str) -> LandingRecord | None:
    """The record of the publication ``doi`` (public or withdrawn; any case), or None."""
    if not lookable(doi):
        return None
    publication = publication_by_doi(doi)
    return publication_record(publication) if publication is not None else None


def record_for_pid(pid: str) -> LandingRecord | None:
    """The record of the dataset ``pid`` (public or withdrawn), or None."""
    if not lookable(pid):
        return None
    dataset = dataset_by_pid(pid)
    return dataset_record(dataset) if dataset is not None else None
