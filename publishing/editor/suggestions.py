"""What the catalogue knows that a publication may want: rows the editor offers to add.

From the publication's public datasets: their creators and principal investigators (as creators,
and as contributors: the principal investigators as ContactPerson, the datasets' credited people
(their owners' public names) as DataCollector, the facility as HostingInstitution), keywords and
techniques (as subjects), licences (with their SPDX ids where the list knows them) and the
instruments that collected them (when an instrument has a DOI, Handle or web address). From
earlier publications made here: the people already entered as creators or contributors, so the
same person (name, ORCID iD, affiliation) is typed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from catalogue.models import Dataset
from publishing.contributor_roles import role_label
from publishing.editor.rows import (
    ContributorRow,
    CreatorRow,
    PersonRow,
    RelatedRow,
    RightsRow,
    SubjectRow,
)
from publishing.models import Publication
from publishing.services.drafts import creators_of, rights_of, subjects_of

PEOPLE_LIMIT = 20


@dataclass(frozen=True)
class Suggestion:
    """A row to add to the list ``field``; ``key`` names it in the form that asks for it."""

    key: str
    field: str
    label: str
    row: dict[str, Any]


def _folded(value: Any) -> str:
    return " ".join(str(value or "").split()).casefold()


def _names(entries: Any, key: str) -> set[str]:
    return {_folded(e.get(key)) for e in entries or [] if isinstance(e, dict)}


def _pi_names(datasets: list[Dataset]) -> list[str]:
    names: list[str] = []
    for dataset in datasets:
        names += [str(n) for n in dataset.principal_investigators or []]
        if dataset.proposal is not None and dataset.proposal.pi_name:
            names.append(dataset.proposal.pi_name)
    return names


def _people(names: list[str]) -> list[dict[str, Any]]:
    out = []
    for name in names:
        name = " ".join(name.split())
        if name and "@" not in name:  # never an e-mail address
            entry: dict[str, Any] = {"name": name, "nameType": "Personal"}
            if "," in name:
                family, given = (part.strip() for part in name.split(",", 1))
                entry.update(familyName=family, givenName=given)
            out.append(entry)
    return out


def _contributors(datasets: list[Dataset]) -> list[dict[str, Any]]:
    """Contributors the datasets name, each with the role they had."""
    out = [{**p, "contributorType": "ContactPerson"} for p in _people(_pi_names(datasets))]
    credited = [
        str(person.get("name") or "")
        for dataset in datasets
        for person in dataset.creators or []
        if isinstance(person, dict)
    ]
    out += [{**p, "contributorType": "DataCollector"} for p in _people(credited)]
    if facility := " ".join(str(settings.PORTAL_PUBLISHER or "").split()):
        out.append(
            {
                "name": facility,
                "nameType": "Organizational",
                "contributorType": "HostingInstitution",
            }
        )
    return out


def _instrument_related(datasets: list[Dataset]) -> list[dict[str, Any]]:
    out = []
    for instrument in {d.instrument for d in datasets if d.instrument is not None}:
        pid = instrument.pid.strip()
        if pid.lower().startswith(("10.", "https://doi.org/")):
            kind = "DOI"
        elif pid.lower().startswith(("http://", "https://")):
            kind = "URL"
        elif "/" in pid and pid.split("/", 1)[0].replace(".", "").isdigit():
            kind = "Handle"
        else:
            continue
        out.append(
            {
                "relatedIdentifier": pid,
                "relatedIdentifierType": kind,
                "relationType": "IsCollectedBy",
                "resourceTypeGeneral": "Instrument",
            }
        )
    return out


def catalogue_suggestions(publication: Publication) -> list[Suggestion]:
    """Rows from the publication's public datasets that its lists do not have yet."""
    datasets = list(
        publication.datasets.public()
        .select_related("proposal", "instrument")
        .prefetch_related("techniques")
        .order_by("start_time", "pk")
    )
    if not datasets:
        return []
    out: list[Suggestion] = []
    have = _names(publication.creators, "name")
    for entry in [*creators_of(datasets), *_people(_pi_names(datasets))]:
        if entry.get("nameType") == "Organizational" or _folded(entry["name"]) in have:
            continue
        have.add(_folded(entry["name"]))
        out.append(
            Suggestion(
                f"creators:{len(out)}",
                "creators",
                str(entry["name"]),
                CreatorRow.from_datacite(entry),
            )
        )
    roles = {
        f"{_folded(c.get('name'))}|{c.get('contributorType')}"
        for c in publication.contributors or []
        if isinstance(c, dict)
    }
    for entry in _contributors(datasets):
        key = f"{_folded(entry['name'])}|{entry['contributorType']}"
        if key in roles:
            continue
        roles.add(key)
        out.append(
            Suggestion(
                f"contributors:{len(out)}",
                "contributors",
                _("%(name)s as %(role)s")
                % {"name": entry["name"], "role": role_label(entry["contributorType"])},
                ContributorRow.from_datacite(entry),
            )
        )
    have = _names(publication.subjects, "subject")
    for entry in subjects_of(datasets):
        if _folded(entry["subject"]) not in have:
            out.append(
                Suggestion(
                    f"subjects:{len(out)}",
                    "subjects",
                    str(entry["subject"]),
                    SubjectRow.from_datacite(entry),
                )
            )
    have = _names(publication.rights, "rightsIdentifier") | _names(publication.rights, "rights")
    for entry in rights_of(datasets):
        known = {_folded(entry.get("rightsIdentifier")), _folded(entry.get("rights"))}
        if not known & (have - {""}):
            out.append(
                Suggestion(
                    f"rights:{len(out)}",
                    "rights",
                    str(entry.get("rightsIdentifier") or entry["rights"]),
                    RightsRow.from_datacite(entry),
                )
            )
    have = _names(publication.related_identifiers, "relatedIdentifier")
    for entry in _instrument_related(datasets):
        if _folded(entry["relatedIdentifier"]) not in have:
            out.append(
                Suggestion(
                    f"related_identifiers:{len(out)}",
                    "related_identifiers",
                    _("collected by %(pid)s") % {"pid": entry["relatedIdentifier"]},
                    RelatedRow.from_datacite(entry),
                )
            )
    return out


@dataclass(frozen=True)
class Person:
    """Someone credited in an earlier publication made here."""

    name: str
    orcid: str
    affiliation: str
    row: dict[str, Any]

    @property
    def key(self) -> str:
        return self.orcid or self.name


def people_used_before(query: str = "", *, limit: int = PEOPLE_LIMIT) -> list[Person]:
    """People in the creators and contributors of portal publications, each once (by ORCID iD,
    else by name); a person's row has no contributor role (it fills a creator or contributor)."""
    folded_query = _folded(query)
    seen: set[str] = set()
    out: list[Person] = []
    lists = (
        Publication.objects.managed().order_by("-modified").values_list("creators", "contributors")
    )
    for creators, contributors in lists.iterator(chunk_size=200):
        for entry in [*(creators or []), *(contributors or [])]:
            if not isinstance(entry, dict) or entry.get("nameType") == "Organizational":
                continue
            entry = {k: v for k, v in entry.items() if k != "contributorType"}
            row = PersonRow.from_datacite(entry)
            name = str(entry.get("name") or "").strip()
            orcid = str(row.get("orcid") or "").rsplit("/", 1)[-1]
            key = orcid or _folded(name)
            if not name or key in seen:
                continue
            affiliation = str(row.get("affiliation_name") or "")
            haystack = _folded(f"{name} {orcid} {affiliation}")
            if folded_query and folded_query not in haystack:
                continue
            seen.add(key)
            out.append(Person(name, orcid, affiliation, row))
            if len(out) >= limit:
                return out
    return out


def person_by_key(key: str) -> Person | None:
    return next((p for p in people_used_before(limit=10_000) if p.key == key), None)
