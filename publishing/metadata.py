"""DataCite kernel-4 metadata of the portal's records, as DataCite JSON.

The dictionaries built here have the shape of the ``attributes`` of DataCite's REST API (and of the
kernel 4.7 JSON schema of :mod:`publishing.kernel`, which the tests validate them against): the same
dictionary is sent to DataCite when a DOI is registered (:mod:`publishing.datacite`), and parsed
once into the typed record (:func:`publishing.record.parse`) that every output format in
:mod:`publishing.formats` (DataCite XML, Dublin Core, BibTeX, ...) is written from.

* :func:`publication_metadata` — a :class:`~publishing.models.Publication` (a DOI).
* :func:`dataset_metadata` — a :class:`~catalogue.models.Dataset`; a dataset has a PID (usually a
  Handle), not a DOI, so the dictionary only gets a ``doi`` when one is passed in (for a DOI about
  to be registered for it). The PID is kept as an ``alternateIdentifier``.

Whatever the stored JSON holds, the output is valid: :mod:`publishing.cleaning` leaves out the
entries DataCite would reject (an unknown ``relationType``, a name identifier without its scheme,
...) rather than passing them on, and every text is plain (no HTML, no character XML forbids, no
e-mail address). The records' public addresses come from :mod:`publishing.addresses`.

Neither function queries the database when the caller has loaded what it reads (a dataset's
``instrument`` with ``select_related`` and its ``techniques`` with ``prefetch_related``; a
publication's public datasets passed as ``datasets``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings

from publishing import cleaning
from publishing.addresses import dataset_url, pid_type, publication_url
from publishing.cleaning import line, plain_text
from publishing.record import mappings

if TYPE_CHECKING:
    from catalogue.models import Dataset
    from publishing.models import Publication

SCHEMA_VERSION = "http://datacite.org/schema/kernel-4"
_ORCID = re.compile(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]")
_YEAR = re.compile(r"^\d{4}$")
_PANET = "http://purl.org/pan-science/PaNET/"


def _related_pid(pid: str, relation: str) -> dict[str, str]:
    kind = pid_type(pid)
    if kind in {"DOI", "Handle", "URL"}:
        return {"relatedIdentifier": pid, "relatedIdentifierType": kind, "relationType": relation}
    return {
        "relatedIdentifier": dataset_url(pid),
        "relatedIdentifierType": "URL",
        "relationType": relation,
    }


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value is not None else ""


def _year(*candidates: int | datetime | None) -> str:
    for value in candidates:
        if isinstance(value, datetime):
            return f"{value.year:04d}"
        if isinstance(value, int) and _YEAR.match(f"{value:04d}"):
            return f"{value:04d}"
    return f"{datetime.now().year:04d}"


def _descriptions(abstract: str, kind: str = "Abstract") -> list[dict[str, str]]:
    text = plain_text(abstract)
    return [{"description": text, "descriptionType": kind}] if text else []


def _publisher(name: str) -> dict[str, str]:
    return {"name": line(name) or line(settings.PORTAL_PUBLISHER) or "(:unav)"}


def _fallback_creators(names: Iterable[Any], organisation: str) -> list[dict[str, Any]]:
    """Creators from plain names; the organisation when there are none (DataCite needs one)."""
    out = []
    for raw in names:
        name = line(raw)
        if name:
            out.append({"name": name, **_split_name(name)})
    return out or [{"name": line(organisation) or "(:unav)", "nameType": "Organizational"}]


def _split_name(name: str) -> dict[str, str]:
    """``Family, Given`` names are personal; the parts are given separately too."""
    family, sep, given = name.partition(",")
    if sep and family.strip() and given.strip():
        return {"nameType": "Personal", "givenName": given.strip(), "familyName": family.strip()}
    return {}


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without empty values (DataCite treats an empty list as "delete")."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


# -- the records --------------------------------------------------------------------------------


def publication_metadata(
    publication: Publication, *, datasets: Sequence[Dataset] | None = None
) -> dict[str, Any]:
    """The DataCite JSON of ``publication``.

    ``datasets`` are its public datasets (``HasPart`` related identifiers); when not given they
    are read with one query.
    """
    if datasets is None:
        datasets = list(publication.datasets.public().only("pid").order_by("pid"))
    publisher = publication.publisher or settings.PORTAL_PUBLISHER
    creators = [c for c in map(cleaning.person, mappings(publication.creators)) if c is not None]
    related = cleaning.related_identifiers(publication.related_identifiers)
    related += [_related_pid(dataset.pid, "HasPart") for dataset in datasets]
    dates = []
    if publication.registered_at is not None:
        dates.append({"date": _day(publication.registered_at), "dateType": "Issued"})
    dates += cleaning.dates(getattr(publication, "dates", []))
    doi = publication.doi or ""
    return _compact(
        {
            "doi": doi,
            "url": publication_url(doi) if doi else "",
            "creators": creators or _fallback_creators([], publisher),
            "titles": cleaning.titles(publication.title, getattr(publication, "other_titles", []))
            or [{"title": doi or "(:unav)"}],
            "publisher": _publisher(publisher),
            "publicationYear": _year(
                publication.publication_year, publication.registered_at, publication.created
            ),
            "types": cleaning.resource_types(publication.resource_type),
            "subjects": cleaning.subjects(publication.subjects),
            "contributors": cleaning.contributors(getattr(publication, "contributors", [])),
            "dates": cleaning.unique(dates),
            "relatedIdentifiers": cleaning.unique(related),
            "rightsList": cleaning.rights(publication.rights),
            "descriptions": _descriptions(publication.abstract),
            "geoLocations": cleaning.geo_locations(getattr(publication, "geo_locations", [])),
            "fundingReferences": cleaning.funding(publication.funding_references),
            "version": line(publication.version),
            "schemaVersion": SCHEMA_VERSION,
        }
    )


def dataset_creators(dataset: Dataset) -> list[dict[str, Any]]:
    """The people credited for ``dataset`` (the facility when nobody is named)."""
    out: list[dict[str, Any]] = []
    for item in mappings(dataset.creators):
        name = cleaning.text_of(item, "name")
        if not name:
            continue
        creator: dict[str, Any] = {"name": name, **_split_name(name)}
        if match := _ORCID.search(cleaning.text_of(item, "orcid")):
            creator["nameIdentifiers"] = [
                {
                    "nameIdentifier": f"https://orcid.org/{match.group(0)}",
                    "nameIdentifierScheme": "ORCID",
                    "schemeUri": "https://orcid.org",
                }
            ]
        out.append(creator)
    return out or _fallback_creators(
        dataset.principal_investigators or [], settings.PORTAL_PUBLISHER
    )


def technique_subject(pid: str, name: str) -> dict[str, str]:
    """A PaNET technique as a DataCite subject."""
    subject = {"subject": line(name) or line(pid)}
    if re.fullmatch(r"(?i)panet\d+", pid):
        subject.update(
            subjectScheme="PaNET",
            schemeUri=_PANET,
            valueUri=f"{_PANET}PaNET{pid[5:]}",
        )
    return subject


def dataset_metadata(
    dataset: Dataset,
    *,
    doi: str = "",
    part_of: Sequence[str] = (),
    techniques: Sequence[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """The DataCite JSON of ``dataset``; ``doi`` when one is being registered for it.

    ``part_of`` are the DOIs of publications that contain it (``IsPartOf``). ``techniques``, its
    techniques' (PID, name) pairs, saves reading ``dataset.techniques`` when the caller has them.
    """
    instrument = dataset.instrument
    facility = (instrument.facility if instrument is not None else "") or ""
    if techniques is None:
        techniques = [(t.pid, t.name) for t in dataset.techniques.all()]
    subjects = cleaning.subjects(dataset.keywords)
    subjects += [technique_subject(pid, name) for pid, name in techniques]
    contributors = [
        {
            "name": line(settings.PORTAL_PUBLISHER) or "(:unav)",
            "nameType": "Organizational",
            "contributorType": "HostingInstitution",
        }
    ]
    dates = []
    if dataset.start_time is not None and dataset.end_time is not None:
        collected = f"{dataset.start_time.isoformat()}/{dataset.end_time.isoformat()}"
        dates.append({"date": collected, "dateType": "Collected"})
    elif dataset.start_time is not None:
        dates.append({"date": dataset.start_time.isoformat(), "dateType": "Collected"})
    if dataset.creation_time is not None:
        dates.append({"date": _day(dataset.creation_time), "dateType": "Created"})
    if dataset.embargo_end is not None:
        dates.append({"date": _day(dataset.embargo_end), "dateType": "Available"})
    related = [_related_pid(d, "IsPartOf") for d in part_of]
    if instrument is not None and pid_type(instrument.pid) in {"DOI", "Handle", "URL"}:
        related.append(
            {**_related_pid(instrument.pid, "IsCompiledBy"), "resourceTypeGeneral": "Instrument"}
        )
    sizes = [f"{dataset.size} bytes"] if dataset.size else []
    if dataset.number_of_files:
        files = dataset.number_of_files
        sizes.append(f"{files} file" if files == 1 else f"{files} files")
    descriptions = _descriptions(dataset.description)
    if instrument is not None:
        where = f"Measured at {line(instrument)}"
        descriptions.append(
            {
                "description": f"{where} ({line(facility)})." if facility else f"{where}.",
                "descriptionType": "TechnicalInfo",
            }
        )
    return _compact(
        {
            "doi": doi,
            "url": dataset_url(dataset.pid),
            "alternateIdentifiers": [
                {
                    "alternateIdentifier": dataset.pid,
                    "alternateIdentifierType": pid_type(dataset.pid),
                }
            ],
            "creators": dataset_creators(dataset),
            "titles": cleaning.titles(dataset.title, []) or [{"title": line(dataset.pid)}],
            "publisher": _publisher(settings.PORTAL_PUBLISHER),
            "publicationYear": _year(dataset.embargo_end, dataset.creation_time, dataset.created),
            "types": {
                "resourceTypeGeneral": "Dataset",
                "resourceType": line(dataset.type) or "Dataset",
            },
            "subjects": cleaning.unique(subjects),
            "contributors": contributors,
            "dates": cleaning.unique(dates),
            "relatedIdentifiers": cleaning.unique(related),
            "sizes": sizes,
            "formats": [line(dataset.data_format)] if line(dataset.data_format) else [],
            "rightsList": cleaning.licence_rights(dataset.license),
            "descriptions": descriptions,
            "schemaVersion": SCHEMA_VERSION,
        }
    )
