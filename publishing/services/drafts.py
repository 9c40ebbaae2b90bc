"""Publications created and edited in the portal: drafts, their prefilled metadata, staff edits.

A registered publication's edits reach DataCite through :mod:`publishing.services.registration`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from catalogue.models import Dataset, Proposal
from publishing.cleaning import unique
from publishing.models import DoiState, Publication
from publishing.services.errors import PublicationError
from publishing.services.indexing import (
    publication_datasets_reindex,
    publication_pages_invalidate,
)
from publishing.services.registration import doi_update_request
from publishing.spdx import licence_name, spdx_of_text

# What staff edit; everything else about a publication belongs to the services.
EDITABLE_FIELDS = (
    "title",
    "other_titles",
    "abstract",
    "creators",
    "contributors",
    "publisher",
    "publication_year",
    "resource_type",
    "version",
    "subjects",
    "rights",
    "related_identifiers",
    "funding_references",
    "dates",
    "geo_locations",
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


def creators_of(datasets: Sequence[Dataset]) -> list[dict[str, Any]]:
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


def subjects_of(datasets: Sequence[Dataset]) -> list[dict[str, Any]]:
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


def rights_of(datasets: Sequence[Dataset]) -> list[dict[str, Any]]:
    """The datasets' licences; one the SPDX list knows (by id, name or address) with its id."""
    licenses = sorted({d.license.strip() for d in datasets if d.license.strip()})
    out: list[dict[str, Any]] = []
    for text in licenses:
        found = spdx_of_text(text)
        if found is None:
            out.append({"rights": text})
        else:
            out.append(
                {
                    "rights": licence_name(found),
                    "rightsUri": f"https://spdx.org/licenses/{found}.html",
                    "rightsIdentifier": found,
                    "rightsIdentifierScheme": "SPDX",
                    "schemeUri": "https://spdx.org/licenses/",
                }
            )
    return unique(out)


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


def default_title(chosen: Sequence[Dataset]) -> str:
    """A publication's title from its datasets (loaded with their proposal)."""
    if len(chosen) == 1:
        return chosen[0].title
    proposals = {d.proposal for d in chosen}
    only = next(iter(proposals)) if len(proposals) == 1 else None
    if only is not None:
        return only.title or f"Data of beamtime {only.proposal_id}"
    return f"{chosen[0].title} and {len(chosen) - 1} more datasets"


def prefill(publication: Publication, datasets: Sequence[Dataset]) -> None:
    """Fill a publication's DataCite fields in from its datasets."""
    publication.creators = creators_of(datasets)
    publication.subjects = subjects_of(datasets)
    publication.rights = rights_of(datasets)
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
        title = default_title(chosen)
    if not abstract and len(chosen) == 1:
        abstract = chosen[0].description
    publication = Publication(
        title=title,
        abstract=abstract,
        doi_state=DoiState.DRAFT,
        doi_state_changed_at=timezone.now(),
        auto_key=auto_key,
    )
    prefill(publication, chosen)
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
    publication_pages_invalidate(publication.pk)


@transaction.atomic
def publication_changed(*, publication: Publication) -> bool:
    """After an edit: bring a registered DOI's metadata up to date. True when an update is due."""
    return doi_update_request(publication.pk)


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
    locked.subjects = _merge(locked.subjects, subjects_of(new), key="subject")
    locked.save(update_fields=["dates", "subjects", "modified"])
    doi_update_request(locked.pk)
    publication_datasets_reindex(locked.pk)
    return len(new)


@transaction.atomic
def publication_datasets_remove(*, publication: Publication, datasets: Sequence[Dataset]) -> int:
    """Take datasets out; a registered DOI's metadata follows. Returns how many were removed."""
    locked = Publication.objects.select_for_update().get(pk=publication.pk)
    gone = list(locked.datasets.filter(pk__in=[d.pk for d in datasets]))
    if not gone:
        return 0
    locked.datasets.remove(*gone)
    locked.save(update_fields=["modified"])
    doi_update_request(locked.pk)
    publication_datasets_reindex(locked.pk, *(d.pk for d in gone))
    return len(gone)


@transaction.atomic
def publication_edit(*, publication: Publication, values: dict[str, Any]) -> tuple[list[str], bool]:
    """Staff edits from the editor: the fields whose value changed, and whether DataCite follows."""
    changed = [
        name
        for name, value in values.items()
        if name in EDITABLE_FIELDS and getattr(publication, name) != value
    ]
    if not changed:
        return [], False
    for name in changed:
        setattr(publication, name, values[name])
    publication_save(publication=publication, fields=changed)
    return changed, publication_changed(publication=publication)


def _merge(have: list[Any], more: list[dict[str, Any]], *, key: str) -> list[Any]:
    known = {str(item.get(key, "")).lower() for item in have if isinstance(item, dict)}
    return [*have, *(m for m in more if str(m.get(key, "")).lower() not in known)]
