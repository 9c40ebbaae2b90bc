"""Publications the catalogue brings (registered elsewhere): created or updated by the import."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from django.db import transaction

from catalogue.models import Dataset
from catalogue.services import UpsertCounts
from catalogue.visibility import Visibility, WithdrawnBy
from publishing.models import DoiState, Publication
from publishing.payloads import PublicationIn
from publishing.services.indexing import publication_datasets_reindex

_FIELDS = (
    "title",
    "abstract",
    "creators",
    "contributors",
    "publisher",
    "publication_year",
    "resource_type",
    "subjects",
    "rights",
    "related_identifiers",
    "funding_references",
    "geo_locations",
    "registered_at",
    "source_updated_at",
)


# Fields added after the first imports: left out of the digest while empty, so that records
# without them keep their digest (and are not all rewritten by the next sync).
_ADDED_LATER = ("contributors", "geo_locations")


def publication_digest(item: PublicationIn) -> str:
    data = asdict(item)
    for name in _ADDED_LATER:
        if not data[name]:
            del data[name]
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def publication_upsert(*, item: PublicationIn) -> UpsertCounts:
    """Create or update a publication by DOI, linked to those of its datasets that are here.

    Datasets that are not (yet) in the portal are linked when a later import brings them, since the
    digest then still differs from one computed over the linked set. A publication the portal
    registered itself is never overwritten by the catalogue's copy of it.
    """
    counts = UpsertCounts()
    dataset_ids = list(
        Dataset.objects.filter(pid__in=item.dataset_pids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    digest = publication_digest(item) + f":{len(dataset_ids)}"
    digest = hashlib.sha256(digest.encode()).hexdigest()
    publication = Publication.objects.filter(doi=item.doi).first()
    if publication is not None and publication.is_managed:
        counts.unchanged = 1
        return counts
    if (
        publication is not None
        and publication.source_digest == digest
        and not (publication.is_withdrawn and publication.withdrawn_by == WithdrawnBy.CATALOGUE)
    ):
        counts.unchanged = 1
        return counts
    if publication is None:
        publication = Publication(doi=item.doi, doi_state=DoiState.EXTERNAL)
        counts.created = 1
    else:
        counts.updated = 1
        if publication.is_withdrawn and publication.withdrawn_by == WithdrawnBy.CATALOGUE:
            publication.visibility, publication.withdrawn_reason = Visibility.PUBLIC, ""
            publication.withdrawn_at, publication.withdrawn_by = None, ""
    for name in _FIELDS:
        setattr(publication, name, getattr(item, name))
    publication.source_digest = digest
    before = set() if counts.created else set(publication.datasets.values_list("pk", flat=True))
    publication.save()
    publication.datasets.set(dataset_ids)
    publication_datasets_reindex(publication.pk, *before)
    return counts
