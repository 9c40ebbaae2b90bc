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

Whatever the stored JSON holds, the output is valid: entries DataCite would reject (an unknown
``relationType``, a name identifier without its scheme, ...) are left out rather than passed on,
and every text is :func:`plain_text`: no HTML, no character XML forbids, no e-mail address.

Neither function queries the database when the caller has loaded what it reads (a dataset's
``instrument`` with ``select_related`` and its ``techniques`` with ``prefetch_related``; a
publication's public datasets passed as ``datasets``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.conf import settings
from django.utils.html import strip_tags

from lib.xml_text import XML_FORBIDDEN, xml_text
from publishing.kernel import controlled_list
from publishing.record import mappings

if TYPE_CHECKING:
    from catalogue.models import Dataset
    from publishing.models import Publication

SCHEMA_VERSION = "http://datacite.org/schema/kernel-4"


RESOURCE_TYPES_GENERAL = controlled_list("resourceTypeGeneral")
RELATION_TYPES = controlled_list("relationType")
RELATED_IDENTIFIER_TYPES = controlled_list("relatedIdentifierType")
TITLE_TYPES = controlled_list("titleType")
DATE_TYPES = controlled_list("dateType")
DESCRIPTION_TYPES = controlled_list("descriptionType")
CONTRIBUTOR_TYPES = controlled_list("contributorType")
FUNDER_IDENTIFIER_TYPES = controlled_list("funderIdentifierType")
NAME_TYPES = frozenset({"Personal", "Organizational"})
# Related-object attributes DataCite allows only with HasMetadata / IsMetadataFor.
_METADATA_RELATIONS = frozenset({"HasMetadata", "IsMetadataFor"})

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
EMAIL_MASK = "[e-mail address removed]"
_SCRIPT = re.compile(r"<\s*(script|style)\b.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_BLOCK_TAG = re.compile(r"<\s*(?:br|/p|/div|/li|/h[1-6]|/tr)\b[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\f\v\r]+")
# Anything plain_text would change: markup, entities, e-mail, control characters, odd blanks.
_NEEDS_CLEANING = re.compile(
    "[<&@\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff\u00a0\u2028\u2029]|\\s\\s|^\\s|\\s$"
)
_BLANK_LINES = re.compile(r"\n\s*\n\s*")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_HANDLE = re.compile(r"^\d+(?:\.\d+)*/\S+$")
_ORCID = re.compile(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]")
_YEAR = re.compile(r"^\d{4}$")
# URL path characters that Django's reverse() leaves unquoted (RFC 3986 sub-delims, "/~:@").
_PATH_SAFE = "!$&'()*+,;=/~:@"

_PANET = "http://purl.org/pan-science/PaNET/"
_SPDX = "https://spdx.org/licenses/"
# Licences the catalogue names by SPDX id (matched without case), with their full name and deed.
_LICENCES: dict[str, tuple[str, str]] = {
    "cc0-1.0": (
        "Creative Commons Zero v1.0 Universal",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
    "cc-by-4.0": (
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "cc-by-sa-4.0": (
        "Creative Commons Attribution Share Alike 4.0 International",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "cc-by-nc-4.0": (
        "Creative Commons Attribution Non Commercial 4.0 International",
        "https://creativecommons.org/licenses/by-nc/4.0/",
    ),
    "cc-by-nd-4.0": (
        "Creative Commons Attribution No Derivatives 4.0 International",
        "https://creativecommons.org/licenses/by-nd/4.0/",
    ),
    "cc-by-3.0": (
        "Creative Commons Attribution 3.0 Unported",
        "https://creativecommons.org/licenses/by/3.0/",
    ),
    "mit": ("MIT License", "https://opensource.org/licenses/MIT"),
}
_SPDX_IDS = {
    spdx.lower(): spdx
    for spdx in (
        "CC0-1.0",
        "CC-BY-4.0",
        "CC-BY-SA-4.0",
        "CC-BY-NC-4.0",
        "CC-BY-ND-4.0",
        "CC-BY-3.0",
    )
} | {"mit": "MIT"}


# -- text ---------------------------------------------------------------------------------------


def plain_text(value: object, *, lines: bool = True) -> str:
    """Free text as harvesters want it: no markup, no forbidden characters, no e-mail address.

    HTML tags are dropped (block ends become line breaks, scripts and styles go with their
    content), entities are decoded, runs of blanks are collapsed and the result trimmed.
    ``lines=False`` makes it one line (titles, names).
    """
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    if not _NEEDS_CLEANING.search(text):
        return text  # the common case: one clean line
    text = XML_FORBIDDEN.sub("", text)
    if "<" in text:
        text = strip_tags(_BLOCK_TAG.sub("\n", _SCRIPT.sub("", text)))
    if "&" in text:
        text = xml_text(html.unescape(text))
    if "@" in text:
        text = _EMAIL.sub(EMAIL_MASK, text)
    text = _SPACES.sub(" ", text)
    if lines:
        text = _BLANK_LINES.sub("\n\n", text)
        text = "\n".join(line.strip() for line in text.split("\n"))
    else:
        text = " ".join(text.split())
    return text.strip()


def _line(value: object) -> str:
    return plain_text(value, lines=False)


# -- identifiers and links ----------------------------------------------------------------------


def pid_type(pid: str) -> str:
    """The DataCite identifier type of a catalogue PID: ``DOI``, ``Handle`` or ``URL``/``Other``."""
    if _DOI.match(pid):
        return "DOI"
    if _HANDLE.match(pid):
        return "Handle"
    if pid.startswith(("http://", "https://")):
        return "URL"
    return "Other"


def absolute_url(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def dataset_url(pid: str) -> str:
    """The public address of the dataset page, as ``reverse()`` builds it (without a query)."""
    return absolute_url(f"/datasets/{quote(pid, safe=_PATH_SAFE)}")


def publication_url(doi: str) -> str:
    """The public address of the publication's landing page."""
    return absolute_url(f"/doi/{quote(doi, safe=_PATH_SAFE)}")


def _related_pid(pid: str, relation: str) -> dict[str, str]:
    kind = pid_type(pid)
    if kind in {"DOI", "Handle", "URL"}:
        return {"relatedIdentifier": pid, "relatedIdentifierType": kind, "relationType": relation}
    return {
        "relatedIdentifier": dataset_url(pid),
        "relatedIdentifierType": "URL",
        "relationType": relation,
    }


# -- cleaning stored DataCite-shaped JSON -------------------------------------------------------


def _str(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return _line(value) if isinstance(value, str | int | float) else ""


def _unique(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``items`` without repeats (DataCite's schema wants unique array items)."""
    seen: set[Any] = set()
    out = []
    for item in items:
        key: Any = tuple(item.items())
        try:
            hash(key)
        except TypeError:  # nested lists (name identifiers, affiliations)
            key = repr(sorted(item.items()))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _affiliations(value: Any) -> list[dict[str, str]]:
    out = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and _line(item):
            out.append({"name": _line(item)})
        elif isinstance(item, Mapping) and _str(item, "name"):
            affiliation = {"name": _str(item, "name")}
            for key in ("affiliationIdentifier", "affiliationIdentifierScheme", "schemeUri"):
                if text := _str(item, key):
                    affiliation[key] = text
            out.append(affiliation)
    return _unique(out)


def _name_identifiers(value: Any) -> list[dict[str, str]]:
    out = []
    for item in mappings(value):
        identifier, scheme = _str(item, "nameIdentifier"), _str(item, "nameIdentifierScheme")
        if not identifier or not scheme:
            continue
        entry = {"nameIdentifier": identifier, "nameIdentifierScheme": scheme}
        if scheme.upper() == "ORCID" and (match := _ORCID.search(identifier)):
            entry = {
                "nameIdentifier": f"https://orcid.org/{match.group(0)}",
                "nameIdentifierScheme": "ORCID",
                "schemeUri": "https://orcid.org",
            }
        elif _str(item, "schemeUri"):
            entry["schemeUri"] = _str(item, "schemeUri")
        out.append(entry)
    return _unique(out)


def person(item: Mapping[str, Any]) -> dict[str, Any] | None:
    """A DataCite creator/contributor from stored JSON, or None when it names nobody."""
    given, family = _str(item, "givenName"), _str(item, "familyName")
    name = _str(item, "name") or ", ".join(part for part in (family, given) if part)
    if not name:
        return None
    out: dict[str, Any] = {"name": name}
    name_type = _str(item, "nameType")
    if name_type in NAME_TYPES:
        out["nameType"] = name_type
    if given:
        out["givenName"] = given
    if family:
        out["familyName"] = family
    if identifiers := _name_identifiers(item.get("nameIdentifiers")):
        out["nameIdentifiers"] = identifiers
    if affiliations := _affiliations(item.get("affiliation")):
        out["affiliation"] = affiliations
    if _str(item, "lang"):
        out["lang"] = _str(item, "lang")
    return out


def _subjects(value: Any) -> list[dict[str, str]]:
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str):
            item = {"subject": item}
        if not isinstance(item, Mapping) or not _str(item, "subject"):
            continue
        keys = ("subject", "subjectScheme", "schemeUri", "valueUri", "classificationCode", "lang")
        out.append({key: text for key in keys if (text := _str(item, key))})
    return _unique(out)


def _rights(value: Any) -> list[dict[str, str]]:
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str):
            item = {"rights": item}
        if not isinstance(item, Mapping):
            continue
        keys = ("rights", "rightsUri", "rightsIdentifier", "rightsIdentifierScheme", "schemeUri")
        entry = {key: text for key in (*keys, "lang") if (text := _str(item, key))}
        if entry.get("rights") or entry.get("rightsUri") or entry.get("rightsIdentifier"):
            out.append(entry)
    return _unique(out)


def licence_rights(licence: str) -> list[dict[str, str]]:
    """The rights entry of a catalogue licence (an SPDX id or free text)."""
    licence = _line(licence)
    if not licence:
        return []
    known = _LICENCES.get(licence.lower())
    if known is None:
        return [{"rights": licence}]
    name, url = known
    spdx = _SPDX_IDS[licence.lower()]
    return [
        {
            "rights": name,
            "rightsUri": url,
            "rightsIdentifier": spdx,
            "rightsIdentifierScheme": "SPDX",
            "schemeUri": _SPDX,
        }
    ]


def _related_identifiers(value: Any) -> list[dict[str, str]]:
    out = []
    for item in mappings(value):
        identifier = _str(item, "relatedIdentifier")
        kind, relation = _str(item, "relatedIdentifierType"), _str(item, "relationType")
        kind = next((k for k in RELATED_IDENTIFIER_TYPES if k.lower() == kind.lower()), "")
        if not identifier or not kind or relation not in RELATION_TYPES:
            continue
        entry = {
            "relatedIdentifier": identifier,
            "relatedIdentifierType": kind,
            "relationType": relation,
        }
        if _str(item, "resourceTypeGeneral") in RESOURCE_TYPES_GENERAL:
            entry["resourceTypeGeneral"] = _str(item, "resourceTypeGeneral")
        if relation in _METADATA_RELATIONS:
            for key in ("relatedMetadataScheme", "schemeUri", "schemeType"):
                if text := _str(item, key):
                    entry[key] = text
        if text := _str(item, "relationTypeInformation"):  # kernel 4.7, mostly with "Other"
            entry["relationTypeInformation"] = text
        out.append(entry)
    return _unique(out)


def _funding(value: Any) -> list[dict[str, str]]:
    out = []
    for item in mappings(value):
        funder = _str(item, "funderName")
        if not funder:
            continue
        entry = {"funderName": funder}
        identifier = item.get("funderIdentifier")
        if isinstance(identifier, Mapping):  # the REST API's nested form
            item = {**item, **identifier}
        if _str(item, "funderIdentifier"):
            entry["funderIdentifier"] = _str(item, "funderIdentifier")
            if _str(item, "funderIdentifierType") in FUNDER_IDENTIFIER_TYPES:
                entry["funderIdentifierType"] = _str(item, "funderIdentifierType")
        award = item.get("awardNumber")
        if isinstance(award, Mapping):  # {"awardNumber": ..., "awardURI": ...}
            item = {**item, "awardUri": award.get("awardURI") or award.get("awardUri") or ""}
            award = award.get("awardNumber")
        if isinstance(award, str | int) and _line(award):
            entry["awardNumber"] = _line(award)
            if _str(item, "awardUri"):
                entry["awardUri"] = _str(item, "awardUri")
        if _str(item, "awardTitle"):
            entry["awardTitle"] = _str(item, "awardTitle")
        out.append(entry)
    return _unique(out)


def _titles(main: str, others: Any) -> list[dict[str, str]]:
    titles = [{"title": _line(main)}] if _line(main) else []
    for item in mappings(others):
        if not _str(item, "title"):
            continue
        entry = {"title": _str(item, "title")}
        if _str(item, "titleType") in TITLE_TYPES:
            entry["titleType"] = _str(item, "titleType")
        if _str(item, "lang"):
            entry["lang"] = _str(item, "lang")
        titles.append(entry)
    return _unique(titles)


def _dates(value: Any) -> list[dict[str, str]]:
    out = []
    for item in mappings(value):
        date, kind = _str(item, "date"), _str(item, "dateType")
        if date and kind in DATE_TYPES:
            entry = {"date": date, "dateType": kind}
            if _str(item, "dateInformation"):
                entry["dateInformation"] = _str(item, "dateInformation")
            out.append(entry)
    return out


def resource_types(resource_type: str, default_general: str = "Dataset") -> dict[str, str]:
    """DataCite ``types`` from a stored resource type: a general type when it names one."""
    text = _line(resource_type)
    general = next((t for t in RESOURCE_TYPES_GENERAL if t.lower() == text.lower()), None)
    if general is not None:
        return {"resourceTypeGeneral": general, "resourceType": general}
    return {"resourceTypeGeneral": default_general, "resourceType": text or default_general}


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
    return {"name": _line(name) or _line(settings.PORTAL_PUBLISHER) or "(:unav)"}


def _fallback_creators(names: Iterable[Any], organisation: str) -> list[dict[str, Any]]:
    """Creators from plain names; the organisation when there are none (DataCite needs one)."""
    out = []
    for raw in names:
        name = _line(raw)
        if name:
            out.append({"name": name, **_split_name(name)})
    return out or [{"name": _line(organisation) or "(:unav)", "nameType": "Organizational"}]


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
    creators = [c for c in map(person, mappings(publication.creators)) if c is not None]
    related = _related_identifiers(publication.related_identifiers)
    related += [_related_pid(dataset.pid, "HasPart") for dataset in datasets]
    dates = []
    if publication.registered_at is not None:
        dates.append({"date": _day(publication.registered_at), "dateType": "Issued"})
    dates += _dates(getattr(publication, "dates", []))
    doi = publication.doi or ""
    return _compact(
        {
            "doi": doi,
            "url": publication_url(doi) if doi else "",
            "creators": creators or _fallback_creators([], publisher),
            "titles": _titles(publication.title, getattr(publication, "other_titles", []))
            or [{"title": doi or "(:unav)"}],
            "publisher": _publisher(publisher),
            "publicationYear": _year(
                publication.publication_year, publication.registered_at, publication.created
            ),
            "types": resource_types(publication.resource_type),
            "subjects": _subjects(publication.subjects),
            "dates": _unique(dates),
            "relatedIdentifiers": _unique(related),
            "rightsList": _rights(publication.rights),
            "descriptions": _descriptions(publication.abstract),
            "fundingReferences": _funding(publication.funding_references),
            "schemaVersion": SCHEMA_VERSION,
        }
    )


def dataset_creators(dataset: Dataset) -> list[dict[str, Any]]:
    """The people credited for ``dataset`` (the facility when nobody is named)."""
    out: list[dict[str, Any]] = []
    for item in mappings(dataset.creators):
        name = _str(item, "name")
        if not name:
            continue
        creator: dict[str, Any] = {"name": name, **_split_name(name)}
        if match := _ORCID.search(_str(item, "orcid")):
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
    subject = {"subject": _line(name) or _line(pid)}
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
    subjects = _subjects(dataset.keywords)
    subjects += [technique_subject(pid, name) for pid, name in techniques]
    contributors = [
        {
            "name": _line(settings.PORTAL_PUBLISHER) or "(:unav)",
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
        where = f"Measured at {_line(instrument)}"
        descriptions.append(
            {
                "description": f"{where} ({_line(facility)})." if facility else f"{where}.",
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
            "titles": _titles(dataset.title, []) or [{"title": _line(dataset.pid)}],
            "publisher": _publisher(settings.PORTAL_PUBLISHER),
            "publicationYear": _year(dataset.embargo_end, dataset.creation_time, dataset.created),
            "types": {
                "resourceTypeGeneral": "Dataset",
                "resourceType": _line(dataset.type) or "Dataset",
            },
            "subjects": _unique(subjects),
            "contributors": contributors,
            "dates": _unique(dates),
            "relatedIdentifiers": _unique(related),
            "sizes": sizes,
            "formats": [_line(dataset.data_format)] if _line(dataset.data_format) else [],
            "rightsList": licence_rights(dataset.license),
            "descriptions": descriptions,
            "schemaVersion": SCHEMA_VERSION,
        }
    )
