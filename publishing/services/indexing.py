"""Keeping the search index's copy of publications' DOIs in step (after commit)."""

from __future__ import annotations

from catalogue.services import search_index_after_commit
from publishing.models import Publication


def publication_datasets_reindex(publication_id: int, *also: int) -> None:
    """The search index holds the DOIs of a dataset's public publications: refresh its members."""
    ids = set(
        Publication.datasets.through.objects.filter(publication_id=publication_id).values_list(
            "dataset_id", flat=True
        )
    )
    search_index_after_commit(dataset_ids=sorted(ids.union(also)))
