"""Reads of publications for the portal's pages."""

from __future__ import annotations

import re
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q

from catalogue.models import Dataset
from catalogue.visibility import Visibility
from publishing.models import Publication

PUBLICATIONS_PER_PAGE = 25
_DOI_PREFIXES = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.IGNORECASE)


def bare_doi(doi: str) -> str:
    """A DOI trimmed and without a resolver or ``doi:`` prefix, its case kept."""
    return _DOI_PREFIXES.sub("", doi.strip()).strip()


def normalize_doi(doi: str) -> str:
    """A DOI as stored: trimmed, without a resolver or ``doi:`` prefix, lower-case."""
    return bare_doi(doi).lower()


def publication_by_doi(doi: str) -> Publication | None:
    """The publication ``doi`` (public or withdrawn), matched case-insensitively.

    Drafts never sent to DataCite have no page, even when their DOI is already chosen.
    """
    return Publication.objects.on_site().filter(doi=normalize_doi(doi)).first()


def reservation_by_doi(doi: str) -> Publication | None:
    """A DOI reserved for records under embargo (its holding page or tombstone), sent to
    DataCite; never a reservation released since (that one is an ordinary publication)."""
    return Publication.objects.reservations().filter(doi=normalize_doi(doi)).first()


def dataset_dois(dataset_ids: list[int]) -> list[tuple[int, str]]:
    """(dataset id, DOI) of every public publication with a DOI holding one of these datasets
    (what the search documents index; handed to the catalogue in ``PublishingConfig.ready``)."""
    links = Publication.datasets.through.objects.filter(
        dataset_id__in=dataset_ids,
        publication__in=Publication.objects.public().exclude(doi=""),
    ).order_by("id")
    return list(links.values_list("dataset_id", "publication__doi"))


def publications_containing(dataset: Dataset) -> list[Publication]:
    """The public publications that contain ``dataset``."""
    return list(
        Publication.objects.public()
        .filter(datasets=dataset)
        .only("doi", "title", "publication_year")
        .order_by("-publication_year", "title")
    )


def publication_count() -> int:
    return Publication.objects.public().count()


def latest_publications(limit: int = 5) -> list[Publication]:
    return list(Publication.objects.public().only("doi", "title", "publication_year")[:limit])


def publications_page(
    page_number: str | int | None, per_page: int = PUBLICATIONS_PER_PAGE
) -> Page[Any]:
    """One page of the public publications, newest first, each with its public dataset count."""
    queryset = (
        Publication.objects.public()
        .annotate(dataset_count=Count("datasets", filter=Q(datasets__visibility=Visibility.PUBLIC)))
        .only("doi", "title", "publication_year", "creators", "registered_at")
        .order_by("-registered_at", "-id")
    )
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(page_number)


def datasets_for_picking(query: str, *, limit: int = 25) -> list[Dataset]:
    """Public datasets a curator may add, by title (in part), PID, proposal id or run number."""
    query = query.strip()
    if not query:
        return []
    condition = (
        Q(title__icontains=query)
        | Q(pid__iexact=query)
        | Q(pid__istartswith=query)
        | Q(proposal__proposal_id__iexact=query)
        | Q(run_number__iexact=query)
    )
    return list(
        Dataset.objects.public()
        .filter(condition)
        .select_related("proposal", "instrument")
        .order_by("-start_time", "pk")[:limit]
    )


def proposal_public_datasets(proposal_id: str) -> list[Dataset]:
    """Every public dataset of one proposal (a beamtime): the proposal-wide selection."""
    if not proposal_id.strip():
        return []
    return list(
        Dataset.objects.public()
        .filter(proposal__proposal_id__iexact=proposal_id.strip())
        .order_by("start_time", "pk")
    )
