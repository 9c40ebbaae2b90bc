"""Writes to publications: the catalogue's import, staff curation, and the DOI at DataCite.

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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Dataset, Proposal
from catalogue.services import UpsertCounts, search_index_after_commit
from catalogue.visibility import Visibility, WithdrawnBy
from publishing import datacite
from publishing.doi_metadata import FieldProblem, MetadataInvalid, datacite_attributes
from publishing.models import PENDING_STATES, DataCiteCall, DoiState, Publication
from publishing.payloads import PublicationIn

logger = logging.getLogger(__name__)

__all__ = [
    "FieldProblem",
    "MetadataInvalid",
    "PublicationError",
    "landing_url",
    "publication_changed",
    "publication_create",
    "publication_create_for_proposal",
    "publication_datasets_add",
    "publication_push",
    "publication_register",
    "publication_restore",
    "publication_save",
    "publication_upsert",
    "publication_withdraw",
    "publications_auto_create",
]


class PublicationError(Exception):
    """A request staff cannot have: the message says why, in words for them."""


# -- imported from the catalogue ----------------------------------------------------------------

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


def _reindex_datasets(publication_id: int, *also: int) -> None:
    """The search index holds the DOIs of a dataset's public publications: refresh its members."""
    ids = set(
        Publication.datasets.through.objects.filter(publication_id=publication_id).values_list(
            "dataset_id", flat=True
        )
    )
    search_index_after_commit(dataset_ids=sorted(ids.union(also)))


def publication_digest(item: PublicationIn) -> str:
    text = json.dumps(asdict(item), sort_keys=True, default=str, separators=(",", ":"))
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
    _reindex_datasets(publication.pk, *before)
    return counts


# -- created in the portal ----------------------------------------------------------------------

# What staff edit; everything else about a publication belongs to the services.
EDITABLE_FIELDS = (
    "title",
    "other_titles",
    "abstract",
    "creators",
    "publisher",
    "publication_year",
    "resource_type",
    "subjects",
    "rights",
    "related_identifiers",
    "funding_references",
    "dates",
)


def _creator(name: str, orcid: str = "") -> dict[str, Any]:
    creator: dict[str, Any] = {"name": name, "nameType": "Personal"}
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        if family and given:
            creator.update(familyName=family, givenName=given)
    if orcid:
        creator["nameIdentifiers"] = [
            {
                "nameIdentifier": f"https://orcid.org/{orcid}",
                "nameIdentifierScheme": "ORCID",
                "schemeUri": "https://orcid.org",
            }
        ]
    return creator


def _creators_of(datasets: Sequence[Dataset]) -> list[dict[str, Any]]:
    """The people credited for the data, in order, each once; the facility when nobody is."""
    seen: set[str] = set()
    out: list[dict[str, Any]] = []

    def add(name: str, orcid: str = "") -> None:
        name = " ".join(name.split())
        if name and "@" not in name and name.lower() not in seen:  # never an e-mail address
            seen.add(name.lower())
            out.append(_creator(name, orcid))

    for dataset in datasets:
        for person in dataset.creators or []:
            if isinstance(person, dict):
                add(str(person.get("name") or ""), str(person.get("orcid") or ""))
    if not out:
        for dataset in datasets:
            if dataset.proposal is not None:
                add(dataset.proposal.pi_name)
    if not out and settings.PORTAL_PUBLISHER:
        out.append({"name": settings.PORTAL_PUBLISHER, "nameType": "Organizational"})
    return out


def _subjects_of(datasets: Sequence[Dataset]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for dataset in datasets:
        for technique in dataset.techniques.all():
            if technique.name.lower() not in seen:
                seen.add(technique.name.lower())
                subject = {"subject": technique.name, "subjectScheme": "PaNET"}
                if technique.pid.lower().startswith("panet"):
                    subject["valueUri"] = f"http://purl.org/pan-science/PaNET/{technique.pid}"
                    subject["schemeUri"] = "http://purl.org/pan-science/PaNET/PaNET.owl"
                out.append(subject)
        for keyword in dataset.keywords or []:
            if isinstance(keyword, str) and keyword.strip() and keyword.lower() not in seen:
                seen.add(keyword.lower())
                out.append({"subject": keyword.strip()})
    return out


def _rights_of(datasets: Sequence[Dataset]) -> list[dict[str, Any]]:
    licenses = sorted({d.license.strip() for d in datasets if d.license.strip()})
    return [{"rights": text} for text in licenses]


def _dates_of(datasets: Sequence[Dataset]) -> list[dict[str, Any]]:
    span = Dataset.objects.filter(pk__in=[d.pk for d in datasets]).aggregate(
        start=Min("start_time"), end=Max("end_time"), last_start=Max("start_time")
    )
    start: datetime | None = span["start"]
    end: datetime | None = span["end"] or span["last_start"]
    if start is None:
        return []
    first, last = start.date().isoformat(), (end or start).date().isoformat()
    value = first if first == last else f"{first}/{last}"
    return [{"date": value, "dateType": "Collected"}]


def _prefill(publication: Publication, datasets: Sequence[Dataset]) -> None:
    publication.creators = _creators_of(datasets)
    publication.subjects = _subjects_of(datasets)
    publication.rights = _rights_of(datasets)
    publication.dates = _dates_of(datasets)
    publication.publisher = settings.PORTAL_PUBLISHER
    publication.resource_type = "Dataset"
    publication.publication_year = timezone.now().year


@transaction.atomic
def publication_create(
    *,
    datasets: Sequence[Dataset],
    title: str = "",
    abstract: str = "",
    auto_key: str | None = None,
) -> Publication:
    """A draft publication of the public ones among ``datasets``, its metadata prefilled."""
    chosen = list(
        Dataset.objects.public()
        .filter(pk__in=[d.pk for d in datasets])
        .select_related("proposal")
        .prefetch_related("techniques")
        .order_by("start_time", "pk")
    )
    if not chosen:
        raise PublicationError("None of the chosen datasets is public: nothing to publish.")
    if not title:
        if len(chosen) == 1:
            title = chosen[0].title
        else:
            proposals = {d.proposal for d in chosen}
            only = next(iter(proposals)) if len(proposals) == 1 else None
            title = (
                (only.title or f"Data of beamtime {only.proposal_id}")
                if only is not None
                else f"{chosen[0].title} and {len(chosen) - 1} more datasets"
            )
    if not abstract and len(chosen) == 1:
        abstract = chosen[0].description
    publication = Publication(
        title=title,
        abstract=abstract,
        doi_state=DoiState.DRAFT,
        doi_state_changed_at=timezone.now(),
        auto_key=auto_key,
    )
    _prefill(publication, chosen)
    publication.save()
    publication.datasets.set(chosen)
    return publication


def publication_create_for_proposal(
    *, proposal: Proposal, auto_key: str | None = None
) -> Publication:
    """A draft publication of all public datasets of one proposal (a beamtime)."""
    datasets = list(Dataset.objects.public().filter(proposal=proposal))
    if not datasets:
        raise PublicationError(f"Proposal {proposal.proposal_id} has no public datasets.")
    abstract = (
        f"Data measured during beamtime {proposal.proposal_id}"
        + (f" ({proposal.title})" if proposal.title else "")
        + (f", principal investigator {proposal.pi_name}" if proposal.pi_name else "")
        + "."
    )
    return publication_create(
        datasets=datasets,
        title=proposal.title or f"Data of beamtime {proposal.proposal_id}",
        abstract=abstract,
        auto_key=auto_key,
    )


@transaction.atomic
def publication_save(*, publication: Publication, fields: Iterable[str] | None = None) -> None:
    """Save staff edits (``fields``, or all editable ones) of a portal publication.

    Only the editable fields are written, so an edit never undoes what a DataCite call recorded
    meanwhile. A new publication is a draft. Call :func:`publication_changed` once related
    rows (datasets) are saved too.
    """
    if publication.pk is None:
        publication.doi_state = DoiState.DRAFT
        publication.doi_state_changed_at = timezone.now()
        if not publication.publisher:
            publication.publisher = settings.PORTAL_PUBLISHER
        publication.save()
        return
    if not publication.is_managed:
        raise PublicationError("This publication was registered elsewhere; edit it there.")
    names = [name for name in (fields or EDITABLE_FIELDS) if name in EDITABLE_FIELDS]
    publication.save(update_fields=[*names, "modified"])


@transaction.atomic
def publication_changed(*, publication: Publication) -> bool:
    """After an edit: bring a registered DOI's metadata up to date. True when an update is due."""
    return _request_update(publication.pk)


@transaction.atomic
def publication_datasets_add(*, publication: Publication, datasets: Sequence[Dataset]) -> int:
    """Add public datasets; a registered DOI's metadata follows. Returns how many were new."""
    locked = Publication.objects.select_for_update().get(pk=publication.pk)
    have = set(locked.datasets.values_list("pk", flat=True))
    new = [d for d in Dataset.objects.public().filter(pk__in=[d.pk for d in datasets])]
    new = [d for d in new if d.pk not in have]
    if not new:
        return 0
    locked.datasets.add(*new)
    every = list(locked.datasets.public().select_related("proposal").prefetch_related("techniques"))
    locked.dates = _dates_of(every)
    locked.subjects = _merge(locked.subjects, _subjects_of(new), key="subject")
    locked.save(update_fields=["dates", "subjects", "modified"])
    _request_update(locked.pk)
    _reindex_datasets(locked.pk)
    return len(new)


def _merge(have: list[Any], more: list[dict[str, Any]], *, key: str) -> list[Any]:
    known = {str(item.get(key, "")).lower() for item in have if isinstance(item, dict)}
    return [*have, *(m for m in more if str(m.get(key, "")).lower() not in known)]


# -- withdrawing and restoring ------------------------------------------------------------------


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
    _request_update(locked.pk)
    _reindex_datasets(locked.pk)
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
    _request_update(locked.pk)
    _reindex_datasets(locked.pk)
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


# -- the DOI: asking for registration -----------------------------------------------------------

# Crockford's base 32: no i, l, o, u, so a suffix read aloud or retyped stays what it was.
_SUFFIX_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def new_doi(prefix: str) -> str:
    """A fresh DOI under ``prefix``: ``<prefix>/xxxxx-xxxxx``, random, lower-case."""
    chars = "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(10))
    return f"{prefix}/{chars[:5]}-{chars[5:]}"


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


def _request_update(publication_id: int) -> bool:
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
def publication_register(*, publication_id: int) -> bool:
    """Ask for the DOI: validate, choose the DOI once, then register after commit.

    Returns False when there is nothing new to ask for (it is registered, or on its way: then the
    task is sent again, which is harmless). Raises :class:`MetadataInvalid` with the fields to
    fix, or :class:`PublicationError` when the publication cannot be registered from here.
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
    if publication.doi_state in (DoiState.FINDABLE, DoiState.HIDDEN):
        return False
    if not datacite.configured():
        raise PublicationError("DataCite is not configured here (DATACITE_URL is not set).")
    if publication.publication_year is None:
        publication.publication_year = timezone.now().year
    doi = publication.doi or new_doi(settings.DATACITE_PREFIX)
    datacite_attributes(publication, doi=doi, url=landing_url(doi))  # raises MetadataInvalid
    publication.doi = doi
    retry = publication.registered_at is not None  # a failed update of a registered DOI
    _set_state(publication, DoiState.UPDATING if retry else DoiState.REGISTERING)
    publication.save(update_fields=["doi", "publication_year", *_STATE_FIELDS])
    _enqueue(publication.pk)
    return True


# -- the DOI: talking to DataCite (the background task) -----------------------------------------


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
        target = "registered" if publication.is_withdrawn else "findable"
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
            _fail(publication, f"Invalid metadata: {exc}")
        except (PublicationError, datacite.DataCiteRejected, ImproperlyConfigured) as exc:
            _fail(publication, str(exc))
        except datacite.DataCiteUnavailable as exc:
            if final:
                _fail(publication, f"DataCite could not be reached ({attempt} attempts): {exc}")
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


def _fail(publication: Publication, reason: str) -> None:
    logger.warning("DOI %s: %s", publication.doi, reason)
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
    _set_state(publication, DoiState.HIDDEN if target == "registered" else DoiState.FINDABLE)
    publication.save(
        update_fields=[
            "datacite_state",
            "datacite_digest",
            "datacite_synced_at",
            "registered_at",
            *_STATE_FIELDS,
        ]
    )
    if first_registration:  # its DOI becomes searchable
        _reindex_datasets(publication.pk)


# -- automatic DOIs (PORTAL_AUTO_DOI) -----------------------------------------------------------


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
            _fail(publication, f"Automatic registration: {exc}")
    return [publication.pk]
