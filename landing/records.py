"""The one record every landing-page format is made from.

A landing record is what ``/doi/<doi>`` (a publication) and ``/datasets/<pid>`` (one dataset)
show. Every export (BibTeX, RIS, CSL-JSON, DataCite XML/JSON, Dublin Core, schema.org), the
citation, the signposting links and the HTML page are made from it, so they never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from catalogue.models import Dataset
from publishing.metadata import (
    absolute_url,
    dataset_metadata,
    dataset_url,
    publication_metadata,
    publication_url,
)
from publishing.models import Publication
from publishing.selectors import publication_datasets


@dataclass(frozen=True)
class LandingRecord:
    kind: Literal["publication", "dataset"]
    # The DOI when there is one, otherwise the dataset's PID: what a citation names.
    identifier: str
    doi: str
    # Absolute canonical landing URL (also the OAI/DataCite "url").
    url: str
    # DataCite JSON attributes (kernel 4): the source of every export.
    datacite: dict[str, Any]
    # The public datasets it contains (just the one for a dataset page).
    datasets: tuple[Dataset, ...]
    publication: Publication | None
    dataset: Dataset | None
    modified: datetime
    withdrawn: bool

    @property
    def title(self) -> str:
        titles = self.datacite.get("titles") or [{}]
        return str(titles[0].get("title", ""))


def publication_record(publication: Publication) -> LandingRecord:
    datasets = tuple(publication_datasets(publication))
    doi = publication.doi or ""
    return LandingRecord(
        kind="publication",
        identifier=doi,
        doi=doi,
        url=publication_url(doi) if doi else absolute_url("/"),
        datacite=publication_metadata(publication, datasets=datasets),
        datasets=datasets,
        publication=publication,
        dataset=None,
        modified=publication.modified,
        withdrawn=publication.is_withdrawn,
    )


def dataset_record(dataset: Dataset) -> LandingRecord:
    return LandingRecord(
        kind="dataset",
        identifier=dataset.pid,
        doi="",
        url=dataset_url(dataset.pid),
        datacite=dataset_metadata(dataset),
        datasets=(dataset,),
        publication=None,
        dataset=dataset,
        modified=dataset.modified,
        withdrawn=dataset.is_withdrawn,
    )
