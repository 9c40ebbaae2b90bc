"""Writes to publications."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from django.db import transaction
from django.utils import timezone

from catalogue.models import Dataset
from catalogue.services import UpsertCounts
from catalogue.visibility import Visibility, WithdrawnBy
from publishing.models import Publication
from publishing.payloads import PublicationIn

_FIELDS = (
    "title",
    "abstract",
    "creators",
    "publisher",
    "publication_year",
    "resource_type",
    "subjects",
    "rights",
    "related_identifiers",
    "funding_references",
    "registered_at",
    "source_updated_at",
)


def publication_digest(item: PublicationIn) -> str:
    text = json.dumps(asdict(item), sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def publication_upsert(*, item: PublicationIn) -> UpsertCounts:
    """Create or update a publication by DOI, linked to those of its datasets that are here.

    Datasets that are not (yet) in the portal are linked when a later import brings them, since the
    digest then still differs from one computed over the linked set.
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
    if (
        publication is not None
        and publication.source_digest == digest
        and not (publication.is_withdrawn and publication.withdrawn_by == WithdrawnBy.CATALOGUE)
    ):
        counts.unchanged = 1
        return counts
    if publication is None:
        publication = Publication(doi=item.doi)
        counts.created = 1
    else:
        counts.updated = 1
        if publication.is_withdrawn and publication.withdrawn_by == WithdrawnBy.CATALOGUE:
            publication.visibility, publication.withdrawn_reason = Visibility.PUBLIC, ""
            publication.withdrawn_at, publication.withdrawn_by = None, ""
    for name in _FIELDS:
        setattr(publication, name, getattr(item, name))
    publication.source_digest = digest
    publication.save()
    publication.datasets.set(dataset_ids)
    return counts


@transaction.atomic
def publication_withdraw(
    *, publication: Publication, reason: str, by: WithdrawnBy = WithdrawnBy.STAFF
) -> bool:
    if publication.is_withdrawn:
        return False
    publication.visibility = Visibility.WITHDRAWN
    publication.withdrawn_reason = reason.strip()
    publication.withdrawn_at = timezone.now()
    publication.withdrawn_by = by
    publication.save(
        update_fields=["visibility", "withdrawn_reason", "withdrawn_at", "withdrawn_by", "modified"]
    )
    return True


@transaction.atomic
def publication_restore(*, publication: Publication) -> bool:
    if not publication.is_withdrawn:
        return False
    publication.visibility = Visibility.PUBLIC
    publication.withdrawn_reason = ""
    publication.withdrawn_at = None
    publication.withdrawn_by = ""
    publication.save(
        update_fields=["visibility", "withdrawn_reason", "withdrawn_at", "withdrawn_by", "modified"]
    )
    return True
