"""The DOI at DataCite: asked for, then pushed by the background task.

DOI registration is idempotent by construction:

1. :func:`publication_register` (the request: admin, command, automatic policy) validates the
   metadata, chooses the DOI once and stores it, and moves the publication to ``registering`` in
   one transaction under a row lock; the background task is enqueued after that commits. Asking
   again while it is on its way changes nothing.
2. :func:`publication_push` (the task) makes DataCite match the record, holding the row lock for
   the whole exchange, so two workers take turns and the second finds nothing left to do. The DOI
   name is fixed before the first call, it looks before it creates (GET, then POST), and a 422
   "already taken" counts as success when that DOI points at our landing page.
3. Network errors, timeouts and 5xx answers leave the publication pending and are retried with
   backoff; any other refusal ends in ``failed`` with DataCite's message. Every call and answer is
   kept in :class:`~publishing.models.DataCiteCall`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from publishing import datacite
from publishing.doi_metadata import MetadataInvalid, datacite_attributes
from publishing.models import PENDING_STATES, DataCiteCall, DoiState, Publication
from publishing.services.errors import PublicationError
from publishing.services.indexing import publication_datasets_reindex

logger = logging.getLogger(__name__)

# -- asking for registration --------------------------------------------------------------------

# Crockford's base 32: no i, l, o, u, so a suffix read aloud or retyped stays what it was.
_SUFFIX_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def new_doi(prefix: str) -> str:
    """A fresh DOI under ``prefix``: ``<prefix>/xxxxx-xxxxx``, random, lower-case."""
    chars = "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(10))
    return f"{prefix}/{chars[:5]}-{chars[5:]}"


def doi_is_fresh(doi: str, prefix: str) -> bool:
    """``doi`` has the shape :func:`new_doi` gives under ``prefix`` and is not taken."""
    suffix = doi.removeprefix(f"{prefix}/")
    if suffix == doi or len(suffix) != 11 or suffix[5] != "-":
        return False
    if not all(c in _SUFFIX_ALPHABET for c in suffix[:5] + suffix[6:]):
        return False
    return not Publication.objects.filter(doi=doi).exists()


def landing_url(doi: str) -> str:
    """Where the DOI resolves: the publication's page on this portal."""
    return settings.PORTAL_BASE_URL + reverse("landing:publication", args=[doi])


def _set_state(publication: Publication, state: DoiState, reason: str = "") -> None:
    publication.doi_state = state
    publication.doi_state_reason = reason
    publication.doi_state_changed_at = timezone.now()


_STATE_FIELDS = ["doi_state", "doi_state_reason", "doi_state_changed_at", "modified"]


def _enqueue(publication_id: int) -> None:
    """Run the DataCite task for this publication once the transaction has committed."""
    from publishing.tasks import publication_sync

    transaction.on_commit(lambda: publication_sync.delay(publication_id), robust=True)


def doi_update_request(publication_id: int) -> bool:
    """A registered portal publication changed: its DOI needs a call to DataCite."""
    changed = (
        Publication.objects.managed()
        .filter(pk=publication_id, registered_at__isnull=False)
        .exclude(doi_state=DoiState.REGISTERING)
        .update(
            doi_state=DoiState.UPDATING, doi_state_reason="", doi_state_changed_at=timezone.now()
        )
    )
    pending = Publication.objects.filter(pk=publication_id, doi_state__in=PENDING_STATES).exists()
    if pending:
        _enqueue(publication_id)
    return bool(changed)


@transaction.atomic
def publication_register(*, publication_id: int, doi: str = "") -> bool:
    """Ask for the DOI: validate, choose the DOI once, then register after commit.

    Returns False when there is nothing new to ask for (it is registered, or on its way: then the
    task is sent again, which is harmless). Raises :class:`MetadataInvalid` with the fields to
    fix, or :class:`PublicationError` when the publication cannot be registered from here.
    ``doi`` is the one staff were shown on the register page (a fresh DOI under the prefix);
    a draft that already has a DOI keeps its own.
    """
    publication = Publication.objects.select_for_update().filter(pk=publication_id).first()
    if publication is None:
        raise PublicationError(f"There is no publication {publication_id}.")
    if not publication.is_managed:
        raise PublicationError(
            f"{publication.doi} was registered elsewhere (imported from the catalogue)."
        )
    if publication.doi_state in PENDING_STATES:
        _enqueue(publication.pk)
        return False
    if publication.doi_state in (DoiState.FINDABLE, DoiState.HIDDEN, DoiState.RESERVED):
        return False
    if not datacite.configured():
        raise PublicationError("DataCite is not configured here (DATACITE_URL is not set).")
    if publication.publication_year is None:
        publication.publication_year = timezone.now().year
    if doi and not doi_is_fresh(doi.lower(), settings.DATACITE_PREFIX):
        raise PublicationError(f"{doi} is not a DOI this portal makes under its prefix.")
    doi = publication.doi or doi.lower() or new_doi(settings.DATACITE_PREFIX)
    datacite_attributes(publication, doi=doi, url=landing_url(doi))  # raises MetadataInvalid
    publication.doi = doi
    retry = publication.registered_at is not None  # a failed update of a registered DOI
    _set_state(publication, DoiState.UPDATING if retry else DoiState.REGISTERING)
    publication.save(update_fields=["doi", "publication_year", *_STATE_FIELDS])
    _enqueue(publication.pk)
    return True


# -- talking to DataCite (the background task) --------------------------------------------------


@dataclass(frozen=True)
class PushOutcome:
    state: str
    calls: int
    message: str = ""


def _digest(attributes: dict[str, Any]) -> str:
    text = json.dumps(attributes, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _event(current: str, target: str) -> str | None:
    """The DataCite event that moves a DOI from ``current`` ("" = none yet) to ``target``."""
    if current == target:
        return None
    if target == "findable":
        return "publish"
    return "hide" if current == "findable" else "register"


def _recorder(publication: Publication, attempt: int) -> Callable[[datacite.Call], None]:
    def record(call: datacite.Call) -> None:
        DataCiteCall.objects.create(
            publication=publication,
            at=timezone.now(),
            method=call.method,
            path=call.path[:500],
            request_body=call.request_body,
            status=call.status,
            response_body=call.response_body,
            error=call.error,
            duration_ms=call.duration_ms,
            attempt=attempt,
        )

    return record


def _send(
    client: datacite.Client,
    publication: Publication,
    attributes: dict[str, Any],
    *,
    digest: str,
    target: str,
) -> datacite.DoiRecord | None:
    """Make DataCite hold ``attributes`` in state ``target``; None when it already does."""
    doi = publication.doi
    assert doi
    if publication.datacite_state:  # DataCite has confirmed this DOI before
        if publication.datacite_state == target and publication.datacite_digest == digest:
            return None
        event = _event(publication.datacite_state, target)
        return client.update(doi=doi, attributes=attributes, event=event)
    # Never confirmed: a lost answer may have created it. Look before creating.
    remote = client.get(doi)
    if remote is None:
        try:
            return client.create(doi=doi, attributes=attributes, event=_event("", target))
        except datacite.DoiTaken:
            remote = client.get(doi)
            if remote is None:
                raise datacite.DataCiteUnavailable(
                    f"POST {doi}: DataCite says the DOI is taken but does not show it"
                ) from None
    if remote.url != attributes["url"]:
        raise PublicationError(
            f"The DOI {doi} exists at DataCite already and points to "
            f"{remote.url or 'nowhere'}, not to this portal; it was left untouched. "
            "Find out which system registered it before trying again."
        )
    return client.update(doi=doi, attributes=attributes, event=_event(remote.state, target))


def publication_push(*, publication_id: int, attempt: int = 1, final: bool = True) -> PushOutcome:
    """Make DataCite match the publication (the background task's work).

    Raises :class:`~publishing.datacite.DataCiteUnavailable` when DataCite could not be reached
    and ``final`` is False (the task retries later); on the final attempt that is a failure.
    """
    transient: datacite.DataCiteUnavailable | None = None
    calls: list[datacite.Call] = []
    with transaction.atomic():
        publication = Publication.objects.select_for_update().filter(pk=publication_id).first()
        if publication is None or publication.doi_state not in PENDING_STATES:
            state = publication.doi_state if publication else "missing"
            return PushOutcome(state=state, calls=0, message="nothing to do")
        assert publication.doi
        # Withdrawn, or reserved for records under embargo: resolvable, not findable.
        target = "registered" if publication.is_withdrawn or publication.reserved else "findable"
        record = _recorder(publication, attempt)
        try:
            attributes = datacite_attributes(
                publication, doi=publication.doi, url=landing_url(publication.doi)
            )
            digest = _digest(attributes)

            def on_call(call: datacite.Call) -> None:
                calls.append(call)
                record(call)

            client = datacite.Client.from_settings(on_call=on_call)
            answer = _send(client, publication, attributes, digest=digest, target=target)
        except MetadataInvalid as exc:
            doi_fail(publication, f"Invalid metadata: {exc}")
        except (PublicationError, datacite.DataCiteRejected, ImproperlyConfigured) as exc:
            doi_fail(publication, str(exc))
        except datacite.DataCiteUnavailable as exc:
            if final:
                doi_fail(publication, f"DataCite could not be reached ({attempt} attempts): {exc}")
            else:
                publication.doi_state_reason = f"Attempt {attempt} failed, will retry: {exc}"
                publication.save(update_fields=["doi_state_reason", "modified"])
                transient = exc
        else:
            _succeed(publication, answer, digest=digest, target=target)
        outcome = PushOutcome(publication.doi_state, len(calls), publication.doi_state_reason)
    if transient is not None:
        raise transient  # after the commit, so the attempt's calls stay in the log
    return outcome


def doi_fail(publication: Publication, reason: str) -> None:
    """End in ``failed`` with ``reason`` for staff (the caller's transaction saves it)."""
    logger.warning(
        "DOI %s: %s",
        publication.doi,
        reason,
        extra={"doi": publication.doi, "publication": publication.pk, "doi_state": "failed"},
    )
    _set_state(publication, DoiState.FAILED, reason)
    publication.save(update_fields=_STATE_FIELDS)


def _succeed(
    publication: Publication,
    answer: datacite.DoiRecord | None,
    *,
    digest: str,
    target: str,
) -> None:
    now = timezone.now()
    if answer is not None:
        publication.datacite_state = answer.state or target
        publication.datacite_digest = digest
        publication.datacite_synced_at = now
    first_registration = publication.registered_at is None
    if first_registration:
        publication.registered_at = now
    if target == "findable":
        _set_state(publication, DoiState.FINDABLE)
    else:
        withdrawn = publication.is_withdrawn or not publication.reserved
        _set_state(publication, DoiState.HIDDEN if withdrawn else DoiState.RESERVED)
    publication.save(
        update_fields=[
            "datacite_state",
            "datacite_digest",
            "datacite_synced_at",
            "registered_at",
            *_STATE_FIELDS,
        ]
    )
    logger.info(
        "DOI %s %s at DataCite (%s)",
        publication.doi,
        "registered" if first_registration else "updated",
        publication.datacite_state,
        extra={
            "doi": publication.doi,
            "publication": publication.pk,
            "doi_state": publication.doi_state,
        },
    )
    if first_registration and not publication.reserved:  # its DOI becomes searchable
        publication_datasets_reindex(publication.pk)
