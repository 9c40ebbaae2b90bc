"""Automatic DOIs (``PORTAL_AUTO_DOI``): publications for datasets that just became public."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction

from catalogue.models import Dataset, Proposal
from publishing.doi_metadata import MetadataInvalid
from publishing.models import Publication
from publishing.services.drafts import (
    publication_create,
    publication_create_for_proposal,
    publication_datasets_add,
)
from publishing.services.errors import PublicationError
from publishing.services.registration import doi_fail, publication_register

logger = logging.getLogger(__name__)


def publications_auto_create(*, dataset_pids: Sequence[str]) -> list[int]:
    """Publications (and DOIs) for datasets that just became public, as the policy says.

    ``dataset``: one publication per dataset. ``beamtime``: one per proposal, which later datasets
    of that proposal join (its DOI metadata is updated). Metadata that does not validate leaves the
    publication ``failed`` with the reason, for staff to fix. Returns the publications touched.
    """
    mode = settings.PORTAL_AUTO_DOI
    if mode == "off" or not dataset_pids:
        return []
    datasets = list(
        Dataset.objects.public().filter(pid__in=list(dataset_pids)).select_related("proposal")
    )
    touched: list[int] = []
    by_proposal: dict[int, list[Dataset]] = {}
    for dataset in datasets:
        if mode == "beamtime" and dataset.proposal is not None:
            by_proposal.setdefault(dataset.proposal.pk, []).append(dataset)
        else:
            touched.extend(_auto(f"dataset:{dataset.pid}", [dataset], proposal=None))
    for group in by_proposal.values():
        proposal = group[0].proposal
        assert proposal is not None
        touched.extend(_auto(f"proposal:{proposal.proposal_id}", group, proposal=proposal))
    return touched


def _auto(key: str, datasets: list[Dataset], *, proposal: Proposal | None) -> list[int]:
    existing = Publication.objects.filter(auto_key=key).first()
    if existing is not None:
        publication_datasets_add(publication=existing, datasets=datasets)
        return [existing.pk]
    try:
        with transaction.atomic():
            if proposal is not None:
                publication = publication_create_for_proposal(proposal=proposal, auto_key=key)
            else:
                publication = publication_create(datasets=datasets, auto_key=key)
    except IntegrityError:  # another import made it meanwhile
        existing = Publication.objects.get(auto_key=key)
        publication_datasets_add(publication=existing, datasets=datasets)
        return [existing.pk]
    except PublicationError as exc:
        logger.warning("automatic publication %s: %s", key, exc)
        return []
    try:
        publication_register(publication_id=publication.pk)
    except (MetadataInvalid, PublicationError) as exc:
        with transaction.atomic():
            doi_fail(publication, f"Automatic registration: {exc}")
    return [publication.pk]
