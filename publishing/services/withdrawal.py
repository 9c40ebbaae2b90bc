"""Withdrawing a publication (its page becomes a tombstone, its DOI hidden) and restoring it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from catalogue.visibility import Visibility, WithdrawnBy
from publishing.models import PENDING_STATES, Publication
from publishing.services.indexing import publication_datasets_reindex
from publishing.services.registration import doi_update_request


@transaction.atomic
def publication_withdraw(
    *, publication: Publication, reason: str, by: WithdrawnBy = WithdrawnBy.STAFF
) -> bool:
    """Withdraw: the page becomes a tombstone and a registered DOI is hidden at DataCite.

    The DOI keeps resolving (to the tombstone). False when it was withdrawn already, or is a
    draft that never had a public page (delete those instead).
    """
    locked = Publication.objects.select_for_update().get(pk=publication.pk)
    if locked.is_withdrawn or not _has_landing_page(locked):
        return False
    now = timezone.now()
    locked.visibility = Visibility.WITHDRAWN
    locked.withdrawn_reason = reason.strip()
    locked.withdrawn_at = now
    locked.withdrawn_by = by
    locked.save(
        update_fields=["visibility", "withdrawn_reason", "withdrawn_at", "withdrawn_by", "modified"]
    )
    _copy_visibility(locked, publication)
    doi_update_request(locked.pk)
    publication_datasets_reindex(locked.pk)
    return True


@transaction.atomic
def publication_restore(*, publication: Publication) -> bool:
    """Make a withdrawn publication public again; a hidden DOI becomes findable again."""
    locked = Publication.objects.select_for_update().get(pk=publication.pk)
    if not locked.is_withdrawn:
        return False
    locked.visibility = Visibility.PUBLIC
    locked.withdrawn_reason = ""
    locked.withdrawn_at = None
    locked.withdrawn_by = ""
    locked.save(
        update_fields=["visibility", "withdrawn_reason", "withdrawn_at", "withdrawn_by", "modified"]
    )
    _copy_visibility(locked, publication)
    doi_update_request(locked.pk)
    publication_datasets_reindex(locked.pk)
    return True


def _has_landing_page(publication: Publication) -> bool:
    return (
        not publication.is_managed
        or publication.registered_at is not None
        or publication.doi_state in PENDING_STATES
    )


def _copy_visibility(source: Publication, target: Publication) -> None:
    for name in ("visibility", "withdrawn_reason", "withdrawn_at", "withdrawn_by"):
        setattr(target, name, getattr(source, name))
