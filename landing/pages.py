"""What a landing page shows, prepared in Python so that its templates only print.

The facts every record has (creators, publisher, year, type, subjects, licence, funding, related
works, dates, version) are read from the record's DataCite metadata
(:class:`publishing.record.DataCiteRecord`), the same record every export is made from, so the
page and the exports never disagree. What only a dataset has (files, instrument, proposal,
techniques, thumbnails, data location) comes from the catalogue models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalogue.access import DataAccess, data_access
from catalogue.models import Dataset
from catalogue.sizes import human_size
from landing.downloads import downloads_enabled
from landing.records import LandingRecord
from lib.links import orcid_url, panet_url, safe_url
from lib.terms import words
from publishing.contributor_roles import role_label
from publishing.formats import fields
from publishing.record import VERSION_RELATIONS, DataCiteRecord, Name
from publishing.selectors import bare_doi

# DataCite relation types in words: "<this record> <words> <the related work>".
RELATION_WORDS = {
    "IsCitedBy": _("is cited by"),
    "Cites": _("cites"),
    "IsSupplementTo": _("is supplement to"),
    "IsSupplementedBy": _("is supplemented by"),
    "IsContinuedBy": _("is continued by"),
    "Continues": _("continues"),
    "IsDescribedBy": _("is described by"),
    "Describes": _("describes"),
    "HasMetadata": _("has metadata in"),
    "IsMetadataFor": _("is metadata for"),
    "HasVersion": _("has the version"),
    "IsVersionOf": _("is a version of"),
    "IsNewVersionOf": _("is a new version of"),
    "IsPreviousVersionOf": _("is a previous version of"),
    "IsPartOf": _("is part of"),
    "HasPart": _("has the part"),
    "IsPublishedIn": _("is published in"),
    "IsReferencedBy": _("is referenced by"),
    "References": _("references"),
    "IsDocumentedBy": _("is documented by"),
    "Documents": _("documents"),
    "IsCompiledBy": _("is compiled by"),
    "Compiles": _("compiles"),
    "IsVariantFormOf": _("is a variant form of"),
    "IsOriginalFormOf": _("is the original form of"),
    "IsIdenticalTo": _("is identical to"),
    "IsReviewedBy": _("is reviewed by"),
    "Reviews": _("reviews"),
    "IsDerivedFrom": _("is derived from"),
    "IsSourceOf": _("is the source of"),
    "IsRequiredBy": _("is required by"),
    "Requires": _("requires"),
    "IsObsoletedBy": _("is made obsolete by"),
    "Obsoletes": _("makes obsolete"),
    "IsCollectedBy": _("is collected by"),
    "Collects": _("collects"),
    "IsTranslationOf": _("is a translation of"),
    "HasTranslation": _("has the translation"),
    "Other": _("is related to"),  # kernel 4.7; relationTypeInformation says how, when given
}
DATE_WORDS = {
    "Collected": _("Collected"),
    "Created": _("Created"),
    "Issued": _("Published"),
    "Available": _("Available (embargo ended)"),
    "Submitted": _("Submitted"),
    "Accepted": _("Accepted"),
    "Updated": _("Updated"),
    "Valid": _("Valid"),
    "Copyrighted": _("Copyrighted"),
    "Withdrawn": _("Withdrawn"),
    "Coverage": _("Period covered"),
    "Other": _("Date"),
}


@dataclass(frozen=True)
class Link:
    text: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Person:
    name: str
    orcid: str
    affiliations: list[Link]
    organisation: bool
    role: str = ""  # a contributor's role in words ("data collector")


@dataclass(frozen=True)
class Related:
    relation: str
    identifier: str
    kind: str
    url: str


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    url: str = ""


@dataclass
class Common:
    """The parts of a page every record has, read from its DataCite metadata."""

    creators: list[Person]
    contributors: list[Person]
    places: list[str]
    publisher: str
    year: str
    resource_type: str
    resource_type_general: str
    abstract: str
    technical_info: list[str]
    subjects: list[Link]
    rights: list[Link]
    funding: list[str]
    related: list[Related]
    versions: list[Related]
    version: str
    dates: list[Fact]
    doi_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def related_url(identifier: str, kind: str) -> str:
    kind = kind.upper()
    if kind == "DOI":
        return safe_url(identifier) or f"https://doi.org/{bare_doi(identifier)}"
    if kind == "HANDLE":
        return safe_url(identifier) or f"https://hdl.handle.net/{identifier}"
    if kind == "ARXIV":
        return f"https://arxiv.org/abs/{identifier.removeprefix('arXiv:')}"
    if kind == "PMID":
        return f"https://pubmed.ncbi.nlm.nih.gov/{identifier}/"
    return safe_url(identifier)


def _person(item: Name) -> Person | None:
    name = item.name or ", ".join(n for n in (item.family, item.given) if n)
    if not name:
        return None
    orcid = next(
        (orcid_url(i.identifier) for i in item.identifiers if i.scheme.upper() == "ORCID"),
        "",
    )
    affiliations = [Link(a.name, safe_url(a.identifier)) for a in item.affiliations]
    role = role_label(item.contributor_type) if item.contributor_type else ""
    return Person(name, orcid, affiliations, item.name_type == "Organizational", role)


def creators(metadata: DataCiteRecord) -> list[Person]:
    return [p for p in map(_person, metadata.creators) if p is not None]


def contributors(metadata: DataCiteRecord) -> list[Person]:
    """The contributors with a role (DataCite requires one)."""
    return [p for p in map(_person, metadata.contributors) if p is not None and p.role]


def places(metadata: DataCiteRecord) -> list[str]:
    """The geo locations in words: "Hamburg (53.5754° N, 9.8803° E)", a box by its corners."""
    out = []
    for place in fields.places(metadata):
        parts = []
        if place.point is not None:
            parts.append(_coordinates(*place.point))
        if place.box is not None:
            west, east, south, north = place.box
            parts.append(
                gettext("from %(southwest)s to %(northeast)s")
                % {"southwest": _coordinates(south, west), "northeast": _coordinates(north, east)}
            )
        where = "; ".join(parts)
        out.append(f"{place.name} ({where})" if place.name and where else place.name or where)
    return out


def _coordinates(latitude: str, longitude: str) -> str:
    lat, lon = float(latitude), float(longitude)
    north_south = gettext("N") if lat >= 0 else gettext("S")
    east_west = gettext("E") if lon >= 0 else gettext("W")
    return f"{abs(lat):g}° {north_south}, {abs(lon):g}° {east_west}"


def _rights(metadata: DataCiteRecord) -> list[Link]:
    out = []
    for item in metadata.rights:
        text = item.rights or item.identifier
        spdx = item.identifier
        if spdx and spdx.lower() not in text.lower():
            text = f"{text} ({spdx})"
        url = safe_url(item.uri)
        if text or url:
            out.append(Link(text or url, url))
    return out


def _funding(metadata: DataCiteRecord) -> list[str]:
    out = []
    for item in metadata.funding:
        text = item.funder_name
        if item.award_number:
            text += f", grant {item.award_number}"
        if item.award_title:
            text += f" ({item.award_title})"
        out.append(text)
    return out


def _related(metadata: DataCiteRecord, hide: set[str]) -> tuple[list[Related], list[Related]]:
    related: list[Related] = []
    versions: list[Related] = []
    for item in metadata.related_identifiers:
        identifier, relation, kind = item.identifier, item.relation_type, item.identifier_type
        if identifier in hide:
            continue
        entry = Related(
            relation=(relation == "Other" and item.relation_type_information)
            or str(RELATION_WORDS.get(relation) or "")
            or words(relation)
            or gettext("is related to"),
            identifier=identifier,
            kind=kind,
            url=related_url(identifier, kind),
        )
        (versions if relation in VERSION_RELATIONS else related).append(entry)
    return related, versions


def _dates(metadata: DataCiteRecord) -> list[Fact]:
    out = []
    for item in metadata.dates:
        start, _, end = item.date.partition("/")
        value = _day_or_minute(start)
        if end:
            # Translators: a period of dates, e.g. "2024-10-01 to 2024-10-10".
            value = gettext("%(start)s to %(end)s") % {"start": value, "end": _day_or_minute(end)}
        kind = item.date_type
        out.append(
            Fact(str(DATE_WORDS.get(kind, words(kind).capitalize() or gettext("Date"))), value)
        )
    return out


def _day_or_minute(value: str) -> str:
    """An ISO date-time shortened to what a reader needs: ``2024-10-10 23:00`` or ``2024-10-10``."""
    if "T" in value:
        day, _, time = value.partition("T")
        return f"{day} {time[:5]} UTC" if time.endswith(("Z", "+00:00")) else f"{day} {time[:5]}"
    return value


def common(record: LandingRecord) -> Common:
    metadata = record.metadata
    abstract, technical = "", []
    for item in metadata.descriptions:
        if item.description_type == "TechnicalInfo":
            technical.append(item.description)
        elif not abstract:
            abstract = item.description
    hide = {d.pid for d in record.datasets} if record.kind == "publication" else set()
    related, versions = _related(metadata, hide)
    types = metadata.types
    return Common(
        creators=creators(metadata),
        contributors=contributors(metadata),
        places=places(metadata),
        publisher=metadata.publisher.name,
        year=metadata.publication_year,
        resource_type=types.specific or types.general,
        resource_type_general=types.general,
        abstract=abstract,
        technical_info=technical,
        subjects=[Link(s.subject, safe_url(s.value_uri)) for s in metadata.subjects],
        rights=_rights(metadata),
        funding=_funding(metadata),
        related=related,
        versions=versions,
        version=metadata.version,
        dates=_dates(metadata),
        doi_url=f"https://doi.org/{record.doi}" if record.doi else "",
    )


def location(dataset: Dataset) -> DataAccess:
    """How a visitor gets ``dataset``'s files (catalogue.access words it for every page)."""
    return data_access(
        data_location=dataset.data_location,
        file_count=dataset.number_of_files,
        downloads_enabled=downloads_enabled(),
    )


def technique_link(pid: str, name: str) -> Link:
    """A technique named, linked to its PaNET entry, its id as a note."""
    return Link(name or pid, technique_url(pid), pid if pid != name else "")


def technique_url(pid: str) -> str:
    return panet_url(pid)


@dataclass(frozen=True)
class DatasetCard:
    """One dataset of a publication, as its card shows it."""

    dataset: Dataset
    url: str
    files_url: str
    size: str
    location: DataAccess
    techniques: list[Link]
    thumbnail_url: str
    thumbnail_alt: str


def dataset_card(dataset: Dataset) -> DatasetCard:
    thumbnails = list(dataset.thumbnails.all())  # prefetched
    techniques = [technique_link(t.pid, t.name) for t in dataset.techniques.all()]
    return DatasetCard(
        dataset=dataset,
        url=reverse("landing:dataset", args=[dataset.pid]),
        files_url=reverse("landing:dataset_files", args=[dataset.pid]),
        size=human_size(dataset.size),
        location=location(dataset),
        techniques=techniques,
        thumbnail_url=thumbnails[0].image.url if thumbnails else "",
        thumbnail_alt=(
            thumbnails[0].caption or gettext("Preview of %(title)s") % {"title": dataset.title}
        )
        if thumbnails
        else "",
    )
