"""Keeping the search index's copy of publications' DOIs, and the stored pages, in step (after
commit)."""

from __future__ import annotations

from catalogue import page_cache
from catalogue.services import search_index_after_commit
from publishing.models import Publication


def _member_ids(publication_id: int) -> set[int]:
    return set(
        Publication.datasets.through.objects.filter(publication_id=publication_id).values_list(
            "dataset_id", flat=True
        )
    )


def publication_pages_invalidate(publication_id: int) -> None:
    """After an edit: drop the stored pages of the publication and of its datasets (which name
    it), once the transaction commits."""
    page_cache.invalidate_after_commit(
        publication_ids=[publication_id], dataset_ids=_member_ids(publication_id)
    )


def publication_datasets_reindex(publication_id: int, *also: int) -> None:
    """The search index holds the DOIs of a dataset's public publications: refresh its members."""
    ids = _member_ids(publication_id)
    page_cache.invalidate_after_commit(publication_ids=[publication_id])
    search_index_after_commit(dataset_ids=sorted(ids.union(also)))
